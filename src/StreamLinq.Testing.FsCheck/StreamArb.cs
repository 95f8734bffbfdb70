using FsCheck;
using FsCheck.Fluent;

namespace StreamLinq.Testing.FsCheck;

/// <summary>
/// Arbitraries (generator and shrinker) of a job's input: a failing input shrinks to the fewest
/// batches and records that still fail, by dropping batches, dropping records, merging neighbouring
/// batches, dropping replays and moving the crash earlier.
/// </summary>
public static class StreamArb
{
    /// <summary>Random records cut into random batches, shrinking as described on <see cref="StreamArb"/>.</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="record">Generates one record.</param>
    /// <param name="maxRecords">The most records in one input.</param>
    /// <param name="interval">The batch interval; one second when null.</param>
    public static Arbitrary<BatchedInput<T>> Batches<T>(Gen<T> record, int maxRecords = 30, TimeSpan? interval = null) =>
        Arb.From(StreamGen.Batches(record, maxRecords, interval), Shrink);

    /// <summary>Records from <paramref name="records"/> (kept in their order: e.g. in event-time order) cut into random batches.</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="records">Generates the records of one input.</param>
    /// <param name="interval">The batch interval; one second when null.</param>
    public static Arbitrary<BatchedInput<T>> Split<T>(Gen<T[]> records, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        return Arb.From(records.SelectMany(r => StreamGen.Split(r, interval)), Shrink);
    }

    /// <summary>An input and the at-least-once replays it suffers.</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="record">Generates one record.</param>
    /// <param name="maxRecords">The most records in one input.</param>
    /// <param name="maxReplays">The most replays.</param>
    public static Arbitrary<ReplayedInput<T>> Replayed<T>(Gen<T> record, int maxRecords = 30, int maxReplays = 3)
    {
        var gen = from input in StreamGen.Batches(record, maxRecords)
                  from replays in StreamGen.Replays(input.Batches.Count, maxReplays)
                  select new ReplayedInput<T>(input, replays);
        return Arb.From(gen, ShrinkReplayed);
    }

    /// <summary>An input of at least one batch and a crash point in it.</summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="record">Generates one record.</param>
    /// <param name="maxRecords">The most records in one input.</param>
    public static Arbitrary<CrashedInput<T>> Crashed<T>(Gen<T> record, int maxRecords = 30)
    {
        var gen = from input in StreamGen.Batches(record, maxRecords).Where(i => i.Batches.Count >= 2)
                  from crash in StreamGen.CrashPoint(input.Batches.Count - 1)
                  select new CrashedInput<T>(input, crash);
        return Arb.From(gen, ShrinkCrashed);
    }

    /// <summary>
    /// Smaller inputs, largest steps first: without one batch, without one record, with two
    /// neighbouring batches merged.
    /// </summary>
    /// <typeparam name="T">The type of the records.</typeparam>
    /// <param name="input">The input to shrink.</param>
    public static IEnumerable<BatchedInput<T>> Shrink<T>(BatchedInput<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Smaller(input).Select(s => s.Input);
    }

    /// <summary>
    /// The inputs of <see cref="Shrink{T}"/>, each with what became of a run of batches
    /// <c>From..After</c> (the run in the smaller input, or null when none of it is left): a removed
    /// batch leaves the run shorter and the batches after it one earlier, merged neighbours become one.
    /// </summary>
    private static IEnumerable<(BatchedInput<T> Input, Func<Replay, Replay?> Run)> Smaller<T>(BatchedInput<T> input)
    {
        var batches = input.Batches;
        for (var i = 0; i < batches.Count; i++)
        {
            var removed = i;
            yield return (new BatchedInput<T>(batches.Where((_, j) => j != removed), input.Interval), run => Without(run, removed));
        }

        for (var i = 0; i < batches.Count; i++)
        {
            for (var r = 0; r < batches[i].Count; r++)
            {
                var batch = i;
                var without = r;
                yield return (new BatchedInput<T>(batches.Select((b, j) => j == batch ? b.Where((_, k) => k != without) : b), input.Interval), run => run);
            }
        }

        for (var i = 0; i + 1 < batches.Count; i++)
        {
            var merged = i;
            yield return (
                new BatchedInput<T>(batches.Select((b, j) => j == merged ? b.Concat(batches[merged + 1]) : b).Where((_, j) => j != merged + 1), input.Interval),
                run => new Replay(run.After > merged ? run.After - 1 : run.After, run.From > merged ? run.From - 1 : run.From));
        }

        static Replay? Without(Replay run, int removed) =>
            removed > run.After ? run
            : removed < run.From ? new Replay(run.After - 1, run.From - 1)
            : run.From == run.After ? null
            : new Replay(run.After - 1, run.From);
    }

    private static IEnumerable<ReplayedInput<T>> ShrinkReplayed<T>(ReplayedInput<T> replayed)
    {
        for (var i = 0; i < replayed.Replays.Count; i++)
        {
            yield return replayed with { Replays = replayed.Replays.Where((_, j) => j != i).ToArray() };
        }

        foreach (var replay in replayed.Replays.Where(r => r.From < r.After).Select((r, i) => (r, i)))
        {
            yield return replayed with { Replays = replayed.Replays.Select((r, j) => j == replay.i ? r with { From = r.After } : r).ToArray() };
        }

        // The replays follow the batches they write: without batch 0, a replay of batch 1 replays
        // what is now batch 0. Kept at their old indexes, they would point past the smaller input
        // (or at other batches), and the shrink could stop with an empty batch no replay needs.
        foreach (var (smaller, run) in Smaller(replayed.Input))
        {
            var kept = replayed.Replays.Select(run).OfType<Replay>().ToArray();
            if (kept.Length > 0)
            {
                yield return new ReplayedInput<T>(smaller, kept);
            }
        }
    }

    private static IEnumerable<CrashedInput<T>> ShrinkCrashed<T>(CrashedInput<T> crashed)
    {
        if (crashed.CrashAfter > 0)
        {
            yield return crashed with { CrashAfter = 0 };
            yield return crashed with { CrashAfter = crashed.CrashAfter - 1 };
        }

        foreach (var smaller in Shrink(crashed.Input).Where(s => s.Batches.Count >= 2))
        {
            yield return new CrashedInput<T>(smaller, Math.Min(crashed.CrashAfter, smaller.Batches.Count - 2));
        }
    }
}
