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

    /// <summary>
    /// The paper's three-channel design as hil-rigs/fabric-3ch has it: settlements on <c>txmain</c> endorsed by the operator
    /// (Org1) and the DSO (Org2), decisions on <c>matching</c> by the operator and the regulator (Org3), deliveries on
    /// <c>electricity</c> by the operator and the DSO; each chaincode named as its channel's stream.
    /// </summary>
    public static IReadOnlyList<TestChannel> ThreeChannels { get; } =
    [
        Settlements("txmain", "settlement", "Org1MSP", "Org2MSP"),
        new("matching", "matching", TestContract.Matching, ["Org1MSP", "Org3MSP"]),
        new("electricity", "electricity", TestContract.Electricity, ["Org1MSP", "Org2MSP"]),
    ];
}
