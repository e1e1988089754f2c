namespace Gateway.Testing.Fabric;

/// <summary>Which contract a test channel's chaincode runs (the models mirror src/LedgerClient/chaincode).</summary>
public enum TestContract
{
    /// <summary>The settlement contract: the transaction main chain.</summary>
    Settlement,

    /// <summary>The matching contract: a side chain of round decisions.</summary>
    Matching,

    /// <summary>The electricity contract: a side chain of setpoints, read-backs and metered energy.</summary>
    Electricity,
}

/// <summary>A channel the test peer has joined, with its chaincode and the chaincode's endorsement policy.</summary>
/// <param name="Name">Channel name.</param>
/// <param name="Chaincode">Chaincode name on the channel.</param>
/// <param name="Contract">What the chaincode does.</param>
/// <param name="EndorsingOrganizations">Endorsement policy: AND over these MSP ids (every one must endorse). Empty: the peer's own organisation.</param>
public sealed record TestChannel(string Name, string Chaincode, TestContract Contract, IReadOnlyList<string>? EndorsingOrganizations = null)
{
    /// <summary>The main chain as the single-channel lab network has it.</summary>
    public static TestChannel Settlements(string name = "settlement-channel", string chaincode = "settlement", params string[] endorsers) =>
        new(name, chaincode, TestContract.Settlement, endorsers);
}
