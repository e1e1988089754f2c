using System.Diagnostics;

namespace Gateway.Testing;

/// <summary>
/// Two pseudo-terminals joined by socat: what is written to one end is read at the other,
/// through the kernel's tty layer, so the termios serial port is exercised for real.
/// socat ends when either side is closed for good; dispose kills it and removes the links.
/// </summary>
public sealed class SocatPtyPair : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private SocatPtyPair(Process process, string directory)
    {
        this._process = process;
        this._directory = directory;
    }

    public string A => Path.Combine(_directory, "a");

    public string B => Path.Combine(_directory, "b");

    public static async Task<SocatPtyPair> StartAsync()
    {
        string directory = Directory.CreateTempSubdirectory("modbus-pty-").FullName;
        var info = new ProcessStartInfo("socat") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add($"pty,raw,echo=0,link={Path.Combine(directory, "a")}");
        info.ArgumentList.Add($"pty,raw,echo=0,link={Path.Combine(directory, "b")}");
        var process = Process.Start(info) ?? throw new InvalidOperationException("socat did not start");
        var pair = new SocatPtyPair(process, directory);
        for (int i = 0; i < 500 && !(File.Exists(pair.A) && File.Exists(pair.B)); i++)
        {
            if (process.HasExited)
            {
                await pair.DisposeAsync();
                throw new InvalidOperationException($"socat exited: {await process.StandardError.ReadToEndAsync()}");
            }

            await Task.Delay(10);
        }

        if (!(File.Exists(pair.A) && File.Exists(pair.B)))
        {
            await pair.DisposeAsync();
            throw new TimeoutException("socat did not create the pty links within 5 s");
        }

        return pair;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
