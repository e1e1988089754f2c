namespace Gateway.Market.DayAhead;

/// <summary>
/// What one user class does in one period, in kWh. A seller-side class (no unmet charging need) uses the PV, EV-sale
/// and storage-sale fields; a buyer class uses the own-use and purchase fields.
/// </summary>
/// <param name="PvSoldKwh">PV surplus sold peer-to-peer.</param>
/// <param name="PvToEvKwh">PV surplus charged into the class's own EV batteries.</param>
/// <param name="PvStoredKwh">PV surplus charged into the shared storage (the class's account).</param>
/// <param name="PvCurtailedKwh">PV surplus neither sold nor stored.</param>
/// <param name="EvSoldKwh">EV residual energy sold peer-to-peer by V2G.</param>
/// <param name="StorageSoldKwh">Energy taken from the class's storage account and sold peer-to-peer.</param>
/// <param name="EvOwnUseKwh">The class's charging need covered from its own EV batteries' residual energy.</param>
/// <param name="StorageOwnUseKwh">The class's charging need covered from its own storage account.</param>
/// <param name="BoughtPeerKwh">Energy bought from other users (its share of E^b_s,t).</param>
/// <param name="BoughtGridKwh">Energy bought from the state grid.</param>
/// <param name="BoughtCompanyKwh">Energy bought from the electricity-selling company.</param>
/// <param name="UsesCompany">γ₁ of eq. 17: the buyer's alternative channel is the company (else the grid).</param>
public readonly record struct ClassPeriodFlows(
    double PvSoldKwh,
    double PvToEvKwh,
    double PvStoredKwh,
    double PvCurtailedKwh,
    double EvSoldKwh,
    double StorageSoldKwh,
    double EvOwnUseKwh,
    double StorageOwnUseKwh,
    double BoughtPeerKwh,
    double BoughtGridKwh,
    double BoughtCompanyKwh,
    bool UsesCompany)
{
    /// <summary>Everything the class sells peer-to-peer.</summary>
    public double SoldKwh => PvSoldKwh + EvSoldKwh + StorageSoldKwh;

    /// <summary>Energy the class charges into the shared storage.</summary>
    public double ChargedKwh => PvStoredKwh;

    /// <summary>Energy the class discharges from the shared storage.</summary>
    public double DischargedKwh => StorageSoldKwh + StorageOwnUseKwh;

    /// <summary>Energy into the class's EV batteries.</summary>
    public double EvChargedKwh => PvToEvKwh;

    /// <summary>Energy out of the class's EV batteries.</summary>
    public double EvDischargedKwh => EvSoldKwh + EvOwnUseKwh;

    /// <summary>The fields by name, in file order (schedule files and the checker use the same names).</summary>
    internal IEnumerable<(string Name, double Value)> Energies()
    {
        yield return (nameof(PvSoldKwh), PvSoldKwh);
        yield return (nameof(PvToEvKwh), PvToEvKwh);
        yield return (nameof(PvStoredKwh), PvStoredKwh);
        yield return (nameof(PvCurtailedKwh), PvCurtailedKwh);
        yield return (nameof(EvSoldKwh), EvSoldKwh);
        yield return (nameof(StorageSoldKwh), StorageSoldKwh);
        yield return (nameof(EvOwnUseKwh), EvOwnUseKwh);
        yield return (nameof(StorageOwnUseKwh), StorageOwnUseKwh);
        yield return (nameof(BoughtPeerKwh), BoughtPeerKwh);
        yield return (nameof(BoughtGridKwh), BoughtGridKwh);
        yield return (nameof(BoughtCompanyKwh), BoughtCompanyKwh);
    }
}
