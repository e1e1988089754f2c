namespace Gateway.LedgerClient.Fabric.Grpc;

/// <summary>gRPC status codes as carried in the <c>grpc-status</c> trailer.</summary>
public enum GrpcStatusCode
{
    /// <summary>Success.</summary>
    OK = 0,
    /// <summary>The call was cancelled, typically by the caller.</summary>
    Cancelled = 1,
    /// <summary>Unknown error (also used for unparseable statuses).</summary>
    Unknown = 2,
    /// <summary>The client sent an invalid argument.</summary>
    InvalidArgument = 3,
    /// <summary>The deadline expired before the call completed.</summary>
    DeadlineExceeded = 4,
    /// <summary>A requested entity was not found.</summary>
    NotFound = 5,
    /// <summary>The entity already exists.</summary>
    AlreadyExists = 6,
    /// <summary>The caller lacks permission.</summary>
    PermissionDenied = 7,
    /// <summary>A resource (quota, message size) is exhausted.</summary>
    ResourceExhausted = 8,
    /// <summary>The system is not in a state required for the operation.</summary>
    FailedPrecondition = 9,
    /// <summary>The operation was aborted (Fabric: endorsement or ordering failed).</summary>
    Aborted = 10,
    /// <summary>Out of range.</summary>
    OutOfRange = 11,
    /// <summary>The method is not implemented by the server.</summary>
    Unimplemented = 12,
    /// <summary>Internal error (also protocol violations detected by this client).</summary>
    Internal = 13,
    /// <summary>The service is unavailable (connection refused or reset, orderer down); retrying may succeed.</summary>
    Unavailable = 14,
    /// <summary>Unrecoverable data loss.</summary>
    DataLoss = 15,
    /// <summary>The caller is not authenticated.</summary>
    Unauthenticated = 16,
}
