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
