using System.Runtime.InteropServices;

namespace Gateway.Host.Reports;

/// <summary>
/// Where a run's report goes when none is given: <c>out/run/&lt;site&gt;/&lt;start time&gt;/</c>, one folder per run so a
/// lab's second night does not overwrite its first, and <c>out/run/&lt;site&gt;/latest</c> pointing at the newest complete
/// report for whoever (or whatever script) just wants the last one.
/// </summary>
internal static class RunReportFolder
{
    /// <summary>The link next to the run folders that names the newest complete report.</summary>
    public const string LatestLinkName = "latest";

    /// <summary>A fresh folder under <paramref name="siteDirectory"/> named after the run's wall-clock start (UTC).</summary>
    public static string ForRun(string siteDirectory, DateTimeOffset startedUtc)
    {
        var name = startedUtc.UtcDateTime.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.Combine(siteDirectory, name);
        // Two runs started within the same second (a script's quick restart) each keep their own report.
        for (var n = 2; Directory.Exists(path) || File.Exists(path); n++) path = Path.Combine(siteDirectory, $"{name}-{n}");
        return path;
    }

    /// <summary>
    /// Points <c>latest</c> at <paramref name="runDirectory"/> (a relative link, so the tree can be copied or archived). The
    /// link is made under a temporary name and renamed over the old one, so a reader never finds it missing.
    /// </summary>
    /// <returns>Null when done, else why the link could not be made (the report itself is written either way).</returns>
    public static string? MarkLatest(string siteDirectory, string runDirectory)
    {
        var link = Path.Combine(siteDirectory, LatestLinkName);
        var temporary = Path.Combine(siteDirectory, $".{LatestLinkName}-{Environment.ProcessId}");
        try
        {
            if (File.Exists(temporary) || Directory.Exists(temporary)) File.Delete(temporary);
            File.CreateSymbolicLink(temporary, Path.GetRelativePath(siteDirectory, runDirectory));
            // rename(2) replaces the old link in one step; File.Move refuses a destination that resolves to a directory.
            if (Rename(temporary, link) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                File.Delete(temporary);
                return $"could not point {link} at the new report: errno {errno}";
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"could not point {link} at the new report: {e.Message}";
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);
}
