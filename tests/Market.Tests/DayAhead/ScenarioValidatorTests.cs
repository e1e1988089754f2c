using Gateway.Market.DayAhead;

namespace Gateway.Market.Tests.DayAhead;

public class ScenarioValidatorTests
{
    [Fact]
    public void The_paper_scenarios_are_valid()
    {
        for (int s = 0; s < 3; s++)
        {
            Assert.Empty(DayAheadScenarioValidator.Validate(PaperScenarios.Scenario(s)));
        }
    }

    [Fact]
    public void Lists_every_problem_with_its_path()
    {
        var good = PaperScenarios.Scenario(0);
        var classes = good.Classes.ToArray();
        classes[1] = classes[1] with { UserCount = -3, Charging = classes[1].Charging.Take(20).ToArray() };
        var bad = good with
        {
            Classes = classes,
            TemperatureK = good.TemperatureK.Take(23).ToArray(),
            Storage = good.Storage with { InitialEnergyKwh = 5000 },
            SellerPricing = good.SellerPricing with { ExpectedProfitShare = 1.5 },
        };
        var paths = DayAheadScenarioValidator.Validate(bad).Select(p => p.Path).ToArray();
        Assert.Contains("classes[1].users", paths);
        Assert.Contains("classes[1].charging", paths);
        Assert.Contains("temperatureK", paths);
        Assert.Contains("storage.initialEnergyKwh", paths);
        Assert.Contains("sellerPricing.expectedProfitShare", paths);
    }

    [Fact]
    public void Refuses_prices_that_leave_no_room_for_eqs_3_to_6()
    {
        var good = PaperScenarios.Scenario(0);
        var grid = good.GridPricePerKwh.ToArray();
        var company = good.CompanyPricePerKwh.ToArray();
        grid[3] = 0.10;
        company[3] = 0.10; // below cost 0.09 + fees 0.07
        var problems = DayAheadScenarioValidator.Validate(good with { GridPricePerKwh = grid, CompanyPricePerKwh = company });
        var problem = Assert.Single(problems);
        Assert.Equal("gridPricePerKwh[3]", problem.Path);
        Assert.Contains("period 4", problem.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DayAheadMarket.Create(good with { GridPricePerKwh = grid, CompanyPricePerKwh = company }));
    }
}
