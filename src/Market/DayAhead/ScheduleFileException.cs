namespace Gateway.Market.DayAhead;

/// <summary>A schedule file cannot be read; the message names the file, the place and what is wrong.</summary>
public sealed class ScheduleFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScheduleFileException(string message)
        : base(message)
    {
    }
}
