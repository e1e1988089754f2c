namespace Gateway.Drivers.Lab;

/// <summary>The e-stop loop changed state (after debouncing).</summary>
/// <param name="IsOpen">True: the loop is open (stop pressed, wire cut, or the input cannot be read).</param>
/// <param name="AtUtc">When the change was accepted (the input's clock).</param>
/// <param name="RawChangeAtUtc">When the input first read the new level (the debounce started then).</param>
/// <param name="Reason">Why, in plain words: the level read, or the read error.</param>
public sealed record EmergencyStopChange(bool IsOpen, DateTimeOffset AtUtc, DateTimeOffset RawChangeAtUtc, string Reason);
