using FsCheck;
using FsCheck.Fluent;

namespace StreamLinq.Tests.Support;

/// <summary>A record with a nullable string, floating point, a decimal and a time with its offset.</summary>
public sealed record Reading(string? Sensor, double Value, decimal Price, DateTimeOffset At);

/// <summary>A record struct of floats, a Guid and an enum.</summary>
public readonly record struct Point(float X, float Y, Guid Id, Shade Shade);

/// <summary>An enum of another width than int, whose undefined values must come back too.</summary>
public enum Shade : short
{
    Light = 1,
    Dark = 2,
}

/// <summary>
/// A class with public fields, a settable property, a get-only property no constructor sets,
/// a private field and a nested collection: the shapes System.Text.Json's defaults lose.
/// </summary>
public sealed class Tally
{
    public int Count;
    public (string? Name, long Total) Pair;

    public Tally(int count, string? label, long secret, IReadOnlyList<double> recent, Dictionary<(int, string), List<double?>> byKey)
    {
        Count = count;
        Label = label;
        _secret = secret;
        Recent = recent;
        ByKey = byKey;
        Pair = (label, secret);
    }

    public string? Label { get; set; }

    public IReadOnlyList<double> Recent { get; }

    public Dictionary<(int, string), List<double?>> ByKey { get; }

    public long Secret => _secret;

    private readonly long _secret;
}

/// <summary>The input of the round-trip property: an event second, a key and a value.</summary>
public sealed record Item<TKey, TValue>(int Second, TKey Key, TValue Value);

/// <summary>FsCheck generators of the values a checkpoint must hold exactly.</summary>
internal static class CheckpointValues
{
    public static readonly Gen<int> Ints = Gen.OneOf(Gen.Choose(-3, 3), Gen.Choose(int.MinValue + 1, int.MaxValue - 1), Gen.Elements(int.MinValue, int.MaxValue));

    public static readonly Gen<long> Longs = Gen.Zip(Ints, Ints).Select(p => ((long)p.Item1 << 32) ^ (uint)p.Item2);

    /// <summary>Doubles from their bits (subnormals, NaN payloads) and the values that break JSON: NaN, ±∞, -0.0.</summary>
    public static readonly Gen<double> Doubles = Gen.OneOf(
        Gen.Elements(double.NaN, -double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, double.MaxValue, double.MinValue, 0.1, 1e-300,
            BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0123), BitConverter.Int64BitsToDouble(unchecked((long)0xFFF0_0000_0000_0001))),
        Longs.Select(BitConverter.Int64BitsToDouble),
        Ints.Select(i => i / 7.0));

    public static readonly Gen<float> Floats = Gen.OneOf(
        Gen.Elements(float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0.0f, float.Epsilon, float.MaxValue, BitConverter.Int32BitsToSingle(0x7FC0_0001)),
        Ints.Select(BitConverter.Int32BitsToSingle));

    /// <summary>Decimals with their scale (1.10 is not 1.1) and sign of zero.</summary>
    public static readonly Gen<decimal> Decimals = Gen.OneOf(
        Gen.Elements(0m, -0.00m * 1, decimal.Negate(0.000m), 1.10m, 1.1m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m),
        Gen.Zip(Ints, Gen.Choose(0, 28)).Select(p => new decimal(Math.Abs(p.Item1 % 1_000_000_000), 0, 0, p.Item1 < 0, (byte)p.Item2)));

    /// <summary>Strings with lone surrogates, pairs, controls and nulls.</summary>
    public static readonly Gen<string?> Strings = Gen.OneOf(
        Gen.Elements<string?>(null, "", "a", "\uD800", "x\uDC00y", "\uD83D\uDE00", "\uDE00\uD83D", "é\0\n\"\\<", "\uFFFF"),
        Gen.ArrayOf(Gen.Elements('a', 'Z', ' ', '\uD800', '\uDFFF', '\u00E9', '"', '\0'), 6).Select(chars => (string?)new string(chars)));

    /// <summary>The values of <paramref name="gen"/>, and null now and then.</summary>
    public static Gen<T?> OrNull<T>(Gen<T> gen)
        where T : struct =>
        Gen.Frequency((1, Gen.Constant<T?>(null)), (3, gen.Select(v => (T?)v)));

    public static readonly Gen<DateTimeOffset> Times = Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(-14 * 60, 14 * 60))
        .Select(p => new DateTimeOffset(DateTime.UnixEpoch.Ticks + (long)p.Item1 * 1_000_003, TimeSpan.FromMinutes(p.Item2)));

    public static readonly Gen<Guid> Guids = Gen.Zip(Longs, Longs).Select(p => new Guid([.. BitConverter.GetBytes(p.Item1), .. BitConverter.GetBytes(p.Item2)]));

    public static readonly Gen<Shade> Shades = Gen.Elements(Shade.Light, Shade.Dark, (Shade)0, (Shade)(-7), (Shade)3);

    public static readonly Gen<Reading?> Readings = Gen.Zip(Gen.Zip(Strings, Doubles), Gen.Zip(Decimals, Times))
        .Select(p => new Reading(p.Item1.Item1, p.Item1.Item2, p.Item2.Item1, p.Item2.Item2))
        .Select(r => (Reading?)r);

    public static readonly Gen<Point> Points = Gen.Zip(Gen.Zip(Floats, Floats), Gen.Zip(Guids, Shades))
        .Select(p => new Point(p.Item1.Item1, p.Item1.Item2, p.Item2.Item1, p.Item2.Item2));

    public static readonly Gen<Dictionary<(int, string), List<double?>>> Nested = Gen.ListOf(
            Gen.Zip(Gen.Zip(Gen.Choose(0, 5), Gen.Elements("a", "\uD800", "")), Gen.ListOf(OrNull(Doubles), 3)), 3)
        .Select(entries => entries.DistinctBy(e => e.Item1).ToDictionary(e => e.Item1, e => e.Item2.ToList()));

    public static readonly Gen<Tally> Tallies = Gen.Zip(Gen.Zip(Ints, Strings), Gen.Zip(Longs, Gen.Zip(Gen.ArrayOf(Doubles, 3), Nested)))
        .Select(p => new Tally(p.Item1.Item1, p.Item1.Item2, p.Item2.Item1, p.Item2.Item2.Item1, p.Item2.Item2.Item2));
}
