using Orleans;
using Orleans.Core.Internal;
using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime;
using StreamLinq.Distributed;

namespace StreamLinq.Orleans;

/// <summary>
/// Rescaling: when the cluster's active silos change (a silo joined, left or died), the driver
/// deactivates the job's executors and reducers at the next batch boundary, so that Orleans places
/// each again by the hash of its key over the silos active now (<see cref="HashBasedPlacementAttribute"/>):
/// a silo that joins takes its share of source and key partitions, and those of a silo that left
/// spread over all the others instead of piling onto whichever silo Orleans picked for them.
/// Executors keep nothing across batches. A reducer's keyed state moves by the checkpoint path:
/// its next activation answers "behind", and the driver restores it from the reducers' last state
/// and replays the batches since, outputs off, so nothing is lost or written twice. A job without
/// a checkpoint store is never moved: its reducers would lose their state.
/// </summary>
internal sealed class PlacementRebalancer(IClusterMembershipService membership, IClusterManifestProvider manifests)
{
    private string[]? _silos;

    /// <summary>How many moves completed.</summary>
    public long Moves { get; private set; }

    /// <summary>
    /// Whether the silos placement can use differ from those of the last call (never at the
    /// first, when the job's grains were just placed). Those are the active silos whose manifest
    /// this silo has: a silo that just joined is active a moment before its manifest arrives,
    /// and placement ignores it until then, so moving at once would place nothing on it.
    /// </summary>
    public bool SilosChanged()
    {
        var described = manifests.Current.Silos;
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active && described.ContainsKey(member.SiloAddress))
            .Select(member => member.SiloAddress.ToParsableString())
            .Order(StringComparer.Ordinal)
            .ToArray();
        var changed = _silos is not null && !_silos.SequenceEqual(silos);
        _silos = silos;
        return changed;
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
            // Grains that did not move stay where they are, which is correct, only uneven.
            _silos = [];
        }
    }
}
