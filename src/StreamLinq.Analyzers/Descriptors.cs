using Microsoft.CodeAnalysis;

namespace StreamLinq.Analyzers;

/// <summary>The descriptors of every StreamLinq rule, in one place; each rule names its own from here.</summary>
internal static class Descriptors
{
    /// <summary>The category of every StreamLinq rule: replays must not change what a pipeline writes.</summary>
    private const string Reliability = "Reliability";

    internal static readonly DiagnosticDescriptor CollectionAppendInSink = new(
        RuleIdentifiers.CollectionAppendInSink,
        "Sink adds to a collection that outlives the call",
        "'{0}' in a {1} sink adds to '{2}', which outlives the call: {3}",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Under at-least-once delivery a batch can be handed to its sink again after a crash. Adding its records to a list, queue, stack or builder that outlives the call then adds them twice, and Dictionary.Add throws on the repeated key. Write by key instead (dict[key] = value), or mark the sink [IdempotentSink] after review.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.CollectionAppendInSink));

    internal static readonly DiagnosticDescriptor CounterUpdateInSink = new(
        RuleIdentifiers.CounterUpdateInSink,
        "Sink updates state relative to its current value",
        "'{0}' in a {1} sink changes '{2}', which outlives the call: a replayed batch applies it twice",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Under at-least-once delivery a batch can be handed to its sink again after a crash. An increment, a decrement or a compound assignment to a field, a static or a captured variable then counts the batch twice. Write a value keyed by the batch time instead, or mark the sink [IdempotentSink] after review.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.CounterUpdateInSink));

    /// <summary>
    /// SLQ0100, said instead of SLQ0001 for a captured local of the function that creates a context
    /// that does not checkpoint: without checkpoints nothing replays a batch, so the update counts
    /// each batch once. Information, with its own ID, so that a team that makes SLQ0001 an error
    /// keeps this a note: it turns into SLQ0001 once the context checkpoints.
    /// </summary>
    internal static readonly DiagnosticDescriptor CounterUpdateWithoutCheckpoint = new(
        RuleIdentifiers.CounterUpdateWithoutCheckpoint,
        "Sink updates a captured variable in a context that does not checkpoint",
        "'{0}' in a {1} sink changes '{2}': its context does not checkpoint, so no batch is replayed and each counts once (the value restarts with the process); with checkpointing (StreamingContext.GetOrCreate) a replayed batch would apply it twice",
        Reliability,
        DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "At-least-once replays come from checkpoints: a context made with new StreamingContext(...) and never passed to StreamingContext.GetOrCreate does not replay a batch after a crash, it starts afresh, and so does a variable captured in the same function. Such an update is exact for the life of the process. It becomes SLQ0001 once the context checkpoints.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.CounterUpdateWithoutCheckpoint));

    internal static readonly DiagnosticDescriptor ExactlyOnceFromUnsafeSink = new(
        RuleIdentifiers.ExactlyOnceFromUnsafeSink,
        "Exactly-once delivery asked of a sink that cannot give it",
        "{0} asks for exactly-once delivery, but its sink '{1}' is neither transactional nor idempotent",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Exactly-once delivery needs a sink that commits the batch's offsets with its results (ITransactionalSink) or that a replay leaves unchanged (IIdempotentSink, [IdempotentSink]); the context refuses to start otherwise. Make the sink idempotent and mark it after review, or ask for at-least-once delivery.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.ExactlyOnceFromUnsafeSink));

    /// <summary>
    /// The same rule when the source is what cannot replay: no mark on the sink helps, and the
    /// context refuses to start for the source whatever the sink. The descriptor shares the rule's
    /// ID, category, severity and page; only its title and message name the source.
    /// </summary>
    internal static readonly DiagnosticDescriptor ExactlyOnceFromSourceThatCannotReplay = new(
        RuleIdentifiers.ExactlyOnceFromUnsafeSink,
        "Exactly-once delivery asked of a source that cannot replay a batch",
        "{0} asks for exactly-once delivery, but its source '{1}' cannot replay a batch: marking the sink does not help; use a replayable source ({2}) or ask for at-least-once delivery",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Exactly-once delivery replays a failed batch from its source: the source must be able to read a sealed batch again. QueueStream never can; FromObservable, FromAsyncEnumerable and SocketTextStream can only with ReceiverOptions.WriteAheadLog on (in a checkpointed context); TextFileStream and RedisStreams always can. The context refuses to start otherwise, whatever the sink.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.ExactlyOnceFromUnsafeSink));

    internal static readonly DiagnosticDescriptor ExternalEffectInSink = new(
        RuleIdentifiers.ExternalEffectInSink,
        "Sink has an external effect that a replay repeats",
        "'{0}' in a {1} sink {2}: a replayed batch does it again",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Under at-least-once delivery a batch can be handed to its sink again after a crash. Rows added through EF Core are inserted again, messages published again, POSTs and mails sent again — and an in-memory set of what was already sent is empty after the crash. Key the effect by the batch time and the record (an Idempotency-Key header, a broker MessageId, an upsert), guard it with a durable check (SET NX, an outbox row), list the method under streamlinq.idempotent_methods in .editorconfig, or mark the helper or sink [IdempotentSink] after review.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.ExternalEffectInSink));

    internal static readonly DiagnosticDescriptor FileAppendInSink = new(
        RuleIdentifiers.FileAppendInSink,
        "Sink appends to a file",
        "'{0}' in a {1} sink appends to a file: a replayed batch appends its lines again",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Under at-least-once delivery a batch can be handed to its sink again after a crash. Appending to a file then writes the batch twice. Write one file per batch time (replaced on replay), use SaveAsTextFiles, or mark the sink [IdempotentSink] after review.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.FileAppendInSink));

    internal static readonly DiagnosticDescriptor NonDeterministicTargetInSink = new(
        RuleIdentifiers.NonDeterministicTargetInSink,
        "Sink chooses where it writes from the clock, a random value or a per-process hash",
        "'{0}' in a {1} sink names where it writes ('{2}'): a replayed batch writes somewhere new; derive it from the batch time and the record",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A sink is replay-safe when a replayed batch lands on what the first run wrote: the same file, key, row or message id. DateTime.Now, Guid.NewGuid, Random and string.GetHashCode (randomised per process) differ on every run, so the replay writes a second file, row or message beside the first. Build names and ids from the batch time and the record's key; hash with a stable hash (SHA-256, XxHash) instead of GetHashCode.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.NonDeterministicTargetInSink));

    internal static readonly DiagnosticDescriptor NonDeterministicTransformation = new(
        RuleIdentifiers.NonDeterministicTransformation,
        "Transformation is not deterministic",
        "'{0}' in a {1} lambda is not deterministic: a replayed batch computes different records; derive the value from the record or the batch time",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A replayed batch must compute the records its first run computed, or an idempotent sink writes different values and a window's checkpoint disagrees with its output. DateTime.Now, Random, Guid.NewGuid and Environment.TickCount differ on every run. Take the time from the record (event time) or the batch time, seed randomness from the record, derive identifiers from the record's key.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.NonDeterministicTransformation));

    internal static readonly DiagnosticDescriptor RedisIncrementInSink = new(
        RuleIdentifiers.RedisIncrementInSink,
        "Sink increments or pushes onto a Redis key",
        "'{0}' in a {1} sink changes a Redis key relative to its current value: a replayed batch applies it again",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Under at-least-once delivery a batch can be handed to its sink again after a crash. INCRBY, HINCRBY, ZINCRBY, LPUSH/RPUSH, APPEND and XADD then apply twice. Write absolute values keyed by the batch time (SET, HSET, a hash field per batch), or mark the sink [IdempotentSink] after review.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.RedisIncrementInSink));

    internal static readonly DiagnosticDescriptor SqlInsertInSink = new(
        RuleIdentifiers.SqlInsertInSink,
        "Sink runs a SQL INSERT that is not an upsert",
        "SQL \"{0}\" in a {1} sink inserts without ON CONFLICT, MERGE or another upsert: a replayed batch inserts its rows again",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Under at-least-once delivery a batch can be handed to its sink again after a crash. A plain INSERT then adds its rows twice, or fails on a unique key. Use INSERT ... ON CONFLICT (key) DO UPDATE with a version guard (WHERE t.batch_time < EXCLUDED.batch_time), MERGE, or a transactional sink.",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.SqlInsertInSink));

    internal static readonly DiagnosticDescriptor SqlReadModifyWriteInSink = new(
        RuleIdentifiers.SqlReadModifyWriteInSink,
        "Sink updates a stored value relative to itself",
        "'{0}' in a {1} sink sets a column from its stored value: a replayed batch applies the change again",
        Reliability,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Under at-least-once delivery a batch can be handed to its sink again after a crash. An UPDATE or an upsert whose SET computes a column from its stored value (n = n + @d, total = t.total + EXCLUDED.total, history = history || @x) then applies the batch twice. Write the batch's own value keyed by the batch time, or guard the update with the last applied batch (WHERE t.last_batch < EXCLUDED.last_batch).",
        helpLinkUri: RuleIdentifiers.HelpLink(RuleIdentifiers.SqlReadModifyWriteInSink));
}
