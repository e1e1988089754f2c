namespace Gateway.Drivers.Mqtt;

/// <summary>Raised when the connection goes up or down.</summary>
/// <param name="State">The new state.</param>
/// <param name="Reason">Why the connection went down, when it did.</param>
/// <param name="SessionPresent">For <see cref="MqttConnectionState.Connected"/>: the broker resumed a stored session.</param>
public sealed record MqttConnectionStateChangedEventArgs(MqttConnectionState State, Exception? Reason, bool SessionPresent);
