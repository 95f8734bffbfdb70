using System.Globalization;
using System.Text.Json;
using StreamLinq.Execution;
using StreamLinq.Query;
using StreamLinq.Sinks;
using StreamLinq.Sources;

namespace StreamLinq.Checkpointing;

/// <summary>
/// What the transactional outputs had committed when the context started, read back from their
/// sinks (<see cref="ITransactionalSink.ReadLastCommitAsync"/>). The sinks, not the checkpoint,
/// are the truth: replayable sources move past the commits, and a batch whose ranges an output
/// already committed is not written to it again, whatever its batch time.
/// </summary>
internal sealed class SinkCommits
{
    /// <summary>Each transactional output's last commit (null: none yet), by output index.</summary>
    private readonly Dictionary<int, (BatchCommit Commit, JsonElement Offsets)?> _read;

    /// <summary>The commits no batch has passed yet; an output leaves once it writes a batch after its commit.</summary>
    private readonly Dictionary<int, (BatchCommit Commit, JsonElement Offsets)> _ahead;

    private SinkCommits(Dictionary<int, (BatchCommit Commit, JsonElement Offsets)?> read)
    {
        _read = read;
        _ahead = read.Where(r => r.Value is not null).ToDictionary(r => r.Key, r => r.Value!.Value);
    }

    /// <summary>The latest batch time any output committed: new batches must come after it.</summary>
    public BatchTime? LatestTime =>
        _ahead.Count == 0 ? null : _ahead.Values.Max(c => c.Commit.Time);

    /// <summary>Reads every transactional output's last commit, each within <paramref name="timeout"/>.</summary>
    /// <exception cref="InvalidOperationException">A sink failed, timed out, or returned offsets that are not a JSON object; the message names the output.</exception>
    public static async Task<SinkCommits> ReadAsync(ExecutionPlan plan, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var read = new Dictionary<int, (BatchCommit, JsonElement)?>();
        foreach (var (output, _) in plan.Outputs)
        {
            if (output.Target is not ITransactionalSink sink)
            {
                continue;
            }

            BatchCommit? commit;
            using var deadline = new CancellationTokenSource(timeout, time);
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                // WaitAsync as well as the token: a sink that ignores the token cannot hold the start.
                commit = await sink.ReadLastCommitAsync(output.Id, cancellation.Token).WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception error) when (error is TimeoutException || (error is OperationCanceledException && cancellation.IsCancellationRequested))
            {
                throw new InvalidOperationException($"{output.Description}: the sink did not return its last commit within {timeout} ({nameof(StreamingOptions)}.{nameof(StreamingOptions.SinkCommitReadTimeout)}).", error);
            }
            catch (Exception error)
            {
                throw new InvalidOperationException($"{output.Description}: reading the sink's last commit failed: {error.Message}", error);
            }

            read[output.Index] = commit is null ? null : (commit, ParseOffsets(output, commit));
        }

        return new SinkCommits(read);
    }

    /// <summary>
    /// Hands each replayable source the range every transactional output committed last for it,
    /// so that a source behind them (an old, damaged or missing checkpoint) resumes after them.
    /// </summary>
    public void ResumeSources(IBatchSource[] sources)
    {
        if (_ahead.Count == 0)
        {
            return;
        }

        for (var id = 0; id < sources.Length; id++)
        {
            if (sources[id] is IOffsetRangeSource ranged)
            {
                var name = Id(id);
                ranged.ResumeAfter(_read.Values.Select(c => c is { } commit ? Range(commit.Offsets, name) : null).ToList());
            }
        }
    }

    /// <summary>
    /// Whether a recovered batch is one the sinks' commits already cover although the checkpoint
    /// that survived never fixed its range: it was queued, unread, when that checkpoint was
    /// written, and its time is at or before a commit. The lost run read and committed it; read
    /// now, from a position moved past the commits, it would take later records under a time a
    /// sink has committed. Such a batch is dropped: its records are in the commits, and what an
    /// output committed less of comes in the next batches (sources resume at the earliest commit).
    /// </summary>
    public bool Covers(BatchJob job, IBatchSource[] sources) =>
        LatestTime is { } latest && job.Time <= latest
        && sources.Select((source, id) => source is IOffsetRangeSource ranged && !ranged.IsResolved(job.Inputs[id])).Any(unresolved => unresolved);

    /// <summary>
    /// Whether <paramref name="output"/> already holds the batch: every input it reads is wholly
    /// within what it committed before this start (or empty while that commit is still ahead).
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The batch is partly committed (it can be neither written nor skipped), or holds new records
    /// under a time the sink already committed (the sink's check by time would drop them).
    /// </exception>
    public bool Holds(OutputOperation output, PlanNode root, BatchJob job, IBatchSource[] sources)
    {
        if (!_ahead.TryGetValue(output.Index, out var committed))
        {
            return false;
        }

        switch (Order(committed, root, job, sources))
        {
            case RangeOrder.Committed or RangeOrder.Empty:
                return true;
            case RangeOrder.Straddles:
                throw new InvalidOperationException(
                    $"Batch {job.Time} reads offsets of which {output.Description} committed a part before this start (its last commit: batch {committed.Commit.Time}, " +
                    $"offsets {committed.Commit.Offsets}): the batch can be neither written nor skipped without doubling or losing records.");
            case RangeOrder.After when job.Time <= committed.Commit.Time:
                // New records under an old batch time (a checkpoint restored from a backup): the
                // sink's check by time would drop them without a word.
                throw new InvalidOperationException(
                    $"Batch {job.Time} reads offsets after what {output.Description} committed before this start, but its time is not after that commit's " +
                    $"(batch {committed.Commit.Time}): the sink would skip it and lose its records. Is the checkpoint older than the sink's data?");
            default:
                // After the commit, or not comparable: from here on the sink's own check decides.
                _ahead.Remove(output.Index);
                return false;
        }
    }

    /// <summary>
    /// Where the batch's ranges stand against the output's last commit; apart from
    /// <see cref="Holds"/>, so that an output with no commit ahead (every batch after the first
    /// ones) makes no closure.
    /// </summary>
    private static RangeOrder Order((BatchCommit Commit, JsonElement Offsets) committed, PlanNode root, BatchJob job, IBatchSource[] sources)
    {
        var orders = ExecutionPlan.Nodes(root).OfType<SourceNode>().Select(s => s.InputId).Distinct().Select(id =>
            sources[id] is IOffsetRangeSource ranged && Range(committed.Offsets, Id(id)) is { } range
                ? ranged.Compare(job.Inputs[id], range)
                : RangeOrder.Unknown).ToList();
        return orders.Contains(RangeOrder.Unknown) ? RangeOrder.Unknown : RangeOrders.Combine(orders);
    }

    private static JsonElement ParseOffsets(OutputOperation output, BatchCommit commit)
    {
        try
        {
            using var document = JsonDocument.Parse(commit.Offsets);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document.RootElement.Clone();
            }
        }
        catch (JsonException)
        {
        }

        throw new InvalidOperationException($"{output.Description}: the sink's last commit (batch {commit.Time}) holds offsets that are not a JSON object, as the engine wrote them: {commit.Offsets}");
    }

    private static JsonElement? Range(JsonElement offsets, string inputId) =>
        offsets.TryGetProperty(inputId, out var range) && range.ValueKind != JsonValueKind.Null ? range : null;

    private static string Id(int inputId) => inputId.ToString(CultureInfo.InvariantCulture);
}
