namespace Gateway.Market.Solvers;

/// <summary>COIN-OR's shared libraries (libClp.so / libCbc.so) could not be loaded.</summary>
public sealed class CoinOrUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception with the install hint.</summary>
    public CoinOrUnavailableException(string library, Exception inner)
        : base($"COIN-OR {library} could not be loaded (lib{library}.so): install coinor-libclp-dev and coinor-libcbc-dev: scripts/setup.sh", inner)
    {
    }
}
