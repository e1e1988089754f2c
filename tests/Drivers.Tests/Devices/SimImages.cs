using Gateway.Drivers.Devices;

namespace Gateway.Drivers.Tests.Devices;

/// <summary>Register images of the shipped SunSpec and SMES profiles filled with plausible values.</summary>
internal static class SimImages
{
    public static RegisterImage Inverter(double ratedKw = 10)
    {
        var image = new RegisterImage(ProfileLoader.Load("sunspec-inverter"));
        image.SetText("Manufacturer", "Gateway Sims");
        image.SetText("Model", "PV-SIM");
        image.SetText("SerialNumber", "PV-0001");
        image.Set("DeviceAddress", 1);
        image.Set("PowerScale", 0);
        image.Set("PowerKw", 4.2);
        image.Set("RatedPowerScale", 1);
        image.Set("RatedPowerKw", ratedKw);
        image.Set("PowerLimitScale", -1);
        image.Set("PowerLimitPercent", 100);
        image.Set("PowerLimitEnable", 0);
        image.Set("LimitRevertSeconds", 60);
        return image;
    }

    public static RegisterImage Meter(double importKw)
    {
        var image = new RegisterImage(ProfileLoader.Load("sunspec-meter"));
        image.SetText("Manufacturer", "Gateway Sims");
        image.Set("PowerScale", 0);
        image.Set("PowerKw", -importKw);
        image.Set("EnergyScale", 0);
        image.Set("EnergyImportedKwh", 1234.5);
        return image;
    }

    public static RegisterImage Smes()
    {
        var image = new RegisterImage(ProfileLoader.Load("smes-converter"));
        image.Set("Status", 0);
        image.Set("CoilCurrentA", 800);
        image.Set("StoredEnergyKwh", 1.7778);
        image.Set("PowerKw", 0);
        image.Set("MinPowerKw", -100);
        image.Set("MaxPowerKw", 100);
        image.Set("MinCoilCurrentA", 300);
        image.Set("MaxCoilCurrentA", 1000);
        image.Set("InductanceH", 20);
        return image;
    }
}
