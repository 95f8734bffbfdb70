using System.Collections.Concurrent;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sources;

/// <summary>QueueStream hands a queued array to its batch without a copy, and anything else as its records in order.</summary>
public class QueueStreamTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_queued_array_is_the_batch_itself_not_a_copy(bool oneAtATime)
    {
        var queued = new[] { 3, 1, 2 };
        var queue = new ConcurrentQueue<IEnumerable<int>>();
        queue.Enqueue(queued);
        await using var harness = new StreamHarness();
        IReadOnlyList<int>? seen = null;
        harness.Context.QueueStream(queue, oneAtATime).ForEachBatch((records, _) => seen ??= records);
        await harness.StartAsync();

        var info = await harness.RunBatchAsync();

        Assert.Null(info.Failure);
        Assert.Same(queued, seen);
    }

    [Fact]
    public async Task Several_queued_collections_taken_at_once_are_one_batch_in_queue_order()
    {
        var queue = new ConcurrentQueue<IEnumerable<int>>();
        queue.Enqueue(new[] { 1, 2 });
        queue.Enqueue(new List<int> { 3 });
        queue.Enqueue(Enumerable.Range(4, 3));
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.QueueStream(queue, oneAtATime: false));
        await harness.StartAsync();

        var info = await harness.RunBatchAsync();

        Assert.Equal([1, 2, 3, 4, 5, 6], results[info.Time]);
    }

    [Fact]
    public async Task An_array_of_a_derived_type_is_copied_so_the_engine_never_stores_into_it()
    {
        var queue = new ConcurrentQueue<IEnumerable<object>>();
        var strings = new[] { "a", "b" };
        queue.Enqueue(strings);
        await using var harness = new StreamHarness();
        IReadOnlyList<object>? seen = null;
        harness.Context.QueueStream(queue).ForEachBatch((records, _) => seen ??= records);
        await harness.StartAsync();

        await harness.RunBatchAsync();

        Assert.NotSame(strings, seen);
        Assert.Equal(strings, seen!);
        Assert.IsType<object[]>(seen);
    }
}
