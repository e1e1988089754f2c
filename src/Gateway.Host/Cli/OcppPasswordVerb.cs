using Gateway.Rigs;
using System.CommandLine;
using Gateway.Runtime.Ocpp;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway ocpp-password</c>: reads a station's Basic-auth password from standard input (one line, never an argument, so it
/// stays out of the shell history) and prints the hash for the rig's <c>ocpp.stations</c>.
/// </summary>
internal static class OcppPasswordVerb
{
    public static Command Create()
    {
        var command = new Command("ocpp-password", "Hash an OCPP station's password (read from stdin) for the rig's ocpp.stations section.");
        command.SetAction(async (ParseResult _, CancellationToken ct) =>
        {
            var password = await Console.In.ReadLineAsync(ct).ConfigureAwait(false);
            if (string.IsNullOrEmpty(password) || password.Length < 8)
            {
                CliFailure.Write("ocpp-password", ExitCodes.BadInput, ["give the password on standard input: one line of at least 8 characters (OCPP asks for 16–40)"], false, Console.Out, Console.Error);
                return ExitCodes.BadInput;
            }
            Console.Out.WriteLine(PasswordHash.Create(password));
            return ExitCodes.Ok;
        });
        return command;
    }
}
