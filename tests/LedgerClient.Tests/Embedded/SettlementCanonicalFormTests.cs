using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Gateway.LedgerClient.Embedded;

namespace Gateway.LedgerClient.Tests.Embedded;

public sealed class SettlementCanonicalFormTests
{
    private static readonly SettlementRecord Sample = new(
        "r-42/ev-1->pv-2/0", "r-42", "ev-1", "pv-2",
        2.500m, 0.3100m, 0.7750m,
        new DateTimeOffset(2026, 3, 1, 13, 0, 0, TimeSpan.FromHours(1)),
        new DateTimeOffset(2026, 3, 1, 12, 15, 0, TimeSpan.Zero));

    [Fact]
    public void Canonical_bytes_are_the_documented_text()
    {
        var expected = "settlement/v1\nr-42/ev-1->pv-2/0\nr-42\nev-1\npv-2\n2.5\n0.31\n0.775\n2026-03-01T12:00:00.0000000Z\n2026-03-01T12:15:00.0000000Z";
        Assert.Equal(Encoding.UTF8.GetBytes(expected), SettlementCanonicalForm.ToBytes(Sample));
    }

    [Fact]
    public void Equal_values_held_differently_have_equal_bytes()
    {
        var other = Sample with
        {
            EnergyKwh = 2.5m, PricePerKwh = 0.31m, Amount = 0.775000m,
            IntervalStartUtc = new DateTimeOffset(2026, 3, 1, 7, 0, 0, TimeSpan.FromHours(-5)),
        };
        Assert.Equal(SettlementCanonicalForm.ToBytes(Sample), SettlementCanonicalForm.ToBytes(other));
        Assert.NotEqual(SettlementCanonicalForm.ToBytes(Sample), SettlementCanonicalForm.ToBytes(Sample with { Amount = 0.7751m }));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("3", 3.000)]
    [InlineData("-1.5", -1.50)]
    [InlineData("0.0001", 0.0001)]
    [InlineData("123456789.1234", 123456789.1234)]
    public void Decimals_have_one_text(string expected, double value) =>
        Assert.Equal(expected, SettlementCanonicalForm.FormatDecimal((decimal)value));

    [Fact]
    public void Decimal_text_round_trips_and_ignores_scale() =>
        Prop.ForAll<decimal>(d =>
            SettlementCanonicalForm.ParseDecimal(SettlementCanonicalForm.FormatDecimal(d)) == d
            && SettlementCanonicalForm.FormatDecimal(d) == SettlementCanonicalForm.FormatDecimal(d * 1.000m)
            && !SettlementCanonicalForm.FormatDecimal(d).Contains('E'))
        .QuickCheckThrowOnFailure();

    [Fact]
    public void Minimal_and_maximal_decimals_have_exact_text()
    {
        Assert.Equal("79228162514264337593543950335", SettlementCanonicalForm.FormatDecimal(decimal.MaxValue));
        Assert.Equal("0.0000000000000000000000000001", SettlementCanonicalForm.FormatDecimal(0.0000000000000000000000000001m));
        Assert.Equal("0", SettlementCanonicalForm.FormatDecimal(-0.0m));
    }

    [Theory]
    [InlineData("", "SettlementId is empty")]
    [InlineData("a\nb", "control character U+000A")]
    public void Bad_text_fields_are_rejected_by_name(string id, string expected)
    {
        var e = Assert.Throws<InvalidSettlementException>(() => SettlementCanonicalForm.ToBytes(Sample with { SettlementId = id }));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Overlong_participant_is_rejected() =>
        Assert.Contains("PayeeId is 201 characters",
            Assert.Throws<InvalidSettlementException>(() => SettlementCanonicalForm.ToBytes(Sample with { PayeeId = new string('x', 201) })).Message);
}
