namespace Gateway.Fuzz;

/// <summary>
/// One parser under fuzzing: <see cref="Run"/> feeds it an input and returns normally or throws.
/// Only exceptions that <see cref="IsDocumented"/> accepts (the parser's own kind, e.g.
/// <c>ModbusProtocolException</c> or a rig problem list) may escape; anything else is a crash.
/// </summary>
/// <param name="Name">Name on the command line and folder under corpus/ and regressions/.</param>
/// <param name="Run">Feeds one input.</param>
/// <param name="IsDocumented">True for the exceptions the parser documents for bad input.</param>
/// <param name="IsText">Text input (YAML, JSON): text-aware mutations apply too.</param>
internal sealed record FuzzTarget(string Name, Action<byte[]> Run, Func<Exception, bool> IsDocumented, bool IsText);
