using System.Diagnostics;
using Xunit.Abstractions;

namespace Gateway.Reliability.Tests;

/// <summary>
/// The journal's disk fills up: the journal (and the measurement log beside it) lives on a small tmpfs the test mounts
/// (root), which a filler file then fills to the last byte for three intervals. Rounds that cannot be journaled must
/// not be traded (nothing is sent to a device that the journal did not record first); when space comes back the
/// gateway trades again, and nothing is lost or doubled.
/// </summary>
[Collection(FaultMatrixCollection.Name)]
[Trait("Category", "FaultMatrix")]
public sealed class DiskFullTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Journal_disk_full_for_three_intervals_loses_and_doubles_nothing()
    {
        var mount = Directory.CreateTempSubdirectory("journal-tmpfs-").FullName;
        await MountTmpfsAsync(mount, "48m");
        try
        {
            await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { JournalDirectory = mount });
            var filler = Path.Combine(mount, "filler");
            long filled = 0;
            var matrix = new FaultMatrixTests(output);
            var row = await matrix.RunAsync(site, "journal disk full", "the journal's tmpfs (48 MB) filled to the last byte for 3 intervals",
                inject: () => { filled = Fill(filler); return Task.CompletedTask; },
                heal: () => { File.Delete(filler); return Task.CompletedTask; },
                during: () => Task.Delay(site.Rig.Market.Interval / site.Rig.TimeScale * 3));
            output.WriteLine($"filler: {filled / 1048576.0:0.0} MB");
            Assert.True(filled > 0, "nothing filled the disk");
            FaultMatrixTests.AssertBounded(row);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await RunAsync("umount", "-l", mount);
            try { Directory.Delete(mount, true); } catch (IOException) { }
        }
    }

    /// <summary>Writes until the file system says ENOSPC, first in megabytes then in 4 KiB pieces; returns the bytes written.</summary>
    private static long Fill(string path)
    {
        long written = 0;
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        foreach (var size in new[] { 1 << 20, 4096, 512 })
        {
            var block = new byte[size];
            while (true)
            {
                try
                {
                    f.Write(block);
                    f.Flush(true);
                    written += size;
                }
                catch (IOException)
                {
                    f.SetLength(written);
                    break;
                }
            }
        }
        return written;
    }

    private static async Task MountTmpfsAsync(string path, string size)
    {
        var (code, text) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={size},mode=0777", "tmpfs", path);
        Assert.True(code == 0, $"mount -t tmpfs failed ({code}): {text}. The disk-full fault needs root (scripts/setup.sh runs as root; so does CI).");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var text = await p.StandardError.ReadToEndAsync() + await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, text);
    }
}
