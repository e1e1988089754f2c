using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.LedgerClient.Fabric.Grpc;
using Gateway.LedgerClient.Fabric.Protos;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;

namespace Gateway.Testing.Fabric;

/// <summary>A proposal that passed the peer's checks, taken apart.</summary>
internal sealed record CheckedProposal(string TxId, Proposal Proposal, Header Header, ChannelHeader ChannelHeader, SignatureHeader SignatureHeader, string Function, IReadOnlyList<string> Args);

/// <summary>The four unary methods of gateway.Gateway, framed by hand over Kestrel's HTTP/2.</summary>
internal sealed class GatewayService
{
    private const string Prefix = "/gateway.Gateway/";
    private readonly TestPki _pki;
    private readonly TestPeerSettings _settings;
    private readonly CreatorVerifier _verifier;
    private readonly WorldState _world = new();
    private readonly ConcurrentDictionary<string, (ByteString Payload, Simulation Simulation)> _endorsed = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private readonly byte[] _peerIdentity;

    public GatewayService(TestPki pki, TestPeerSettings settings)
    {
        _pki = pki;
        _settings = settings;
        _verifier = new CreatorVerifier(pki.MspId, pki.MspCa.Certificate);
        _peerIdentity = new SerializedIdentity { Mspid = pki.MspId, IdBytes = ByteString.CopyFromUtf8(pki.Peer.CertificatePem) }.ToByteArray();
        Orderer = new Orderer(_world, Faults, settings.BatchTimeout, settings.MaxTransactionsPerBlock);
    }

    public PeerFaults Faults { get; } = new();

    public Orderer Orderer { get; }

    public string Address { get; set; } = "";

