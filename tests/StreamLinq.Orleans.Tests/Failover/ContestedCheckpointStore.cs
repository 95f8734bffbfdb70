using System.Collections.Concurrent;
using StreamLinq.Checkpointing;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// The checkpointed failover jobs' store: a <see cref="DirectoryCheckpointStore"/> in which a test
/// can have a rival driver claim an epoch first (<see cref="ClaimFirst"/>): the rival's claim is
/// created right before the job's driver creates its own for the same epoch, as a second driver
/// that read the store at the same moment would have.
/// </summary>
public sealed class ContestedCheckpointStore(string directory) : ICheckpointStore
{
    private static readonly ConcurrentDictionary<string, byte[]> Rivals = new(StringComparer.Ordinal);
    private readonly DirectoryCheckpointStore _store = new(directory);

    public string Description => _store.Description;

    /// <summary>The next epoch claim made in <paramref name="directory"/> loses to <paramref name="claim"/>, written first under the same number.</summary>
    public static void ClaimFirst(string directory, byte[] claim) => Rivals[Path.GetFullPath(directory)] = claim;

    /// <summary>Every checkpoint in the store, in order, with its bytes.</summary>
    public static async Task<List<(long Sequence, string Bytes)>> ContentsAsync(ICheckpointStore store)
    {
        var contents = new List<(long, string)>();
        foreach (var sequence in (await store.ListAsync(CancellationToken.None)).Order())
        {
            contents.Add((sequence, Convert.ToBase64String((await store.ReadAsync(sequence, CancellationToken.None))!)));
        }

        return contents;
    }

    public ValueTask<IReadOnlyCollection<long>> ListAsync(CancellationToken cancellationToken) => _store.ListAsync(cancellationToken);

    public ValueTask<byte[]?> ReadAsync(long sequence, CancellationToken cancellationToken) => _store.ReadAsync(sequence, cancellationToken);

    public ValueTask WriteAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken) => _store.WriteAsync(sequence, checkpoint, cancellationToken);

    public async ValueTask<bool> TryCreateAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken)
    {
        if (CheckpointLayout.IsClaim(sequence) && Rivals.TryRemove(_store.Directory, out var rival))
        {
            Assert.True(await _store.TryCreateAsync(sequence, rival, cancellationToken));
        }

        return await _store.TryCreateAsync(sequence, checkpoint, cancellationToken);
    }

    public ValueTask DeleteAsync(long sequence, CancellationToken cancellationToken) => _store.DeleteAsync(sequence, cancellationToken);
}
