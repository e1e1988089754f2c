namespace Gateway.Runtime.Operator;

/// <summary>The dashboard page, embedded in the assembly so the gateway is one self-contained executable.</summary>
internal static class DashboardPage
{
    private const string ResourceName = "Gateway.Runtime.Operator.dashboard.html";

    /// <summary>The page's UTF-8 bytes.</summary>
    public static ReadOnlyMemory<byte> Html { get; } = Load();

    private static byte[] Load()
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the dashboard page resource {ResourceName} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
