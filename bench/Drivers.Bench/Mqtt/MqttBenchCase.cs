namespace Gateway.Bench.Mqtt;

/// <summary>One measured run: <paramref name="Messages"/> messages on <paramref name="Topic"/> at <paramref name="Qos"/>.</summary>
/// <param name="Port">Port of the bench's mosquitto on 127.0.0.1.</param>
/// <param name="Topic">Topic (fresh per run, so nothing left over is counted).</param>
/// <param name="Qos">QoS of publication and subscription (0 or 1).</param>
/// <param name="Messages">Messages counted.</param>
/// <param name="RatePerSecond">0: as fast as the client goes (throughput); otherwise paced at this rate (latency).</param>
internal sealed record MqttBenchCase(int Port, string Topic, int Qos, int Messages, int RatePerSecond);

/// <summary>What one run measured.</summary>
/// <param name="Elapsed">First message handed to the publisher until the last one received.</param>
/// <param name="LatenciesMs">Per message: handed to the publisher until delivered to the subscriber.</param>
/// <param name="ClientCpuMicroseconds">CPU of publisher and subscriber together (user + system) during the run.</param>
internal sealed record MqttBenchRun(TimeSpan Elapsed, double[] LatenciesMs, double ClientCpuMicroseconds);
