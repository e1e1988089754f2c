using Gateway.DeviceSims.Physics;
using Gateway.Rigs;

namespace Gateway.DeviceSims.Tests;

public sealed class PhysicsTests
{
    [Fact]
    public void Charging_stores_grid_energy_times_the_charge_efficiency()
    {
        var battery = new EvBattery(50, 40, chargeEfficiency: 0.9, dischargeEfficiency: 0.8, minSocPercent: 10, maxSocPercent: 100);
        var exchanged = battery.Apply(-10, 3600);
        Assert.Equal(-10, exchanged, 9);
        Assert.Equal(20 + 9, battery.EnergyKwh, 9);
        Assert.Equal(58, battery.SocPercent, 9);
    }

    [Fact]
    public void Discharging_draws_grid_energy_divided_by_the_discharge_efficiency()
    {
        var battery = new EvBattery(50, 40, 0.9, 0.8, 10, 100);
        battery.Apply(8, 1800);
        Assert.Equal(20 - 4 / 0.8, battery.EnergyKwh, 9);
    }

    [Fact]
    public void Soc_limits_stop_the_exchange_part_way()
    {
        var battery = new EvBattery(10, 95, 1.0, 1.0, 10, 100);
        var exchanged = battery.Apply(-10, 360);   // would add 1 kWh, only 0.5 fit
        Assert.Equal(-5, exchanged, 9);
        Assert.Equal(100, battery.SocPercent, 9);
        Assert.False(battery.CanCharge);

        var low = new EvBattery(10, 12, 1.0, 1.0, 10, 100);
        Assert.Equal(5, low.Apply(10, 144), 9);  // 0.4 kWh asked, 0.2 kWh above the minimum
        Assert.Equal(10, low.SocPercent, 9);
        Assert.False(low.CanDischarge);
    }

    [Fact]
    public void Pv_efficiency_follows_eq_1_and_power_eq_2()
    {
        var array = new PvArrayModel(ratedKwp: 10, referenceEfficiency: 0.2, temperatureCoefficientPerK: 0.004, noctC: 45);
        Assert.Equal(50, array.AreaM2, 9);
        // At the reference temperature η = η0.
        Assert.Equal(0.2, array.Efficiency(298 - 273.15), 12);
        // Eq. (1): η = η0 [1 − γ (Tp − Tr)].
        Assert.Equal(0.2 * (1 - 0.004 * (60 + 273.15 - 298)), array.Efficiency(60), 12);
        // Eq. (2): P = I·A·η, with the NOCT cell temperature.
        var tc = array.CellTemperatureC(20, 800);
        Assert.Equal(20 + 25.0 / 800 * 800, tc, 9);
        Assert.Equal(800 * 50 * array.Efficiency(tc) / 1000, array.PowerKw(800, 20), 9);
        Assert.True(array.PowerKw(1000, 35) < array.PowerKw(1000, 5));
        Assert.Equal(0, array.PowerKw(0, 25));
    }

    [Fact]
    public void Clear_sky_peaks_at_midday_and_is_dark_at_night()
    {
        var curve = new IrradianceCurve(new IrradianceProfile { PeakWPerM2 = 1000, Sunrise = TimeSpan.FromHours(6), Sunset = TimeSpan.FromHours(18) });
        var day = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(1000, curve.WPerM2(day.AddHours(12)), 6);
        Assert.Equal(0, curve.WPerM2(day.AddHours(3)));
        Assert.Equal(0, curve.WPerM2(day.AddHours(18.5)));
        Assert.Equal(1000 * Math.Sin(Math.PI / 4), curve.WPerM2(day.AddHours(9)), 6);
    }

    [Fact]
    public void Clouds_dim_the_sky_the_same_way_for_the_same_seed()
    {
        var cloudy = new IrradianceProfile { Cloudiness = 0.5, CloudsSeed = 3 };
        var a = new IrradianceCurve(cloudy);
        var b = new IrradianceCurve(cloudy);
        var clear = new IrradianceCurve(new IrradianceProfile());
        var day = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var differs = false;
        for (var m = 7 * 60; m < 17 * 60; m += 7)
        {
            var t = day.AddMinutes(m);
            Assert.Equal(a.WPerM2(t), b.WPerM2(t));
            Assert.InRange(a.WPerM2(t), clear.WPerM2(t) * 0.5 - 1e-9, clear.WPerM2(t));
            differs |= new IrradianceCurve(cloudy with { CloudsSeed = 4 }).WPerM2(t) != a.WPerM2(t);
        }
        Assert.True(differs);
    }

    [Fact]
    public void Irradiance_table_is_interpolated()
    {
        var curve = new IrradianceCurve(new IrradianceProfile { Points = [(TimeSpan.FromHours(8), 100), (TimeSpan.FromHours(12), 900)] });
        var day = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(500, curve.WPerM2(day.AddHours(10)), 9);
        Assert.Equal(100, curve.WPerM2(day.AddHours(5)), 9);
        Assert.Equal(900, curve.WPerM2(day.AddHours(20)), 9);
    }

    [Fact]
    public void Smes_stores_half_L_I_squared_within_its_current_limits()
    {
        var coil = new SmesCoil(inductanceH: 20, minCurrentA: 300, maxCurrentA: 1000, currentA: 700, efficiency: 1.0);
        Assert.Equal(0.5 * 20 * 700 * 700, coil.EnergyJ, 6);
        // Discharging 100 kW for 10 s takes 1 MJ out: I = sqrt(2E/L).
        Assert.Equal(100, coil.Apply(100, 10), 9);
        Assert.Equal(Math.Sqrt(2 * (0.5 * 20 * 700 * 700 - 1e6) / 20), coil.CurrentA, 6);
        // Discharging far past the minimum stops at I_min.
        var exchanged = coil.Apply(100, 1000);
        Assert.True(exchanged < 100);
        Assert.Equal(300, coil.CurrentA, 6);
        Assert.False(coil.CanDischarge);
        // Charging to the top stops at I_max: E = ½·20·1000² = 10 MJ.
        coil.Apply(-100, 10_000);
        Assert.Equal(1000, coil.CurrentA, 6);
        Assert.Equal(1e7 / 3.6e6, coil.EnergyKwh, 9);
    }

    [Fact]
    public void Smes_converter_losses_apply_both_ways()
    {
        var coil = new SmesCoil(10, 0, 2000, 1000, efficiency: 0.9);
        var before = coil.EnergyJ;
        coil.Apply(-10, 100);
        Assert.Equal(before + 10_000 * 100 * 0.9, coil.EnergyJ, 3);
        before = coil.EnergyJ;
        coil.Apply(10, 100);
        Assert.Equal(before - 10_000 * 100 / 0.9, coil.EnergyJ, 3);
    }

    [Fact]
    public void Ramp_moves_at_most_rate_times_time()
    {
        Assert.Equal(2, PowerRamp.Step(0, 10, 2, 1));
        Assert.Equal(10, PowerRamp.Step(9, 10, 2, 1));
        Assert.Equal(-3, PowerRamp.Step(0, -7, 1.5, 2));
    }

    [Fact]
    public void Simulated_time_runs_at_the_rig_scale()
    {
        var real = TestClocks.New();
        var start = new DateTimeOffset(2026, 6, 1, 6, 0, 0, TimeSpan.Zero);
        var clock = new SimulationClock(real, start, 60);
        real.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(start.AddMinutes(30), clock.Now);
        Assert.Equal(TimeSpan.FromSeconds(1), clock.ToReal(TimeSpan.FromMinutes(1)));
    }
}
