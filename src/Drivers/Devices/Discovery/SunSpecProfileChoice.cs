using Gateway.Drivers.Devices.SunSpec;

namespace Gateway.Drivers.Devices.Discovery;

/// <summary>Which shipped profile reads a SunSpec device, from the models it carries.</summary>
public static class SunSpecProfileChoice
{
    // Integer inverters (101 single, 102 split, 103 three phase) share their offsets, as do the integer meters 201–204;
    // the float inverters 111–113 have a layout of their own. Float meters (211–214) have no shipped profile yet.
    private static readonly (int[] Models, string Profile)[] Choices =
    [
        ([101, 102, 103], "sunspec-inverter"),
        ([111, 112, 113], "sunspec-inverter-float"),
        ([201, 202, 203, 204], "sunspec-meter"),
    ];

    /// <summary>The shipped profile for <paramref name="map"/>'s first inverter or meter model, or null when it has none we read.</summary>
    public static string? For(SunSpecMap map)
    {
        foreach (var model in map.Models)
            foreach (var (models, profile) in Choices)
                if (models.Contains(model.Id)) return profile;
        return null;
    }

    /// <summary>The model ids a shipped profile reads, or empty for a profile that is not SunSpec.</summary>
    public static IReadOnlyList<int> ModelsOf(string profile) =>
        Choices.FirstOrDefault(c => c.Profile == profile).Models ?? [];
}
