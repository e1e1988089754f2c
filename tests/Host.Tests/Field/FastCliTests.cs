using System.Diagnostics;

namespace Gateway.Host.Tests.Field;

/// <summary>
/// The field laptop's command line: <c>./gateway</c> builds only when a source is newer than its last build (checked on a
/// small project of its own, so the test builds in seconds), and <c>scripts/publish.sh</c> makes a single file that runs
/// without the SDK (slow: one full self-contained publish).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(BuildsCollection.Name)]
public sealed class FastCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fast-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RepoRoot() => Repository.Root;

    [Fact]
    public async Task The_gateway_script_rebuilds_only_after_a_source_changed()
    {
        // The real script, in a tree of its own whose src/Gateway.Host is a tiny program.
        File.Copy(Path.Combine(RepoRoot(), "gateway"), Path.Combine(_dir, "gateway"));
        File.SetUnixFileMode(Path.Combine(_dir, "gateway"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var project = Directory.CreateDirectory(Path.Combine(_dir, "src", "Gateway.Host")).FullName;
        await File.WriteAllTextAsync(Path.Combine(project, "Gateway.Host.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <AssemblyName>gateway</AssemblyName>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
            </Project>
            """);
        var program = Path.Combine(project, "Program.cs");
        await File.WriteAllTextAsync(program, """Console.WriteLine("v1 " + string.Join(' ', args));""");

        var first = await RunAsync("hello");
        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("gateway: building", first.Err);
        Assert.Equal("v1 hello", first.Out.Trim());
        var binary = Path.Combine(_dir, ".gateway", "bin", "gateway");
        var built = File.GetLastWriteTimeUtc(binary);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(_dir, ".gateway", "bin", ".built"));

        var second = await RunAsync("again");
        Assert.Equal(0, second.Code);
        Assert.DoesNotContain("building", second.Err);
        Assert.Equal("v1 again", second.Out.Trim());
        Assert.Equal(built, File.GetLastWriteTimeUtc(binary));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(_dir, ".gateway", "bin", ".built")));

        // A source saved after the last build: the next call builds it, and runs the new program.
        // Saved now, seconds after the first build started (the stamp is that start): newer than the last build.
        await File.WriteAllTextAsync(program, """Console.WriteLine("v2 " + string.Join(' ', args));""");
        Assert.True(File.GetLastWriteTimeUtc(program) > stamp);
        var third = await RunAsync("changed");
        Assert.True(third.Code == 0, third.Err);
        Assert.Contains("gateway: building", third.Err);
        Assert.Equal("v2 changed", third.Out.Trim());

        // Files under bin/ and obj/ are build output, not sources: touching them builds nothing.
        File.SetLastWriteTimeUtc(Directory.EnumerateFiles(Path.Combine(project, "obj"), "*", SearchOption.AllDirectories).First(), DateTime.UtcNow);
        var fourth = await RunAsync("quiet");
        Assert.DoesNotContain("building", fourth.Err);
        Assert.Equal("v2 quiet", fourth.Out.Trim());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Publish_makes_a_single_file_that_runs_without_the_sdk()
    {
        var root = RepoRoot();
        var (code, output, errors) = await ProcessAsync(Path.Combine(root, "scripts", "publish.sh"), [], root, TimeSpan.FromMinutes(10));
        Assert.True(code == 0, output + errors);
        Assert.Matches(@"dist/gateway-linux-x64 \(\d+M\)", output);
        var binary = Path.Combine(root, "dist", "gateway-linux-x64");
        Assert.True(File.GetUnixFileMode(binary).HasFlag(UnixFileMode.UserExecute));

        // Run with no dotnet on the PATH and no SDK to find: the file carries the runtime.
        var env = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin", ["DOTNET_ROOT"] = null, ["DOTNET_ROOT_X64"] = null };
        var (versionCode, version, versionErr) = await ProcessAsync(binary, ["--version"], _dir, TimeSpan.FromSeconds(60), env);
        Assert.True(versionCode == 0, versionErr);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Trim());
        // Its shipped profiles are inside it: a bad call is still answered in one line, naming the profiles.
        var (probeCode, _, probeErr) = await ProcessAsync(binary, ["probe", "modbus-tcp://127.0.0.1:1", "--profile", "no-such"], _dir, TimeSpan.FromSeconds(60), env);
        Assert.Equal(2, probeCode);
        Assert.Contains("v2g-charger", probeErr);
        ProbeHostileServerTests.NoStackTrace(probeErr);
    }

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) =>
        ProcessAsync(Path.Combine(_dir, "gateway"), args, _dir, TimeSpan.FromMinutes(5));

    private static async Task<(int Code, string Out, string Err)> ProcessAsync(string file, string[] args, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>
/// Tests that run the .NET build themselves take both cores for minutes: they run alone, after the others, so they do not
/// starve the tests that work on real time (the end-to-end runs).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BuildsCollection
{
    public const string Name = "builds (alone)";
}
