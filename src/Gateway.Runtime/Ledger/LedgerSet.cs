using Gateway.Rigs;
using Gateway.LedgerClient;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;
using Gateway.LedgerClient.Outbox;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Ledger;

/// <summary>
/// The three streams' ledgers for a rig. Embedded: one hash-chained file holds all three. Fabric, simple design: the
/// settlements (main chain) on the rig's channel, the two side chains in the embedded file. Fabric, three-channel design:
/// each stream on its own channel and contract, over one connection and identity.
/// </summary>
/// <remarks>Public: the ledger and trace verbs (in the executable) open a rig's ledgers without starting a gateway.</remarks>
public sealed class LedgerSet : IAsyncDisposable
{
    private LedgerSet(ISettlementLedger settlements, IRoundRecordLedger matching, IRoundRecordLedger electricity, EmbeddedLedger? embedded,
        FabricConnection? connection, string description)
    {
        Settlements = settlements;
        Matching = matching;
        Electricity = electricity;
        Embedded = embedded;
        Connection = connection;
        Description = description;
    }

    /// <summary>The main chain: settlements.</summary>
    public ISettlementLedger Settlements { get; }

    /// <summary>The matching side chain.</summary>
    internal IRoundRecordLedger Matching { get; }

    /// <summary>The electricity side chain.</summary>
    internal IRoundRecordLedger Electricity { get; }

    /// <summary>The embedded file, when any stream lives there.</summary>
    internal EmbeddedLedger? Embedded { get; }

    /// <summary>The Fabric connection, when any stream lives on Fabric.</summary>
    public FabricConnection? Connection { get; }

    /// <summary>True when the settlements go to Fabric.</summary>
    internal bool IsFabric => Settlements is FabricLedger;

    /// <summary>Where each stream goes, in one line.</summary>
    public string Description { get; }

    /// <summary>Settlements as the main chain commits them.</summary>
    public ISettlementFeed Feed => (ISettlementFeed)Settlements;

    /// <summary>The side chains by stream.</summary>
    internal IReadOnlyDictionary<LedgerStream, IRoundRecordLedger> SideChains => new Dictionary<LedgerStream, IRoundRecordLedger>
    {
        [LedgerStream.Matching] = Matching,
        [LedgerStream.Electricity] = Electricity,
    };

    /// <summary>The ledger of one side chain.</summary>
    internal IRoundRecordLedger SideChain(LedgerStream stream) => stream switch
    {
        LedgerStream.Matching => Matching,
        LedgerStream.Electricity => Electricity,
        _ => throw new ArgumentOutOfRangeException(nameof(stream), "settlements are not a side chain"),
    };

    /// <summary>
    /// Opens <paramref name="rig"/>'s ledgers on wall time, as the ledger verbs read them. Public because those verbs live in
    /// the executable, and the rig's ledger section it reads is internal to the rig model.
    /// </summary>
    /// <param name="rig">The rig whose ledger section is opened.</param>
    /// <param name="loggers">Where the ledgers log.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    public static Task<LedgerSet> OpenAsync(RigDefinition rig, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rig);
        return OpenAsync(rig.Ledger, TimeProvider.System, loggers, cancellationToken);
    }

    /// <summary>Opens the rig's ledgers. Fabric connects on the first call; the embedded file is created when missing.</summary>
    /// <param name="ledger">The rig's ledger section.</param>
    /// <param name="wallClock">Wall time: block times, proposal timestamps, deadlines (never the plant's accelerated clock).</param>
    /// <param name="loggers">Where the ledgers log.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    internal static async Task<LedgerSet> OpenAsync(RigLedger ledger, TimeProvider wallClock, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        if (ledger.Kind != "fabric" || ledger.Fabric is not { } f)
        {
            var embedded = await EmbeddedLedger.OpenAsync(ledger.EmbeddedPath, wallClock, cancellationToken).ConfigureAwait(false);
            return new LedgerSet(embedded, embedded, embedded, embedded, null, $"embedded ledger {ledger.EmbeddedPath} (all three streams)");
        }
        var connection = FabricConnection.Open(new FabricLedgerOptions
        {
            PeerEndpoint = f.PeerUrl,
            TlsCaCertificatePath = f.TlsCaPath,
            Channel = f.Channel,
            Chaincode = f.Chaincode,
            MspId = f.MspId,
            CertificatePath = f.CertificatePath,
            PrivateKeyPath = f.PrivateKeyPath,
        }, wallClock, loggers);
        try
        {
            var settlements = FabricLedger.Create(connection, f.Channel, f.Chaincode);
            EmbeddedLedger? embedded = null;
            if (f.Matching is null || f.Electricity is null)
                embedded = await EmbeddedLedger.OpenAsync(ledger.EmbeddedPath, wallClock, cancellationToken).ConfigureAwait(false);
            IRoundRecordLedger matching = f.Matching is { } m ? FabricRoundRecordLedger.Create(connection, LedgerStream.Matching, m.Channel, m.Chaincode) : embedded!;
            IRoundRecordLedger electricity = f.Electricity is { } e ? FabricRoundRecordLedger.Create(connection, LedgerStream.Electricity, e.Channel, e.Chaincode) : embedded!;
            string Where(RigFabricChannel? c) => c is null ? $"embedded {ledger.EmbeddedPath}" : $"{c.Chaincode}@{c.Channel}";
            return new LedgerSet(settlements, matching, electricity, embedded, connection,
                $"Fabric {f.PeerUrl} as {f.MspId}: settlements {f.Chaincode}@{f.Channel}, matching {Where(f.Matching)}, electricity {Where(f.Electricity)}");
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The outbox dispatcher that drains the journal's outbox tables into these ledgers.</summary>
    internal OutboxDispatcher CreateDispatcher(string journalConnectionString, OutboxDispatcherOptions options, TimeProvider wallClock, ILogger<OutboxDispatcher> logger) =>
        new(journalConnectionString, Settlements, SideChains, options, wallClock, logger);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Embedded is not null) await Embedded.DisposeAsync().ConfigureAwait(false);
        Connection?.Dispose();
    }
}
