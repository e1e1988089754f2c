using System.Diagnostics;

namespace Gateway.Bench.Mqtt;

/// <summary>Hands messages 0..n-1 to a publisher, as fast as it takes them or at a fixed rate (1 ms ticks).</summary>
internal static class MqttBenchPacer
{
    public static async Task RunAsync(int messages, int ratePerSecond, Func<int, ValueTask> send, CancellationToken cancellationToken)
    {
        if (ratePerSecond <= 0)
        {
            for (var i = 0; i < messages; i++) await send(i);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1));
        var next = 0;
        while (next < messages)
        {
            var due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * ratePerSecond) + 1;
            while (next < messages && next < due) await send(next++);
            if (next < messages) await timer.WaitForNextTickAsync(cancellationToken);
        }
    }
}
