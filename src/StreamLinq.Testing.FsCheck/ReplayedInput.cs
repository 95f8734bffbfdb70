namespace StreamLinq.Testing.FsCheck;

/// <summary>An input and the at-least-once replays a run of it suffers: the counterexample of a replay-safety property.</summary>
/// <typeparam name="T">The type of the records.</typeparam>
/// <param name="Input">The batches.</param>
/// <param name="Replays">The replays, by the batch they follow.</param>
public sealed record ReplayedInput<T>(BatchedInput<T> Input, IReadOnlyList<Replay> Replays)
{
    /// <summary>The batch indexes in the order a sink receives them: every batch once, plus the replays.</summary>
    public IEnumerable<int> DeliveryOrder()
    {
        for (var i = 0; i < Input.Batches.Count; i++)
        {
            yield return i;
            foreach (var replay in Replays.Where(r => r.After == i))
            {
                for (var j = replay.From; j <= replay.After; j++)
                {
                    yield return j;
                }
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Input}; replays: {(Replays.Count == 0 ? "none" : string.Join("; ", Replays))}";
}
