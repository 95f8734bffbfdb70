namespace StreamLinq.Testing.FsCheck;

/// <summary>Comparison of two collections as multisets, with the difference in words for a counterexample's label.</summary>
internal static class Multiset
{
    public static string? Difference<T>(IEnumerable<T> expected, IEnumerable<T> actual, IEqualityComparer<T>? comparer = null)
    {
        comparer ??= EqualityComparer<T>.Default;
        var missing = new List<T>();
        var extra = actual.ToList();
        foreach (var item in expected)
        {
            var at = extra.FindIndex(x => comparer.Equals(x, item));
            if (at >= 0)
            {
                extra.RemoveAt(at);
            }
            else
            {
                missing.Add(item);
            }
        }

        return missing.Count == 0 && extra.Count == 0
            ? null
            : $"missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]";
    }
}
