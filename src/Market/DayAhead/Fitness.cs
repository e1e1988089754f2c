namespace Gateway.Market.DayAhead;

/// <summary>Objective of a decision vector: decode (repair) then evaluate.</summary>
internal static class Fitness
{
    public static double Objective(DayAheadMarket market, double[] genes) =>
        DayAheadEconomics.Evaluate(market, ScheduleDecoder.Decode(market, genes)).Objective;
}
