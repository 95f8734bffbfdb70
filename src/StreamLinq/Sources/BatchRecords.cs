using System.Collections.Concurrent;
using System.Reflection;

namespace StreamLinq.Sources;

/// <summary>
/// One batch's records of one input, as the engine holds them: a sequence of segments (see
/// <see cref="BatchRecords{T}"/>), not necessarily one array.
/// </summary>
/// <remarks>
/// Per batch: made when the batch reads its input (<see cref="ISealedInput.ReadRecordsAsync"/>)
/// and released once when the batch is done with it, after its outputs ran, whether it
/// succeeded or failed for good; a retry of the batch reads the same records. Not checkpointed:
/// a replayed batch reads its input again from the source.
/// </remarks>
public abstract class BatchRecords
{
    private static readonly ConcurrentDictionary<Type, Func<Array, BatchRecords>> Wrappers = new();

    private protected BatchRecords()
    {
    }

    /// <summary>How many records the batch holds, over all its segments.</summary>
    public abstract int Count { get; }

    /// <summary>The type of the records.</summary>
    public abstract Type ElementType { get; }

    /// <summary>
    /// The records as one array of the record type: the array itself when the batch is one whole
    /// array nobody pools, otherwise a copy made on the first call (later calls return it).
    /// </summary>
    internal abstract Array ToArray();

    /// <summary>
    /// The records as an output gets them, a <c>T[]</c> or an <see cref="IReadOnlyList{T}"/>: a
    /// list over the segments when there are several and none is pooled (no copy), otherwise
    /// <see cref="ToArray"/>, so that user code never holds a buffer that goes back to a pool.
    /// </summary>
    internal abstract System.Collections.IEnumerable AsList();

    /// <summary>Runs the release action, once; later calls do nothing.</summary>
    internal abstract void Release();

    /// <summary>Wraps a <c>T[]</c> (what <see cref="ISealedInput.ReadAsync"/> returns) as one segment, without copying.</summary>
    /// <exception cref="ArgumentException"><paramref name="records"/> is not a one-dimensional, zero-based array.</exception>
    internal static BatchRecords Of(Array records)
    {
        var type = records.GetType();
        if (!type.IsSZArray)
        {
            throw new ArgumentException($"A sealed input read a {type}, not a one-dimensional array of records.", nameof(records));
        }

        return Wrappers.GetOrAdd(type.GetElementType()!, static element =>
            typeof(BatchRecords).GetMethod(nameof(Wrap), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(element)
                .CreateDelegate<Func<Array, BatchRecords>>())(records);
    }

    private static BatchRecords Wrap<T>(Array records) => new BatchRecords<T>((T[])records);
}
