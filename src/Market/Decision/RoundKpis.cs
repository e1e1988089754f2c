namespace Gateway.Market.Decision;

/// <summary>Round key performance indicators (the two of the paper's Fig. 4, plus welfare).</summary>
/// <param name="MatchedTrades">Trades chosen by the matching.</param>
/// <param name="ExecutedTrades">Trades that passed the safety check.</param>
/// <param name="FailedTrades">Trades curtailed by the safety check.</param>
/// <param name="TransactionSuccessRate">Matched energy executed directly or through the SMES (each failed side counts half) over matched energy; 0 when nothing matched.</param>
/// <param name="RenewableOfferedKwh">PV energy offered.</param>
/// <param name="RenewableConsumedKwh">PV energy sold directly or absorbed by the SMES.</param>
/// <param name="RenewableConsumptionRate">Consumed over offered PV energy; 0 when none offered.</param>
/// <param name="TotalWelfare">Sum of the participants' realised relative incomes plus the SMES revenue (currency).</param>
public sealed record RoundKpis(
    int MatchedTrades,
    int ExecutedTrades,
    int FailedTrades,
    double TransactionSuccessRate,
    double RenewableOfferedKwh,
    double RenewableConsumedKwh,
    double RenewableConsumptionRate,
    double TotalWelfare);
