using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Drivers.Ocpp;

/// <summary>
/// Reads and writes OCPP-J frames (OCPP-J 2.0.1 part 4 §4; 2.1 adds SEND and CALLRESULTERROR). Pure: bytes in, a message or an
/// <see cref="OcppFrameException"/> naming the CALLERROR to answer with out; never any other exception, whatever the input.
/// </summary>
internal static class OcppFrameCodec
{
    /// <summary>Deepest JSON nesting accepted; OCPP payloads nest far less, hostile input may nest far more.</summary>
    public const int MaxDepth = 32;

    // Duplicate keys are refused at parse time: a lazily built object would otherwise throw later, wherever it is first read.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>Reads one frame of version <paramref name="version"/> (2.0.1 knows only types 2–4).</summary>
    /// <exception cref="OcppFrameException">The frame is not valid OCPP-J; its error code and message id say how to answer.</exception>
    public static OcppMessage Parse(ReadOnlySpan<byte> utf8, OcppVersion version = OcppVersion.Ocpp21)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
            throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, "-1", "the frame is not valid UTF-8");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(utf8, documentOptions: DocumentOptions);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, "-1", $"the frame is not JSON: {FirstLine(e.Message)}");
        }
        if (root is not JsonArray array)
            throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, "-1", $"the frame is a JSON {Kind(root)}, not an array [MessageTypeId, MessageId, …]");
        if (array.Count < 3)
            throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, TryId(array), $"the frame has {array.Count} elements; an OCPP-J frame has at least 3");
        if (!TryInt(array[0], out var typeId))
            throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, TryId(array), "element 0 (MessageTypeId) is not an integer");
        if (HasLoneSurrogate(array))
            throw new OcppFrameException(OcppErrorCode.FormatViolation, TryId(array), "a string holds a \\uD800–\\uDFFF escape without its pair: not text",
                answerable: typeId is 2 or 6);
        var id = ReadId(array);
        if (FindUnrepresentableNumber(array) is { } number)
            throw new OcppFrameException(OcppErrorCode.FormatViolation, id, $"the number {Clip(number)} is outside what OCPP's decimal fields can hold",
                answerable: typeId is 2 or 6);
        var known = typeId is 2 or 3 or 4 || (version == OcppVersion.Ocpp21 && typeId is 5 or 6);
        if (!known)
            throw new OcppFrameException(OcppErrorCode.MessageTypeNotSupported, id, $"MessageTypeId {typeId} is not supported by {version.Subprotocol()}");
        switch ((OcppMessageType)typeId)
        {
            case OcppMessageType.Call:
            case OcppMessageType.Send:
            {
                if (array.Count != 4) throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, id, $"a CALL has 4 elements [2, id, action, payload], this one {array.Count}");
                if (!TryString(array[2], out var action) || action.Length == 0)
                    throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, id, "element 2 (Action) is not a non-empty string");
                if (array[3] is not JsonObject payload)
                    throw new OcppFrameException(OcppErrorCode.FormatViolation, id, $"the payload of {Clip(action)} is a JSON {Kind(array[3])}, not an object");
                return new OcppCall(id, action, Detach(payload), typeId == 6);
            }
            case OcppMessageType.CallResult:
            {
                if (array.Count != 3) throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, id, $"a CALLRESULT has 3 elements [3, id, payload], this one {array.Count}", answerable: false);
                if (array[2] is not JsonObject payload)
                    throw new OcppFrameException(OcppErrorCode.FormatViolation, id, $"the CALLRESULT payload is a JSON {Kind(array[2])}, not an object", answerable: false);
                return new OcppCallResult(id, Detach(payload));
            }
            default:
            {
                if (array.Count != 5)
                    throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, id, $"a CALLERROR has 5 elements [4, id, code, description, details], this one {array.Count}", answerable: false);
                if (!TryString(array[2], out var code) || code.Length == 0)
                    throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, id, "element 2 (ErrorCode) is not a non-empty string", answerable: false);
                if (!TryString(array[3], out var description))
                    throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, id, "element 3 (ErrorDescription) is not a string", answerable: false);
                if (array[4] is not JsonObject details)
                    throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, id, $"element 4 (ErrorDetails) is a JSON {Kind(array[4])}, not an object", answerable: false);
                return new OcppCallError(id, code, description, Detach(details), typeId == 5);
            }
        }
    }

    /// <summary>Writes <paramref name="message"/> as an OCPP-J frame (UTF-8 JSON, no whitespace).</summary>
    /// <exception cref="ArgumentException">The message id is empty or longer than 36 characters.</exception>
    public static byte[] Encode(OcppMessage message)
    {
        if (message.MessageId.Length is 0 or > OcppMessage.MaxMessageIdLength)
            throw new ArgumentException($"message id '{message.MessageId}' must have 1–{OcppMessage.MaxMessageIdLength} characters", nameof(message));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteNumberValue((int)message.Type);
            writer.WriteStringValue(message.MessageId);
            switch (message)
            {
                case OcppCall call:
                    writer.WriteStringValue(call.Action);
                    call.Payload.WriteTo(writer);
                    break;
                case OcppCallResult result:
                    result.Payload.WriteTo(writer);
                    break;
                case OcppCallError error:
                    writer.WriteStringValue(error.ErrorCode);
                    writer.WriteStringValue(Truncate(error.Description, OcppCallError.MaxDescriptionLength));
                    if (error.Details is { } details) details.WriteTo(writer); else { writer.WriteStartObject(); writer.WriteEndObject(); }
                    break;
                default:
                    throw new ArgumentException($"unknown message {message.GetType().Name}", nameof(message));
            }
            writer.WriteEndArray();
        }
        return buffer.ToArray();
    }

    /// <summary>A fresh message id (a GUID without dashes: 32 characters).</summary>
    public static string NewMessageId() => Guid.NewGuid().ToString("N");

    internal static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string ReadId(JsonArray array)
    {
        if (!TryString(array[1], out var id))
            throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, "-1", "element 1 (MessageId) is not a string");
        if (id.Length is 0 or > OcppMessage.MaxMessageIdLength)
            throw new OcppFrameException(OcppErrorCode.RpcFrameworkError, "-1", $"the message id has {id.Length} characters; it must have 1–{OcppMessage.MaxMessageIdLength}");
        return id;
    }

    // OCPP numbers are decimals; a number beyond decimal's range (1e308) cannot be a charger's value and breaks schema checks.
    private static string? FindUnrepresentableNumber(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array) if (FindUnrepresentableNumber(item) is { } bad) return bad;
                return null;
            case JsonObject obj:
                foreach (var (_, value) in obj) if (FindUnrepresentableNumber(value) is { } bad) return bad;
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                return value.TryGetValue(out decimal _) ? null : value.ToJsonString();
            default:
                return null;
        }
    }

    // "\ud800" alone is valid JSON but no UTF-16 text: reading it as a string throws InvalidOperationException, not a
    // JsonException, so it is looked for once here rather than guarded at every read of a string.
    private static bool HasLoneSurrogate(JsonNode? root)
    {
        try
        {
            Walk(root);
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }

        static void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonArray array:
                    foreach (var item in array) Walk(item);
                    break;
                case JsonObject obj:
                    foreach (var (_, value) in obj) Walk(value);
                    break;
                case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                    _ = value.GetValue<string>();
                    break;
            }
        }
    }

    private static string TryId(JsonArray array) =>
        array.Count > 1 && TryString(array[1], out var id) && id.Length is > 0 and <= OcppMessage.MaxMessageIdLength ? id : "-1";

    private static bool TryString(JsonNode? node, out string value)
    {
        value = "";
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return false;
        try
        {
            value = v.GetValue<string>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false; // a lone surrogate escape (see HasLoneSurrogate)
        }
    }

    private static bool TryInt(JsonNode? node, out int value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
    }

    private static JsonObject Detach(JsonObject payload)
    {
        payload.Parent?.AsArray().Remove(payload);
        return payload;
    }

    private static string Kind(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();

    private static string Clip(string text) => Truncate(text, 60);

    private static string FirstLine(string text)
    {
        var i = text.IndexOfAny(['\r', '\n']);
        return i < 0 ? text : text[..i];
    }
}
