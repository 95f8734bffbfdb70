using System.Text;
using System.Text.Json;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Sources;
using StreamLinq.State;
using StreamLinq.State.Codecs;

namespace StreamLinq.Distributed;

/// <summary>
/// A context's queries cut for cluster mode, runtime-neutral: what a driver, an executor and a
/// reducer each do for one batch, with nothing of how they reach each other. A cluster runtime
/// (<c>StreamLinq.Orleans</c>) builds one per role instance from the same job factory, moves
/// <see cref="MapTask"/>s, <see cref="MapOutput"/> bytes and offsets between them, and places them.
/// </summary>
/// <remarks>
/// <para>The plan is cut at its first shuffle boundary (<see cref="Explain"/> shows where).
/// Executors run the narrow part (each input and the chain of per-record operators right above
/// it, the same compiled loop as in one process) over one source partition's offset range, and
/// split the result by key partition. A GroupBy aggregate or a stream's Count, Sum, Min, Max or
/// Average right above the narrow part is aggregated there too (map-side combine: one partial per
/// key, or per map task, is shipped, and the reducers merge the partials in map task order), and
/// a reduce by key right above it is reduced per key there first; <see cref="Explain"/> says
/// which outputs ship partials and which records. Reducers run the rest of the plan and the output
/// operations: when one keyed operator (GroupBy aggregate, keyed state, a join of streams,
/// Distinct) comes right after the narrow parts and no other boundary follows, every key
/// partition runs it for its keys and keeps their state across batches in its plan's nodes;
/// a plan without a shuffle runs on every key partition for its source partitions' records; any
/// other plan (a second shuffle, ordering, per-batch scalars, event-time windows, whose
/// watermark spans all keys) runs after the shuffle on key partition 0 alone, with the batch's
/// records in the order one process reads them, so it gives the same answer.</para>
/// <para>State: a reducer's keyed state lives in its plan's nodes, across batches; the reducer
/// writes it with <see cref="WriteReduceState"/> into the job's checkpoint store and a new
/// instance reads it back with <see cref="RestoreReduceState"/>, then takes in the batches after
/// it with <see cref="ReplayReduceAsync"/> (outputs off). The driver checkpoints the sources'
/// positions (<see cref="WriteSourcePositions"/>) and the cuts it may have to replay
/// (<see cref="RestoreCut"/>). Replaying a batch on a reducer that has taken it in is the caller's to avoid.</para>
/// <para>Threading: one batch at a time per instance, in batch order.</para>
/// </remarks>
public sealed class DistributedPlan
{
    private readonly StreamingContext _context;
    private readonly IBatchSource[] _sources;
    private readonly IReadOnlyList<OutputCut> _cuts;
    private readonly Dictionary<int, Type> _shuffleTypes;
    private readonly Dictionary<int, PartialAggregation> _aggregations;
    private readonly PlanBuilder _prefixBuilder = new();
    private ExecutionPlan? _reducePlan;

    private DistributedPlan(StreamingContext context, int keyPartitions)
    {
        _context = context;
        KeyPartitions = keyPartitions;
        var inputs = context.InputStreams;
        _sources = inputs.Select(i => i.Source).ToArray();
        foreach (var source in _sources)
        {
            if (source is not IOffsetRangeSource)
            {
                throw new InvalidOperationException(
                    $"Cluster mode reads every input by offset ranges, on the executor of each partition; {source.Name} is not an IOffsetRangeSource (a replayable pull source such as a broker's).");
            }
        }

        Sources = _sources.Select((s, i) => new DistributedSource(i, s.Name, s is IPartitionedSource partitioned ? partitioned.Partitions : [""])).ToArray();
        var planner = new QueryPlanner();
        var nextShuffleId = 0;
        _cuts = context.OutputOperations.Select(o => OutputCut.Create(context, o, planner, ref nextShuffleId)).ToArray();
        _shuffleTypes = _cuts.SelectMany(c => c.Prefixes).ToDictionary(p => p.ShuffleId, p => p.ShuffledType);
        _aggregations = _cuts.SelectMany(c => c.Prefixes).Where(p => p.Aggregation is not null).ToDictionary(p => p.ShuffleId, p => p.Aggregation!);
    }

