using System.Text;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Gateway.LedgerClient.Fabric;

/// <summary>A signed chaincode proposal and the transaction id it commits to.</summary>
internal sealed record FabricProposal(string TransactionId, SignedProposal SignedProposal)
{
    /// <summary>
    /// Builds and signs a proposal to invoke <paramref name="function"/> of <paramref name="chaincode"/> on
    /// <paramref name="channel"/>: ENDORSER_TRANSACTION channel header carrying the chaincode id, signature header
    /// with creator and nonce, and ChaincodeInvocationSpec args [function, args…].
    /// </summary>
    public static FabricProposal Create(
        FabricIdentity identity,
        string channel,
        string chaincode,
        string function,
        IReadOnlyList<string> args,
        DateTimeOffset timestamp,
        byte[] nonce)
    {
        var transactionId = FabricTransactionId.Compute(nonce, identity.Creator);
        var chaincodeId = new ChaincodeID { Name = chaincode };

        var channelHeader = new ChannelHeader
        {
            Type = (int)HeaderType.EndorserTransaction,
            ChannelId = channel,
            TxId = transactionId,
            Timestamp = Timestamp.FromDateTimeOffset(timestamp),
            Epoch = 0,
            Extension = new ChaincodeHeaderExtension { ChaincodeId = chaincodeId }.ToByteString(),
        };
        var signatureHeader = new SignatureHeader
        {
            Creator = ByteString.CopyFrom(identity.Creator),
            Nonce = ByteString.CopyFrom(nonce),
        };
        var header = new Header
        {
            ChannelHeader = channelHeader.ToByteString(),
            SignatureHeader = signatureHeader.ToByteString(),
        };

        var input = new ChaincodeInput();
        input.Args.Add(ByteString.CopyFrom(function, Encoding.UTF8));
        foreach (var arg in args)
        {
            input.Args.Add(ByteString.CopyFrom(arg, Encoding.UTF8));
        }
        var invocation = new ChaincodeInvocationSpec
        {
            ChaincodeSpec = new ChaincodeSpec { ChaincodeId = chaincodeId, Input = input },
        };
        var proposal = new Proposal
        {
            Header = header.ToByteString(),
            Payload = new ChaincodeProposalPayload { Input = invocation.ToByteString() }.ToByteString(),
        };
        var proposalBytes = proposal.ToByteArray();
        return new FabricProposal(transactionId, new SignedProposal
        {
            ProposalBytes = ByteString.CopyFrom(proposalBytes),
            Signature = ByteString.CopyFrom(identity.Sign(proposalBytes)),
        });
    }
}
