using StreamLinq.Sinks;
using StreamLinq.State.Codecs;

namespace StreamLinq.Checkpointing;

/// <summary>
/// A checkpoint written by an earlier version of the query, checked operator by operator against
/// the current one (Flink's savepoint restore by operator id): which old state each stateful
/// operator resumes, how its values are read (<see cref="SchemaMigration"/>), which state is
/// dropped as asked, and where each output's place in the pending batches went.
/// </summary>
internal sealed class StateUpgrade
{
    private readonly Dictionary<string, string> _restoredFrom = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SchemaMigration> _migrations = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _outputs = [];
    private readonly List<int> _addedOutputs = [];

    private StateUpgrade()
    {
    }

    /// <summary>What the restore should report: operators that start empty, state dropped, outputs added or removed.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The state ids of the checkpoint that are not restored: dropped as asked.</summary>
    public HashSet<string> Dropped { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Checks the current query (<paramref name="current"/>, <paramref name="outputs"/>) against
    /// the checkpoint's. Returns the upgrade, or null when the checkpoint has no schema (written
    /// before upgrades were possible: the fingerprint alone decides, as before).
    /// </summary>
    /// <exception cref="InvalidOperationException">A change does not fit the state: one line per operator and why.</exception>
    public static StateUpgrade? Check(CheckpointData checkpoint, QuerySchema current, IReadOnlyList<OutputOperation> outputs, CheckpointOptions options, string store)
    {
        if (checkpoint.Schema is not { } written)
        {
            return null;
        }

        var upgrade = new StateUpgrade();
        var problems = new List<string>();
        if (!written.Inputs.SequenceEqual(current.Inputs))
        {
            problems.Add($"the inputs were {string.Join(", ", written.Inputs)}, now {string.Join(", ", current.Inputs)}: inputs may not be added, removed or changed, since the checkpoint's positions and pending batches are by input");
        }

        var old = written.Operators.ToDictionary(o => o.Id, StringComparer.Ordinal);
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var now in current.Operators)
        {
            // A newly named operator finds the state it kept unnamed under its derived id.
            var was = old.GetValueOrDefault(now.Id)
                ?? (now.Id != now.DerivedId && old.GetValueOrDefault(now.DerivedId) is { } unnamed && unnamed.Id == unnamed.DerivedId && !current.Operators.Any(o => o.Id == unnamed.Id) ? unnamed : null);
            if (was is null)
            {
                upgrade.Notes.Add($"\"{now.Id}\" ({now.Kind}) is new: its state starts empty.");
                continue;
            }

            claimed.Add(was.Id);
            if (options.DroppedState.Contains(now.Id) || options.DroppedState.Contains(was.Id))
            {
                upgrade.Dropped.Add(was.Id);
                upgrade.Notes.Add($"The state of \"{was.Id}\" is dropped, as {nameof(CheckpointOptions)}.{nameof(CheckpointOptions.DropStateOf)} asks: \"{now.Id}\" starts empty.");
                continue;
            }

            var migration = new SchemaMigration();
            var reasons = Fit(was, now, migration);
            if (reasons.Count > 0)
            {
                problems.Add($"\"{now.Id}\": {string.Join("; ", reasons)}");
                continue;
            }

            upgrade._restoredFrom[now.Id] = was.Id;
            if (!migration.IsEmpty)
            {
                upgrade._migrations[now.Id] = migration;
            }
        }

        foreach (var gone in written.Operators.Where(o => !claimed.Contains(o.Id)))
        {
            if (options.DroppedState.Contains(gone.Id))
            {
                upgrade.Dropped.Add(gone.Id);
                upgrade.Notes.Add($"The state of \"{gone.Id}\", which the query no longer has, is dropped, as {nameof(CheckpointOptions)}.{nameof(CheckpointOptions.DropStateOf)} asks.");
            }
            else
            {
                problems.Add(gone.Id == gone.DerivedId
                    ? $"\"{gone.Id}\": no operator of the query has this identity now: the {gone.Kind} was removed, or it is unnamed and the query at or below it changed (an unnamed operator is known by its structure; name it with .Named(...), first in an upgrade that changes nothing else)"
                    : $"\"{gone.Id}\": no operator is named so now: the {gone.Kind} was removed or renamed");
            }
        }

        if (problems.Count > 0)
        {
            var change = QueryFingerprint.Describe(checkpoint.Fingerprint, QueryFingerprint.Compute(outputs));
            throw new InvalidOperationException(
                $"The checkpoint in {store} was written by a different query, whose state does not fit this one{(change is null ? "" : $" ({change})")}:\n" +
                string.Join("\n", problems) +
                $"\nRestore the query, drop the named operators' state with {nameof(CheckpointOptions)}.{nameof(CheckpointOptions.DropStateOf)}(...), or discard the whole checkpoint with {nameof(CheckpointOptions)}.{nameof(CheckpointOptions.ResetOnQueryChange)}.");
        }

        upgrade.MapOutputs(checkpoint.Fingerprint, outputs);
        return upgrade;
    }

