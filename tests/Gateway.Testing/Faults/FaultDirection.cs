namespace Gateway.Testing;

/// <summary>Which way bytes travel through a <see cref="FaultProxy"/>.</summary>
public enum FaultDirection
{
    /// <summary>From the connecting client to the upstream server (requests).</summary>
    ToServer,

    /// <summary>From the upstream server back to the client (answers).</summary>
    ToClient,
}
