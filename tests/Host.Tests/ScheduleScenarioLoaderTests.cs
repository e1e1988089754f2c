using Gateway.Market.DayAhead;

namespace Gateway.Host.Tests;

public class ScheduleScenarioLoaderTests
{
    [Theory]
    [InlineData("I", 80, 50, 40)]
    [InlineData("II", 30, 50, 80)]
    [InlineData("III", 40, 40, 80)]
    public void Loads_the_paper_scenarios(string name, int a, int b, int c)
    {
        var scenario = DayAheadScenarioLoader.Load(ScheduleTestFiles.Scenario(name), File.ReadAllText);
        Assert.Equal(name, scenario.Name);
        Assert.Equal([a, b, c], scenario.Classes.Select(k => k.UserCount));
        Assert.Equal(24, scenario.PeriodCount);
        Assert.Equal(0.07, scenario.GridFeePerKwh[5] + scenario.PlatformFeePerKwh[5], 12);
        // Table 1, hour 21: all three classes charge; hour 14: only class A.
        Assert.All(scenario.Classes, k => Assert.True(k.Charging[20]));
        Assert.Equal([true, false, false], scenario.Classes.Select(k => k.Charging[13]));
        Assert.Empty(DayAheadScenarioValidator.Validate(scenario));
    }

    private static ScenarioFileException Bad(string text) =>
        Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Parse("bad.yaml", text, _ => ScheduleTestFiles.BaseText()));

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
        var e = Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Parse("whole.yaml", text));
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
        var e1 = Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Parse("x.yaml", "name: [unclosed\n"));
        Assert.StartsWith("x.yaml:", Assert.Single(e1.Problems), StringComparison.Ordinal);
        Assert.Contains("not valid YAML", e1.Problems[0], StringComparison.Ordinal);
        var e2 = Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Parse("y.yaml", "- just\n- a list\n"));
        Assert.Contains("expected a YAML mapping", Assert.Single(e2.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_files_and_missing_base_files_are_named()
    {
        var e1 = Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Load("/nonexistent/scenario.yaml", File.ReadAllText));
        Assert.Contains("/nonexistent/scenario.yaml", Assert.Single(e1.Problems), StringComparison.Ordinal);

        string dir = ScheduleTestFiles.TempDir();
        try
        {
            string path = Path.Combine(dir, "s.yaml");
            await File.WriteAllTextAsync(path, "extends: nowhere.yaml\n");
            var e2 = Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Load(path, File.ReadAllText));
            Assert.Contains("extends 'nowhere.yaml'", Assert.Single(e2.Problems), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_scenario_that_extends_itself_names_the_loop_instead_of_listing_missing_keys()
    {
        string dir = ScheduleTestFiles.TempDir();
        try
        {
            string self = Path.Combine(dir, "self.yaml");
            File.WriteAllText(self, "extends: self.yaml\nname: X\n");
            var e1 = Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Load(self, File.ReadAllText));
            var problem = Assert.Single(e1.Problems);
            Assert.Contains("extends: loop self.yaml → self.yaml", problem, StringComparison.Ordinal);
            Assert.Contains("cannot extend itself", problem, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(dir, "a.yaml"), "extends: b.yaml\n");
            File.WriteAllText(Path.Combine(dir, "b.yaml"), "extends: a.yaml\n");
            var e2 = Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Load(Path.Combine(dir, "a.yaml"), File.ReadAllText));
            Assert.Contains("loop a.yaml → b.yaml → a.yaml", Assert.Single(e2.Problems), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_base_may_extend_another_base()
    {
        string dir = ScheduleTestFiles.TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "base.yaml"), ScheduleTestFiles.BaseText());
            File.WriteAllText(Path.Combine(dir, "mid.yaml"), "extends: base.yaml\nplatformFeePerKwh: 0.03\n");
            File.WriteAllText(Path.Combine(dir, "top.yaml"), "extends: mid.yaml\nname: T\nusers: {A: 1, B: 2, C: 3}\n");
            var scenario = DayAheadScenarioLoader.Load(Path.Combine(dir, "top.yaml"), File.ReadAllText);
            Assert.Equal(0.03, scenario.PlatformFeePerKwh[0]);
            Assert.Equal([1, 2, 3], scenario.Classes.Select(c => c.UserCount));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Too_many_users_names_the_cap_and_negative_or_fractional_counts_say_whole_number()
    {
        var e = Bad("extends: base.yaml\nusers: {A: 1000000000, B: 2.5, C: 3}\n");
        Assert.Contains(e.Problems, p => p.Contains("users.A: 1000000000 users is more than the 1,000,000 one class may aggregate", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("users.B: expected a whole number of users ≥ 0, got 2.5", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Problems, p => p.Contains("users.A: expected a whole number", StringComparison.Ordinal));
    }

    [Fact]
    public void The_removed_welfare_model_and_unknown_rules_are_named()
    {
        var e = Bad("extends: base.yaml\nmodel: welfare\nusers: {A: 1, B: 2, C: 3}\nrules:\n  pricing: auction\n");
        Assert.Contains(e.Problems, p => p.Contains("model 'welfare'", StringComparison.Ordinal) && p.Contains("removed", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("rules.pricing: expected 'strategy'", StringComparison.Ordinal));
    }

    [Fact]
    public void Trips_must_be_whole_hours_in_order_and_not_while_charging()
    {
        string Text(string trips) => ScheduleTestFiles.BaseText().Replace("trips: [{ departHour: 14, arriveHour: 16 }]", trips, StringComparison.Ordinal)
            + "users: {A: 1, B: 2, C: 3}\n";
        var e1 = Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Parse("whole.yaml", Text("trips: [{ departHour: 16, arriveHour: 14 }]")));
        Assert.Contains(e1.Problems, p => p.Contains("classes[0].trips[0]: expected whole hours 0 ≤ departHour < arriveHour ≤ 24, got 16–14", StringComparison.Ordinal));
        var e2 = Assert.Throws<ScenarioFileException>(() => DayAheadScenarioLoader.Parse("whole.yaml", Text("trips: [{ departHour: 4, arriveHour: 6 }]")));
        Assert.Contains(e2.Problems, p => p.Contains("classes[0].trips: period 5: the EV is on a trip but Table 1 has it charging", StringComparison.Ordinal));
    }
}
