using Gateway.Drivers.Devices;

namespace Gateway.Host.Cli;

/// <summary>Turns what went wrong during a probe into plain words and the exit code that says which.</summary>
internal static class ProbeFailure
{
    /// <summary>The exit code and message for <paramref name="error"/>, or null when it is not a probe failure (a bug: it travels on).</summary>
    public static (int ExitCode, string Message)? Classify(Exception error, ProbeRequest request) => error switch
    {
        ProfileLoadException e => (ExitCodes.BadInput, $"bad profile: {CliFailure.OneLine(e.Message)}"),
        Gateway.Drivers.Mqtt.MqttBrokerSecurityException e => (ExitCodes.BadInput, $"broker {Gateway.Drivers.Devices.Mqtt.MqttBrokerAddress.Mask(request.Endpoint)}: {e.Message}"),
        DeviceException { Kind: DeviceErrorKind.BadValue } e when request.Profile is { } profile && !request.IsMqtt =>
            (ExitCodes.BadInput, $"{e.Message} — is --profile {profile} right for this device?"),
        DeviceException { Kind: DeviceErrorKind.Timeout } e when request.IsMqtt =>
            (ExitCodes.Timeout, $"{e.Message} — is the device online, and are --device and --profile right?"),
        DeviceException e when request.IsMqtt && BrokerSecurityOptions.Hint(e, request.Endpoint, request.Broker) is { } hint =>
            (CliFailure.ExitCodeOf(e.Kind), $"{e.Message} — {hint}"),
        DeviceException e => (CliFailure.ExitCodeOf(e.Kind), e.Message),
        FormatException or ArgumentException => (ExitCodes.BadInput, $"bad input: {error.Message}"),
        _ => null,
    };
}
