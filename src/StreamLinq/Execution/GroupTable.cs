using System.Runtime.InteropServices;

namespace StreamLinq.Execution;

// Keys may be null, as in LINQ's GroupBy; a null key has its own slot and never reaches the
// dictionary, so the dictionary's notnull constraint holds at run time.
#pragma warning disable CS8714

/// <summary>
/// The hash table of a hash aggregation: a slot per distinct key, in order of first appearance
/// (the order LINQ's GroupBy yields), and one <see cref="AggregateColumn"/> per aggregate.
/// A null key has a slot of its own, as in LINQ.
/// </summary>
internal sealed class GroupTable<TKey>
{
    private readonly Dictionary<TKey, int> _index = [];
    private int _nullSlot = -1;

    public GroupTable(AggregateColumn[] columns) => Columns = columns;

    public TKey[] Keys = new TKey[16];

    public int Count;

    public readonly AggregateColumn[] Columns;

    /// <summary>The slot of <paramref name="key"/>, created if the key is new.</summary>
    public int FindOrAdd(TKey key, out bool isNew)
    {
        if (key is null)
        {
            isNew = _nullSlot < 0;
            if (isNew)
            {
                _nullSlot = Add(key);
            }

            return _nullSlot;
        }

        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, key, out var exists);
        isNew = !exists;
        if (isNew)
        {
            slot = Add(key);
        }

        return slot;
    }

    /// <summary>Folds another partition's table into this one; keys new to this table go last, in their order.</summary>
    public void MergeFrom(GroupTable<TKey> other)
    {
        for (var from = 0; from < other.Count; from++)
        {
            var into = FindOrAdd(other.Keys[from], out var isNew);
            for (var c = 0; c < Columns.Length; c++)
            {
                Columns[c].Merge(into, other.Columns[c], from, isNew);
            }
        }
    }

    private int Add(TKey key)
    {
        var slot = Count++;
        if (slot == Keys.Length)
        {
            Array.Resize(ref Keys, Keys.Length * 2);
            foreach (var column in Columns)
            {
                column.Grow(Keys.Length);
            }
        }

        Keys[slot] = key;
        return slot;
    }
}
#pragma warning restore CS8714
