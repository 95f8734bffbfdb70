using System.Text;
using System.Text.Json;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Scheduling;
using StreamLinq.Sources;
using StreamLinq.State;

namespace StreamLinq.Checkpointing;

/// <summary>
/// The scheduler's side of checkpointing: snapshots the batch position, source offsets, pending
/// batches and operator state into the store, and rebuilds them from a recovered checkpoint.
/// </summary>
/// <param name="store">Where checkpoints go.</param>
/// <param name="fingerprint">The query's fingerprint, written into every checkpoint.</param>
/// <param name="schema">What the query's state is made of, written into every checkpoint for later upgrades.</param>
/// <param name="recovered">The checkpoint the context resumes from; null for a fresh start.</param>
/// <param name="upgrade">How the recovered checkpoint's state maps onto an upgraded query; null when the query did not change.</param>
/// <param name="intervals">The batch interval in force and the configured one, written into every checkpoint.</param>
internal sealed class BatchCheckpointing(CheckpointStore store, QueryFingerprint fingerprint, QuerySchema schema, CheckpointData? recovered, StateUpgrade? upgrade, BatchIntervalSchedule intervals)
{
    public CheckpointData? Recovered { get; } = recovered;

    /// <summary>The root of the receivers' write-ahead logs; null when the store has none.</summary>
    public string? ReceiversDirectory => store.ReceiversDirectory;

    /// <summary>How many checkpoints the store keeps; a write-ahead log keeps its segments for as many.</summary>
    public int RetainedCheckpoints => store.Retained;

    private long _written;

    /// <summary>How many checkpoints <see cref="Write"/> has put on disk in this run; failed writes do not count.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>The offsets of a batch as JSON, one property per input id, for transactional sinks.</summary>
    public static string Offsets(IBatchSource[] sources, BatchJob job)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            for (var i = 0; i < sources.Length; i++)
            {
                writer.WritePropertyName(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (sources[i] is IOffsetRangeSource ranged)
                {
                    ranged.WriteRange(job.Inputs[i], writer);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Writes a checkpoint. <paramref name="sealGate"/> guards <paramref name="pending"/> and the
    /// sources' positions; it is held while both are captured so that they agree: no batch can
    /// be sealed in between, whose records would be past the positions yet in no pending batch.
    /// </summary>
    public void Write(Lock sealGate, IBatchSource[] sources, List<BatchJob> pending, BatchTime? lastCompleted, IEnumerable<IStatefulOperator> operators)
    {
        var operatorStates = operators.Select(o => StateWriter.Capture(o.StateId, o)).ToList();
        store.Write(sequence =>
        {
            lock (sealGate)
            {
                var sourceStates = sources
                    .Select((source, id) => (source, id))
                    .Where(s => s.source is IStatefulOperator)
                    .Select(s => StateWriter.Capture(Id(s.id), (IStatefulOperator)s.source))
                    .ToList();
                var batches = pending.Select(job => new PendingBatch(
                    job.Time.Ticks,
                    job.DoneOutputs.Order().ToList(),
                    sources.Select((source, id) => source is IOffsetRangeSource ranged
                        ? StateWriter.Capture(w => ranged.WriteRange(job.Inputs[id], w))
                        : (JsonElement?)null).ToList(),
                    job.Interval.Ticks)).ToList();
                return new CheckpointData(sequence, intervals.Current.Ticks, lastCompleted?.Ticks, fingerprint, sourceStates, batches, operatorStates, intervals.Configured.Ticks, schema);
            }
        });
        Interlocked.Increment(ref _written);
    }

    /// <summary>The size in bytes of the last checkpoint written.</summary>
    public long LastSize => store.LastSize;

    /// <summary>
    /// Restores the sources' positions and the operators' state from the recovered checkpoint and
    /// rebuilds its pending batches; returns them, oldest first, and reports what it had to drop.
    /// </summary>
    public List<BatchJob> Restore(IBatchSource[] sources, ExecutionPlan plan, IEnumerable<IStatefulOperator> operators, long now, Action<string> warn)
    {
        if (Recovered is not { } data)
        {
            return [];
        }

        var sourceStates = data.Sources.ToDictionary(s => s.Id);
        for (var id = 0; id < sources.Length; id++)
        {
            if (sources[id] is IStatefulOperator stateful && sourceStates.TryGetValue(Id(id), out var state))
            {
                stateful.ReadState(state.State, state.Version);
            }
        }

        var operatorStates = data.Operators.ToDictionary(s => s.Id);
        foreach (var dropped in upgrade?.Dropped ?? [])
        {
            operatorStates.Remove(dropped);
        }

        foreach (var op in operators)
        {
            var from = upgrade is null ? op.StateId : upgrade.SourceOf(op.StateId);
            if (from is not null && operatorStates.Remove(from, out var state))
            {
                using (State.Codecs.SchemaMigration.Use(upgrade?.MigrationOf(op.StateId)))
                {
                    op.ReadState(state.State, state.Version);
                }
            }
            else if (upgrade is null)
            {
                warn($"The checkpoint holds no state for {op.StateId}; it starts empty.");
            }
        }

        foreach (var orphan in operatorStates.Keys)
        {
            warn($"The checkpoint holds state for {orphan}, which the query no longer has; it is ignored.");
        }

        var elementTypes = plan.Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)).OfType<SourceNode>()
            .GroupBy(s => s.InputId).ToDictionary(g => g.Key, g => g.First().ElementType);
        var jobs = new List<BatchJob>();
        foreach (var batch in data.Pending)
        {
            if (batch.Inputs.Count != sources.Length)
            {
                throw new InvalidDataException($"A pending batch in the checkpoint has {batch.Inputs.Count} inputs; the query has {sources.Length}.");
            }

            var inputs = new ISealedInput[sources.Length];
            for (var id = 0; id < sources.Length; id++)
            {
                if (sources[id] is IOffsetRangeSource ranged && batch.Inputs[id] is { ValueKind: not JsonValueKind.Null } range)
                {
                    inputs[id] = ranged.ReadRange(range);
                }
                else
                {
                    warn($"Batch {new BatchTime(batch.Time)} is replayed without the records of {sources[id].Name}, which cannot replay them.");
                    inputs[id] = new SealedRecords(BatchRecords.Of(Array.CreateInstance(elementTypes.GetValueOrDefault(id, typeof(object)), 0)));
                }
            }

            jobs.Add(new BatchJob(new BatchTime(batch.Time), inputs, now, upgrade?.DoneOutputs(batch.DoneOutputs) ?? [.. batch.DoneOutputs], TimeSpan.FromTicks(batch.IntervalTicks ?? data.BatchIntervalTicks)));
        }

        return jobs;
    }

    /// <summary>The first batch time to generate after a recovery: after every batch the checkpoint knows.</summary>
    public BatchTime? LastKnownBatch =>
        Recovered is not { } data ? null
        : new BatchTime(data.Pending.Select(p => p.Time).Append(data.LastCompletedBatch ?? 0).Max());

    private static string Id(int inputId) => inputId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
