namespace Gateway.Fuzz;

/// <summary>An input that made a target throw an undocumented exception (or take too long).</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Input">The input, as fed.</param>
/// <param name="Error">What it threw (the full exception text).</param>
/// <param name="Signature">Exception type and the method it was thrown from: one entry per distinct bug.</param>
internal sealed record FuzzCrash(string Target, byte[] Input, string Error, string Signature);
