namespace YahooStreamingBenchmark.Cluster;

/// <summary>What one run of the local cluster did.</summary>
/// <param name="RecordsPerSilo">Events each silo's executors read, by silo number.</param>
/// <param name="Appended">Events the producer appended.</param>
/// <param name="Mismatches">Campaign windows whose stored count differs from the generator's, described; empty when the checker agrees.</param>
/// <param name="DrainSeconds">With <see cref="ClusterRunOptions.Preload"/>, from the job's start until every event was counted; otherwise from the producer's end until then.</param>
public sealed record ClusterRunReport(IReadOnlyDictionary<int, long> RecordsPerSilo, long Appended, IReadOnlyList<string> Mismatches, double DrainSeconds)
{
    /// <summary>Whether every silo read events and the checker agrees with the counts.</summary>
    public bool Passed => Mismatches.Count == 0 && RecordsPerSilo.Count > 0 && RecordsPerSilo.Values.All(records => records > 0);
}
