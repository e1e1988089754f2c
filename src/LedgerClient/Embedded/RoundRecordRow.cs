using Microsoft.Data.Sqlite;

namespace Gateway.LedgerClient.Embedded;

/// <summary>Writes a <see cref="RoundRecord"/> as the columns shared by the side-chain table and the round-record outbox.</summary>
internal static class RoundRecordRow
{
    /// <summary>The record's columns after its stream, as the side-chain table and the record outbox declare them.</summary>
    public const string Definitions = """
        record_key        TEXT NOT NULL,
        site_id           TEXT NOT NULL,
        epoch             TEXT NOT NULL,
        round_id          TEXT NOT NULL,
        payload           TEXT NOT NULL,
        content_hash      TEXT NOT NULL
        """;

    /// <summary>Adds $stream, $key, $site, $epoch, $round and $payload parameters.</summary>
    public static void Bind(SqliteCommand command, RoundRecord record)
    {
        command.Parameters.AddWithValue("$stream", record.Stream.Name());
        command.Parameters.AddWithValue("$key", record.Key);
        command.Parameters.AddWithValue("$site", record.SiteId);
        command.Parameters.AddWithValue("$epoch", record.Epoch);
        command.Parameters.AddWithValue("$round", record.RoundId);
        command.Parameters.AddWithValue("$payload", record.PayloadJson);
    }
}
