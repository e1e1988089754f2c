using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Runtime.Operator;

/// <summary>
/// The one JSON shape operators see, on the dashboard API and on the MQTT topics alike: camelCase members,
/// enums as camelCase strings, times as ISO-8601 (<c>2026-11-22T08:00:00+00:00</c>), durations as ISO-8601
/// durations (<c>PT1M30S</c>), dictionary keys (device ids, point names, round ids) unchanged.
/// </summary>
internal static class OperatorJson
{
    /// <summary>Serializer options for every operator-facing document.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Serialize <paramref name="value"/> to UTF-8 JSON in the operator shape.</summary>
    public static byte[] ToUtf8<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // A device that reports NaN must not make the whole status unreadable.
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DictionaryKeyPolicy = null,
            WriteIndented = false,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new Iso8601DurationConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
