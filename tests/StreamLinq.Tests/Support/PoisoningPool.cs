using System.Buffers;
using System.Collections.Concurrent;

namespace StreamLinq.Tests.Support;

/// <summary>
/// An array pool that never reuses an array and overwrites every returned one with
/// <see cref="Poison"/>, so that a read after the return shows as wrong records; it counts
/// returns and records an array returned twice or one it never lent.
/// </summary>
public sealed class PoisoningPool<T>(T poison) : ArrayPool<T>
{
    private readonly ConcurrentDictionary<T[], bool> _lent = new(ReferenceEqualityComparer.Instance);
    private int _returned;

    public T Poison { get; } = poison;

    public int Rented => _lent.Count;

    public int Returned => Volatile.Read(ref _returned);

    /// <summary>Arrays returned twice, or returned without having been lent: use after return.</summary>
    public ConcurrentQueue<string> Misuses { get; } = new();

    public override T[] Rent(int minimumLength)
    {
        var array = new T[minimumLength];
        _lent[array] = false;
        return array;
    }

    public override void Return(T[] array, bool clearArray = false)
    {
        if (!_lent.TryGetValue(array, out var returned))
        {
            Misuses.Enqueue($"an array of {array.Length} never lent was returned");
            return;
        }

        if (returned || !_lent.TryUpdate(array, true, false))
        {
            Misuses.Enqueue($"an array of {array.Length} was returned twice");
            return;
        }

        Array.Fill(array, Poison);
        Interlocked.Increment(ref _returned);
    }
}
