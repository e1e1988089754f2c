using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>
/// A number that is not one (<c>.nan</c>, <c>.inf</c>) anywhere in a rig, also in parts the gateway does not read itself: YAML
/// reads it as a valid double, and every range check after it would pass it through.
/// </summary>
internal static class RigNumberCheck
{
    /// <summary>Reports every non-finite number in the document under <paramref name="root"/>.</summary>
    public static void NoNonFiniteNumbers(YamlFieldReader reader, YamlNode root, string path = "")
    {
        switch (root)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                    NoNonFiniteNumbers(reader, value, YamlFieldReader.Join(path, (key as YamlScalarNode)?.Value ?? "?"));
                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++) NoNonFiniteNumbers(reader, list.Children[i], $"{path}[{i}]");
                break;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: { } text } scalar when YamlFieldReader.IsNonFinite(text):
                reader.Problem(scalar, path, YamlFieldReader.NonFiniteProblem(text));
                break;
        }
    }
}
