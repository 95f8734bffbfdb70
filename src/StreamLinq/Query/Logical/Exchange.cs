namespace StreamLinq.Query.Logical;

/// <summary>What an operator needs of its inputs' partitioning.</summary>
internal enum ExchangeKind
{
    /// <summary>Each partition can be processed where it is: no boundary.</summary>
    None,

    /// <summary>Records with equal keys must meet: a shuffle that hashes by the key.</summary>
    HashByKey,

    /// <summary>The whole batch (or every partition's partial) must meet in one place.</summary>
    Gather,
}

/// <summary>
/// The shuffle boundary in front of an operator, if any: where cluster mode will cut the logical
/// plan into stages. Locally nothing moves; the plan only marks it.
/// </summary>
/// <param name="Kind">The partitioning the operator needs.</param>
/// <param name="By">The key or reason, as C# or words; empty for <see cref="ExchangeKind.None"/>.</param>
internal sealed record Exchange(ExchangeKind Kind, string By)
{
    public static Exchange None { get; } = new(ExchangeKind.None, "");

    public static Exchange Hash(string key) => new(ExchangeKind.HashByKey, key);

    public static Exchange Gather(string why) => new(ExchangeKind.Gather, why);

    public bool IsBoundary => Kind != ExchangeKind.None;

    public override string ToString() => Kind switch
    {
        ExchangeKind.HashByKey => $"shuffle: hash by {By}",
        ExchangeKind.Gather => $"shuffle: gather {By}",
        _ => "none",
    };
}
