using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Gateway.Bench.Mqtt;

/// <summary>
/// mosquitto's own clients: mosquitto_sub printing "%U %p" (receive time, payload) and mosquitto_pub -l reading the
/// bench's lines from its stdin as they are written (its default in-flight window is 20). CPU is theirs alone
/// (getrusage of reaped children), not this process's.
/// </summary>
internal sealed class MosquittoCliBenchClient : IMqttBenchClient
{
    public string Name => "mosquitto_pub/sub";

    public async Task<MqttBenchRun> RunAsync(MqttBenchCase benchCase, CancellationToken cancellationToken)
    {
        var qos = benchCase.Qos.ToString(CultureInfo.InvariantCulture);
        var port = benchCase.Port.ToString(CultureInfo.InvariantCulture);
        var receiver = new MqttBenchReceiver(benchCase.Messages);
        var cpu = ProcessCpu.ChildrenMicroseconds();
        using var subscriber = Start("mosquitto_sub", ["-h", "127.0.0.1", "-p", port, "-q", qos, "-t", benchCase.Topic, "-F", "%U %p"], stdin: false);
        var reading = Task.Run(() => ReadAsync(subscriber, receiver), cancellationToken);
        try
        {
            // The subscription is in place once a message sent after it arrives.
            var subscribed = false;
            var probesCpu = 0.0;
            for (var attempt = 0; attempt < 50 && !subscribed; attempt++)
            {
                using var probe = Start("mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-q", qos, "-t", benchCase.Topic, "-m", MqttBenchPayload.Line(MqttBenchPayload.WarmUpSequence)], stdin: false);
                var beforeProbe = ProcessCpu.ChildrenMicroseconds();
                await probe.WaitForExitAsync(cancellationToken);
                probesCpu += ProcessCpu.ChildrenMicroseconds() - beforeProbe;
                subscribed = await receiver.WaitWarmUpAsync(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            if (!subscribed) throw new TimeoutException($"{Name}: mosquitto_sub did not receive a probe message within 50 tries");

            using var publisher = Start("mosquitto_pub", ["-h", "127.0.0.1", "-p", port, "-q", qos, "-t", benchCase.Topic, "-l"], stdin: true);
            var input = publisher.StandardInput;
            input.AutoFlush = false;
            await input.WriteLineAsync(MqttBenchPayload.Line(MqttBenchPayload.WarmUpSequence));
            await input.FlushAsync(cancellationToken);
            if (!await receiver.WaitWarmUpAsync(TimeSpan.FromSeconds(10), cancellationToken)) throw new TimeoutException($"{Name}: warm-up message not received");

            var clock = Stopwatch.StartNew();
            var paced = benchCase.RatePerSecond > 0;
            await MqttBenchPacer.RunAsync(benchCase.Messages, benchCase.RatePerSecond, async i =>
            {
                await input.WriteLineAsync(MqttBenchPayload.Line(i));
                if (paced || i % 64 == 63) await input.FlushAsync(cancellationToken);
            }, cancellationToken);
            await input.FlushAsync(cancellationToken);
            await receiver.WaitAllAsync(Name, TimeSpan.FromMinutes(2), cancellationToken);
            var elapsed = clock.Elapsed;
            input.Close();
            await publisher.WaitForExitAsync(cancellationToken);
            subscriber.Kill();
            await subscriber.WaitForExitAsync(cancellationToken);
            return new MqttBenchRun(elapsed, receiver.LatenciesMs, ProcessCpu.ChildrenMicroseconds() - cpu - probesCpu);
        }
        finally
        {
            if (!subscriber.HasExited) subscriber.Kill();
            await reading;
        }
    }

    private static async Task ReadAsync(Process subscriber, MqttBenchReceiver receiver)
    {
        // "%U %p": "1796303914.762169563 <payload>"
        while (await subscriber.StandardOutput.ReadLineAsync() is { } line)
        {
            var space = line.IndexOf(' ');
            if (space < 0) continue;
            var stamp = line.AsSpan(0, space);
            var dot = stamp.IndexOf('.');
            var seconds = long.Parse(stamp[..dot], CultureInfo.InvariantCulture);
            var micro = long.Parse(stamp.Slice(dot + 1, 6), CultureInfo.InvariantCulture);
            receiver.OnMessage(Encoding.ASCII.GetBytes(line[(space + 1)..]), seconds * 1_000_000 + micro);
        }
    }

    private static Process Start(string program, string[] arguments, bool stdin) =>
        Process.Start(new ProcessStartInfo(program, arguments)
        {
            UseShellExecute = false,
            RedirectStandardInput = stdin,
            RedirectStandardOutput = program == "mosquitto_sub",
        }) ?? throw new InvalidOperationException($"could not start {program}");
}
