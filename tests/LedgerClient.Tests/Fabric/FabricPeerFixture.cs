using Gateway.LedgerClient.Fabric;
using Gateway.Testing.Fabric;

namespace Gateway.LedgerClient.Tests.Fabric;

/// <summary>One test PKI and one plaintext (h2c) test peer shared by the tests of a class.</summary>
public sealed class FabricPeerFixture : IAsyncLifetime
{
    public TestPki Pki { get; } = new();

    public TestPeer Peer { get; private set; } = null!;

    public async Task InitializeAsync() => Peer = await TestPeer.StartAsync(Pki);

    public async Task DisposeAsync()
    {
        await Peer.DisposeAsync();
        Pki.Dispose();
    }
}

/// <summary>One test PKI and one TLS test peer shared by the tests of a class.</summary>
public sealed class TlsPeerFixture : IAsyncLifetime
{
    public TestPki Pki { get; } = new();

    public TestPeer Peer { get; private set; } = null!;

    public async Task InitializeAsync() => Peer = await TestPeer.StartAsync(Pki, new TestPeerSettings { UseTls = true });

    public async Task DisposeAsync()
    {
        await Peer.DisposeAsync();
        Pki.Dispose();
    }
}

/// <summary>One test PKI shared by the tests of a class (key generation is the slow part of setting one up).</summary>
public sealed class PkiFixture : IDisposable
{
    public TestPki Pki { get; } = new();

    public void Dispose() => Pki.Dispose();
}

/// <summary>Builds ledgers and settlements for Fabric tests.</summary>
internal static class FabricTestSupport
{
    public static FabricLedgerOptions Options(TestPki pki, Uri endpoint, TestCredential? client = null) => new()
    {
        PeerEndpoint = endpoint.ToString(),
        TlsCaCertificatePath = endpoint.Scheme == "https" ? pki.TlsCa.CertificatePath : null,
        Channel = "settlement-channel",
        Chaincode = "settlement",
        MspId = pki.MspId,
        CertificatePath = (client ?? pki.Client).CertificatePath,
        PrivateKeyPath = (client ?? pki.Client).PrivateKeyPath,
        EvaluateTimeout = TimeSpan.FromSeconds(10),
        EndorseTimeout = TimeSpan.FromSeconds(10),
        SubmitTimeout = TimeSpan.FromSeconds(10),
        CommitStatusTimeout = TimeSpan.FromSeconds(10),
    };

    public static FabricLedger Ledger(TestPki pki, TestPeer peer, TestCredential? client = null, Action<FabricLedgerOptions>? tweak = null)
    {
        var options = Options(pki, peer.Endpoint, client);
        tweak?.Invoke(options);
        return FabricLedger.Create(options);
    }

    private static int _sequence;

    /// <summary>A round of <paramref name="count"/> settlements with gateway ids ({round}/{epoch}/{index}/{payer}->{payee}).</summary>
    public static IReadOnlyList<SettlementRecord> Round(string roundId, string epoch, int count, int energyOffset = 0)
    {
        var start = new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(0, count).Select(i =>
        {
            var energy = 0.5m + (i + energyOffset) % 9 * 0.25m;
            var price = 0.4m + i % 5 * 0.0125m;
            var payer = $"ev-{i}";
            var payee = i % 4 == 0 ? "smes-1" : $"pv-{i % 3}";
            return new SettlementRecord(LedgerIds.SettlementId(roundId, epoch, i, payer, payee), roundId, payer, payee, energy, price,
                Math.Round(energy * price, 4, MidpointRounding.AwayFromZero), start, start.AddMinutes(15));
        }).ToList();
    }

    public static SettlementRecord Settlement(string? roundId = null, string? id = null, decimal energyKwh = 2.5m, decimal pricePerKwh = 0.2123m, decimal? amount = null)
    {
        var round = roundId ?? "round-" + Guid.NewGuid().ToString("N")[..8];
        var start = new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.Zero);
        return new SettlementRecord(
            id ?? $"{round}-ev1-pv2-{Interlocked.Increment(ref _sequence)}",
            round,
            "ev1",
            "pv2",
            energyKwh,
            pricePerKwh,
            amount ?? Math.Round(energyKwh * pricePerKwh, 4),
            start,
            start.AddMinutes(15));
    }
}
