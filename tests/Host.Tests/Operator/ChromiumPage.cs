using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gateway.Host.Tests.Operator;

/// <summary>
/// A page open in headless chromium, driven over the DevTools protocol (loopback WebSocket), so a test can type and
/// click like an operator and read what the page's own script did.
/// </summary>
internal sealed class ChromiumPage : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private ChromiumPage(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static async Task<ChromiumPage> OpenAsync(Uri url)
    {
        var profile = Path.Combine(Path.GetTempPath(), "chromium-cdp-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo("/usr/bin/chromium",
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "--window-size=1280,900", url.ToString(),
        ]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var process = Process.Start(start)!;
        var page = new ChromiumPage(process, profile);
        try
        {
            var devtools = await ReadDevToolsPortAsync(process);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var clock = Stopwatch.StartNew();
            string? pageSocket = null;
            while (pageSocket is null && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                using var targets = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{devtools}/json/list"));
                pageSocket = targets.RootElement.EnumerateArray()
                    .Where(t => t.GetProperty("type").GetString() == "page")
                    .Select(t => t.GetProperty("webSocketDebuggerUrl").GetString())
                    .FirstOrDefault();
                if (pageSocket is null) await Task.Delay(50);
            }
            if (pageSocket is null) throw new TimeoutException("chromium opened no page target");
            await page._socket.ConnectAsync(new Uri(pageSocket), CancellationToken.None);
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Wait until the page has loaded <paramref name="url"/> and <paramref name="condition"/> (a JS expression) is true.
    /// While chromium is still navigating, an evaluation can land in the context being replaced; those are retried.
    /// </summary>
    public async Task WaitUntilAsync(Uri url, string condition)
    {
        var clock = Stopwatch.StartNew();
        var expression = $"document.readyState === 'complete' && location.href === {JsonSerializer.Serialize(url.ToString())} && !!({condition})";
        string last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                var value = await EvaluateAsync(expression);
                if (value.ValueKind == JsonValueKind.True) return;
                last = value.ToString();
            }
            catch (InvalidOperationException e)
            {
                last = e.Message;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the page did not reach '{condition}' within 15 s (last: {last})");
    }

    /// <summary>Evaluate <paramref name="expression"/> in the page (promises awaited) and return its JSON value.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var id = ++_nextId;
        var request = JsonSerializer.SerializeToUtf8Bytes(new
        {
            id,
            method = "Runtime.evaluate",
            @params = new { expression, awaitPromise = true, returnByValue = true },
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _socket.SendAsync(request, WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            using var doc = JsonDocument.Parse(message.ToArray());
            if (!doc.RootElement.TryGetProperty("id", out var answerId) || answerId.GetInt32() != id) continue;
            if (doc.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException("DevTools refused the evaluation: " + error);
            var answer = doc.RootElement.GetProperty("result");
            if (answer.TryGetProperty("exceptionDetails", out var exception)) throw new InvalidOperationException("page script failed: " + exception);
            return answer.GetProperty("result").GetProperty("value").Clone();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { _socket.Abort(); } catch (WebSocketException) { /* already closed */ }
        _socket.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _process.Dispose();
            try { Directory.Delete(_profile, recursive: true); }
            catch (IOException) { /* a helper process still exiting; the OS cleans temp */ }
        }
    }

    private static async Task<int> ReadDevToolsPortAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new StringBuilder();
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            seen.AppendLine(line);
            var match = Regex.Match(line, @"DevTools listening on ws://127\.0\.0\.1:(\d+)/");
            if (match.Success)
            {
                // Keep draining stderr so chromium never blocks on a full pipe.
                _ = process.StandardError.ReadToEndAsync();
                _ = process.StandardOutput.ReadToEndAsync();
                return int.Parse(match.Groups[1].Value);
            }
        }
        throw new InvalidOperationException("chromium did not open its DevTools port: " + seen);
    }
}
