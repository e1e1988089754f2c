namespace Gateway.Runtime.Operator;

/// <summary>One pending publication of the operator outbox, not yet formatted (formatting happens off the worker's thread).</summary>
/// <param name="Record">What to publish: a status record, or one of the publisher's own notices.</param>
/// <param name="Key">The topic it updates; a newer item with the same key supersedes this one for late subscribers.</param>
/// <param name="Coalesce">True for latest-value items (device health, ledger backlog): a newer one replaces a pending one in place.</param>
internal sealed record OutboxItem(object Record, string Key, bool Coalesce);
