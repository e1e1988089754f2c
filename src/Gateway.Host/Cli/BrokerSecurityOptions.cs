using System.CommandLine;
using Gateway.Drivers.Devices.Mqtt;
using Gateway.Drivers.Mqtt;

namespace Gateway.Host.Cli;

/// <summary>
/// The broker options of <c>probe</c>, <c>scan</c> and <c>commission</c> (<c>--ca</c>, <c>--cert</c>, <c>--key</c>,
/// <c>--server-name</c>, <c>--username</c>, <c>--password-env</c>, <c>--password-file</c>): what a rig's
/// <c>brokers[]</c> entry says, given at the command line. There is no option for the password itself, so it never
/// lands in a shell history.
/// </summary>
internal sealed class BrokerSecurityOptions
{
    private readonly Option<string?> _ca = new("--ca") { HelpName = "FILE", Description = "MQTT: PEM file with the CA that signed the broker's certificate (a private site CA); implies TLS, also on mqtt://" };
    private readonly Option<string?> _cert = new("--cert") { HelpName = "FILE", Description = "MQTT: PEM client certificate, for a broker that requires one (with --key); implies TLS" };
    private readonly Option<string?> _key = new("--key") { HelpName = "FILE", Description = "MQTT: PEM private key of --cert" };
    private readonly Option<string?> _serverName = new("--server-name") { HelpName = "NAME", Description = "MQTT: the name the broker's certificate carries, when it is not the host of the URL" };
    private readonly Option<string?> _username = new("--username") { HelpName = "NAME", Description = "MQTT: user name at the broker (instead of mqtt://USER@HOST)" };
    private readonly Option<string?> _passwordEnv = new("--password-env") { HelpName = "VAR", Description = "MQTT: environment variable holding the broker password (never the password itself on the command line)" };
    private readonly Option<string?> _passwordFile = new("--password-file") { HelpName = "FILE", Description = "MQTT: file whose first line is the broker password" };

