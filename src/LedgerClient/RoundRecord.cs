using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.LedgerClient;

/// <summary>
/// One round's entry on a side chain: the matching decision or the electricity delivered. The payload is JSON made by
/// the gateway and kept byte for byte (ledgers store the text, not a re-serialised object), so its hash is stable.
/// </summary>
/// <param name="Stream">Matching or Electricity.</param>
/// <param name="Key">Unique per stream and deployment: the round id and the journal's epoch (<see cref="LedgerIds.BatchKey"/>).</param>
/// <param name="SiteId">The site (gateway) that recorded it.</param>
/// <param name="Epoch">The journal's epoch: a fresh journal starts a new one, so a re-run never collides with an earlier one.</param>
/// <param name="RoundId">The market round.</param>
/// <param name="PayloadJson">The record itself, compact JSON.</param>
public sealed record RoundRecord(LedgerStream Stream, string Key, string SiteId, string Epoch, string RoundId, string PayloadJson)
{
    /// <summary>First line of the canonical form; bumps when the format changes.</summary>
    public const string FormatTag = "round-record/v1";

    /// <summary>
    /// Canonical bytes: UTF-8 of <c>round-record/v1</c>, stream name, key, site, epoch, round and payload joined by LF.
    /// The fields may not hold LF or other control characters, and the payload must be one JSON object.
    /// </summary>
    /// <exception cref="ArgumentException">A field is empty or holds a control character, or the payload is not a JSON object.</exception>
    public byte[] ToCanonicalBytes()
    {
        Check(Key, nameof(Key));
        Check(SiteId, nameof(SiteId));
        Check(Epoch, nameof(Epoch));
        Check(RoundId, nameof(RoundId));
        Check(PayloadJson, nameof(PayloadJson));
        if (Stream == LedgerStream.Settlements) throw new ArgumentException($"record '{Key}': settlements are not round records");
        try
        {
            using var document = JsonDocument.Parse(PayloadJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ArgumentException($"record '{Key}': the payload is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"record '{Key}': the payload is not JSON ({e.Message})", e);
        }
        return Encoding.UTF8.GetBytes(string.Join('\n', FormatTag, Stream.Name(), Key, SiteId, Epoch, RoundId, PayloadJson));
    }

    /// <summary>Lowercase hex SHA-256 of the canonical bytes.</summary>
    public string ContentHash() => Convert.ToHexStringLower(SHA256.HashData(ToCanonicalBytes()));

    private void Check(string value, string name)
    {
        if (string.IsNullOrEmpty(value)) throw new ArgumentException($"record '{Key}': {name} is empty");
        if (value.Any(char.IsControl)) throw new ArgumentException($"record '{Key}': {name} holds a control character");
    }
}

/// <summary>A round record as a ledger holds it.</summary>
/// <param name="Record">The record.</param>
/// <param name="BlockNumber">Its block (Fabric) or its entry number in the stream's chain (embedded); -1 when unknown.</param>
/// <param name="TransactionId">The Fabric transaction id, or the entry hash (embedded).</param>
/// <param name="CommittedAtUtc">When it was committed (proposal time on Fabric, append time embedded), if known.</param>
public sealed record StoredRoundRecord(RoundRecord Record, long BlockNumber, string TransactionId, DateTimeOffset? CommittedAtUtc);

/// <summary>A ledger for the side chains' round records (embedded or Fabric).</summary>
public interface IRoundRecordLedger
{
    /// <summary>
    /// Commits the records (all of one stream) in one block or transaction, all or nothing; a key already on the ledger with
    /// identical content is <see cref="LedgerCommitOutcome.AlreadyCommitted"/>, with other content refused (naming the key).
    /// </summary>
    Task<IReadOnlyList<LedgerCommitResult>> CommitRecordsAsync(IReadOnlyList<RoundRecord> records, CancellationToken cancellationToken = default);

    /// <summary>The record under <paramref name="key"/> in <paramref name="stream"/>, or null.</summary>
    Task<StoredRoundRecord?> GetRecordAsync(LedgerStream stream, string key, CancellationToken cancellationToken = default);
}
