using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Modbus.Rtu;

/// <summary>
/// Keeps the 3.5-character silence (t3.5) an RTU frame must be preceded by (Modbus over Serial Line v1.02 §2.5.1.1):
/// remembers when the last frame on the line ended and makes the next sender wait until t3.5 has passed since.
/// A frame handed to the port is still on the wire for its transmit time after the write returns, so that counts too.
/// </summary>
internal sealed class InterFrameGap(SerialLineSettings settings, TimeProvider timeProvider)
{
    private long _frameEndTimestamp;
    private bool _anyFrame;

    /// <summary>The line is quiet from now: the last byte of a frame just arrived, or the wait for one ended.</summary>
    public void FrameEndedNow()
    {
        long now = timeProvider.GetTimestamp();
        // A frame still leaving the wire ends later than now.
        if (!_anyFrame || now > _frameEndTimestamp)
        {
            _frameEndTimestamp = now;
        }

        _anyFrame = true;
    }

    /// <summary>A frame of <paramref name="characters"/> was just handed to the port; it ends when its last bit is out.</summary>
    public void FrameSent(int characters)
    {
        _frameEndTimestamp = timeProvider.GetTimestamp() + (long)(settings.TransmitTime(characters).TotalSeconds * timeProvider.TimestampFrequency);
        _anyFrame = true;
    }

    /// <summary>How long a frame started now would still have to wait.</summary>
    public TimeSpan Remaining => _anyFrame ? settings.FrameSilence - timeProvider.GetElapsedTime(_frameEndTimestamp) : TimeSpan.Zero;

    /// <summary>Waits until t3.5 has passed since the last frame ended.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        TimeSpan remaining;
        while ((remaining = Remaining) > TimeSpan.Zero)
        {
            // Timers count whole milliseconds and may fire up to one early: ask for the next whole one and look again,
            // so the silence is never shorter than t3.5 (it may be up to about a millisecond longer).
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds)), timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