    private IEnumerable<Option<string?>> All => [_ca, _cert, _key, _serverName, _username, _passwordEnv, _passwordFile];

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>Whether <paramref name="endpoint"/> names an MQTT broker (<c>mqtt://</c>, or <c>mqtts://</c> for TLS).</summary>
    public static bool IsMqtt(string endpoint) =>
        endpoint.StartsWith("mqtt://", StringComparison.OrdinalIgnoreCase) || endpoint.StartsWith("mqtts://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The security the options ask for at <paramref name="endpoint"/>, or null when none is given (the URL alone says how
    /// to connect). Each thing wrong goes into <paramref name="problems"/> as one line naming its option; the files and
    /// the password variable are checked now, so a typo is a usage error and not a failed connection.
    /// </summary>
    /// <param name="result">The parsed command line.</param>
    /// <param name="endpoint">The verb's endpoint argument.</param>
    /// <param name="problems">Where the problems go.</param>
    /// <param name="environment">Reads environment variables (default: the process's).</param>
    public MqttBrokerSecurity? Read(ParseResult result, string endpoint, List<string> problems, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var given = All.Where(o => result.GetValue(o) is not null).Select(o => o.Name).ToList();
        if (given.Count == 0) return null;
        if (!IsMqtt(endpoint))
        {
            problems.Add($"{string.Join(", ", given)} {(given.Count == 1 ? "is" : "are")} for an MQTT broker (mqtt:// or mqtts://); '{MqttBrokerAddress.Mask(endpoint)}' is not one");
            return null;
        }
        var before = problems.Count;
        string? File(Option<string?> option)
        {
            var path = result.GetValue(option);
            if (path is null) return null;
            if (path.Length == 0) problems.Add($"{option.Name} is empty: give a file");
            else if (Directory.Exists(path)) problems.Add($"{option.Name} {path} is a folder, not a file");
            else if (!System.IO.File.Exists(path)) problems.Add($"{option.Name} {path}: no such file");
            return path.Length == 0 ? null : Path.GetFullPath(path);
        }
        var ca = File(_ca);
        var cert = File(_cert);
        var key = File(_key);
        var passwordFile = File(_passwordFile);
        if (result.GetValue(_cert) is not null && result.GetValue(_key) is null) problems.Add("--cert needs --key: the private key of the client certificate");
        if (result.GetValue(_key) is not null && result.GetValue(_cert) is null) problems.Add("--key needs --cert: the client certificate it belongs to");
        var passwordEnv = result.GetValue(_passwordEnv);
        if (passwordEnv is not null && result.GetValue(_passwordFile) is not null) problems.Add("give --password-env or --password-file, not both");
        else if (passwordEnv is not null && string.IsNullOrEmpty(environment(passwordEnv)))
            problems.Add($"--password-env {passwordEnv}: the environment variable ${passwordEnv} is {(environment(passwordEnv) is null ? "not set" : "empty")}");
        var user = result.GetValue(_username);
        if (user is { Length: 0 }) problems.Add("--username is empty");
        var urlUser = MqttBrokerAddress.TryParse(endpoint, out var address, out _) ? address!.UserName : null;
        if ((passwordEnv ?? result.GetValue(_passwordFile)) is not null && user is null && urlUser is null)
            problems.Add($"{(passwordEnv is not null ? "--password-env" : "--password-file")} needs --username (or a user in the URL, mqtt://USER@HOST)");
        if (problems.Count > before) return null;
        var security = new MqttBrokerSecurity
        {
            CaFile = ca, ClientCertificateFile = cert, ClientKeyFile = key, ServerName = result.GetValue(_serverName),
            UserName = user, PasswordEnvironmentVariable = passwordEnv, PasswordFile = passwordFile,
        };
        // What is left is what only loading can tell: a file that is no PEM, a key that is not the certificate's, an empty password file.
        foreach (var problem in (security with { UserName = user ?? urlUser }).Check(environment)) problems.Add(Name(problem, security));
        return problems.Count > before ? null : security;
    }

    /// <summary>
    /// <paramref name="security"/> (null: none given) joined with what the URL <paramref name="broker"/> says: TLS for
    /// <c>mqtts://</c>, its user and password. The options win: a <c>--username</c> other than the URL's drops the URL's
    /// password with its user, and <c>--password-env</c> or <c>--password-file</c> replace it.
    /// </summary>
    public static MqttBrokerSecurity Combine(MqttBrokerSecurity? security, MqttBrokerAddress broker)
    {
        security ??= new MqttBrokerSecurity();
        var sameUser = security.UserName is null || security.UserName == broker.UserName;
        return security with
        {
            Tls = security.Tls || broker.UseTls,
            UserName = security.UserName ?? broker.UserName,
            Password = sameUser ? broker.Password : null,
        };
    }

    /// <summary>
    /// What to try after <paramref name="error"/> from the broker at <paramref name="endpoint"/>, secured as
    /// <paramref name="security"/> says, for the end of the failure's line; null when the message says it all.
    /// </summary>
    public static string? Hint(Exception error, string endpoint, MqttBrokerSecurity? security)
    {
        if (!MqttBrokerAddress.TryParse(endpoint, out var broker, out _)) return null;
        var used = Combine(security, broker!);
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is System.Security.Authentication.AuthenticationException)
                return used.CaFile is null ? "a broker with a private CA needs it: give it with --ca FILE" : null;
            // mosquitto checks the client certificate after TLS 1.3 has finished on our side: what arrives is either
            // a closed connection or, when its alert is read first, a record that fails to decrypt (an IOException).
            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.NotConnected or System.Net.Sockets.SocketError.ConnectionReset
                    or System.Net.Sockets.SocketError.ConnectionAborted or System.Net.Sockets.SocketError.Shutdown } or IOException
                && used.UsesTls && used.ClientCertificateFile is null)
                return "the broker refused or closed the connection after the TLS handshake: does it require a client certificate (--cert FILE --key FILE)?";
        }
        return null;
    }

    // MqttBrokerSecurity speaks of rig files; here the line names the option that gave the file.
    private static string Name(string problem, MqttBrokerSecurity security) =>
        problem.StartsWith("the TLS files do not load", StringComparison.Ordinal)
            ? $"--ca/--cert/--key: {problem}"
            : security.PasswordFile is { } file && problem.Contains(file, StringComparison.Ordinal) ? $"--password-file: {problem}" : problem;
}
