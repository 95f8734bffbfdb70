using FsCheck;
using FsCheck.Fluent;
using StreamLinq.Testing.FsCheck;
using Replay = StreamLinq.Testing.FsCheck.Replay;

namespace StreamLinq.Tests.Testing;

/// <summary>
/// The testing package's shrinking reaches the minimal counterexample from every failing input,
/// shrunk as FsCheck does (the first smaller input that still fails, until none does): checked
/// against models of the failures, over a fixed set of seeds, so the outcome does not depend on the run.
/// </summary>
public class ShrinkingTests
{
    private static readonly Gen<int> Record = Gen.Choose(0, 9);

    [Fact]
    public void A_replay_of_a_batch_with_records_shrinks_to_one_record_written_twice_from_every_seed()
    {
        // A plain increment fails exactly when some replay writes a batch that has records again.
        static bool Fails(ReplayedInput<int> x) => x.Replays.Any(r => Enumerable.Range(r.From, r.After - r.From + 1).Any(i => x.Input.Batches[i].Count > 0));

        var arb = StreamArb.Replayed(Record, maxRecords: 12);
        var failing = Samples(arb.Generator).Where(Fails).ToArray();

        Assert.True(failing.Length >= 100, $"only {failing.Length} failing inputs");
        Assert.All(failing, x =>
        {
            var shrunk = ShrinkFully(x, arb.Shrinker, Fails);
            Assert.True(shrunk.Input.Batches.Count == 1 && shrunk.Input.RecordCount == 1 && shrunk.Replays.SequenceEqual([new Replay(0, 0)]), $"{x} shrank to {shrunk}");
        });
    }

    [Fact]
    public void An_empty_batch_before_the_replayed_one_is_removed_and_the_replay_follows_its_batch()
    {
        var shrinks = StreamArb.Replayed(Record).Shrinker(new ReplayedInput<int>(new BatchedInput<int>([[], [7]]), [new Replay(1, 1)])).ToArray();

        Assert.Contains(shrinks, s => s.Input.Batches.Count == 1 && s.Input.Batches[0].SequenceEqual([7]) && s.Replays.SequenceEqual([new Replay(0, 0)]));
    }

    [Fact]
    public void Every_replay_of_every_shrink_stays_within_its_batches()
    {
        var arb = StreamArb.Replayed(Record, maxRecords: 12);
        foreach (var x in Samples(arb.Generator).Take(200))
        {
            foreach (var s in arb.Shrinker(x))
            {
                Assert.All(s.Replays, r => Assert.True(r.From >= 0 && r.From <= r.After && r.After < s.Input.Batches.Count, $"{x} shrank to {s}"));
            }
        }
    }

    [Fact]
    public void A_crash_between_two_records_of_one_key_shrinks_to_two_batches_of_one_record_from_every_seed()
    {
        // Counts kept outside the engine fail exactly when records of one key fall on both sides of the crash.
        static bool Fails(CrashedInput<int> x) =>
            x.Input.Batches.Take(x.CrashAfter + 1).SelectMany(b => b).Intersect(x.Input.Batches.Skip(x.CrashAfter + 1).SelectMany(b => b)).Any();

        var arb = StreamArb.Crashed(Gen.Choose(0, 3), maxRecords: 12);
        var failing = Samples(arb.Generator).Where(Fails).ToArray();

        Assert.True(failing.Length >= 100, $"only {failing.Length} failing inputs");
        Assert.All(failing, x =>
        {
            var shrunk = ShrinkFully(x, arb.Shrinker, Fails);
            Assert.True(shrunk.CrashAfter == 0 && shrunk.Input.Batches.Count == 2 && shrunk.Input.Batches.All(b => b.Count == 1), $"{x} shrank to {shrunk}");
        });
    }

    private static IEnumerable<T> Samples<T>(Gen<T> gen) =>
        Enumerable.Range(1, 20).SelectMany(seed => gen.Sample(20, new Rnd((ulong)seed), 50));

    private static T ShrinkFully<T>(T failing, Func<T, IEnumerable<T>> shrinker, Func<T, bool> fails)
    {
        var current = failing;
        for (var steps = 0; steps < 1000; steps++)
        {
            var smaller = shrinker(current).FirstOrDefault(fails);
            if (smaller is null)
            {
                return current;
            }

            current = smaller;
        }

        throw new InvalidOperationException($"{failing} did not stop shrinking");
    }
}
