using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using StreamLinq.Bench;

namespace StreamLinq.QueryEndToEnd;

/// <summary>The queries of bench/StreamLinq.Benchmarks, each as a <see cref="QueryCase"/>.</summary>
internal static class Queries
{
    private static readonly Dimension[] Table = Workload.Table();
    private static readonly Dictionary<int, long> Weights = Table.ToDictionary(d => d.Id, d => d.Weight);
    private static readonly Dimension[] LargeTable = Workload.Table(Workload.LargeTableRows);
    private static readonly Dictionary<int, long> LargeWeights = LargeTable.ToDictionary(d => d.Id, d => d.Weight);
    private static readonly ImmutableArray<Dimension> LargeImmutableTable = [.. LargeTable];

    public static IReadOnlyList<QueryCase> All { get; } =
    [
        new("filter+project+sum", HandFilterSum, (l, _) => l.Where(r => r.Key % 10 != 0).Select(r => r.Value * 2).Sum(),
            (l, _) => Feed(l, s => s.Where(r => r.Key % 10 != 0).Select(r => r.Value * 2).Sum()),
            (s, _, emit) => s.Where(r => r.Key % 10 != 0).Select(r => r.Value * 2).Sum().ForEachBatch((b, _) => emit(b.Count == 0 ? 0 : b[0]))),
        Grouped("GroupBy count+sum, 10 keys", 10),
        Grouped("GroupBy count+sum, 1k keys", Workload.KeyCount),
        GroupedManyKeys(),

        // With two partitions and many keys the aggregation partitions the keys by hash (radix)
        // instead of merging per-partition tables: the same query, against the same one-core loop.
        GroupedManyKeys() with { Name = "GroupBy count+sum, 1M keys, 2 partitions (radix)", Parallelism = 2 },

        // The same query with a value-type result: the batch's result is one array, not also an
        // object per group for the collector to copy while the batch still holds them all.
        GroupedManyKeys() with
        {
            Name = "GroupBy count+sum, 1M keys, struct result",
            Wire = (s, _, emit) => s.GroupBy(r => r.Key * 1000 + (int)(r.Value % 1000))
                .Select(g => new GroupStats(g.Key, g.Count(), g.Sum(r => r.Value)))
                .ForEachBatch((b, _) => emit(b.Sum(g => g.Key + g.Count + g.Sum))),
        },
        new("stream join", HandJoins.Stream, (l, r) => l.Join(r, a => a.Key, b => b.Key, (a, b) => a.Value * b.Value).Sum(),
            (l, r) =>
            {
                var byKey = r.ToLookup(b => b.Key, b => b.Value);
                return Feed(l, s => s.SelectMany(a => byKey[a.Key].Select(v => a.Value * v)).Sum());
            },
            (s, right, emit) => s.Join(right(), a => a.Key, b => b.Key, (a, b) => a.Value * b.Value).Sum().ForEachBatch((b, _) => emit(b.Count == 0 ? 0 : b[0]))),
        new("Distinct", HandDistinct, (l, _) => l.Select(r => r.Key).Distinct().Count(),
            (l, _) => Feed(l, s => s.Select(r => r.Key).Distinct().Count().Select(c => (long)c)),
            (s, _, emit) => s.Select(r => r.Key).Distinct().ForEachBatch((b, _) => emit(b.Count))),
        new("OrderBy.Take(10)", HandTopTen, (l, _) => TopChecksum(l.OrderByDescending(r => r.Value).Take(10).ToArray()),
            (l, _) => Feed(l, s => s.ToList().Select(all => TopChecksum(all.OrderByDescending(r => r.Value).Take(10).ToArray()))),
            (s, _, emit) => s.OrderByDescending(r => r.Value).Take(10).ForEachBatch((b, _) => emit(TopChecksum(b)))),
        new("static join, 1k-row table", (l, _) => HandJoins.Static<Record, Dimension, RecordKey<Record>>(l, Table), (l, _) => l.Join(Table, r => r.Key, d => d.Id, (r, d) => r.Value * d.Weight).Sum(),
            (l, _) => Feed(l, s => s.Where(r => Weights.ContainsKey(r.Key)).Select(r => r.Value * Weights[r.Key]).Sum()),
            (s, _, emit) => s.Join(Table, r => r.Key, d => d.Id, (r, d) => r.Value * d.Weight).Sum().ForEachBatch((b, _) => emit(b.Count == 0 ? 0 : b[0]))),

        // Keys over the whole 100 k-row table: Key * 100 + Value % 100.
        new("static join, 100k-row table", (l, _) => HandJoins.Static<Record, Dimension, ByWideKey>(l, LargeTable), (l, _) => l.Join(LargeTable, r => r.Key * 100 + (int)(r.Value % 100), d => d.Id, (r, d) => r.Value * d.Weight).Sum(),
            (l, _) => Feed(l, s => s.Where(r => LargeWeights.ContainsKey(r.Key * 100 + (int)(r.Value % 100))).Select(r => r.Value * LargeWeights[r.Key * 100 + (int)(r.Value % 100)]).Sum()),
            (s, _, emit) => s.Join(LargeTable, r => r.Key * 100 + (int)(r.Value % 100), d => d.Id, (r, d) => r.Value * d.Weight).Sum().ForEachBatch((b, _) => emit(b.Count == 0 ? 0 : b[0]))),

        // The same table as an immutable array, which the engine reads once instead of before
        // every batch; so does the loop here, whose dictionary is built once, as Rx.NET's is.
        new("static join, 100k-row table, immutable", (l, _) => HandJoins.Probe<Record, ByWideKey>(l, LargeWeights), (l, _) => l.Join(LargeImmutableTable, r => r.Key * 100 + (int)(r.Value % 100), d => d.Id, (r, d) => r.Value * d.Weight).Sum(),
            (l, _) => Feed(l, s => s.Where(r => LargeWeights.ContainsKey(r.Key * 100 + (int)(r.Value % 100))).Select(r => r.Value * LargeWeights[r.Key * 100 + (int)(r.Value % 100)]).Sum()),
            (s, _, emit) => s.Join(LargeImmutableTable, r => r.Key * 100 + (int)(r.Value % 100), d => d.Id, (r, d) => r.Value * d.Weight).Sum().ForEachBatch((b, _) => emit(b.Count == 0 ? 0 : b[0]))),
    ];

