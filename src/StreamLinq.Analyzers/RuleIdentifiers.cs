namespace StreamLinq.Analyzers;

/// <summary>The diagnostic IDs of the StreamLinq analyzers, one constant per rule.</summary>
/// <remarks>An ID is never reused: a retired rule keeps its number and its page.</remarks>
public static class RuleIdentifiers
{
    /// <summary>A sink increments or accumulates into state that outlives the call.</summary>
    public const string CounterUpdateInSink = "SLQ0001";

    /// <summary>A sink adds to a collection that outlives the call.</summary>
    public const string CollectionAppendInSink = "SLQ0002";

    /// <summary>A sink appends to a file.</summary>
    public const string FileAppendInSink = "SLQ0003";

    /// <summary>A sink runs a SQL INSERT that is not an upsert.</summary>
    public const string SqlInsertInSink = "SLQ0004";

    /// <summary>A sink increments or pushes onto a Redis key.</summary>
    public const string RedisIncrementInSink = "SLQ0005";

    /// <summary>A transformation reads the clock, a random source or a fresh GUID.</summary>
    public const string NonDeterministicTransformation = "SLQ0006";

    /// <summary>Exactly-once delivery is asked of a sink that is neither transactional nor idempotent.</summary>
    public const string ExactlyOnceFromUnsafeSink = "SLQ0007";

    /// <summary>A sink's SQL sets a column from its stored value (UPDATE ... SET n = n + @d, an upsert that adds).</summary>
    public const string SqlReadModifyWriteInSink = "SLQ0008";

    /// <summary>A sink has an effect outside the process that a replay repeats: rows added through EF Core, a message published, an HTTP POST, a mail.</summary>
    public const string ExternalEffectInSink = "SLQ0009";

    /// <summary>A sink chooses where it writes (a key, a file name, a row or message id) from the clock, a random source or a per-process hash.</summary>
    public const string NonDeterministicTargetInSink = "SLQ0010";

    /// <summary>
    /// Information: a sink updates a captured local relative to its value in a context that does not
    /// checkpoint, where no batch is replayed (the SLQ0001 case that is not yet a hazard). Numbered
    /// apart from the warnings, which it is not.
    /// </summary>
    public const string CounterUpdateWithoutCheckpoint = "SLQ0100";

    /// <summary>Where every rule's page lives: <c>docs/analyzers/&lt;ID&gt;.md</c> in the repository.</summary>
    public const string HelpLinkBase = "https://github.com/streamlinq/streamlinq/blob/main/docs/analyzers/";

    /// <summary>The help link of a rule: its page under <see cref="HelpLinkBase"/>.</summary>
    public static string HelpLink(string id) => HelpLinkBase + id + ".md";
}
