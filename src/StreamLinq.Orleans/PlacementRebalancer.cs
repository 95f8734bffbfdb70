using Orleans;
using Orleans.Core.Internal;
using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime;
using StreamLinq.Distributed;

namespace StreamLinq.Orleans;

/// <summary>
/// Rescaling: when a silo joins the cluster, the driver deactivates the job's executors and
/// reducers at the next batch boundary, so that Orleans places each again by the hash of its key
/// over the silos active now (<see cref="HashBasedPlacementAttribute"/>) and the new silo takes its
/// share of source and key partitions; Orleans would otherwise leave every activation where it is.
/// A silo that leaves (gracefully or not) needs nothing more: its activations end with it and come
/// back, placed by hash over the silos left, when the next batch calls them. Executors keep nothing
/// across batches. A reducer's keyed state moves by the checkpoint path: its next activation
/// answers "behind", and the driver restores it from the reducers' last state and replays the
/// batches since, outputs off, so nothing is lost or written twice. A job without a checkpoint
/// store is never moved: its reducers would lose their state.
/// </summary>
internal sealed class PlacementRebalancer(IClusterMembershipService membership, IClusterManifestProvider manifests)
{
    private string[]? _silos;

    /// <summary>How many moves completed since the driver activated.</summary>
    public long Moves { get; private set; }

    /// <summary>
    /// Whether a silo placement can use has appeared since the last call (never at the first,
    /// when the job's grains were just placed). Those are the active silos whose manifest this
    /// silo has: a silo that just joined is active a moment before its manifest arrives, and
    /// placement ignores it until then, so moving at once would place nothing on it.
    /// </summary>
    public bool SiloJoined()
    {
        var described = manifests.Current.Silos;
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active && described.ContainsKey(member.SiloAddress))
            .Select(member => member.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToArray();
        var joined = _silos is not null && silos.Except(_silos, StringComparer.Ordinal).Any();
        _silos = silos;
        return joined;
    }

    /// <summary>
    /// Deactivates every executor and reducer of <paramref name="job"/>; call it between batches.
    /// A move that failed (a silo died meanwhile) is tried again at the next boundary.
    /// </summary>
    public async Task MoveAsync(IGrainFactory grains, string job, DistributedPlan plan)
    {
        var moves = new List<Task>();
        foreach (var source in plan.Sources)
        {
            moves.AddRange(source.Partitions.Select(partition =>
                grains.GetGrain<IExecutorGrain>(StreamJobGrain.ExecutorKey(job, source.InputId, partition)).AsReference<IGrainManagementExtension>().DeactivateOnIdle().AsTask()));
        }

        moves.AddRange(Enumerable.Range(0, plan.KeyPartitions).Select(k =>
            grains.GetGrain<IReducerGrain>(StreamJobGrain.ReducerKey(job, k)).AsReference<IGrainManagementExtension>().DeactivateOnIdle().AsTask()));
        try
        {
            await Task.WhenAll(moves);
            Moves++;
        }
        catch (Exception error) when (error is OrleansException or TimeoutException)
        {
            // Grains that did not move stay where they are, which is correct, only uneven; the
            // next boundary tries again (every silo looks new against none).
            _silos = [];
        }
    }
}