    /// <summary>Keys over a million values (Key * 1000 + Value % 1000): about 630 k distinct in a batch of 1 M.</summary>
    private static QueryCase GroupedManyKeys() => new(
        "GroupBy count+sum, 1M keys",
        (l, _) =>
        {
            var totals = new Dictionary<int, (long Count, long Sum)>();
            foreach (var r in l)
            {
                ref var total = ref CollectionsMarshal.GetValueRefOrAddDefault(totals, r.Key * 1000 + (int)(r.Value % 1000), out var _);
                total.Count++;
                total.Sum += r.Value;
            }

            return totals.Sum(t => t.Key + t.Value.Count + t.Value.Sum);
        },
        (l, _) => l.GroupBy(r => r.Key * 1000 + (int)(r.Value % 1000)).Select(g => g.Key + g.Count() + g.Sum(r => r.Value)).Sum(),
        (l, _) => Feed(l, s => s.GroupBy(r => r.Key * 1000 + (int)(r.Value % 1000))
            .SelectMany(g => g.Aggregate((Count: 0L, Sum: 0L), (a, r) => (a.Count + 1, a.Sum + r.Value)).Select(a => g.Key + a.Count + a.Sum))
            .Sum()),
        (s, _, emit) => s.GroupBy(r => r.Key * 1000 + (int)(r.Value % 1000))
            .Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(r => r.Value) })
            .ForEachBatch((b, _) =>
            {
                var checksum = 0L;
                foreach (var g in b)
                {
                    checksum += g.Key + g.Count + g.Sum;
                }

                emit(checksum);
            }));

    private static QueryCase Grouped(string name, int keys) => new(
        name,
        (l, _) =>
        {
            var totals = new Dictionary<int, (long Count, long Sum)>();
            foreach (var r in l)
            {
                // One lookup per record, as bench/StreamLinq.Benchmarks' loop: the fastest a person would write.
                ref var total = ref CollectionsMarshal.GetValueRefOrAddDefault(totals, r.Key % keys, out var _);
                total.Count++;
                total.Sum += r.Value;
            }

            return totals.Sum(t => t.Key + t.Value.Count + t.Value.Sum);
        },
        (l, _) => l.GroupBy(r => r.Key % keys).Select(g => g.Key + g.Count() + g.Sum(r => r.Value)).Sum(),
        (l, _) => Feed(l, s => s.GroupBy(r => r.Key % keys)
            .SelectMany(g => g.Aggregate((Count: 0L, Sum: 0L), (a, r) => (a.Count + 1, a.Sum + r.Value)).Select(a => g.Key + a.Count + a.Sum))
            .Sum()),
        (s, _, emit) => s.GroupBy(r => r.Key % keys)
            .Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(r => r.Value) })
            .ForEachBatch((b, _) =>
            {
                var checksum = 0L;
                foreach (var g in b)
                {
                    checksum += g.Key + g.Count + g.Sum;
                }

                emit(checksum);
            }));

    /// <summary>Runs one batch through an Rx.NET pipeline record by record; the pipeline ends in one value.</summary>
    private static long Feed(Record[] batch, Func<IObservable<Record>, IObservable<long>> query)
    {
        var subject = new Subject<Record>();
        var result = 0L;
        using var subscription = query(subject).Subscribe(v => result = v);
        foreach (var r in batch)
        {
            subject.OnNext(r);
        }

        subject.OnCompleted();
        return result;
    }

    private static long HandFilterSum(Record[] left, Record[] right)
    {
        var sum = 0L;
        foreach (var r in left)
        {
            if (r.Key % 10 != 0)
            {
                sum += r.Value * 2;
            }
        }

        return sum;
    }

    private static long HandDistinct(Record[] left, Record[] right)
    {
        var keys = new HashSet<int>();
        foreach (var r in left)
        {
            keys.Add(r.Key);
        }

        return keys.Count;
    }

    private static long HandTopTen(Record[] left, Record[] right)
    {
        const int K = 10;
        var top = new Record[K];
        var count = 0;
        foreach (var r in left)
        {
            if (count == K && r.Value <= top[K - 1].Value)
            {
                continue; // an equal value that came later goes after: ties in arrival order
            }

            var at = count < K ? count++ : K - 1;
            while (at > 0 && top[at - 1].Value < r.Value)
            {
                top[at] = top[at - 1];
                at--;
            }

            top[at] = r;
        }

        return TopChecksum(top.AsSpan(0, count).ToArray());
    }

    /// <summary>Order-sensitive: a top ten in another order, or with ties in another order, differs.</summary>
    private static long TopChecksum(IReadOnlyList<Record> top)
    {
        var checksum = 0L;
        for (var i = 0; i < top.Count; i++)
        {
            checksum += (i + 1) * (top[i].Value * 1_000_003 + top[i].Timestamp);
        }

        return checksum;
    }

    /// <summary>The 100 k-row table's key, as the query above computes it.</summary>
    private readonly struct ByWideKey : IJoinKey<Record>
    {
        public static int Of(in Record r) => r.Key * 100 + (int)(r.Value % 100);
    }
}
