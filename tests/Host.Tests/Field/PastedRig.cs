using Gateway.Rigs;
using Gateway.Testing.Rigs;

namespace Gateway.Host.Tests.Field;

/// <summary>
/// What a field engineer does with commission's output: pastes the device's entry under <c>devices:</c> (and, behind a
/// secured broker, the broker's entry under <c>brokers:</c>) of a site's rig, which the gateway must then load as it is.
/// </summary>
internal static class PastedRig
{
    /// <summary>A rig in <paramref name="folder"/> with a one-line feeder, a flat market and the pasted entries, loaded for the gateway.</summary>
    public static RigDefinition Load(string folder, string deviceEntry, string? brokerEntry = null)
    {
        var path = Path.Combine(folder, $"rig-{Guid.NewGuid():N}.yaml");
        var brokers = brokerEntry is null ? "" : "brokers:\n" + Indented(brokerEntry) + "\n";
        File.WriteAllText(path, $"site: pasted\ndevices:\n{Indented(deviceEntry)}\n{brokers}{RigYaml.FeederAndMarket}\n");
        return RigLoader.Load(path);
    }

    private static string Indented(string yaml) => string.Join('\n', yaml.Split('\n').Select(l => l.Length == 0 ? l : "  " + l));
}
