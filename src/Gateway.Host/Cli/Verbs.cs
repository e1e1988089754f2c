using System.CommandLine;

namespace Gateway.Host.Cli;

/// <summary>The product's command line: one verb per file in this folder, registered here.</summary>
internal static class Verbs
{
    public static IEnumerable<Command> All()
    {
        yield return RunVerb.Create();
        yield return ClearVerb.Create();
        yield return ProbeVerb.Create();
        yield return ScanVerb.Create();
        yield return CommissionVerb.Create();
        yield return ScheduleVerb.Create();
        yield return LedgerVerb.Create();
        yield return TraceVerb.Create();
        yield return CompareVerb.Create();
        yield return OperatorVerb.Create();
        yield return OcppPasswordVerb.Create();
    }
}
