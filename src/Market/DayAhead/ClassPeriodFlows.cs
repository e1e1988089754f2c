namespace Gateway.Market.DayAhead;

/// <summary>
/// What one user class does in one period, in kWh. A seller-side class (surplus ≥ 0) uses the
/// PV and storage-sale fields; a buyer class uses the purchase and own-storage fields.
/// </summary>
/// <param name="PvSoldKwh">PV surplus sold peer-to-peer.</param>
/// <param name="PvStoredKwh">PV surplus charged into the shared storage (the class's account).</param>
/// <param name="PvCurtailedKwh">PV surplus neither sold nor stored.</param>
/// <param name="StorageSoldKwh">Energy taken from the class's storage account and sold peer-to-peer.</param>
/// <param name="StorageOwnUseKwh">Energy taken from the class's storage account to cover its own demand.</param>
/// <param name="BoughtPeerKwh">Energy bought from other users (E^b_s,t share).</param>
/// <param name="BoughtGridKwh">Energy bought from the state grid.</param>
/// <param name="BoughtCompanyKwh">Energy bought from the electricity-selling company.</param>
/// <param name="UsesCompany">γ₁ of eq. 17: the buyer's alternative channel is the company (else the grid).</param>
public readonly record struct ClassPeriodFlows(
    double PvSoldKwh,
    double PvStoredKwh,
    double PvCurtailedKwh,
    double StorageSoldKwh,
    double StorageOwnUseKwh,
    double BoughtPeerKwh,
    double BoughtGridKwh,
    double BoughtCompanyKwh,
    bool UsesCompany)
{
    /// <summary>Everything the class sells peer-to-peer.</summary>
    public double SoldKwh => PvSoldKwh + StorageSoldKwh;

    /// <summary>Energy the class charges into the storage.</summary>
    public double ChargedKwh => PvStoredKwh;

    /// <summary>Energy the class discharges from the storage.</summary>
    public double DischargedKwh => StorageSoldKwh + StorageOwnUseKwh;
}
