using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>mosquitto's own command-line clients as independent peers: <c>mosquitto_pub</c> publishes, <c>mosquitto_sub</c> watches.</summary>
internal static class MosquittoCli
{
    public static async Task PubAsync(MosquittoBroker broker, string topic, string payload, bool retain = false)
    {
        var start = new ProcessStartInfo("/usr/bin/mosquitto_pub") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-h", "127.0.0.1", "-p", broker.Port.ToString(), "-q", "1", "-t", topic, "-m", payload }) start.ArgumentList.Add(a);
        if (retain) start.ArgumentList.Add("-r");
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(process.ExitCode == 0, $"mosquitto_pub failed: {await error}");
    }

    /// <summary>A mosquitto_sub on <paramref name="topics"/>, once the broker acknowledged the subscription.</summary>
    public static async Task<Subscriber> SubscriberAsync(MosquittoBroker broker, params string[] topics)
    {
        // stdbuf: mosquitto_sub's lines are block-buffered on a pipe; -d prints the SUBACK we wait for.
        var start = new ProcessStartInfo("/usr/bin/stdbuf") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-oL", "/usr/bin/mosquitto_sub", "-h", "127.0.0.1", "-p", broker.Port.ToString(), "-q", "1", "-d", "-F", "MSG %t %p" })
            start.ArgumentList.Add(a);
        foreach (var topic in topics)
        {
            start.ArgumentList.Add("-t");
            start.ArgumentList.Add(topic);
        }
        var subscriber = new Subscriber(Process.Start(start)!);
        await subscriber.Subscribed.WaitAsync(TimeSpan.FromSeconds(5));
        return subscriber;
    }

    internal sealed class Subscriber : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<(string Topic, string Payload)> _messages = new();
        private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Subscriber(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                if (e.Data.Contains("received SUBACK")) _subscribed.TrySetResult();
                if (e.Data.StartsWith("MSG ", StringComparison.Ordinal))
                {
                    var rest = e.Data[4..];
                    var space = rest.IndexOf(' ');
                    _messages.Add(space < 0 ? (rest, "") : (rest[..space], rest[(space + 1)..]));
                }
            };
            process.BeginOutputReadLine();
        }

        public Task Subscribed => _subscribed.Task;

        /// <summary>The next message's payload.</summary>
        public async Task<string> NextAsync() => (await NextMessageAsync()).Payload;

        /// <summary>The next message, topic and payload.</summary>
        public Task<(string Topic, string Payload)> NextMessageAsync() => Task.Run(() =>
            _messages.TryTake(out var message, TimeSpan.FromSeconds(5)) ? message : throw new TimeoutException("mosquitto_sub saw no message within 5 s"));

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(2000);
            _process.Dispose();
            _messages.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
