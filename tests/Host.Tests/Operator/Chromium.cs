using System.Diagnostics;

namespace Gateway.Host.Tests.Operator;

/// <summary>Debian's headless chromium (installed by scripts/setup.sh), one throw-away profile per run.</summary>
internal static class Chromium
{
    private const string Executable = "/usr/bin/chromium";

    /// <summary>Load <paramref name="url"/>, let the page's scripts run for <paramref name="budgetMs"/> of virtual time, return the DOM.</summary>
    public static async Task<string> DumpDomAsync(Uri url, int budgetMs = 5000) =>
        await RunAsync(["--dump-dom", $"--virtual-time-budget={budgetMs}", url.ToString()]);

    /// <summary>Load <paramref name="url"/> and save a PNG of the window to <paramref name="file"/>.</summary>
    public static async Task ScreenshotAsync(Uri url, string file, int width = 1280, int height = 900, double scale = 1.0, int budgetMs = 5000) =>
        await RunAsync([$"--screenshot={file}", $"--window-size={width},{height}", $"--force-device-scale-factor={scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            "--hide-scrollbars", $"--virtual-time-budget={budgetMs}", url.ToString()]);

    private static async Task<string> RunAsync(IEnumerable<string> arguments)
    {
        var profile = Path.Combine(Path.GetTempPath(), "chromium-profile-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(profile);
        List<string> args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
        ];
        args.AddRange(arguments);
        var start = new ProcessStartInfo(Executable, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(45));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within 45 s: {await error}");
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); }
            catch (IOException) { /* a helper process still exiting; the OS cleans temp */ }
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"chromium failed ({process.ExitCode}): {await error}");
        return await output;
    }
}
