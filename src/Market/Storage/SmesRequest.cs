using Gateway.Market.Decision;

namespace Gateway.Market.Storage;

/// <summary>One side of a failed trade asking the SMES for help.</summary>
internal readonly record struct SmesRequest(string CounterpartyId, string CounterpartyNodeId, SmesDirection Direction, double EnergyKwh, double PricePerKwh, string BuyerId, string SellerId);
