using System.Text.Json.Nodes;
using Gateway.Host.Cli;

namespace Gateway.Host.Tests;

public sealed class ClearVerbExamplesTests
{
    private static FileInfo Example(string name)
    {
        return new FileInfo(Repository.PathOf("hil-rigs", "examples", name));
    }

    [Fact]
    public async Task The_papers_round_clears_with_pairs_matches_payoffs_prices_settlements_and_kpis()
    {
        var output = new FileInfo(Path.Combine(Path.GetTempPath(), $"clear-{Guid.NewGuid():N}.json"));
        try
        {
            var code = await ClearVerb.RunAsync(Example("li2021-round.json"), output, new StringWriter(), new StringWriter());
            Assert.Equal(ExitCodes.Ok, code);
            var json = JsonNode.Parse(await File.ReadAllTextAsync(output.FullName))!.AsObject();
            foreach (var key in new[] { "buyers", "sellers", "edges", "matches", "payoffs", "settlements" }) Assert.True(json.ContainsKey(key), $"missing {key}");
            Assert.Equal(15 + 5, json["buyers"]!.AsArray().Count + json["sellers"]!.AsArray().Count + CountIdle(json));
            var text = json.ToJsonString();
            Assert.Contains("transactionSuccessRate", text, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("renewableConsumptionRate", text, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            output.Delete();
        }
    }

    private static int CountIdle(JsonObject json) => json.TryGetPropertyValue("idle", out var idle) && idle is JsonArray a ? a.Count : 0;

    [Fact]
    public async Task The_one_to_one_example_has_the_recheckable_shape()
    {
        var stdout = new StringWriter();
        var code = await ClearVerb.RunAsync(Example("one-to-one-small.json"), null, stdout, new StringWriter());
        Assert.Equal(ExitCodes.Ok, code);
        var json = JsonNode.Parse(stdout.ToString())!.AsObject();
        var edges = json["edges"]!.AsArray();
        Assert.All(edges, e => Assert.True(e!["buyer"] is not null && e["seller"] is not null && e["weight"] is not null));
        foreach (var m in json["matches"]!.AsArray())
            Assert.Contains(edges, e => (string?)e!["buyer"] == (string?)m!["buyer"] && (string?)e["seller"] == (string?)m["seller"]);
        Assert.NotEmpty(json["payoffs"]!.AsObject());
    }

    [Theory]
    [InlineData("bad-missing-field.json")]
    [InlineData("bad-negative-energy.json")]
    [InlineData("bad-unknown-node.json")]
    [InlineData("bad-over-power-limit.json")]
    [InlineData("bad-unrepresentable-price.json")]
    public async Task Bad_rounds_exit_2_with_the_field_named_and_no_stack_trace(string file)
    {
        var stderr = new StringWriter();
        var code = await ClearVerb.RunAsync(Example(file), null, new StringWriter(), stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        var message = stderr.ToString();
        Assert.Matches(@"participants\[\d+\]\.\w+|\w+: ", message);
        Assert.DoesNotContain("   at ", message);
    }

    [Fact]
    public async Task A_grid_price_of_1e308_exits_2_naming_the_field_instead_of_crashing_the_solver()
    {
        var stderr = new StringWriter();
        var code = await ClearVerb.RunAsync(Example("bad-unrepresentable-price.json"), null, new StringWriter(), stderr);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("gridPricePerKwh: must be ≤ 1000000", stderr.ToString());
        Assert.DoesNotContain("Exception", stderr.ToString());
    }

    [Fact]
    public async Task An_empty_round_is_a_clear_result_not_an_error()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ClearVerb.RunAsync(Example("empty-round.json"), null, stdout, stderr);
        Assert.Equal(ExitCodes.Ok, code);
        var json = JsonNode.Parse(stdout.ToString())!.AsObject();
        Assert.Empty(json["trades"]!.AsArray());
        Assert.Contains("no participants: nothing to trade this round", json["warnings"]!.AsArray().Select(w => (string?)w));
        Assert.Contains("no trade (0 buyers, 0 sellers)", stderr.ToString());
    }

    [Fact]
    public async Task The_over_curtailment_example_executes_the_small_trade_and_explains_the_large_one()
    {
        var stdout = new StringWriter();
        var code = await ClearVerb.RunAsync(Example("over-curtailment.json"), null, stdout, new StringWriter());
        Assert.Equal(ExitCodes.Ok, code);
        var json = JsonNode.Parse(stdout.ToString())!.AsObject();
        var failed = Assert.Single(json["failedTrades"]!.AsArray())!;
        Assert.Equal("bB", (string?)failed["buyer"]);
        Assert.Equal("L1", (string?)failed["line"]);
        Assert.Equal(5.0, (double)failed["overloadKw"]!, 9);
        Assert.True((bool)json["execution"]!["provenOptimal"]!);
    }
}
