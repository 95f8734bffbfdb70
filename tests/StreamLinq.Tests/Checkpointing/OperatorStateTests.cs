using System.Text.Json;
using StreamLinq.Checkpointing;
using StreamLinq.Query;
using StreamLinq.Scheduling;
using StreamLinq.Sources;
using StreamLinq.State;

namespace StreamLinq.Tests.Checkpointing;

public class OperatorStateTests
{
    [Fact]
    public void Operator_state_round_trips_through_a_checkpoint_matched_by_state_id()
    {
        using var scratch = new Scratch();
        var fingerprint = new QueryFingerprint("h", []);
        var store = new CheckpointStore(scratch.Checkpoints, 3);
        var writing = new BatchCheckpointing(store, fingerprint, new QuerySchema([], []), null, null, new BatchIntervalSchedule(TimeSpan.FromSeconds(1)));
        writing.Write(new Lock(), [], [], new BatchTime(10), [new Counter("Count#1", 42), new Counter("Gone#2", 7)]);

        var warnings = new List<string>();
        var recovered = new CheckpointStore(scratch.Checkpoints, 3).LoadNewest(warnings);
        Assert.Empty(warnings);
        Assert.NotNull(recovered);
        Assert.Equal(10, recovered.LastCompletedBatch);

        var restored = new Counter("Count#1", 0);
        var added = new Counter("New#3", 5);
        var reading = new BatchCheckpointing(store, fingerprint, new QuerySchema([], []), recovered, null, new BatchIntervalSchedule(TimeSpan.FromSeconds(1)));
        var pending = reading.Restore([], new ExecutionPlan([]), [restored, added], 0, warnings.Add);
        Assert.Empty(pending);
        Assert.Equal(42, restored.Value);
        Assert.Equal(5, added.Value);
        Assert.Contains(warnings, w => w.Contains("New#3", StringComparison.Ordinal) && w.Contains("starts empty", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("Gone#2", StringComparison.Ordinal) && w.Contains("ignored", StringComparison.Ordinal));
    }

    [Fact]
    public void State_of_an_unknown_version_is_refused_by_the_operator()
    {
        var counter = new Counter("Count#1", 0);
        using var document = JsonDocument.Parse("{\"value\": 1}");
        Assert.Throws<InvalidDataException>(() => counter.ReadState(document.RootElement, 99));
    }

    /// <summary>A stand-in for a stateful plan node: a running count.</summary>
    private sealed class Counter(string id, long value) : IStatefulOperator
    {
        public long Value { get; private set; } = value;

        public string StateId => id;

        public int StateVersion => 1;

        public void WriteState(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteNumber("value", Value);
            writer.WriteEndObject();
        }

        public void ReadState(JsonElement state, int version)
        {
            if (version != 1)
            {
                throw new InvalidDataException($"Counter state version {version} is unknown.");
            }

            Value = state.GetProperty("value").GetInt64();
        }
    }
}
