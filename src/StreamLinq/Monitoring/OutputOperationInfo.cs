namespace StreamLinq;

/// <summary>One output operation's run over one batch, in <see cref="BatchInfo.Outputs"/> (Spark's <c>OutputOperationInfo</c>).</summary>
/// <param name="Output">The output as <c>Explain</c> names it.</param>
/// <param name="Duration">How long its write took; across retries of the batch, the sum of its attempts.</param>
/// <param name="Failed">Whether the batch failed in this output.</param>
public sealed record OutputOperationInfo(string Output, TimeSpan Duration, bool Failed);