    public IReadOnlyDictionary<string, int> CallCounts => _calls;

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var method = path.StartsWith(Prefix, StringComparison.Ordinal) ? path[Prefix.Length..] : "";
        _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        if (context.Request.Protocol != "HTTP/2" || !HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status505HttpVersionNotsupported;
            return;
        }
        if (context.Request.ContentType is not { } contentType || !contentType.StartsWith("application/grpc", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (GrpcHeaders.TryParseTimeout(context.Request.Headers["grpc-timeout"], out var timeout))
        {
            deadline.CancelAfter(timeout);
        }
        try
        {
            if (Faults.ResponseDelay > TimeSpan.Zero)
            {
                await Task.Delay(Faults.ResponseDelay, deadline.Token);
            }
            var request = await ReadMessageAsync(context.Request.Body, deadline.Token);
            IMessage response = method switch
            {
                "Evaluate" => Evaluate(EvaluateRequest.Parser.ParseFrom(request)),
                "Endorse" => Endorse(EndorseRequest.Parser.ParseFrom(request)),
                "Submit" => Submit(SubmitRequest.Parser.ParseFrom(request)),
                "CommitStatus" => await CommitStatusAsync(SignedCommitStatusRequest.Parser.ParseFrom(request), deadline.Token),
                _ => throw new PeerError(GrpcStatusCode.Unimplemented, $"unknown method {path}"),
            };
            await WriteMessageAsync(context, response);
        }
        catch (PeerError e)
        {
            WriteError(context, e.Code, e.Message, e.DetailMessage);
        }
        catch (InvalidProtocolBufferException e)
        {
            WriteError(context, GrpcStatusCode.InvalidArgument, $"malformed {method} request: {e.Message}", null);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            WriteError(context, GrpcStatusCode.DeadlineExceeded, "deadline exceeded", null);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
    }

    private EvaluateResponse Evaluate(EvaluateRequest request)
    {
        var proposal = CheckProposal(request.ProposedTransaction, request.TransactionId, request.ChannelId, "evaluate");
        try
        {
            var simulation = SettlementContractModel.Execute(_world, proposal.Function, proposal.Args, proposal.TxId, proposal.ChannelHeader.Timestamp.ToDateTimeOffset());
            return new EvaluateResponse { Result = new Response { Status = 200, Payload = ByteString.CopyFrom(simulation.Result) } };
        }
        catch (ChaincodeRejection e)
        {
            throw new PeerError(GrpcStatusCode.Aborted, "evaluate call to endorser returned error: chaincode response 500, " + e.Message, "chaincode response 500, " + e.Message);
        }
    }

    private EndorseResponse Endorse(EndorseRequest request)
    {
        var proposal = CheckProposal(request.ProposedTransaction, request.TransactionId, request.ChannelId, "endorse");
        if (!_endorsed.TryAdd(proposal.TxId, (ByteString.Empty, new Simulation())))
        {
            throw new PeerError(GrpcStatusCode.Aborted, "failed to endorse transaction, see attached details for more info", $"duplicate transaction found [{proposal.TxId}]");
        }
        Simulation simulation;
        try
        {
            if (Faults.EndorsementFailure is { } failure)
            {
                throw new ChaincodeRejection(failure);
            }
            simulation = SettlementContractModel.Execute(_world, proposal.Function, proposal.Args, proposal.TxId, proposal.ChannelHeader.Timestamp.ToDateTimeOffset());
        }
        catch (ChaincodeRejection e)
        {
            throw new PeerError(GrpcStatusCode.Aborted, "failed to endorse transaction, see attached details for more info", "chaincode response 500, " + e.Message);
        }

        var chaincodeId = new ChaincodeID { Name = _settings.Chaincode, Version = "1.0" };
        var action = new ChaincodeAction
        {
            Results = ByteString.CopyFromUtf8($"{simulation.Reads.Count} reads, {simulation.Writes.Count} writes"),
            Response = new Response { Status = 200, Payload = ByteString.CopyFrom(simulation.Result) },
            ChaincodeId = chaincodeId,
        };
        if (simulation.Event is { } e2)
        {
            action.Events = new ChaincodeEvent { ChaincodeId = _settings.Chaincode, TxId = proposal.TxId, EventName = e2.Name, Payload = ByteString.CopyFrom(e2.Payload) }.ToByteString();
        }
        var responsePayload = new ProposalResponsePayload
        {
            ProposalHash = ByteString.CopyFrom(SHA256.HashData([.. proposal.Proposal.Header.Span, .. proposal.Proposal.Payload.Span])),
            Extension = action.ToByteString(),
        }.ToByteArray();
        using var peerKey = _pki.Peer.Certificate.GetECDsaPrivateKey()!;
        var endorsement = new Endorsement
        {
            Endorser = ByteString.CopyFrom(_peerIdentity),
            Signature = ByteString.CopyFrom(peerKey.SignData([.. responsePayload, .. _peerIdentity], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
        };
        var transaction = new Transaction();
        transaction.Actions.Add(new TransactionAction
        {
            Header = proposal.Header.SignatureHeader,
            Payload = new ChaincodeActionPayload
            {
                ChaincodeProposalPayload = proposal.Proposal.Payload,
                Action = new ChaincodeEndorsedAction { ProposalResponsePayload = ByteString.CopyFrom(responsePayload), Endorsements = { endorsement } },
            }.ToByteString(),
        });
        var payload = new Payload { Header = proposal.Header, Data = transaction.ToByteString() }.ToByteString();
        _endorsed[proposal.TxId] = (payload, simulation);
        return new EndorseResponse { PreparedTransaction = new Envelope { Payload = payload } };
    }

    private SubmitResponse Submit(SubmitRequest request)
    {
        var envelope = request.PreparedTransaction ?? throw new PeerError(GrpcStatusCode.InvalidArgument, "a prepared transaction must be supplied");
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        var channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
        var signatureHeader = SignatureHeader.Parser.ParseFrom(payload.Header.SignatureHeader);
        if (channelHeader.TxId != request.TransactionId || channelHeader.ChannelId != request.ChannelId || request.ChannelId != _settings.Channel)
        {
            throw new PeerError(GrpcStatusCode.InvalidArgument, $"submit: transaction id or channel of the request ({request.TransactionId}, {request.ChannelId}) do not match the envelope ({channelHeader.TxId}, {channelHeader.ChannelId})");
        }
        try
        {
            _verifier.Verify(signatureHeader.Creator, envelope.Payload.Span, envelope.Signature, "submit");
        }
        catch (PeerError e)
        {
            throw new PeerError(GrpcStatusCode.Aborted, $"received unsuccessful response from orderer: status=BAD_REQUEST, info={e.DetailMessage}", e.DetailMessage);
        }
        if (!_endorsed.TryGetValue(channelHeader.TxId, out var endorsed) || endorsed.Payload != envelope.Payload)
        {
            throw new PeerError(GrpcStatusCode.Aborted, "received unsuccessful response from orderer: status=BAD_REQUEST, info=transaction does not match an endorsed proposal", "endorsement mismatch");
        }
        if (Faults.OrderersUnavailable)
        {
            throw new PeerError(GrpcStatusCode.Unavailable, "no orderers could successfully process transaction", "rpc error: code = Unavailable desc = no Raft leader");
        }
        if (!Orderer.Enqueue(new OrderedTransaction(channelHeader.TxId, endorsed.Simulation)))
        {
            throw new PeerError(GrpcStatusCode.Aborted, $"transaction {channelHeader.TxId} was already submitted");
        }
        return new SubmitResponse();
    }

    private async Task<CommitStatusResponse> CommitStatusAsync(SignedCommitStatusRequest signed, CancellationToken cancellationToken)
    {
        var request = CommitStatusRequest.Parser.ParseFrom(signed.Request);
        try
        {
            _verifier.Verify(request.Identity, signed.Request.Span, signed.Signature, "commit status");
        }
        catch (PeerError e)
        {
            throw new PeerError(GrpcStatusCode.PermissionDenied, e.DetailMessage ?? e.Message);
        }
        if (request.ChannelId != _settings.Channel)
        {
            throw new PeerError(GrpcStatusCode.NotFound, $"channel '{request.ChannelId}' not found");
        }
        var (code, block) = await Orderer.WaitForStatusAsync(request.TransactionId, cancellationToken);
        return new CommitStatusResponse { Result = code, BlockNumber = block };
    }

    private CheckedProposal CheckProposal(SignedProposal? signed, string requestTxId, string requestChannel, string context)
    {
        if (signed is null)
        {
            throw new PeerError(GrpcStatusCode.InvalidArgument, "a signed proposal must be supplied");
        }
        var proposal = Proposal.Parser.ParseFrom(signed.ProposalBytes);
        var header = Header.Parser.ParseFrom(proposal.Header);
        var channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
        var signatureHeader = SignatureHeader.Parser.ParseFrom(header.SignatureHeader);
        if (channelHeader.Type != (int)HeaderType.EndorserTransaction)
        {
            throw new PeerError(GrpcStatusCode.InvalidArgument, $"invalid header type {channelHeader.Type}");
        }
        if (channelHeader.ChannelId != _settings.Channel || requestChannel != _settings.Channel)
        {
            throw new PeerError(GrpcStatusCode.NotFound, $"channel '{channelHeader.ChannelId}' not found");
        }
        _verifier.Verify(signatureHeader.Creator, signed.ProposalBytes.Span, signed.Signature, context);

        // Recomputed here rather than through the client library, so a wrong derivation cannot agree with itself.
        var expectedTxId = Convert.ToHexStringLower(SHA256.HashData([.. signatureHeader.Nonce.Span, .. signatureHeader.Creator.Span]));
        if (channelHeader.TxId != expectedTxId || requestTxId != expectedTxId)
        {
            throw new PeerError(GrpcStatusCode.InvalidArgument, $"invalid txID. It must be {expectedTxId}, got {channelHeader.TxId} (request: {requestTxId})");
        }
        var extension = ChaincodeHeaderExtension.Parser.ParseFrom(channelHeader.Extension);
        var invocation = ChaincodeInvocationSpec.Parser.ParseFrom(ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload).Input);
        var name = extension.ChaincodeId?.Name;
        if (name != _settings.Chaincode || invocation.ChaincodeSpec?.ChaincodeId?.Name != name)
        {
            throw new PeerError(GrpcStatusCode.NotFound, $"chaincode '{name}' (invocation: '{invocation.ChaincodeSpec?.ChaincodeId?.Name}') is not defined on channel '{_settings.Channel}'");
        }
        var args = invocation.ChaincodeSpec.Input?.Args.Select(a => a.ToStringUtf8()).ToList() ?? [];
        if (args.Count == 0)
        {
            throw new PeerError(GrpcStatusCode.InvalidArgument, "chaincode invocation has no function name");
        }
        if (channelHeader.Timestamp is null)
        {
            throw new PeerError(GrpcStatusCode.InvalidArgument, "channel header has no timestamp");
        }
        return new CheckedProposal(expectedTxId, proposal, header, channelHeader, signatureHeader, args[0], args.Skip(1).ToList());
    }

    private static async Task<byte[]> ReadMessageAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        if (bytes.Length < 5 || bytes[0] != 0)
        {
            throw new PeerError(GrpcStatusCode.Internal, "request is not one uncompressed length-prefixed message");
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1, 4));
        if (length != bytes.Length - 5)
        {
            throw new PeerError(GrpcStatusCode.Internal, $"request message length {length} does not match the {bytes.Length - 5} bytes sent");
        }
        return bytes[5..];
    }

    private static async Task WriteMessageAsync(HttpContext context, IMessage message)
    {
        var bytes = message.ToByteArray();
        var framed = new byte[5 + bytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1, 4), (uint)bytes.Length);
        bytes.CopyTo(framed, 5);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(framed, context.RequestAborted);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    // Trailers-only response: the status travels in the only HEADERS frame.
    private void WriteError(HttpContext context, GrpcStatusCode code, string message, string? detailMessage)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = GrpcHeaders.EncodeMessage(message);
        if (detailMessage is not null)
        {
            var status = new Status { Code = (int)code, Message = message };
            status.Details.Add(Any.Pack(new ErrorDetail { Address = Address, MspId = _pki.MspId, Message = detailMessage }));
            context.Response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray()).TrimEnd('=');
        }
    }
}
