using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Runtime.Worker;

/// <summary>
/// Options the caller built (from the rig file or a test), registered as <see cref="IOptions{TOptions}"/> and validated
/// when the host starts by the options type's own check, which names every problem.
/// </summary>
internal static class GivenOptions
{
    /// <summary>Register <paramref name="options"/>; <paramref name="validate"/> throws an <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static IServiceCollection AddValidatedOptions<TOptions>(this IServiceCollection services, TOptions options, Action<TOptions> validate)
        where TOptions : class
    {
        services.AddSingleton<IOptionsFactory<TOptions>>(sp => new Factory<TOptions>(options, sp.GetServices<IValidateOptions<TOptions>>()));
        services.AddSingleton<IValidateOptions<TOptions>>(new Validation<TOptions>(validate));
        services.AddOptions<TOptions>().ValidateOnStart();
        return services;
    }

    private sealed class Factory<TOptions>(TOptions options, IEnumerable<IValidateOptions<TOptions>> validations) : IOptionsFactory<TOptions>
        where TOptions : class
    {
        public TOptions Create(string name)
        {
            var failures = validations.Select(v => v.Validate(name, options)).Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
            if (failures.Count > 0) throw new OptionsValidationException(name, typeof(TOptions), failures);
            return options;
        }
    }

    private sealed class Validation<TOptions>(Action<TOptions> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            try
            {
                validate(options);
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail($"{typeof(TOptions).Name}: {e.Message}");
            }
        }
    }
}
