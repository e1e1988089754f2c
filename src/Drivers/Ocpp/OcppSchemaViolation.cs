namespace Gateway.Drivers.Ocpp;

/// <summary>Why a payload does not satisfy the official schema of its action.</summary>
/// <param name="ErrorCode">The CALLERROR code that answers it (<see cref="OcppErrorCode"/>).</param>
/// <param name="Description">Where and what, e.g. <c>/chargingProfile/id: required property missing</c>.</param>
internal sealed record OcppSchemaViolation(string ErrorCode, string Description);
