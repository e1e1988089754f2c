using System.Text.Json.Nodes;
using Gateway.Drivers.Ocpp;

namespace Gateway.Drivers.Tests.Ocpp;

/// <summary>The official schemas, embedded from their npm packages, decide what a valid payload is.</summary>
public sealed class OcppSchemasTests
{
    private static readonly OcppSchemas Schemas = OcppSchemas.Instance;

    [Fact]
    public void Both_versions_are_embedded_whole()
    {
        // 2.0.1: 64 actions × request/response; 2.1 Edition 1: 181 schemas (its new actions included).
        Assert.Equal(128, Schemas.Count(OcppVersion.Ocpp201));
        Assert.Equal(181, Schemas.Count(OcppVersion.Ocpp21));
        Assert.True(Schemas.Knows(OcppVersion.Ocpp21, "NotifyAllowedEnergyTransfer"));
        Assert.False(Schemas.Knows(OcppVersion.Ocpp201, "NotifyAllowedEnergyTransfer"));
    }

    [Fact]
    public void A_2_1_V2X_setpoint_is_valid_in_2_1_and_not_in_2_0_1()
    {
        var request = JsonNode.Parse("""
            {"evseId":1,"chargingProfile":{"id":9101,"stackLevel":1,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute",
             "transactionId":"tx-1","validTo":"2026-12-03T10:10:00.000Z","chargingSchedule":[{"id":9101,"chargingRateUnit":"W",
             "startSchedule":"2026-12-03T10:00:00.000Z","chargingSchedulePeriod":[{"startPeriod":0,"limit":0,"setpoint":-5000,"dischargeLimit":-5000,"operationMode":"CentralSetpoint"}]}]}}
            """)!.AsObject();
        Assert.Null(Schemas.Validate(OcppVersion.Ocpp21, "SetChargingProfile", request: true, request));
        var old = Schemas.Validate(OcppVersion.Ocpp201, "SetChargingProfile", request: true, request);
        Assert.NotNull(old);
        Assert.Equal(OcppErrorCode.FormatViolation, old.ErrorCode);          // additionalProperties: false
        Assert.Contains("chargingSchedulePeriod", old.Description);
    }

    [Theory]
    [InlineData("""{"reason":"PowerUp"}""", OcppErrorCode.OccurrenceConstraintViolation)]
    [InlineData("""{"reason":"PowerUp","chargingStation":{"model":7,"vendorName":"V"}}""", OcppErrorCode.TypeConstraintViolation)]
    [InlineData("""{"reason":"Bored","chargingStation":{"model":"M","vendorName":"V"}}""", OcppErrorCode.PropertyConstraintViolation)]
    [InlineData("""{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"},"extra":1}""", OcppErrorCode.FormatViolation)]
    public void A_payload_that_breaks_its_schema_gets_the_matching_error_code(string payload, string code)
    {
        var problem = Schemas.Validate(OcppVersion.Ocpp201, "BootNotification", request: true, JsonNode.Parse(payload)!.AsObject());
        Assert.Equal(code, problem?.ErrorCode);
    }

    [Fact]
    public void An_unknown_action_is_not_supported_and_a_bad_date_is_a_violation()
    {
        Assert.Equal(OcppErrorCode.NotSupported, Schemas.Validate(OcppVersion.Ocpp21, "Teleport", true, [])!.ErrorCode);
        var heartbeat = JsonNode.Parse("""{"currentTime":"yesterday"}""")!.AsObject();
        Assert.Equal(OcppErrorCode.PropertyConstraintViolation, Schemas.Validate(OcppVersion.Ocpp201, "Heartbeat", false, heartbeat)!.ErrorCode);
    }
}
