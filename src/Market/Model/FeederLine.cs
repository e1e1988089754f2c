namespace Gateway.Market.Model;

/// <summary>
/// A line or transformer of the radial feeder from the node nearer the root (<paramref name="FromNodeId"/>) to the
/// node farther away (<paramref name="ToNodeId"/>). Its thermal limit applies in both directions.
/// </summary>
public sealed record FeederLine(string Id, string FromNodeId, string ToNodeId, double LimitKw);
