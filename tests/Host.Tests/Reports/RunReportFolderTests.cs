using Gateway.Host.Reports;

namespace Gateway.Host.Tests.Reports;

public sealed class RunReportFolderTests : IDisposable
{
    private readonly string _site = Path.Combine(Path.GetTempPath(), "gw-reports-" + Guid.NewGuid().ToString("N"), "demo-feeder");

    public RunReportFolderTests() => Directory.CreateDirectory(_site);

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_site)!, recursive: true);

    [Fact]
    public void Each_run_gets_its_own_folder_named_after_its_start_and_a_second_run_in_the_same_second_does_not_overwrite_the_first()
    {
        var started = new DateTimeOffset(2026, 12, 3, 14, 5, 9, TimeSpan.FromHours(1));
        var first = RunReportFolder.ForRun(_site, started);
        Assert.Equal(Path.Combine(_site, "20261203-130509"), first);
        Directory.CreateDirectory(first);
        var second = RunReportFolder.ForRun(_site, started);
        Assert.Equal(Path.Combine(_site, "20261203-130509-2"), second);
    }

    [Fact]
    public void Latest_is_a_relative_link_moved_to_each_new_report()
    {
        var night1 = Path.Combine(_site, "20261201-220000");
        var night2 = Path.Combine(_site, "20261202-220000");
        foreach (var night in new[] { night1, night2 })
        {
            Directory.CreateDirectory(night);
            File.WriteAllText(Path.Combine(night, "summary.md"), night);
        }

        Assert.Null(RunReportFolder.MarkLatest(_site, night1));
        Assert.Null(RunReportFolder.MarkLatest(_site, night2));

        var link = new DirectoryInfo(Path.Combine(_site, RunReportFolder.LatestLinkName));
        Assert.Equal("20261202-220000", link.LinkTarget);
        Assert.Equal(night2, File.ReadAllText(Path.Combine(link.FullName, "summary.md")));
        Assert.Equal(night1, File.ReadAllText(Path.Combine(night1, "summary.md")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_site), e => Path.GetFileName(e).StartsWith(".latest", StringComparison.Ordinal));
    }
}
