using Gateway.Host.Cli;

// Whatever fails on another thread ends the process with one line and exit code 1, never a runtime stack trace.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    var (code, lines) = e.ExceptionObject is Exception error ? CliFailure.Classify(error) : (ExitCodes.Failed, ["unexpected failure"]);
    foreach (var line in lines) Console.Error.WriteLine($"gateway: {CliFailure.OneLine(line)}");
    Environment.Exit(code);
};
TaskScheduler.UnobservedTaskException += (_, e) => e.SetObserved();

return await CommandLine.RunAsync(args, Console.Out, Console.Error);

/// <summary>
/// The entry point, declared internal: ASP.NET Core's generator would otherwise make it public, and a benchmark that
/// references the executable would then see two types named Program (CS0436).
/// </summary>
internal sealed partial class Program;
