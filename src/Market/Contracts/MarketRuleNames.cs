using Gateway.Market.Model;

namespace Gateway.Market.Contracts;

/// <summary>The names of <see cref="MarketRules"/> values in round JSON and rig files.</summary>
internal static class MarketRuleNames
{
    /// <summary><see cref="ExecutionRule"/> by name.</summary>
    public static readonly IReadOnlyDictionary<string, ExecutionRule> Execution = new Dictionary<string, ExecutionRule>(StringComparer.Ordinal)
    {
        ["max-welfare"] = ExecutionRule.MaximumWelfare,
        ["curtail-lowest-weight-on-worst-line"] = ExecutionRule.CurtailLowestWeightOnWorstLine,
    };

    /// <summary><see cref="BuyerTravelPricing"/> by name.</summary>
    public static readonly IReadOnlyDictionary<string, BuyerTravelPricing> BuyerTravelPrice = new Dictionary<string, BuyerTravelPricing>(StringComparer.Ordinal)
    {
        ["trade-price"] = BuyerTravelPricing.TradePrice,
        ["grid-price"] = BuyerTravelPricing.GridPrice,
    };

    /// <summary><see cref="TravelCostSharing"/> by name.</summary>
    public static readonly IReadOnlyDictionary<string, TravelCostSharing> TravelCost = new Dictionary<string, TravelCostSharing>(StringComparer.Ordinal)
    {
        ["per-trade"] = TravelCostSharing.PerTrade,
        ["shared-over-lots"] = TravelCostSharing.SharedOverLots,
    };

    /// <summary><see cref="SmesSettlementRule"/> by name.</summary>
    public static readonly IReadOnlyDictionary<string, SmesSettlementRule> SmesSettlement = new Dictionary<string, SmesSettlementRule>(StringComparer.Ordinal)
    {
        ["grid-price-net"] = SmesSettlementRule.GridPriceOnNetPower,
        ["trade-price-gross"] = SmesSettlementRule.TradePriceGross,
    };

    /// <summary>The name of <paramref name="value"/> in <paramref name="names"/>.</summary>
    public static string NameOf<T>(IReadOnlyDictionary<string, T> names, T value) where T : struct, Enum =>
        names.First(p => EqualityComparer<T>.Default.Equals(p.Value, value)).Key;

    /// <summary>Parses <paramref name="text"/> (null = <paramref name="fallback"/>); on an unknown name adds an error naming the choices.</summary>
    public static T Parse<T>(IReadOnlyDictionary<string, T> names, string? text, T fallback, string path, Action<string, string> fail) where T : struct, Enum
    {
        if (text is null) return fallback;
        if (names.TryGetValue(text, out var value)) return value;
        fail(path, $"must be one of {string.Join(", ", names.Keys.Select(k => '"' + k + '"'))}, not \"{text}\"");
        return fallback;
    }
}
