namespace Gateway.Testing;

/// <summary>Files of this repository (rigs, profiles, deploy configs) as the tests find them from their output folder.</summary>
public static class Repository
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The folder that holds Gateway.sln.</summary>
    public static string Root => s_root.Value;

    /// <summary>A path below <see cref="Root"/>.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("the repository root (Gateway.sln) is not above " + AppContext.BaseDirectory);
    }
}
