using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml;

namespace Gateway.Runtime.Operator;

/// <summary>
/// Writes <see cref="TimeSpan"/> as an ISO-8601 duration (<c>PT2M5S</c>) instead of .NET's <c>00:02:05</c>, so
/// the same value reads the same in a browser, a Python script and a SCADA historian.
/// </summary>
internal sealed class Iso8601DurationConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("a duration must be an ISO-8601 string such as PT1M30S");
        try
        {
            return XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            throw new JsonException($"'{text}' is not an ISO-8601 duration such as PT1M30S");
        }
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteStringValue(XmlConvert.ToString(value));
}
