using System.Collections.Frozen;
using System.Collections.Immutable;
using FsCheck.Xunit;
using StreamLinq.Query;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Joins;

/// <summary>
/// How long a join keeps its static table: an immutable collection is read once for the life of
/// the plan, a <see cref="StaticTable{T}"/> once per version, any other collection at every
/// non-empty batch; each batch joins as LINQ over the rows it read. Reads are counted through
/// the inner key selector, which the table calls once per row it reads.
/// </summary>
public class StaticJoinTableLifetimeTests
{
    private sealed record Row(int? Id, string Name);

    /// <summary>Counts the rows a join reads (its inner key selector's calls), and fails them on demand.</summary>
    private sealed class Reads
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public bool Fail { get; set; }

        public int? Key(Row row)
        {
            Interlocked.Increment(ref _count);
            return Fail ? throw new InvalidOperationException("the table is not ready") : row.Id;
        }
    }

    private const int ImmutableKinds = 11;

    /// <summary>The rows as the immutable collection of kind <paramref name="kind"/>, each an IEnumerable of the rows (a set or dictionary in its own order).</summary>
    private static IEnumerable<Row> Immutable(Row[] rows, int kind) => kind switch
    {
        0 => rows.ToImmutableArray(),
        1 => rows.ToImmutableList(),
        2 => rows.ToImmutableHashSet(),
        3 => ImmutableSortedSet.CreateRange(Comparer<Row>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name)), rows),
        4 => ImmutableQueue.CreateRange(rows),
        5 => ImmutableStack.CreateRange(rows),
        6 => rows.ToFrozenSet(),
        7 => rows.ToImmutableDictionary(r => r.Name).Values,
        8 => rows.ToImmutableDictionary(r => r, r => r.Name).Keys,
        9 => rows.ToFrozenDictionary(r => r.Name).Values,
        _ => rows.ToFrozenDictionary(r => r, r => r.Name).Keys,
    };

    private static Row[] Rows(int[] keys, string prefix) =>
        keys.Select((k, i) => new Row(k % 5 == 0 ? null : Math.Abs(k % 7), prefix + i)).ToArray();

    [Property(MaxTest = 40)]
    public async Task An_immutable_collection_is_read_once_across_batches_and_each_batch_joins_as_linq(int[][] batches, int[] tableKeys, byte kind)
    {
        var table = Immutable(Rows(tableKeys, "row"), kind % ImmutableKinds);
        var reads = new Reads();
        await using var harness = new StreamHarness(options: Oracle.SmallPartitions);
        var results = StreamHarness.Collect(harness.Queue(batches).Join(table, x => (int?)Math.Abs(x % 7), r => reads.Key(r), (x, r) => x + ":" + r.Name));
        await harness.StartAsync();
        foreach (var records in batches)
        {
            var batch = await harness.RunBatchAsync();
            Assert.Null(batch.Failure);
            Assert.Equal(records.Join(table, x => (int?)Math.Abs(x % 7), r => r.Id, (x, r) => x + ":" + r.Name), results[batch.Time]);
        }

        Assert.Equal(batches.Any(b => b.Length > 0) ? table.Count() : 0, reads.Count);
    }

    [Fact]
    public void Only_collections_whose_contents_cannot_change_are_read_once()
    {
        var rows = Rows([1, 2, 3], "row");
        var byName = rows.ToDictionary(r => r.Name);
        object[] immutable =
        [
            .. Enumerable.Range(0, ImmutableKinds).Select(kind => Immutable(rows, kind)),
            byName.ToImmutableDictionary(), byName.ToImmutableSortedDictionary(), byName.ToFrozenDictionary(),
            byName.ToImmutableDictionary().Keys, byName.ToFrozenDictionary().Keys,
        ];
        object[] mutable =
        [
            rows, rows.ToList(), rows.AsReadOnly(), byName, byName.Values, rows.ToHashSet(), rows.AsQueryable(), new StaticTable<Row>(rows),
            rows.ToImmutableArray().Select(r => r), byName.ToImmutableSortedDictionary().Values,
        ];

        Assert.All(immutable, data => Assert.True(ImmutableCollections.Contain(data), data.GetType().ToString()));
        Assert.All(mutable, data => Assert.False(ImmutableCollections.Contain(data), data.GetType().ToString()));
    }

    [Fact]
    public async Task A_mutable_array_changed_in_place_is_read_again_at_every_non_empty_batch()
    {
        var table = new[] { new Row(1, "one"), new Row(2, "two") };
        var reads = new Reads();
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Queue(new int[][] { [1, 2, 3], [], [1, 2, 3] }).Join(table, x => (int?)x, r => reads.Key(r), (x, r) => r.Name));
        await harness.StartAsync();
        var first = await harness.RunBatchAsync();
        table[0] = new Row(3, "three");
        table[1] = new Row(2, "TWO");
        await harness.RunBatchAsync();
        var third = await harness.RunBatchAsync();

        Assert.Equal(new[] { "one", "two" }, results[first.Time]);
        Assert.Equal(new[] { "TWO", "three" }, results[third.Time]);
        Assert.Equal(4, reads.Count);
    }

    [Property(MaxTest = 30)]
    public async Task A_static_table_is_read_again_only_when_its_version_moved_and_a_batch_joins_the_version_in_force_when_it_runs(
        int[] firstKeys, (int[] Records, bool Replace, int[] TableKeys)[] steps)
    {
        var table = new StaticTable<Row>(Rows(firstKeys, "v1r"));
        var reads = new Reads();
        await using var harness = new StreamHarness(options: Oracle.SmallPartitions);
        var results = StreamHarness.Collect(harness.Queue(steps.Select(s => s.Records)).Join(table, x => (int?)Math.Abs(x % 7), r => reads.Key(r), (x, r) => x + ":" + r.Name));
        await harness.StartAsync();
        var current = Rows(firstKeys, "v1r");
        var expectedReads = 0;
        var readVersion = 0L;
        foreach (var step in steps)
        {
            if (step.Replace)
            {
                var before = table.Version;
                current = Rows(step.TableKeys, $"v{before + 1}r");
                Assert.Equal(before + 1, table.Replace(current));
                Assert.Equal(before + 1, table.Version);
            }

            var batch = await harness.RunBatchAsync();
            if (step.Records.Length > 0 && readVersion != table.Version)
            {
                expectedReads += current.Length;
                readVersion = table.Version;
            }

            Assert.Null(batch.Failure);
            Assert.Equal(step.Records.Join(current, x => (int?)Math.Abs(x % 7), r => r.Id, (x, r) => x + ":" + r.Name), results[batch.Time]);
            Assert.Equal(expectedReads, reads.Count);
        }
    }

    [Fact]
    public async Task A_replacement_racing_the_batches_gives_each_batch_one_whole_version()
    {
        // Version v has 3 + v % 5 rows over keys 0 to 3, so versions differ in rows, keys and
        // duplicates; a row's name says its version.
        static Row[] Version(long v) => [.. Enumerable.Range(0, 3 + (int)(v % 5)).Select(j => new Row(j % 4, $"v{v}:{j}"))];
        static long VersionOf(string name) => long.Parse(name[1..name.IndexOf(':')]);

        var table = new StaticTable<Row>(Version(1));
        var records = Enumerable.Range(0, 200).Select(i => i % 5).ToArray();
        const int Batches = 20;
        await using var harness = new StreamHarness(options: Oracle.SmallPartitions);
        var stream = harness.Queue(Enumerable.Repeat(records, Batches));
        var joined = StreamHarness.Collect(stream.Join(table, x => (int?)x, r => r.Id, (x, r) => r.Name));
        var leftJoined = StreamHarness.Collect(stream.LeftJoin(table, x => (int?)x, r => r.Id, (x, r) => r == null ? "none" : r.Name));
        await harness.StartAsync();

        using var stop = new CancellationTokenSource();
        var replacer = Task.Run(() =>
        {
            for (var v = 2L; !stop.IsCancellationRequested; v++)
            {
                Assert.Equal(v, table.Replace(Version(v)));
            }
        });
        try
        {
            Assert.True(SpinWait.SpinUntil(() => table.Version > 1, TimeSpan.FromSeconds(30)), "the replacing thread never ran");
            for (var i = 0; i < Batches; i++)
            {
                var batch = await harness.RunBatchAsync();
                Assert.Null(batch.Failure);

                var v = Assert.Single(joined[batch.Time].Select(VersionOf).Distinct());
                Assert.Equal(records.Join(Version(v), x => (int?)x, r => r.Id, (x, r) => r.Name), joined[batch.Time]);
                var w = Assert.Single(leftJoined[batch.Time].Where(n => n != "none").Select(VersionOf).Distinct());
                Assert.Equal(records.LeftJoin(Version(w), x => (int?)x, r => r.Id, (x, r) => r == null ? "none" : r.Name), leftJoined[batch.Time]);
            }
        }
        finally
        {
            stop.Cancel();
            await replacer;
        }
    }

    [Fact]
    public async Task A_failed_first_read_of_an_immutable_collection_fails_that_batch_and_is_tried_again_at_the_next()
    {
        var table = ImmutableArray.Create(new Row(1, "one"), new Row(2, "two"));
        var reads = new Reads { Fail = true };
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false });
        var results = StreamHarness.Collect(harness.Queue(new int[][] { [1], [2], [1, 2] }).Join(table, x => (int?)x, r => reads.Key(r), (x, r) => r.Name));
        await harness.StartAsync();
        var failed = await harness.RunBatchAsync();
        reads.Fail = false;
        var second = await harness.RunBatchAsync();
        var third = await harness.RunBatchAsync();

        var failure = Assert.IsType<BatchFailedException>(failed.Failure);
        Assert.IsType<InvalidOperationException>(failure.InnerException);
        Assert.Equal(new[] { "two" }, results[second.Time]);
        Assert.Equal(new[] { "one", "two" }, results[third.Time]);
        Assert.Equal(1 + table.Length, reads.Count);
    }

    [Fact]
    public void A_default_immutable_array_is_refused_where_the_join_is_written()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var stream = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>());
        var error = Assert.Throws<ArgumentException>(() => stream.Join(default(ImmutableArray<Row>), x => (int?)x, r => r.Id, (x, r) => r.Name));
        Assert.Equal("inner", error.ParamName);
        Assert.Contains("default ImmutableArray<Row>", error.Message);
    }

    [Fact]
    public void A_static_tables_rows_and_version_change_no_state_id_of_the_operators_above_its_join()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var table = new StaticTable<Row>([new(1, "one")]);
        var windowed = context.QueueStream(new System.Collections.Concurrent.ConcurrentQueue<IEnumerable<int>>())
            .Join(table, x => (int?)x, r => r.Id, (x, r) => r.Name)
            .Window(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        var before = CanonicalForm.Hash(windowed.Expression);
        table.Replace([new(1, "one"), new(2, "two")]);
        Assert.Equal(before, CanonicalForm.Hash(windowed.Expression));
    }

    [Fact]
    public void A_static_table_refuses_null_rows_and_keeps_a_copy_of_the_rows_it_is_given()
    {
        Assert.Throws<ArgumentNullException>(() => new StaticTable<Row>(null!));
        var rows = new List<Row> { new(1, "one") };
        var table = new StaticTable<Row>(rows);
        Assert.Throws<ArgumentNullException>(() => table.Replace(null!));
        rows.Add(new Row(2, "two"));
        Assert.Equal(new[] { new Row(1, "one") }, table);
        Assert.Equal(1, table.Version);
        table.Replace(rows);
        rows.Clear();
        Assert.Equal(2, table.Count);
        Assert.Equal(2, table.Version);
    }
}
