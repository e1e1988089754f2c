using Gateway.DeviceSims.Devices;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Runtime.Devices;
using Gateway.Host.Tests.Worker;
using Gateway.Runtime.Trading;
using Gateway.Testing;
using RigDefinition = Gateway.Rigs.RigDefinition;

namespace Gateway.Host.Tests.Trading;

/// <summary>
/// The planner quoting a PV that the gateway itself has capped: the simulated SunSpec inverter (with its model 302
/// irradiance sensor) behind the real Modbus driver, on a fake clock.
/// </summary>
public sealed class PvQuotationTests
{
    private const double IntervalHours = 0.25;

    [Fact]
    public async Task A_pv_capped_last_round_quotes_what_it_could_deliver_not_its_cap()
    {
        var site = Site.Load();
        var planner = new RoundPlanner(site.Gateway);
        site.Wait(TimeSpan.FromSeconds(20));
        var free = await site.QuoteAsync(planner);
        Assert.Equal(site.Pv.AvailableKw * IntervalHours, free, 3);
        Assert.True(site.Pv.AvailableKw > 5, $"the test wants a sunny hour; the array gives {site.Pv.AvailableKw:0.##} kW");

        // The gateway caps the PV at 3 kW (say, a congested line) and the inverter settles there.
        await site.Driver.WriteSetpointAsync(3, TimeSpan.FromMinutes(10));
        site.Wait(TimeSpan.FromSeconds(30));
        var reading = await site.Driver.ReadAsync();
        Assert.Equal("throttled", reading.Find(PointRole.Status)!.Text);
        Assert.Equal(3, reading.Find(PointRole.MeasuredPower)!.Value!.Value, 2);

        var held = await site.QuoteAsync(planner);
        Assert.Equal(site.Pv.AvailableKw * IntervalHours, held, 0.02 * site.Pv.AvailableKw * IntervalHours);

        // A gateway that never saw the PV run free knows only the cap, and says no more.
        Assert.Equal(3 * IntervalHours, await site.QuoteAsync(new RoundPlanner(site.Gateway)), 2);
    }

    [Fact]
    public async Task Without_an_irradiance_reading_a_capped_pv_quotes_its_output()
    {
        // As with an inverter that has no model 302: no irradiance point is read at all.
        var site = Site.Load(withIrradiance: false);
        var planner = new RoundPlanner(site.Gateway);
        site.Wait(TimeSpan.FromSeconds(20));
        Assert.Equal(site.Pv.AvailableKw * IntervalHours, await site.QuoteAsync(planner), 3);
        await site.Driver.WriteSetpointAsync(3, TimeSpan.FromMinutes(10));
        site.Wait(TimeSpan.FromSeconds(30));
        Assert.Equal(3 * IntervalHours, await site.QuoteAsync(planner), 2);
        Assert.Null(planner.PvAvailability.YieldKwPerWPerM2("pv-a"));
    }

    private sealed class Site
    {
        private readonly FakeTimeProvider _real;
        private readonly SimulatedRig _sims;
        private readonly DeviceLink _link;

        private Site(RigDefinition gateway, FakeTimeProvider real, SimulatedRig sims, SimulatedPvInverter pv, ModbusDeviceDriver driver)
        {
            Gateway = gateway;
            _real = real;
            _sims = sims;
            Pv = pv;
            Driver = driver;
            _link = new DeviceLink(gateway.Devices.Single(d => d.Id == pv.Id), driver);
        }

        public RigDefinition Gateway { get; }

        public SimulatedPvInverter Pv { get; }

        public ModbusDeviceDriver Driver { get; }

        public static Site Load(bool withIrradiance = true)
        {
            var yaml = EndToEndRig.Yaml.Replace("timeScale: 300", "timeScale: 1");
            var gateway = RigLoader.Parse(yaml, "pv-quotation.yaml");
            var real = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var sims = new SimulatedRig(RigLoader.ParseSimulated(yaml, "pv-quotation.yaml"), real);
            var pv = (SimulatedPvInverter)sims.Find("pv-a")!;
            var unitId = pv.Definition.UnitId;
            var profile = withIrradiance ? pv.Image.Profile : pv.Image.Profile with { Points = pv.Image.Profile.Points.Where(p => p.Role != PointRole.Irradiance).ToList() };
            var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(unitId, sims.UnitOf(pv)), unitId, profile, real);
            return new Site(gateway, real, sims, pv, driver);
        }

        public void Wait(TimeSpan real)
        {
            _real.Advance(real);
            _sims.Advance();
        }

        /// <summary>Reads the PV and returns the energy the planner quotes for it, kWh.</summary>
        public async Task<double> QuoteAsync(RoundPlanner planner)
        {
            _link.RecordReading(await Driver.ReadAsync());
            var round = planner.BuildRound(_sims.Clock.Now, [_link], _real.GetUtcNow());
            return round.Participants.Single(p => p.Id == _link.Device.ParticipantId).EnergyKwh;
        }
    }
}
