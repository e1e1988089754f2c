namespace Gateway.Market.Validation;

/// <summary>One problem with a round, named by its JSON path (e.g. <c>participants[3].energyKwh</c>).</summary>
public sealed record ValidationError(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}
