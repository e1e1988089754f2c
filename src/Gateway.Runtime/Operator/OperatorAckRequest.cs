using System.Text.Json;
using Gateway.Runtime.Status;

namespace Gateway.Runtime.Operator;

/// <summary>
/// An operator's acknowledgement as received (MQTT payload or dashboard POST body), validated before it reaches
/// the status board. Parsing never throws on bad input: it returns the reason in words an operator can act on.
/// </summary>
/// <param name="RoundId">Round acknowledged.</param>
/// <param name="OperatorName">Who acknowledged.</param>
internal sealed record OperatorAckRequest(string RoundId, string OperatorName)
{
    /// <summary>Longest accepted round id.</summary>
    public const int MaxRoundIdLength = 128;

    /// <summary>Longest accepted operator name.</summary>
    public const int MaxOperatorLength = 64;

    /// <summary>Largest accepted payload, bytes.</summary>
    public const int MaxPayloadBytes = 4096;

    /// <summary>
    /// Parse a JSON object <c>{"roundId": "...", "operator": "..."}</c>. When <paramref name="roundIdFromPath"/> is
    /// given (the dashboard's <c>/api/rounds/{id}/ack</c>), <c>roundId</c> may be omitted from the body; when
    /// present it must agree.
    /// </summary>
    /// <returns>The request, or null with <paramref name="error"/> saying what is wrong.</returns>
    /// <param name="payload">The JSON payload.</param>
    /// <param name="roundIdFromPath">The round named by the URL, or null.</param>
    /// <param name="error">What is wrong, when null is returned.</param>
    /// <param name="operatorRequired">False where the operator is known from authentication (then <c>operator</c> may be omitted: empty name).</param>
    public static OperatorAckRequest? TryParse(ReadOnlySpan<byte> payload, string? roundIdFromPath, out string error, bool operatorRequired = true)
    {
        if (payload.Length == 0) return Fail("the payload is empty; expected a JSON object {\"roundId\": \"...\", \"operator\": \"...\"}", out error);
        if (payload.Length > MaxPayloadBytes) return Fail($"the payload is {payload.Length} bytes; at most {MaxPayloadBytes} are accepted", out error);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload.ToArray());
        }
        catch (JsonException e)
        {
            return Fail($"the payload is not valid JSON ({e.Message})", out error);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Fail($"the payload is a JSON {root.ValueKind.ToString().ToLowerInvariant()}; expected an object with \"roundId\" and \"operator\"", out error);

            string? roundId = roundIdFromPath;
            if (root.TryGetProperty("roundId", out var roundElement))
            {
                if (roundElement.ValueKind != JsonValueKind.String) return Fail("\"roundId\" must be a string", out error);
                var bodyRoundId = roundElement.GetString()!;
                if (roundIdFromPath is not null && bodyRoundId != roundIdFromPath)
                    return Fail($"\"roundId\" in the body ('{bodyRoundId}') differs from the round in the path ('{roundIdFromPath}')", out error);
                roundId = bodyRoundId;
            }
            if (roundId is null) return Fail("\"roundId\" is missing", out error);
            if (CheckText(roundId, "roundId", MaxRoundIdLength) is { } roundError) return Fail(roundError, out error);

            if (!root.TryGetProperty("operator", out var operatorElement))
            {
                if (!operatorRequired) { error = ""; return new OperatorAckRequest(roundId, ""); }
                return Fail("\"operator\" is missing (who acknowledges?)", out error);
            }
            if (operatorElement.ValueKind != JsonValueKind.String) return Fail("\"operator\" must be a string", out error);
            var operatorName = operatorElement.GetString()!.Trim();
            if (CheckText(operatorName, "operator", MaxOperatorLength) is { } operatorError) return Fail(operatorError, out error);

            error = "";
            return new OperatorAckRequest(roundId, operatorName);
        }
    }

    /// <summary>Check a round id taken from a URL path or topic (same rules as in a payload).</summary>
    public static string? CheckRoundId(string roundId) => CheckText(roundId, "roundId", MaxRoundIdLength);

    /// <summary>
    /// True when the board knows <paramref name="roundId"/> (a recent round, or the round of the setpoints in force), or
    /// it is the e-stop trip waiting for its reset (only once the loop is closed again: an acknowledgement given while the
    /// stop is still pressed must not re-arm the bench the moment it is released).
    /// </summary>
    public static bool IsKnownRound(GatewayStatusSnapshot snapshot, string roundId) =>
        snapshot.Rounds.Any(r => r.RoundId == roundId) || snapshot.Setpoints.Any(s => s.RoundId == roundId)
        || (snapshot.Interlock is { AckId: { } ackId } && ackId == roundId);

    /// <summary>Why <paramref name="id"/> cannot be acknowledged yet when it names an e-stop trip whose loop is still open; null otherwise.</summary>
    public static string? EmergencyStopStillOpen(GatewayStatusSnapshot snapshot, string id) =>
        snapshot.Interlock is { State: InterlockState.Tripped, TripId: { } trip } && trip == id
            ? $"'{id}' is an emergency stop whose loop is still open: release the stop (close the loop) first, then acknowledge"
            : null;


    private static string? CheckText(string value, string name, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) return $"\"{name}\" is empty";
        if (value.Length > maxLength) return $"\"{name}\" is {value.Length} characters long; at most {maxLength} are accepted";
        if (value.Any(char.IsControl)) return $"\"{name}\" contains control characters";
        return null;
    }

    private static OperatorAckRequest? Fail(string reason, out string error)
    {
        error = reason;
        return null;
    }
}
