using System.Diagnostics;
using System.Text.Json;
using Gateway.LedgerClient.Fabric;
using Gateway.Testing.Fabric;
using static Gateway.LedgerClient.Tests.Fabric.FabricTestSupport;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>
/// The official Node Fabric Gateway client (@hyperledger/fabric-gateway, generated from the real fabric-protos,
/// over @grpc/grpc-js) talks to the test peer over TLS. If it can endorse, submit, await commit status and
/// evaluate there, the test peer speaks the real protocol, and since our client passes the same peer's checks,
/// our protos, signatures and transaction ids agree with Fabric's own implementation. The two clients also read
/// each other's settlements.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Node)]
public sealed class OfficialGatewayClientInteropTests : IAsyncLifetime
{
    private readonly TestPki _pki = new();
    private TestPeer _peer = null!;

    public async Task InitializeAsync() => _peer = await TestPeer.StartAsync(_pki, new TestPeerSettings { UseTls = true });

    public async Task DisposeAsync()
    {
        await _peer.DisposeAsync();
        _pki.Dispose();
    }

    [Fact]
    public async Task Official_client_commits_and_reads_on_the_test_peer_and_both_clients_agree()
    {
        using var ledger = Ledger(_pki, _peer);
        var ours = Settlement(roundId: "interop-round", id: "interop-ours");
        await ledger.CommitAsync(ours);
        var theirs = Settlement(roundId: "interop-round", id: "interop-theirs", energyKwh: 4.125m, pricePerKwh: 0.1875m);

        var output = await RunOfficialClientAsync(SettlementJson.Serialize(theirs), ours.SettlementId);

        var committed = output.GetProperty("committed");
        Assert.True(committed.GetProperty("successful").GetBoolean());
        Assert.Equal(0, committed.GetProperty("code").GetInt32());
        Assert.True(committed.GetProperty("blockNumber").GetInt64() >= 1);
        var transactionId = output.GetProperty("transactionId").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", transactionId);
        Assert.Equal("0.7734", output.GetProperty("getSettlement").GetProperty("amount").GetString());
        Assert.Equal(transactionId, output.GetProperty("committedResult").GetProperty("txId").GetString());
        Assert.Equal("interop-ours", output.GetProperty("readOther").GetProperty("settlementId").GetString());
        Assert.Equal("2.5", output.GetProperty("readOther").GetProperty("energyKwh").GetString());

        var duplicate = output.GetProperty("duplicate").GetProperty("error");
        Assert.Equal("EndorseError", duplicate.GetProperty("name").GetString());
        Assert.Contains("SETTLEMENT_EXISTS", duplicate.GetProperty("details")[0].GetProperty("message").GetString());

        Assert.Equal(theirs, await ledger.GetAsync(theirs.SettlementId));
        var again = await ledger.CommitAsync(theirs);
        Assert.Equal(LedgerCommitOutcome.AlreadyCommitted, again.Outcome);
        Assert.Equal(transactionId, again.TransactionId);
        Assert.Equal(["interop-ours", "interop-theirs"], (await ledger.QueryRoundAsync("interop-round")).Select(s => s.SettlementId));
    }

    [Fact]
    public async Task Official_client_commits_a_round_batch_and_reads_our_rounds_from_the_chaincode_events_stream()
    {
        using var ledger = Ledger(_pki, _peer);
        var epoch = LedgerIds.NewEpoch();
        var ours = Round("interop-ours-" + epoch, epoch, 5);
        var ourResults = await ledger.CommitBatchAsync(ours);
        var theirs = Round("interop-theirs-" + epoch, epoch, 4);

        var output = await RunOfficialClientAsync(SettlementJson.Serialize(Settlement()), ours[0].SettlementId, new Dictionary<string, string>
        {
            ["BATCH_JSON"] = SettlementJson.SerializeBatch(theirs),
            ["EVENTS_FROM_BLOCK"] = $"{ourResults[0].BlockNumber}",
            ["EVENTS_COUNT"] = "2",
        });

        // Their batch went through CommitSettlements; our client reads it as it wrote it.
        var batch = output.GetProperty("batch");
        Assert.All(batch.GetProperty("results").EnumerateArray(), r => Assert.Equal("committed", r.GetProperty("outcome").GetString()));
        Assert.Equal(theirs, await ledger.QueryRoundAsync(theirs[0].RoundId));
        // Their ChaincodeEvents reader (the real protocol) sees our round's event first, with our transaction id and settlements.
        var events = output.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(FabricLedger.CommittedEventName, events[0].GetProperty("eventName").GetString());
        Assert.Equal(ourResults[0].TransactionId, events[0].GetProperty("transactionId").GetString());
        Assert.Equal(ourResults[0].BlockNumber, events[0].GetProperty("blockNumber").GetInt64());
        Assert.Equal(ours.Select(s => s.SettlementId), events[0].GetProperty("payload").GetProperty("settlements").EnumerateArray().Select(s => s.GetProperty("settlementId").GetString()));
        // And our follower sees theirs.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var followed = new List<CommittedSettlement>();
        await foreach (var committed in ledger.FollowAsync(ourResults[0].BlockNumber, stop.Token))
        {
            if (committed.Settlement.RoundId == theirs[0].RoundId) followed.Add(committed);
            if (followed.Count == theirs.Count) break;
        }
        Assert.Equal(theirs, followed.Select(f => f.Settlement));
    }

    private async Task<JsonElement> RunOfficialClientAsync(string settlementJson, string readSettlementId, IReadOnlyDictionary<string, string>? extra = null)
    {
        var directory = Path.Combine(RepositoryRoot(), "tests", "LedgerClient.Tests", "Fabric", "interop");
        Assert.True(Directory.Exists(Path.Combine(directory, "node_modules", "@hyperledger", "fabric-gateway")),
            $"run scripts/setup.sh first: it installs the official Fabric Gateway client into {directory}/node_modules");
        var start = new ProcessStartInfo("node", "officialClient.js")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["FABRIC_PEER"] = $"127.0.0.1:{_peer.Endpoint.Port}";
        start.Environment["FABRIC_TLS_CA"] = _pki.TlsCa.CertificatePath;
        start.Environment["FABRIC_MSP_ID"] = _pki.MspId;
        start.Environment["FABRIC_CERT"] = _pki.Client.CertificatePath;
        start.Environment["FABRIC_KEY"] = _pki.Client.PrivateKeyPath;
        start.Environment["FABRIC_CHANNEL"] = "settlement-channel";
        start.Environment["FABRIC_CHAINCODE"] = "settlement";
        start.Environment["SETTLEMENT_JSON"] = settlementJson;
        start.Environment["READ_SETTLEMENT_ID"] = readSettlementId;
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        Assert.True(process.ExitCode == 0, $"official client failed ({process.ExitCode}): {await stderr}");
        return JsonSerializer.Deserialize<JsonElement>(await stdout);
    }

    private static string RepositoryRoot() => Repository.Root;
}
