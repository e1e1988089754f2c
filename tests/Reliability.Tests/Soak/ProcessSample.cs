namespace Gateway.Reliability.Tests.Soak;

/// <summary>One sample of the gateway process and its files, read from /proc and the file system (not from the gateway).</summary>
/// <param name="WallSeconds">Real seconds since the soak began.</param>
/// <param name="SimulatedHours">Simulated hours since the soak began.</param>
/// <param name="RssMb">Resident set (VmRSS), MB.</param>
/// <param name="Threads">Threads of the process.</param>
/// <param name="Handles">Open file descriptors.</param>
/// <param name="Sockets">File descriptors that are sockets.</param>
/// <param name="JournalMb">Journal database plus its WAL, MB.</param>
/// <param name="WalMb">The journal's WAL alone, MB.</param>
/// <param name="MeasurementsMb">Measurement log plus its WAL, MB.</param>
/// <param name="Rounds">Rounds in the journal.</param>
internal sealed record ProcessSample(double WallSeconds, double SimulatedHours, double RssMb, int Threads, int Handles, int Sockets, double JournalMb, double WalMb, double MeasurementsMb, int Rounds)
{
    public static ProcessSample? Take(int pid, double wallSeconds, double simulatedHours, string journalPath, int rounds)
    {
        try
        {
            var status = File.ReadAllLines($"/proc/{pid}/status");
            double Kb(string key) => double.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            var fds = Directory.GetFiles($"/proc/{pid}/fd");
            var sockets = 0;
            foreach (var fd in fds)
            {
                try { if (new FileInfo(fd).LinkTarget is { } t && t.StartsWith("socket:", StringComparison.Ordinal)) sockets++; }
                catch (IOException) { /* closed while we looked */ }
            }
            static double Mb(params string[] paths) => paths.Where(File.Exists).Sum(p => new FileInfo(p).Length) / 1048576.0;
            var measurements = Path.ChangeExtension(journalPath, ".measurements.db");
            return new ProcessSample(wallSeconds, simulatedHours, Kb("VmRSS:") / 1024, (int)Kb("Threads:"), fds.Length, sockets,
                Mb(journalPath, journalPath + "-wal"), Mb(journalPath + "-wal"), Mb(measurements, measurements + "-wal"), rounds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null; // the process is gone
        }
    }
}
