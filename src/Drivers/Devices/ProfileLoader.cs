using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Gateway.Drivers.Devices;

/// <summary>
/// Loads device profiles from YAML files, by path or by the name of a shipped profile
/// (<c>v2g-charger</c> is <c>src/Drivers/Profiles/v2g-charger.yaml</c>, embedded in this assembly so
/// that a single-file build carries its profiles), and validates them: every problem is reported
/// with its file and point.
/// </summary>
public static class ProfileLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private const string ResourcePrefix = "Gateway.Drivers.Profiles.";
    private const string ResourceSuffix = ".yaml";

    /// <summary>Names of the shipped profiles.</summary>
    public static IReadOnlyList<string> ShippedProfileNames() =>
        typeof(ProfileLoader).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(ResourceSuffix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..^ResourceSuffix.Length])
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>The YAML of the shipped profile <paramref name="name"/>, or null when there is none.</summary>
    internal static string? ShippedProfileText(string name)
    {
        using var stream = typeof(ProfileLoader).Assembly.GetManifestResourceStream(ResourcePrefix + name + ResourceSuffix);
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Loads <paramref name="nameOrPath"/>: an existing file path, or the name of a shipped profile.
    /// </summary>
    /// <exception cref="ProfileLoadException">Not found, unreadable or invalid.</exception>
    public static DeviceProfile Load(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return LoadFile(nameOrPath);
        if (!nameOrPath.Contains('/') && !nameOrPath.Contains('\\') && ShippedProfileText(nameOrPath) is { } shipped)
            return Parse(shipped, $"{nameOrPath} (shipped profile)");
        var known = string.Join(", ", ShippedProfileNames());
        throw new ProfileLoadException([new ProfileProblem(nameOrPath, null,
            $"no such profile file, and not a shipped profile name (shipped: {(known.Length == 0 ? "none found" : known)})")]);
    }

    /// <summary>Loads and validates the profile file at <paramref name="path"/>.</summary>
    /// <exception cref="ProfileLoadException">Unreadable or invalid.</exception>
    internal static DeviceProfile LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProfileLoadException([new ProfileProblem(path, null, $"cannot read the file: {e.Message}")]);
        }
        return Parse(text, path);
    }

    /// <summary>Parses and validates profile YAML; <paramref name="sourcePath"/> names it in errors.</summary>
    /// <exception cref="ProfileLoadException">Invalid.</exception>
    public static DeviceProfile Parse(string yaml, string sourcePath)
    {
        ProfileFile? file;
        try
        {
            file = Deserializer.Deserialize<ProfileFile?>(yaml);
        }
        catch (YamlException e)
        {
            var why = e.InnerException?.Message ?? e.Message;
            throw new ProfileLoadException([new ProfileProblem(sourcePath, null, $"line {e.Start.Line}, column {e.Start.Column}: {why}")]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet gives up on some malformed text with these instead of a YamlException (found by fuzzing).
            throw new ProfileLoadException([new ProfileProblem(sourcePath, null, $"not valid YAML (the YAML reader gave up: {e.Message})")]);
        }
        if (file is null) throw new ProfileLoadException([new ProfileProblem(sourcePath, null, "the file is empty")]);
        return new ProfileValidator(sourcePath).Validate(file);
    }
}