    /// <summary>The id the checkpoint holds <paramref name="stateId"/>'s state under; null when it starts empty.</summary>
    public string? SourceOf(string stateId) => _restoredFrom.GetValueOrDefault(stateId);

    /// <summary>How <paramref name="stateId"/>'s old values are read; null when its types did not change.</summary>
    public SchemaMigration? MigrationOf(string stateId) => _migrations.GetValueOrDefault(stateId);

    /// <summary>
    /// A pending batch's outputs that must not run, by the current outputs' positions: those done
    /// before the stop, and the outputs added since, which start at the next batch.
    /// </summary>
    public HashSet<int> DoneOutputs(IEnumerable<int> done) =>
        [.. done.Where(_outputs.ContainsKey).Select(i => _outputs[i]), .. _addedOutputs];

    private void MapOutputs(QueryFingerprint written, IReadOnlyList<OutputOperation> outputs)
    {
        var byId = outputs.ToDictionary(o => o.Id, o => o.Index, StringComparer.Ordinal);
        foreach (var output in written.Outputs)
        {
            if (byId.TryGetValue(output.Id ?? $"{output.Name} #{output.Index}", out var index))
            {
                _outputs[output.Index] = index;
            }
            else
            {
                Notes.Add($"Output \"{output.Id}\" is no longer in the query.");
            }
        }

        foreach (var added in outputs.Where(o => !_outputs.ContainsValue(o.Index)))
        {
            _addedOutputs.Add(added.Index);
            Notes.Add($"Output \"{added.Id}\" is new: it starts at the first batch after the ones the checkpoint left pending.");
        }
    }

    private static List<string> Fit(OperatorSchema was, OperatorSchema now, SchemaMigration migration)
    {
        if (was.Kind != now.Kind)
        {
            return [$"was a {was.Kind}, now a {now.Kind}, whose state is another"];
        }

        var reasons = new List<string>();
        switch (was.Key, now.Key)
        {
            case (null, { } key):
                reasons.Add($"was unkeyed, now keyed by {key.Name}");
                break;
            case ({ } key, null):
                reasons.Add($"was keyed by {key.Name}, now unkeyed");
                break;
            case ({ } key, not null):
                reasons.AddRange(SchemaEvolution.Compare("key", key, now.Shape!.Value.Key!, migration));
                break;
        }

        if (was.State is { } state && now.State is not null)
        {
            reasons.AddRange(SchemaEvolution.Compare("state", state, now.Shape!.Value.State!, migration));
        }

        if (was.Layout != now.Layout)
        {
            reasons.Add($"its {now.Layout?.Split(' ')[0] ?? "layout"} changed from {was.Layout} to {now.Layout}");
        }

        if (now.WindowLength > was.WindowLength)
        {
            reasons.Add($"the window grew from {TimeSpan.FromTicks(was.WindowLength.Value)} to {TimeSpan.FromTicks(now.WindowLength.Value)}, and the state holds only the batches of the shorter one");
        }

        return reasons;
    }
}
