using Gateway.Rigs;
using System.CommandLine;
using Gateway.Runtime.Operator;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway operator hash-password</c> and <c>gateway operator new-token</c>: make the entries of a rig's
/// <c>operator.auth</c> without ever writing a password or a token into the rig.
/// </summary>
internal static class OperatorVerb
{
    public static Command Create()
    {
        var command = new Command("operator", "Credentials for the dashboard's operators (entries for the rig's operator.auth).");

        var hash = new Command("hash-password", "Read a password from standard input (one line) and print its PBKDF2-SHA256 hash for operator.auth.users[].passwordHash.");
        var user = new Option<string?>("--user") { Description = "Also print the rig entry for this user" };
        hash.Options.Add(user);
        hash.SetAction(r =>
        {
            var password = Console.In.ReadLine();
            if (string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("operator hash-password: no password on standard input (e.g. read -rs P && printf '%s\\n' \"$P\" | gateway operator hash-password)");
                return ExitCodes.BadInput;
            }
            if (password.Length < 12)
            {
                Console.Error.WriteLine("operator hash-password: the password is shorter than 12 characters");
                return ExitCodes.BadInput;
            }
            var h = OperatorCredentials.HashPassword(password);
            Console.WriteLine(r.GetValue(user) is { } name ? $"- {{ name: {name}, passwordHash: \"{h}\" }}" : h);
            return ExitCodes.Ok;
        });

        var token = new Command("new-token", "Print a new random bearer token (give it to the operator) and the sha256 the rig keeps for operator.auth.tokens[].");
        var op = new Option<string>("--operator") { Description = "Who the token stands for", Required = true };
        token.Options.Add(op);
        token.SetAction(r =>
        {
            var t = OperatorCredentials.NewToken();
            Console.WriteLine($"token (give to {r.GetValue(op)}, shown once): {t}");
            Console.WriteLine($"rig entry: - {{ operator: {r.GetValue(op)}, sha256: \"{OperatorCredentials.TokenHash(t)["sha256:".Length..]}\" }}");
            return ExitCodes.Ok;
        });

        command.Subcommands.Add(hash);
        command.Subcommands.Add(token);
        return command;
    }
}
