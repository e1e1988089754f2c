using Gateway.Host.Cli;
using Gateway.Market.DayAhead;

namespace Gateway.Host.Tests;

public class ScheduleScenarioLoaderTests
{
    [Theory]
    [InlineData("I", 80, 50, 40)]
    [InlineData("II", 30, 50, 80)]
    [InlineData("III", 40, 40, 80)]
    public async Task Loads_the_paper_scenarios(string name, int a, int b, int c)
    {
        var scenario = await ScheduleScenarioLoader.LoadAsync(ScheduleTestFiles.Scenario(name));
        Assert.Equal(name, scenario.Name);
        Assert.Equal([a, b, c], scenario.Classes.Select(k => k.UserCount));
        Assert.Equal(24, scenario.PeriodCount);
        Assert.Equal(0.07, scenario.GridFeePerKwh[5] + scenario.PlatformFeePerKwh[5], 12);
        // Table 1, hour 21: all three classes charge; hour 14: only class A.
        Assert.All(scenario.Classes, k => Assert.True(k.Charging[20]));
        Assert.Equal([true, false, false], scenario.Classes.Select(k => k.Charging[13]));
        Assert.Empty(DayAheadScenarioValidator.Validate(scenario));
    }

    private static ScheduleScenarioException Bad(string text) =>
        Assert.Throws<ScheduleScenarioException>(() => ScheduleScenarioLoader.Parse("bad.yaml", text, "base.yaml", ScheduleTestFiles.BaseText()));

    [Fact]
    public void Unknown_keys_name_file_line_and_path()
    {
        var e = Bad("extends: base.yaml\nname: X\nusers: {A: 1, B: 2, C: 3}\nstorage:\n  maxEnergyKwhh: 5\n");
        Assert.Contains(e.Problems, p => p.StartsWith("bad.yaml:5:3: storage.maxEnergyKwhh: unknown key", StringComparison.Ordinal));
    }

    [Fact]
    public void A_user_count_for_a_class_that_does_not_exist_is_named()
    {
        var e = Bad("extends: base.yaml\nusers: {A: 1, B: 2, D: 3}\n");
        Assert.Contains(e.Problems, p => p.Contains("users.D: no class named 'D'", StringComparison.Ordinal) && p.StartsWith("bad.yaml:2:", StringComparison.Ordinal));
        Assert.Contains("bad.yaml: users.C: missing (required)", e.Problems);
    }

    [Fact]
    public void Wrong_series_length_and_non_numbers_are_named_with_their_index()
    {
        var e = Bad("extends: base.yaml\nusers: {A: 1, B: 2, C: 3}\ngridPricePerKwh: [0.4, 0.4]\ntemperatureK: [271, 270, 270, 270, 270, 270, 270, 270, 270, 270, 270, hot, 270, 270, 270, 270, 270, 270, 270, 270, 270, 270, 270, 270]\n");
        Assert.Contains(e.Problems, p => p.StartsWith("bad.yaml:3:18: gridPricePerKwh: has 2 entries but irradianceWPerM2 has 24 periods", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("temperatureK[11]: expected a number, got 'hot'", StringComparison.Ordinal));
    }

    [Fact]
    public void Charging_states_must_be_0_or_1()
    {
        string text = ScheduleTestFiles.BaseText().Replace("charging: [0, 0, 0, 0, 1,", "charging: [0, 2, 0, 0, 1,", StringComparison.Ordinal)
            + "users: {A: 1, B: 2, C: 3}\n";
        var e = Assert.Throws<ScheduleScenarioException>(() => ScheduleScenarioLoader.Parse("whole.yaml", text));
        Assert.Contains(e.Problems, p => p.Contains("classes[0].charging[1]: expected 0 (not charging) or 1 (charging), got '2'", StringComparison.Ordinal));
    }

    [Fact]
    public void Model_level_problems_are_mapped_back_to_the_file()
    {
        var e = Bad("extends: base.yaml\nusers: {A: 1, B: 2, C: 3}\nstorage:\n  minEnergyKwh: 60\n  maxEnergyKwh: 1200\n  initialEnergyKwh: 5000\n  maxChargePowerKw: 300\n  maxDischargePowerKw: 300\n  rentPerKwh: 0.04\n  chargeCostPerKwh: 0.015\n  dischargeCostPerKwh: 0.015\n");
        var problem = Assert.Single(e.Problems);
        Assert.StartsWith("bad.yaml:4:3: storage.initialEnergyKwh: must lie in [minEnergyKwh, maxEnergyKwh]", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_yaml_and_not_a_mapping_are_clear()
    {
        var e1 = Assert.Throws<ScheduleScenarioException>(() => ScheduleScenarioLoader.Parse("x.yaml", "name: [unclosed\n"));
        Assert.StartsWith("x.yaml:", Assert.Single(e1.Problems), StringComparison.Ordinal);
        Assert.Contains("not valid YAML", e1.Problems[0], StringComparison.Ordinal);
        var e2 = Assert.Throws<ScheduleScenarioException>(() => ScheduleScenarioLoader.Parse("y.yaml", "- just\n- a list\n"));
        Assert.Contains("expected a YAML mapping", Assert.Single(e2.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_files_and_missing_base_files_are_named()
    {
        var e1 = await Assert.ThrowsAsync<ScheduleScenarioException>(() => ScheduleScenarioLoader.LoadAsync("/nonexistent/scenario.yaml"));
        Assert.Contains("/nonexistent/scenario.yaml", Assert.Single(e1.Problems), StringComparison.Ordinal);

        string dir = ScheduleTestFiles.TempDir();
        try
        {
            string path = Path.Combine(dir, "s.yaml");
            await File.WriteAllTextAsync(path, "extends: nowhere.yaml\n");
            var e2 = await Assert.ThrowsAsync<ScheduleScenarioException>(() => ScheduleScenarioLoader.LoadAsync(path));
            Assert.Contains("extends 'nowhere.yaml'", Assert.Single(e2.Problems), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
