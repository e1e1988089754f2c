namespace Gateway.Market.Validation;

/// <summary>A round that cannot be cleared; <see cref="Exception.Message"/> lists every problem, one per line.</summary>
public sealed class RoundValidationException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public RoundValidationException(IReadOnlyList<ValidationError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }
}
