using System.Collections.Concurrent;
using System.Text.Json;
using StreamLinq.Distributed;
using StreamLinq.Orleans.Tests.Support;
using StreamLinq.Sources;

namespace StreamLinq.Orleans.Tests.Shuffle;

/// <summary>What cluster mode refuses, with a message naming what was wrong and where.</summary>
public sealed class DistributedPlanTests
{
    [Fact]
    public void An_input_that_cannot_be_read_by_offset_ranges_is_refused_by_name()
    {
        var context = new StreamingContext(TestJobs.Interval);
        context.QueueStream(new ConcurrentQueue<IEnumerable<int>>()).ForEachBatch((_, _) => { });

        var error = Assert.Throws<InvalidOperationException>(() => DistributedPlan.Create(context, 2));

        Assert.Contains("QueueStream", error.Message);
        Assert.Contains("IOffsetRangeSource", error.Message);
    }

    [Fact]
    public void A_job_without_an_output_is_refused()
    {
        var context = new StreamingContext(TestJobs.Interval);
        context.AddInput(new ScriptedSource<int>("Script", new Script<int>([[[1]]])));

        Assert.Contains("no output operation", Assert.Throws<InvalidOperationException>(() => DistributedPlan.Create(context, 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DistributedPlan.Create(context, 0));
    }

    [Fact]
    public void A_partitioned_range_without_partition_entries_is_refused_naming_the_source()
    {
        var context = new StreamingContext(TestJobs.Interval);
        context.AddInput(new ObjectRangeSource()).ForEachBatch((_, _) => { });
        var plan = DistributedPlan.Create(context, 2);

        var error = Assert.Throws<InvalidOperationException>(() => plan.Cut(new BatchTime(TestJobs.Interval.Ticks)));

        Assert.Contains("ObjectRange (input 0)", error.Message);
        Assert.Contains("\"partition\"", error.Message);
    }

    [Fact]
    public void Each_partition_of_a_batch_becomes_one_map_task_holding_only_its_range()
    {
        var context = new StreamingContext(TestJobs.Interval);
        context.AddInput(new ScriptedSource<int>("Script", new Script<int>([[[1, 2], [3], [4, 5, 6]]]))).ForEachBatch((_, _) => { });
        var plan = DistributedPlan.Create(context, 2);

        var cut = plan.Cut(new BatchTime(TestJobs.Interval.Ticks));

        Assert.Equal(["p0", "p1", "p2"], cut.Tasks.Select(t => t.Partition));
        Assert.Equal(["""[{"partition":"p0","from":0,"to":2}]""", """[{"partition":"p1","from":0,"to":1}]""", """[{"partition":"p2","from":0,"to":3}]"""], cut.Tasks.Select(t => t.Range));
        Assert.Equal(3, JsonDocument.Parse(cut.Offsets).RootElement.GetProperty("0").GetArrayLength());
    }

    /// <summary>A partitioned source that writes its range as an object, not the array cluster mode needs.</summary>
    private sealed class ObjectRangeSource : IPartitionedSource, IBatchSource<int>
    {
        public string Name => "ObjectRange";

        public IReadOnlyList<string> Partitions { get; } = ["a"];

        public bool IsReplayable => true;

        public bool HasPending => false;

        public string StateId => "ObjectRange/position";

        public int StateVersion => 1;

        public Task StartAsync(SourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync() => Task.CompletedTask;

        public ISealedInput Seal(BatchTime time) => new Empty();

        public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteNumber("from", 0);
            writer.WriteEndObject();
        }

        public ISealedInput ReadRange(JsonElement range) => new Empty();

        public void WriteState(Utf8JsonWriter writer) => writer.WriteNullValue();

        public void ReadState(JsonElement state, int version)
        {
        }

        private sealed class Empty : ISealedInput
        {
            public ValueTask<Array> ReadAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Array>(Array.Empty<int>());
        }
    }
}
