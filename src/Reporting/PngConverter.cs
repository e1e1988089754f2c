using System.Diagnostics;

namespace Gateway.Reporting;

/// <summary>
/// Converts SVG files to PNG with <c>rsvg-convert</c> (Debian librsvg2-bin, installed by
/// scripts/setup.sh) when it is on the PATH; reports can fall back to SVG only.
/// </summary>
public static class PngConverter
{
    /// <summary>Path of rsvg-convert, or null when it is not installed.</summary>
    public static string? FindTool()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "rsvg-convert");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Writes <paramref name="pngPath"/> from <paramref name="svgPath"/>; false (with the tool's message) when it fails.</summary>
    public static async Task<(bool Ok, string Message)> ConvertAsync(string tool, string svgPath, string pngPath, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--format=png");
        start.ArgumentList.Add("--background-color=white");
        start.ArgumentList.Add("--output=" + pngPath);
        start.ArgumentList.Add(svgPath);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        string message = await stderr.ConfigureAwait(false);
        return (process.ExitCode == 0, message.Trim());
    }
}
