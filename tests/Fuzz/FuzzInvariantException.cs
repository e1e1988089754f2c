namespace Gateway.Fuzz;

/// <summary>A target returned normally but broke a promise of its contract (a length out of range, a non-finite value): a crash.</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);