    /// <summary>
    /// Cuts the queries <paramref name="context"/> defines (its inputs and output operations, as a
    /// job's factory left it, not started) for a cluster of <paramref name="keyPartitions"/> reducers.
    /// </summary>
    /// <param name="context">The context the job's factory built; it is read, never started.</param>
    /// <param name="keyPartitions">How many key partitions (reducers) the shuffle hashes into.</param>
    /// <returns>The plan; every process that builds it from the same factory gets the same cut.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keyPartitions"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The context has no output, or an input is not an <see cref="IOffsetRangeSource"/>.</exception>
    public static DistributedPlan Create(StreamingContext context, int keyPartitions)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(keyPartitions, 1);
        if (context.OutputOperations.Count == 0)
        {
            throw new InvalidOperationException("The job defines no output operation: add Print, ForEachBatch or WriteTo in its factory.");
        }

        return new DistributedPlan(context, keyPartitions);
    }

    /// <summary>How many key partitions (reducers) the shuffle hashes into.</summary>
    public int KeyPartitions { get; }

    /// <summary>The batch interval the job's context was created with.</summary>
    public TimeSpan BatchInterval => _context.BatchInterval;

    /// <summary>The inputs, each with its partitions: one map task per partition per batch.</summary>
    public IReadOnlyList<DistributedSource> Sources { get; }

    /// <summary>
    /// Describes the cut: per output, the map stage over each input's partitions with the
    /// operators executors run, the shuffle (by which key, into how many partitions), and the
    /// reduce stage's plan with its partition count, rendered as <see cref="StreamingContext.Explain"/> does.
    /// </summary>
    /// <returns>The text of the stages.</returns>
    public string Explain()
    {
        var text = new StringBuilder();
        var reduce = new PlanBuilder();
        foreach (var cut in _cuts)
        {
            var partitions = cut.Mode == ShuffleMode.Gather ? 1 : KeyPartitions;
            text.AppendLine($"{cut.Output.Description}: 2 stages");
            foreach (var prefix in cut.Prefixes)
            {
                var source = Sources[prefix.InputId];
                var narrow = prefix.Top is Query.Logical.MapOperator map ? $"Map: {map.Detail}" : "Source";
                text.AppendLine($"  map stage, {source.Partitions.Count} partition(s) of {source.Name}#{source.InputId}, one executor each: {narrow} ⇒ Shuffle#{prefix.ShuffleId} ({prefix.Shipped})");
            }

            text.AppendLine(cut.Mode switch
            {
                ShuffleMode.ByKey => $"  ═ shuffle: hash by {cut.Boundary!.Exchange.By} into {KeyPartitions} key partitions",
                ShuffleMode.BySourcePartition => $"  ═ shuffle: none in the query; each source partition's records go to key partition (partition index mod {KeyPartitions})",
                _ => "  ═ shuffle: gather into key partition 0 (the plan after the shuffle needs the whole batch in one place)",
            });
            text.AppendLine($"  reduce stage, {partitions} partition(s), output on {(partitions == 1 ? "key partition 0" : "every key partition for its slice")}:");
            foreach (var prefix in cut.Prefixes.Where(p => p.Aggregation is not null))
            {
                text.AppendLine(prefix.Aggregation!.IsWindowed
                    ? $"    Shuffle#{prefix.ShuffleId}: the map tasks' partial tables merged in map task order, taken in by the window's aggregation below as each batch's"
                    : $"    Shuffle#{prefix.ShuffleId}: {prefix.Aggregation.Operator} [{prefix.Aggregation.Detail}] merges the map tasks' partials in map task order and finishes");
            }

            foreach (var line in reduce.Explain([cut.Reduce]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                text.AppendLine($"    {line.TrimEnd('\r')}");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Starts the inputs (driver only: it seals them). Errors a source recovers from go to
    /// <paramref name="onSourceError"/>.
    /// </summary>
    /// <param name="onSourceError">Receives (source name, error) for errors that fail no batch.</param>
    /// <param name="stopping">Cancelled when the job stops.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when every source has started.</returns>
    public async Task StartSourcesAsync(Action<string, Exception> onSourceError, CancellationToken stopping, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onSourceError);
        var context = new SourceContext(onSourceError, stopping)
        {
            BatchInterval = _context.BatchInterval,
            TimeProvider = _context.Options.TimeProvider,
            Job = _context.JobName,
        };
        foreach (var source in _sources)
        {
            await source.StartAsync(context, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the inputs the driver started.</summary>
    /// <returns>A task that completes when every source has stopped.</returns>
    public async Task StopSourcesAsync()
    {
        foreach (var source in _sources)
        {
            await source.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Driver: seals every input for the batch at <paramref name="time"/> and cuts its range into
    /// one map task per partition. Sealing never calls out; the records stay in the brokers.
    /// </summary>
    /// <param name="time">The batch time; batch times are consecutive multiples of the interval.</param>
    /// <returns>The batch's tasks and offsets.</returns>
    /// <exception cref="InvalidOperationException">
    /// A source left its range to be resolved when read (<see cref="IOffsetRangeSource.IsResolved"/>
    /// false), or a partitioned source did not write its range as the documented array of
    /// <c>{ "partition": name, ... }</c> objects; the message names the source.
    /// </exception>
    public BatchCut Cut(BatchTime time)
    {
        var tasks = new List<MapTask>();
        var inputs = new ISealedInput[_sources.Length];
        var offsets = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(offsets))
        {
            writer.WriteStartObject();
            for (var i = 0; i < _sources.Length; i++)
            {
                var source = (IOffsetRangeSource)_sources[i];
                var input = inputs[i] = source.Seal(time);
                if (!source.IsResolved(input))
                {
                    throw new InvalidOperationException(
                        $"{source.Name} fixes its range only when the batch is read; cluster mode needs the range fixed when sealed, so that the driver can hand each executor its part without reading the records.");
                }

                var range = RangeJson(source, input);
                writer.WritePropertyName(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                writer.WriteRawValue(range);
                tasks.AddRange(Split(i, source, range).Select(p => new MapTask(time, i, p.Partition, p.Range)));
            }

            writer.WriteEndObject();
        }

        return new BatchCut(time, tasks, Encoding.UTF8.GetString(offsets.WrittenSpan), inputs);
    }

    /// <summary>
    /// Driver: tells every input that <paramref name="batch"/> is committed, so a broker may
    /// drop what it kept for replays. Call in batch order, once the batch's outputs all ran and
    /// its checkpoint is written.
    /// </summary>
    /// <param name="batch">A batch cut by <see cref="Cut"/>.</param>
    public void Acknowledge(BatchCut batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (var i = 0; i < _sources.Length; i++)
        {
            ((IOffsetRangeSource)_sources[i]).Acknowledge(batch.Inputs[i]);
        }
    }

    /// <summary>
    /// Driver: every input's position (where the next seal begins), as one JSON object keyed by
    /// the inputs' state ids, for the driver's checkpoint.
    /// </summary>
    /// <param name="writer">Where to write the object.</param>
    public void WriteSourcePositions(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriteStates(writer, _sources.Cast<IStatefulOperator>());
    }

    /// <summary>
    /// Driver, before <see cref="StartSourcesAsync"/>: restores the inputs' positions
    /// <see cref="WriteSourcePositions"/> wrote, so that the next seal begins where the last one
    /// the checkpoint holds ended.
    /// </summary>
    /// <param name="positions">The object <see cref="WriteSourcePositions"/> wrote.</param>
    /// <exception cref="InvalidDataException">The object names no state for an input, or a state is malformed; the message says which.</exception>
    public void RestoreSourcePositions(JsonElement positions)
    {
        foreach (var source in _sources.Cast<IStatefulOperator>())
        {
            if (positions.ValueKind != JsonValueKind.Object || !positions.TryGetProperty(source.StateId, out var entry))
            {
                throw new InvalidDataException($"The cluster checkpoint holds no position for the input {source.StateId}.");
            }

            try
            {
                source.ReadState(entry.GetProperty("state"), entry.GetProperty("version").GetInt32());
            }
            catch (Exception error) when (error is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"The cluster checkpoint's position of the input {source.StateId} is malformed: {error.Message}", error);
            }
        }
    }

    /// <summary>
    /// Driver: the cut of a batch <see cref="Cut"/> made before, rebuilt from its offsets
    /// (<see cref="BatchCut.Offsets"/>, kept in the driver's checkpoint) without sealing anything:
    /// the same tasks over the same ranges, so a replay reads the same records.
    /// </summary>
    /// <param name="time">The batch time the cut was made for.</param>
    /// <param name="offsets">Its <see cref="BatchCut.Offsets"/>.</param>
    /// <returns>The cut.</returns>
    /// <exception cref="InvalidDataException">The offsets name no range for an input, or a range the source cannot read.</exception>
    public BatchCut RestoreCut(BatchTime time, string offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var tasks = new List<MapTask>();
        var inputs = new ISealedInput[_sources.Length];
        try
        {
            using var document = JsonDocument.Parse(offsets);
            for (var i = 0; i < _sources.Length; i++)
            {
                var source = (IOffsetRangeSource)_sources[i];
                if (!document.RootElement.TryGetProperty(i.ToString(System.Globalization.CultureInfo.InvariantCulture), out var range))
                {
                    throw new InvalidDataException($"The cluster checkpoint's batch {time} holds no range for input {i} ({source.Name}).");
                }

                inputs[i] = source.ReadRange(range);
                tasks.AddRange(Split(i, source, range.GetRawText()).Select(p => new MapTask(time, i, p.Partition, p.Range)));
            }
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The cluster checkpoint's batch {time} is malformed: {error.Message}", error);
        }

        return new BatchCut(time, tasks, offsets, inputs);
    }

    /// <summary>
    /// Reducer: the keyed state of this reducer's plan (every stateful node's state: windows,
    /// UpdateStateByKey, MapWithState, joins' tables...) as of the last batch it reduced, written
    /// with the engine's state codecs, for the job's checkpoint store.
    /// </summary>
    /// <param name="time">The last batch reduced, recorded in the bytes and checked when they are read back.</param>
    /// <returns>The state's bytes (UTF-8 JSON).</returns>
    public byte[] WriteReduceState(BatchTime time)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, StateCodecs.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("time", time.Ticks);
            writer.WritePropertyName("state");
            WriteStates(writer, ReduceState());
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reducer, on a plan that has reduced nothing yet: restores the keyed state
    /// <see cref="WriteReduceState"/> wrote after <paramref name="time"/>.
    /// </summary>
    /// <param name="state">The bytes <see cref="WriteReduceState"/> wrote.</param>
    /// <param name="time">The batch the state must be as of.</param>
    /// <exception cref="InvalidDataException">The bytes are malformed, are of another batch, or lack a stateful node's state; the message says which.</exception>
    public void RestoreReduceState(ReadOnlySpan<byte> state, BatchTime time)
    {
        try
        {
            using var document = JsonDocument.Parse(state.ToArray(), StateCodecs.DocumentOptions);
            var root = document.RootElement;
            var written = new BatchTime(root.GetProperty("time").GetInt64());
            if (written != time)
            {
                throw new InvalidDataException($"The reducer state is of batch {written}, not of batch {time} as the driver's checkpoint says.");
            }

            var states = root.GetProperty("state");
            foreach (var node in ReduceState())
            {
                if (!states.TryGetProperty(node.StateId, out var entry))
                {
                    throw new InvalidDataException($"The reducer state holds nothing for the operator {node.StateId}.");
                }

                node.ReadState(entry.GetProperty("state"), entry.GetProperty("version").GetInt32());
            }
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The reducer state is malformed: {error.Message}", error);
        }
    }

    /// <summary>
    /// Executor: reads <paramref name="task"/>'s range from its broker, runs the narrow part of
    /// every output that reads the input over it (and the partial aggregation or reduce by key
    /// above it, where the output has one), and encodes the results per key partition.
    /// Holds no state across batches; running a task again gives the same bytes.
    /// </summary>
    /// <param name="task">A task from <see cref="Cut"/>.</param>
    /// <param name="cancellationToken">Cancels the read and the run.</param>
    /// <returns>The bytes for each key partition.</returns>
    /// <exception cref="BatchFailedException">User code in the narrow part threw; the message names the operator and the batch.</exception>
    public async Task<MapOutput> RunMapAsync(MapTask task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        if ((uint)task.InputId >= (uint)_sources.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(task), task.InputId, $"The job has {_sources.Length} input(s); task input {task.InputId} does not exist.");
        }

        var source = (IOffsetRangeSource)_sources[task.InputId];
        Array records;
        using (var range = JsonDocument.Parse(task.Range))
        {
            records = await source.ReadRange(range.RootElement).ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        var sourcePartition = Math.Max(0, Sources[task.InputId].Partitions.ToList().IndexOf(task.Partition));
        var execution = new BatchExecution(task.Time, new Dictionary<int, Array> { [task.InputId] = records }, _context.Options, cancellationToken);
        var sections = new List<(int, Action<Utf8JsonWriter>)>[KeyPartitions];
        for (var k = 0; k < KeyPartitions; k++)
        {
            sections[k] = [];
        }

        foreach (var cut in _cuts)
        {
            foreach (var prefix in cut.Prefixes.Where(p => p.InputId == task.InputId))
            {
                if (prefix.Aggregation is { } aggregation)
                {
                    var partials = aggregation.Compile(_prefixBuilder).Map(execution, cut.Mode == ShuffleMode.ByKey ? KeyPartitions : 1);
                    for (var k = 0; k < partials.Length; k++)
                    {
                        if (partials[k] is { } partial)
                        {
                            sections[k].Add((prefix.ShuffleId, partial));
                        }
                    }

                    continue;
                }

                prefix.Compiled ??= _prefixBuilder.Build(prefix.MapTree);
                var mapped = execution.Evaluate(prefix.Compiled) ?? Array.CreateInstance(prefix.ElementType, 0);
                switch (cut.Mode)
                {
                    case ShuffleMode.ByKey:
                        var split = prefix.Router!(mapped, KeyPartitions);
                        for (var k = 0; k < KeyPartitions; k++)
                        {
                            sections[k].Add((prefix.ShuffleId, ShuffleFrames.Records(split[k])));
                        }

                        break;
                    case ShuffleMode.BySourcePartition:
                        sections[sourcePartition % KeyPartitions].Add((prefix.ShuffleId, ShuffleFrames.Records(mapped)));
                        break;
                    default:
                        sections[0].Add((prefix.ShuffleId, ShuffleFrames.Records(mapped)));
                        break;
                }
            }
        }

        return new MapOutput(sections.Select(s => ShuffleFrames.Write(s)).ToArray(), records.Length);
    }

    /// <summary>
    /// Reducer: merges what the batch's map tasks shuffled to <paramref name="keyPartition"/> (in
    /// task order), runs the rest of every output's plan over it, keeping the partition's keyed
    /// state, and runs the output operations for this slice. Each write's <see cref="BatchCommit"/>
    /// carries the partition and the driver's epoch.
    /// </summary>
    /// <param name="time">The batch time.</param>
    /// <param name="keyPartition">This reducer's key partition, from 0.</param>
    /// <param name="epoch">The driver's epoch, for the commits.</param>
    /// <param name="offsets">The batch's offsets (<see cref="BatchCut.Offsets"/>), for the commits.</param>
    /// <param name="partials">This partition's bytes from every map task of the batch, in <see cref="BatchCut.Tasks"/> order.</param>
    /// <param name="cancellationToken">Cancels the run and the writes.</param>
    /// <returns>How many records the outputs were given.</returns>
    /// <exception cref="BatchFailedException">User code in the plan or an output threw; the message names it and the batch.</exception>
    public Task<long> RunReduceAsync(BatchTime time, int keyPartition, long epoch, string offsets, IReadOnlyList<byte[]> partials, CancellationToken cancellationToken) =>
        ReduceAsync(time, keyPartition, epoch, offsets, partials, writeOutputs: true, cancellationToken);

    /// <summary>
    /// Reducer, recovering: takes in a batch every output already wrote (a batch after the
    /// checkpoint its state was restored from) as <see cref="RunReduceAsync"/> does, for the
    /// state, but hands nothing to the outputs.
    /// </summary>
    /// <param name="time">The batch time.</param>
    /// <param name="keyPartition">This reducer's key partition, from 0.</param>
    /// <param name="partials">This partition's bytes from every map task of the batch, in <see cref="BatchCut.Tasks"/> order.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>A task that completes when the batch is taken in.</returns>
    /// <exception cref="BatchFailedException">User code in the plan threw; the message names it and the batch.</exception>
    public Task ReplayReduceAsync(BatchTime time, int keyPartition, IReadOnlyList<byte[]> partials, CancellationToken cancellationToken) =>
        ReduceAsync(time, keyPartition, 0, "{}", partials, writeOutputs: false, cancellationToken);

    private async Task<long> ReduceAsync(BatchTime time, int keyPartition, long epoch, string offsets, IReadOnlyList<byte[]> partials, bool writeOutputs, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keyPartition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(keyPartition, KeyPartitions);
        ArgumentNullException.ThrowIfNull(partials);
        var plan = ReducePlan;
        var parts = _shuffleTypes.Keys.ToDictionary(id => id, _ => new List<object>());
        foreach (var partial in partials)
        {
            foreach (var (shuffleId, section) in ShuffleFrames.Read(partial, Decode))
            {
                parts[shuffleId].Add(section);
            }
        }

        var inputs = new Dictionary<int, Array>();
        var preAggregated = new Dictionary<int, object>();
        foreach (var (shuffleId, sections) in parts)
        {
            if (!_aggregations.TryGetValue(shuffleId, out var aggregation))
            {
                inputs[shuffleId] = Concat(_shuffleTypes[shuffleId], sections.Cast<Array>().ToList());
            }
            else if (aggregation.IsWindowed)
            {
                // The window over the records stays in the plan; its batch arrives as a table.
                inputs[shuffleId] = Array.CreateInstance(_shuffleTypes[shuffleId], 0);
                preAggregated[shuffleId] = aggregation.Compile(_prefixBuilder).MergeTable(time, sections);
            }
            else
            {
                inputs[shuffleId] = aggregation.Compile(_prefixBuilder).Merge(time, sections);
            }
        }

        var execution = new BatchExecution(time, inputs, _context.Options, cancellationToken) { PreAggregated = preAggregated };
        long written = 0;
        for (var i = 0; i < _cuts.Count; i++)
        {
            if (_cuts[i].Mode == ShuffleMode.Gather && keyPartition != 0)
            {
                continue;
            }

            var (output, root) = plan.Outputs[i];
            if (execution.Evaluate(root) is not { } result || !writeOutputs)
            {
                continue;
            }

            try
            {
                await output.WriteAsync(result, new BatchCommit(output.Id, time, offsets) { Partition = keyPartition, Epoch = epoch }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new BatchFailedException(time, output.Description, error, BatchStage.Output);
            }

            written += result.Length;
        }

        return written;
    }

    /// <summary>A section of a map output: a map task's partial aggregates, or its records.</summary>
    private object Decode(int shuffleId, JsonElement section) =>
        _aggregations.TryGetValue(shuffleId, out var aggregation) ? aggregation.Compile(_prefixBuilder).ReadPartial(section)
        : _shuffleTypes.TryGetValue(shuffleId, out var type) ? ShuffleFrames.ReadRecords(section, type)
        : throw new InvalidDataException($"A map output names shuffle input {shuffleId}, which this job does not have: are the silos running different versions of the job?");

    private ExecutionPlan ReducePlan => _reducePlan ??= new PlanBuilder().Build(_cuts.Select(c => c.Reduce));

    /// <summary>The reduce plan's stateful nodes, each once, under ids unique in the plan.</summary>
    /// <summary>One object: each operator's state under its id, with its version.</summary>
    private static void WriteStates(Utf8JsonWriter writer, IEnumerable<IStatefulOperator> operators)
    {
        writer.WriteStartObject();
        foreach (var node in operators)
        {
            writer.WriteStartObject(node.StateId);
            writer.WriteNumber("version", node.StateVersion);
            writer.WritePropertyName("state");
            node.WriteState(writer);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private IStatefulOperator[] ReduceState() =>
        StateIds.Distinct(ReducePlan.Outputs.SelectMany(o => ExecutionPlan.Nodes(o.Root)).Distinct(ReferenceEqualityComparer.Instance).OfType<IStatefulOperator>());

    private static Array Concat(Type elementType, List<Array> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var result = Array.CreateInstance(elementType, parts.Sum(p => p.Length));
        var offset = 0;
        foreach (var part in parts)
        {
            Array.Copy(part, 0, result, offset, part.Length);
            offset += part.Length;
        }

        return result;
    }

    private static string RangeJson(IOffsetRangeSource source, ISealedInput input)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            source.WriteRange(input, writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>One range per partition: a partitioned source's array split by its entries' <c>partition</c>, in <see cref="IPartitionedSource.Partitions"/> order.</summary>
    private static IEnumerable<(string Partition, string Range)> Split(int inputId, IOffsetRangeSource source, string range)
    {
        if (source is not IPartitionedSource partitioned)
        {
            return [("", range)];
        }

        using var document = JsonDocument.Parse(range);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOperationException($"{source.Name} (input {inputId}) wrote its range as {document.RootElement.ValueKind}; cluster mode needs a partitioned source's range as an array of {{ \"partition\": name, ... }} objects, to hand each partition to its executor.");
        }

        var byPartition = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("partition", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new InvalidOperationException($"{source.Name} (input {inputId}) wrote a range entry without a string \"partition\" property ({entry.GetRawText()}); cluster mode needs one per partition.");
            }

            var key = name.GetString()!;
            if (!byPartition.TryGetValue(key, out var entries))
            {
                byPartition[key] = entries = [];
            }

            entries.Add(entry.GetRawText());
        }

        return partitioned.Partitions.Where(byPartition.ContainsKey).Select(p => (p, $"[{string.Join(',', byPartition[p])}]")).ToArray();
    }
}
