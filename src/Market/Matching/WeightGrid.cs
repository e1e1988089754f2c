namespace Gateway.Market.Matching;

/// <summary>
/// The integer grid the exact matching and the exact execution count weights on, relative to the round's largest pair
/// weight: one unit is Q_max·2⁻³⁰. Relative, so a round whose prices are all multiplied by k has the same integer weights
/// (exactly when k is a power of two; otherwise except where a weight lies within ~10⁻⁷ of a unit of a rounding boundary,
/// where the two products round differently in the last bit): the same candidate pairs and the same matching, only the
/// prices scale. A pair worth less than half a unit (about 5·10⁻¹⁰ of the best pair) is no candidate.
/// </summary>
internal readonly record struct WeightGrid(double Unit)
{
    /// <summary>Bits of resolution below the largest weight.</summary>
    public const int Bits = 30;

    /// <summary>The grid for a round whose largest pair weight is <paramref name="largestWeight"/> (any grid when none is positive).</summary>
    public static WeightGrid For(double largestWeight)
    {
        if (!(largestWeight > 0) || !double.IsFinite(largestWeight)) return new WeightGrid(1);
        return new WeightGrid(Math.ScaleB(largestWeight, -Bits));
    }

    /// <summary>A weight in whole units (rounded to nearest).</summary>
    public long ToUnits(double weight) => (long)Math.Round(weight / Unit);

    /// <summary>Whole units back in currency.</summary>
    public double ToCurrency(long units) => units * Unit;

    /// <summary>A weight rounded to the grid.</summary>
    public double Round(double weight) => ToCurrency(ToUnits(weight));
}
