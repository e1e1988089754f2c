namespace Gateway.Fuzz;

/// <summary>The outcome of one fuzzing run of one target.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Seed">The seed of the mutations; the same seed and budget in iterations replays the run.</param>
/// <param name="Iterations">Inputs fed.</param>
/// <param name="CorpusSize">Inputs kept because they led somewhere new (a new outcome).</param>
/// <param name="Outcomes">Distinct outcomes seen (accepted, or each documented error).</param>
/// <param name="Crashes">One input per distinct crash.</param>
internal sealed record FuzzReport(string Target, int Seed, long Iterations, int CorpusSize, int Outcomes, IReadOnlyList<FuzzCrash> Crashes);
