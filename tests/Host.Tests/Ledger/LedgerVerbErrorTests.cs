using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Host.Cli;
using Gateway.Host.Tests.Worker;
using Gateway.Testing.Fabric;

namespace Gateway.Host.Tests.Ledger;

/// <summary>
/// The ledger and trace verbs through the gateway's command line with broken input, missing files and a Fabric peer
/// that does not answer: each exits with its documented code, names what is wrong on stderr, and with --json prints
/// the {"exitCode", "error"} object every verb prints — never an empty stdout, never a stack trace.
/// </summary>
public sealed class LedgerVerbErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ledger-verb-errors-").FullName;
    private readonly TestPki _pki = new("Org1MSP");
    private readonly Socket _closed = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public LedgerVerbErrorTests()
    {
        File.WriteAllText(Path.Combine(_dir, "garbage.db"), "not a database");
        File.WriteAllText(Path.Combine(_dir, "broken.yaml"), "site: [a\n  devices: {\n");
        File.WriteAllText(Path.Combine(_dir, "embedded.yaml"), EndToEndRig.Yaml);
        // A port nothing listens on: bound, never listening, so connections are refused.
        _closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var closed = new Uri($"https://127.0.0.1:{((IPEndPoint)_closed.LocalEndPoint!).Port}");
        File.WriteAllText(Path.Combine(_dir, "fabric-down.yaml"), EndToEndRig.OnFabric(EndToEndRig.Yaml, closed, _pki, sideChains: true, outboxPath: null));
        File.WriteAllText(Path.Combine(_dir, "fabric-no-key.yaml"), File.ReadAllText(Path.Combine(_dir, "fabric-down.yaml"))
            .Replace(_pki.Client.PrivateKeyPath, Path.Combine(_dir, "no-such-key.pem")));
        File.WriteAllText(Path.Combine(_dir, "garbled-key.pem"), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        File.WriteAllText(Path.Combine(_dir, "fabric-garbled-key.yaml"), File.ReadAllText(Path.Combine(_dir, "fabric-down.yaml"))
            .Replace(_pki.Client.PrivateKeyPath, Path.Combine(_dir, "garbled-key.pem")));
    }

    public void Dispose()
    {
        _closed.Dispose();
        _pki.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    public static TheoryData<string, int, string> Cases() => new()
    {
        { "ledger verify --db @missing.db --json", ExitCodes.BadInput, "no ledger file at" },
        { "ledger verify --db @garbage.db --json", ExitCodes.BadInput, "is not an embedded ledger" },
        { "ledger verify --db @missing.db --anchor xyz --json", ExitCodes.BadInput, "64 hex digits" },
        { "ledger verify --rig @missing.yaml --json", ExitCodes.BadInput, "missing.yaml" },
        { "ledger verify --rig @broken.yaml --json", ExitCodes.BadInput, "not valid YAML" },
        { "ledger verify --rig @embedded.yaml --json", ExitCodes.BadInput, "no embedded ledger file at" },
        { "ledger show --round r-1 --db @garbage.db --json", ExitCodes.BadInput, "is not an embedded ledger" },
        { "ledger show --round r-1 --rig @embedded.yaml --json", ExitCodes.BadInput, "(has the rig run yet?)" },
        { "ledger show --round r-1 --rig @fabric-down.yaml --json", ExitCodes.Unreachable, "the Fabric peer could not answer" },
        { "ledger show --round r-1 --rig @fabric-no-key.yaml --json", ExitCodes.BadInput, "no-such-key.pem" },
        { "ledger verify --rig @fabric-garbled-key.yaml --json", ExitCodes.BadInput, "cannot open the ledger of" },
        { "ledger verify --rig @fabric-down.yaml --json", ExitCodes.BadInput, "no journal file at" },
        { "ledger follow --rig @fabric-down.yaml --json", ExitCodes.Unreachable, "the Fabric peer could not answer" },
        { "ledger follow --rig @fabric-down.yaml --count 1", ExitCodes.Unreachable, "ledger follow: the Fabric peer could not answer" },
        { "ledger backlog --json", ExitCodes.BadInput, "give either --journal FILE or --rig FILE" },
        { "ledger backlog --journal @garbage.db --json", ExitCodes.BadInput, "garbage.db" },
        { "ledger backlog --journal @missing.db --limit 0 --json", ExitCodes.BadInput, "--limit must be positive" },
        { "ledger backlog --rig @broken.yaml --json", ExitCodes.BadInput, "not valid YAML" },
        { "ledger retry --all --journal @missing.db --json", ExitCodes.BadInput, "no journal file at" },
        { "ledger retry some-id --all --journal @missing.db --json", ExitCodes.BadInput, "not both" },
        { "ledger retry --rig @missing.yaml --all --json", ExitCodes.BadInput, "missing.yaml" },
        { "ledger follow --rig @embedded.yaml --count 0 --json", ExitCodes.BadInput, "--count at least 1" },
        { "ledger follow --rig @embedded.yaml --json", ExitCodes.BadInput, "no embedded ledger file at" },
        { "ledger follow --json", ExitCodes.BadInput, "Option '--rig' is required" },
        { "trace x --rig @missing.yaml --json", ExitCodes.BadInput, "missing.yaml" },
        { "trace x --json", ExitCodes.BadInput, "Option '--rig' is required" },
        { "trace x --rig @fabric-down.yaml --json", ExitCodes.Unreachable, "the Fabric peer could not answer" },
        { "trace x --rig @fabric-down.yaml", ExitCodes.Unreachable, "trace: the Fabric peer could not answer" },
        { "ledger verify --db @missing.db", ExitCodes.BadInput, "ledger verify: no ledger file at" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Broken_input_gives_its_exit_code_a_line_and_json_when_asked(string args, int exitCode, string why)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        // @name is a file in the test's folder.
        var argv = args.Split(' ').Select(a => a.StartsWith('@') ? Path.Combine(_dir, a[1..]) : a).ToArray();

        var code = await Gateway.Host.Cli.CommandLine.RunAsync(argv, stdout, stderr);

        var all = stdout + "\n" + stderr;
        Assert.True(code == exitCode, $"exit {code}, expected {exitCode}: {all}");
        Assert.Contains(why, stderr.ToString());
        Assert.DoesNotContain("   at ", all);
        if (args.Contains("--json"))
        {
            using var json = JsonDocument.Parse(stdout.ToString());
            Assert.Equal(exitCode, json.RootElement.GetProperty("exitCode").GetInt32());
            Assert.Contains(why.Replace("ledger verify: ", ""), json.RootElement.GetProperty("error").GetString());
        }
        else
        {
            Assert.Equal("", stdout.ToString());
        }
    }
}
