using System.Globalization;
using System.Text;

namespace StreamLinq.Testing.FsCheck;

/// <summary>
/// Records as the batches that carry them: batch <c>i</c> (from 0) runs at batch time
/// <c>(i + 1) × Interval</c>, as a <see cref="StreamTestHarness"/> runs it. Its text lists every
/// batch with its time, so a shrunk counterexample reads as the input that fails.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
public sealed class BatchedInput<T>
{
    /// <summary>Creates an input of the given batches.</summary>
    /// <param name="batches">The batches in order; an empty one is a batch with no records.</param>
    /// <param name="interval">The batch interval; one second when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="batches"/> or one of them is null.</exception>
    public BatchedInput(IEnumerable<IEnumerable<T>> batches, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        Batches = batches.Select((b, i) => (IReadOnlyList<T>)(b ?? throw new ArgumentNullException(nameof(batches), $"Batch {i} is null.")).ToArray()).ToArray();
        Interval = interval ?? TimeSpan.FromSeconds(1);
    }

    /// <summary>The batches, in order.</summary>
    public IReadOnlyList<IReadOnlyList<T>> Batches { get; }

    /// <summary>The batch interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Every record, in arrival order.</summary>
    public IEnumerable<T> Records => Batches.SelectMany(b => b);

    /// <summary>How many records the batches hold.</summary>
    public int RecordCount => Batches.Sum(b => b.Count);

    /// <summary>The batch time of batch <paramref name="index"/> (from 0).</summary>
    /// <param name="index">The batch's index.</param>
    public BatchTime TimeOf(int index) => new((index + 1) * Interval.Ticks);

    /// <summary>The same records cut into batches of the given sizes.</summary>
    /// <param name="records">The records, in arrival order.</param>
    /// <param name="sizes">How many records each batch takes; they sum to the number of records.</param>
    /// <param name="interval">The batch interval; one second when null.</param>
    /// <exception cref="ArgumentException">The sizes do not add up to the records.</exception>
    public static BatchedInput<T> Cut(IReadOnlyList<T> records, IEnumerable<int> sizes, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(sizes);
        var batches = new List<T[]>();
        var at = 0;
        foreach (var size in sizes)
        {
            if (size < 0 || at + size > records.Count)
            {
                throw new ArgumentException($"Batch {batches.Count} takes {size} records from position {at} of {records.Count}.", nameof(sizes));
            }

            batches.Add(records.Skip(at).Take(size).ToArray());
            at += size;
        }

        if (at != records.Count)
        {
            throw new ArgumentException($"The sizes take {at} of {records.Count} records.", nameof(sizes));
        }

        return new BatchedInput<T>(batches, interval);
    }

    /// <summary>Lists the batches with their times: <c>[1970-01-01T00:00:01Z: a, b] [1970-01-01T00:00:02Z: ]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Batches.Count} batches:");
        for (var i = 0; i < Batches.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $" [{TimeOf(i)}: {string.Join(", ", Batches[i])}]");
        }

        return text.ToString();
    }
}
