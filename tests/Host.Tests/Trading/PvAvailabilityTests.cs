using Gateway.Runtime.Trading;

namespace Gateway.Host.Tests.Trading;

public sealed class PvAvailabilityTests
{
    [Fact]
    public void A_free_running_pv_quotes_its_output_and_teaches_its_yield()
    {
        var pv = new PvAvailability();
        Assert.Equal(6, pv.AvailableKw("pv", 6, 10, heldAtLimit: false, irradianceWPerM2: 800));
        Assert.Equal(6.0 / 800, pv.YieldKwPerWPerM2("pv")!.Value, 12);
        // The average follows a change (say, soiling) at the learning weight.
        pv.AvailableKw("pv", 4, 10, heldAtLimit: false, irradianceWPerM2: 800);
        Assert.Equal(6.0 / 800 + PvAvailability.LearningWeight * (4.0 / 800 - 6.0 / 800), pv.YieldKwPerWPerM2("pv")!.Value, 12);
    }

    [Fact]
    public void A_pv_held_at_its_limit_quotes_what_the_irradiance_says_it_could_give()
    {
        var pv = new PvAvailability();
        pv.AvailableKw("pv", 7.5, 10, heldAtLimit: false, irradianceWPerM2: 750);
        Assert.Equal(9, pv.AvailableKw("pv", 3, 10, heldAtLimit: true, irradianceWPerM2: 900), 9);
        // Never above the rating, never below what it delivers.
        Assert.Equal(10, pv.AvailableKw("pv", 3, 10, heldAtLimit: true, irradianceWPerM2: 1400), 9);
        Assert.Equal(3, pv.AvailableKw("pv", 3, 10, heldAtLimit: true, irradianceWPerM2: 100), 9);
        // Held rounds teach nothing.
        Assert.Equal(0.01, pv.YieldKwPerWPerM2("pv")!.Value, 12);
    }

    [Fact]
    public void Without_a_sensor_or_anything_learned_a_held_pv_quotes_its_output()
    {
        var pv = new PvAvailability();
        Assert.Equal(3, pv.AvailableKw("pv", 3, 10, heldAtLimit: true, irradianceWPerM2: 900));
        pv.AvailableKw("pv", 7.5, 10, heldAtLimit: false, irradianceWPerM2: null);
        Assert.Null(pv.YieldKwPerWPerM2("pv"));
        Assert.Equal(3, pv.AvailableKw("pv", 3, 10, heldAtLimit: true, irradianceWPerM2: null));
        Assert.Equal(0, pv.AvailableKw("pv", -0.2, 10, heldAtLimit: false, irradianceWPerM2: null));
    }

    [Fact]
    public void Dawn_and_clipping_are_not_learned_and_each_inverter_learns_its_own()
    {
        var pv = new PvAvailability();
        pv.AvailableKw("a", 0.5, 10, heldAtLimit: false, irradianceWPerM2: PvAvailability.LearningFloorWPerM2 - 1);
        pv.AvailableKw("a", 10, 10, heldAtLimit: false, irradianceWPerM2: 1000);
        Assert.Null(pv.YieldKwPerWPerM2("a"));
        pv.AvailableKw("b", 5, 10, heldAtLimit: false, irradianceWPerM2: 1000);
        Assert.Null(pv.YieldKwPerWPerM2("a"));
        Assert.Equal(0.005, pv.YieldKwPerWPerM2("b")!.Value, 12);
    }
}
