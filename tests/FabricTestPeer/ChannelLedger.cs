namespace Gateway.Testing.Fabric;

/// <summary>One joined channel: its chaincode, world state, orderer and the endorsement policy its transactions must satisfy.</summary>
internal sealed class ChannelLedger
{
    public ChannelLedger(TestChannel channel, string localMspId, PeerFaults faults, TimeSpan batchTimeout, int maxPerBlock)
    {
        Channel = channel;
        Policy = channel.EndorsingOrganizations is { Count: > 0 } orgs ? orgs : [localMspId];
        Orderer = new Orderer(World, faults, Policy, batchTimeout, maxPerBlock);
    }

    public TestChannel Channel { get; }

    public IReadOnlyList<string> Policy { get; }

    public WorldState World { get; } = new();

    public Orderer Orderer { get; }

    public Simulation Execute(string function, IReadOnlyList<string> args, string txId, DateTimeOffset timestamp) => Channel.Contract switch
    {
        TestContract.Settlement => SettlementContractModel.Execute(World, function, args, txId, timestamp),
        var contract => RoundRecordContractModel.Execute(contract, World, function, args, txId, timestamp),
    };
}
