namespace Gateway.Drivers.Devices;

/// <summary>Whether the gateway may write a point.</summary>
public enum PointAccess
{
    /// <summary>Read only: the driver never writes it.</summary>
    Read,
    /// <summary>Read and write.</summary>
    ReadWrite,
}
