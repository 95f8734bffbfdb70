using System.Collections;
using System.Reflection;

namespace StreamLinq.Tests.Support;

/// <summary>
/// Structural equality as strict as a checkpoint must be, written apart from the engine's codec:
/// the same runtime types, floating-point values bit for bit (so -0.0 and NaN payloads count),
/// decimals with their scale, DateTimeOffset with its offset, DateTime with its kind, sequences in
/// order, and every instance field of everything else.
/// </summary>
internal static class ExactEquality
{
    /// <summary>Fails with the path of the first difference.</summary>
    public static void AssertEqual(object? expected, object? actual, string path = "value")
    {
        if (Difference(expected, actual, path, 0) is { } difference)
        {
            Assert.Fail(difference);
        }
    }

    public static string? Difference(object? expected, object? actual, string path, int depth)
    {
        if (depth > 64)
        {
            return $"{path}: nests too deep to compare";
        }

        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
        }

        var type = expected.GetType();
        if (type != actual.GetType())
        {
            return $"{path}: expected a {type}, got a {actual.GetType()}";
        }

        switch (expected)
        {
            case double d:
                return BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)actual) ? null : $"{path}: expected {d:R} ({BitConverter.DoubleToInt64Bits(d):X}), got {(double)actual:R} ({BitConverter.DoubleToInt64Bits((double)actual):X})";
            case float f:
                return BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits((float)actual) ? null : $"{path}: expected {f:R}, got {(float)actual:R} (bits differ)";
            case Half h:
                return BitConverter.HalfToInt16Bits(h) == BitConverter.HalfToInt16Bits((Half)actual) ? null : $"{path}: Half bits differ";
            case decimal m:
                return decimal.GetBits(m).SequenceEqual(decimal.GetBits((decimal)actual)) ? null : $"{path}: expected {m}, got {(decimal)actual} (scale or sign differ)";
            case string s:
                return string.Equals(s, (string)actual, StringComparison.Ordinal) ? null : $"{path}: expected \"{Escape(s)}\", got \"{Escape((string)actual)}\"";
            case DateTimeOffset o:
                var other = (DateTimeOffset)actual;
                return o.Ticks == other.Ticks && o.Offset == other.Offset ? null : $"{path}: expected {o:O}, got {other:O}";
            case DateTime t:
                var otherTime = (DateTime)actual;
                return t.Ticks == otherTime.Ticks && t.Kind == otherTime.Kind ? null : $"{path}: expected {t:O} ({t.Kind}), got {otherTime:O} ({otherTime.Kind})";
        }

        if (type.IsPrimitive || type.IsEnum || expected is Guid or TimeSpan or DateOnly or TimeOnly or Int128 or UInt128 or System.Numerics.BigInteger)
        {
            return expected.Equals(actual) ? null : $"{path}: expected {expected}, got {actual}";
        }

        if (expected is IEnumerable sequence)
        {
            if (type.GetProperty("Comparer") is { } comparer && !Equals(comparer.GetValue(expected), comparer.GetValue(actual)))
            {
                return $"{path}: the comparer differs";
            }

            var left = sequence.Cast<object?>().ToList();
            var right = ((IEnumerable)actual).Cast<object?>().ToList();
            if (left.Count != right.Count)
            {
                return $"{path}: expected {left.Count} items, got {right.Count}";
            }

            for (var i = 0; i < left.Count; i++)
            {
                if (Difference(left[i], right[i], $"{path}[{i}]", depth + 1) is { } difference)
                {
                    return difference;
                }
            }

            return null;
        }

        for (var declaring = type; declaring is not null && declaring != typeof(object); declaring = declaring.BaseType)
        {
            foreach (var field in declaring.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (Difference(field.GetValue(expected), field.GetValue(actual), $"{path}.{field.Name}", depth + 1) is { } difference)
                {
                    return difference;
                }
            }
        }

        return null;
    }

    private static string Show(object? value) => value is null ? "null" : $"a {value.GetType().Name}";

    private static string Escape(string value) =>
        string.Concat(value.Select(c => char.IsSurrogate(c) || char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
