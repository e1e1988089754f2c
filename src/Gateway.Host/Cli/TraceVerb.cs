using System.CommandLine;
using System.Globalization;
using Gateway.Runtime.Ledger;
using Gateway.LedgerClient.Embedded;
using Gateway.LedgerClient.Fabric;
using Spectre.Console;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway trace SETTLEMENT_ID --rig FILE [--json]</c>: a settlement walked back across the three streams — the payment
/// on the main chain, the decision that made it (trade or SMES action, the parties' quotations) on the matching side
/// chain, and what the parties' devices were told and delivered (setpoints, read-backs, meter readings) on the
/// electricity side chain — from the rig's ledgers (embedded or Fabric), with the journal where it is at hand.
/// </summary>
internal static class TraceVerb
{
    public static Command Create()
    {
        var id = new Argument<string>("SETTLEMENT_ID") { Description = "The settlement to trace (as `ledger show`, `ledger follow` or the run report print it)." };
        var rig = LedgerVerb.RigOption();
        rig.Required = true;
        var json = LedgerVerb.JsonOption();
        var command = new Command("trace", "Walk a settlement back to its decision, setpoints, read-backs and meter readings across the three streams. Exit 0 found, 1 not found, 2 bad input, 3 peer unreachable.");
        command.Arguments.Add(id);
        command.Options.Add(rig);
        command.Options.Add(json);
        command.SetAction(async (ParseResult result, CancellationToken cancellationToken) =>
            await RunAsync(result.GetValue(id)!, result.GetValue(rig)!, result.GetValue(json), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string settlementId, string rigPath, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var report = new LedgerVerbFailure("trace", json, output, error);
        if (string.IsNullOrWhiteSpace(settlementId)) return report.Fail(ExitCodes.BadInput, "give a settlement id");
        var (context, failure) = await LedgerRigContext.OpenAsync(rigPath, report, cancellationToken);
        if (context is null) return failure;
        await using (context)
        {
            var (journal, journalFailure) = await LedgerRigContext.ReadJournalAsync(context.Rig.JournalPath, report, required: false, cancellationToken);
            if (journalFailure != ExitCodes.Ok) return journalFailure;
            SettlementTrace? trace;
            try
            {
                trace = await SettlementTracer.TraceAsync(settlementId, context.Ledgers, journal, cancellationToken);
            }
            catch (FabricLedgerException e)
            {
                return report.Unreachable(e);
            }
            if (trace is null)
            {
                if (json) LedgerVerbOutput.WriteJson(output, new { exitCode = ExitCodes.Failed, settlementId, found = false });
                else output.WriteLine($"no settlement '{settlementId}' on {context.Ledgers.Description} or in the journal {context.Rig.JournalPath}");
                return ExitCodes.Failed;
            }
            if (json) WriteJson(output, trace);
            else WriteText(output, trace);
            return ExitCodes.Ok;
        }
    }

    private static void WriteJson(TextWriter output, SettlementTrace t) => LedgerVerbOutput.WriteJson(output, new
    {
        exitCode = ExitCodes.Ok,
        found = true,
        settlement = LedgerVerbOutput.SettlementJson(t.Settlement, withRound: true,
            ("source", t.MainChain), ("journalState", t.JournalState), ("journalDetail", t.JournalDetail)),
        roundKey = t.RoundKey,
        decision = t.DecisionSource is null ? null : new { source = t.DecisionSource, trade = t.Trade, smesActions = t.SmesActions, quotations = t.Quotations, roundKpis = t.RoundKpis },
        delivery = t.DeliverySource is null ? null : new { source = t.DeliverySource, devices = t.Devices },
        findings = t.Findings,
    });

    private static void WriteText(TextWriter output, SettlementTrace t)
    {
        var console = LedgerVerbOutput.Console(output);
        var s = t.Settlement;
        console.WriteLine($"settlement {s.SettlementId}");
        console.WriteLine($"  {s.PayerId} pays {s.PayeeId} {SettlementCanonicalForm.FormatDecimal(s.Amount)} for {SettlementCanonicalForm.FormatDecimal(s.EnergyKwh)} kWh at {SettlementCanonicalForm.FormatDecimal(s.PricePerKwh)}/kWh, " +
                          $"round {s.RoundId}, {LedgerVerbOutput.Interval(s)} UTC");
        console.WriteLine($"  main chain:  {Describe(t.MainChain)}{(t.JournalState is { } js ? $"; journal: {js}{(t.JournalDetail is { } detail && js != "Committed" ? " (" + detail + ")" : "")}" : "")}");
        console.WriteLine($"  matching:    {(t.DecisionSource is { } ds ? Describe(ds) : "not recorded")}");
        console.WriteLine($"  electricity: {(t.DeliverySource is { } es ? Describe(es) : "not recorded")}");

        if (t.Trade is not null || t.SmesActions.Count > 0 || t.Quotations.Count > 0)
        {
            var decision = new Table().Title($"Decision of round {Markup.Escape(t.RoundKey)}");
            foreach (var h in new[] { "What", "Buyer / counterparty", "Seller / direction", "Planned kWh", "Price /kWh", "Status", "Line / limited by" }) decision.AddColumn(h);
            if (t.Trade is { } trade)
                decision.AddRow("trade", Markup.Escape(trade.BuyerId), Markup.Escape(trade.SellerId), N(trade.EnergyKwh), N(trade.PricePerKwh), trade.Status, Markup.Escape(trade.FailedLineId ?? ""));
            foreach (var a in t.SmesActions)
                decision.AddRow("SMES action", Markup.Escape(a.CounterpartyId), a.Direction, N(a.EnergyKwh), N(a.PricePerKwh), $"requested {N(a.RequestedKwh)}", Markup.Escape(a.LimitedBy ?? ""));
            foreach (var q in t.Quotations)
                decision.AddRow("quotation", Markup.Escape(q.ParticipantId), q.Role, N(q.EnergyKwh), "", $"{q.Kind} at {Markup.Escape(q.NodeId)}", $"max {N(q.MaxPowerKw)} kW");
            console.Write(decision);
        }
        if (t.Devices.Count > 0)
        {
            var delivery = new Table().Title("Delivery (positive = delivered to the grid)");
            foreach (var h in new[] { "Device", "Participant", "Setpoint kW", "Read back kW", "Status", "Meter start kWh", "Meter end kWh", "Net export kWh" }) delivery.AddColumn(h);
            foreach (var d in t.Devices)
                delivery.AddRow(Markup.Escape(d.DeviceId), Markup.Escape(d.ParticipantId), N(d.SetpointKw), N(d.ReadBackKw), d.SetpointStatus, N(d.MeterStartKwh), N(d.MeterEndKwh), N(d.NetExportKwh));
            console.Write(delivery);
        }
        foreach (var finding in t.Findings) console.WriteLine($"  note: {finding}");
    }

    private static string Describe(TraceSource source) =>
        $"{source.Where}{(source.Block is { } b ? $", block {b}" : "")}{(source.TransactionId is { Length: > 0 } tx ? $", tx {tx[..Math.Min(16, tx.Length)]}" : "")}" +
        $"{(source.CommittedAtUtc is { } at ? $", {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "")}{(source.OnChain ? "" : " — not on the chain yet")}";

    private static string N(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "–";
}
