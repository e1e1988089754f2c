using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;

namespace Gateway.DeviceSims.Tests;

/// <summary>The generated site of the benchmarks and the soak: a rig the parser takes as it is, laid out as it says.</summary>
public sealed class GeneratedSiteTests
{
    [Theory]
    [InlineData(2000, 9)]
    [InlineData(200, 1)]
    [InlineData(3, 3)]
    public void The_site_parses_with_one_smes_one_meter_a_quarter_pv_and_unique_units_per_endpoint(int devices, int endpoints)
    {
        var rig = RigLoader.ParseSimulated(new GeneratedSite { Devices = devices, Endpoints = endpoints }.Yaml(), "generated.yaml");
        Assert.Equal(devices, rig.Devices.Count);
        Assert.Single(rig.Devices, d => d.DeviceKind == DeviceKind.Smes);
        Assert.Single(rig.Devices, d => d.DeviceKind == DeviceKind.Meter);
        Assert.Equal(Math.Max(1, (devices - 2) / 4), rig.Devices.Count(d => d.DeviceKind == DeviceKind.PvInverter));
        Assert.Equal(endpoints, rig.Devices.Select(d => d.Endpoint).Distinct().Count());
        Assert.All(rig.Devices.GroupBy(d => d.Endpoint), g => Assert.Equal(g.Count(), g.Select(d => d.UnitId).Distinct().Count()));
        Assert.Equal(devices, rig.Devices.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void Cars_that_come_and_go_arrive_at_staggered_hours()
    {
        var rig = RigLoader.ParseSimulated(new GeneratedSite { Devices = 100, CarsComeAndGo = true, NodeBaseLoadKw = 1 }.Yaml(), "soak.yaml");
        Assert.True(rig.Devices.Where(d => d.Ev is not null).Select(d => d.Ev!.Arrival).Distinct().Count() > 5);
    }

    [Fact]
    public void Too_many_devices_for_the_endpoints_are_refused_with_the_number_needed()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GeneratedSite { Devices = 2000, Endpoints = 8 }.Yaml());
        Assert.Contains("at least 9 endpoints", e.Message);
    }
}
