using System.Globalization;
using System.Runtime.InteropServices;

namespace Gateway.Bench;

/// <summary>CPU time of this process (getrusage, µs resolution) and of another one (/proc, clock ticks).</summary>
internal static partial class ProcessCpu
{
    private const int RusageSelf = 0;
    private const int RusageChildren = -1;

    /// <summary>User + system CPU of every child process that ended and was reaped so far, in microseconds.</summary>
    public static double ChildrenMicroseconds()
    {
        if (GetRusage(RusageChildren, out var usage) != 0) throw new InvalidOperationException("getrusage(RUSAGE_CHILDREN) failed");
        return (usage.UserSeconds + usage.SystemSeconds) * 1e6 + usage.UserMicroseconds + usage.SystemMicroseconds;
    }

    /// <summary>User + system CPU of this process so far, in microseconds.</summary>
    public static double SelfMicroseconds()
    {
        if (GetRusage(RusageSelf, out var usage) != 0)
        {
            return Environment.CpuUsage.TotalTime.TotalMicroseconds;
        }

        return (usage.UserSeconds + usage.SystemSeconds) * 1e6 + usage.UserMicroseconds + usage.SystemMicroseconds;
    }

    /// <summary>User + system CPU of process <paramref name="pid"/> so far (all its threads), in microseconds.</summary>
    public static double OfProcessMicroseconds(int pid)
    {
        // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, after the parenthesised command name.
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1e6 / ClockTicksPerSecond;
    }

    // sysconf(_SC_CLK_TCK) is 100 on every Linux this runs on.
    private const double ClockTicksPerSecond = 100;

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, out Rusage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRss, Ixrss, Idrss, Isrss, Minflt, Majflt, Nswap, Inblock, Oublock, Msgsnd, Msgrcv, Nsignals, Nvcsw, Nivcsw;
    }
}
