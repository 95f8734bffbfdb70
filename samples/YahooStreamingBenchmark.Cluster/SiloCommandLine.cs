using System.Globalization;

namespace YahooStreamingBenchmark.Cluster;

/// <summary>
/// A silo process's command line as its launcher writes it: <c>--flag value</c> pairs. Each read
/// fails with an <see cref="ArgumentException"/> naming the program and the flag. This sample's
/// <see cref="SiloArguments"/> and the kill test's silo worker read theirs through it.
/// </summary>
public sealed class SiloCommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly string _program;

    /// <summary>Reads <paramref name="args"/> as pairs; <paramref name="program"/> names the program in errors (e.g. <c>silo mode</c>).</summary>
    public SiloCommandLine(IReadOnlyList<string> args, string program)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentException.ThrowIfNullOrEmpty(program);
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            _values[args[i]] = args[i + 1];
        }

        _program = program;
    }

    /// <summary>The value of <paramref name="flag"/>.</summary>
    /// <exception cref="ArgumentException">The flag is missing or empty.</exception>
    public string Text(string flag) =>
        _values.TryGetValue(flag, out var value) && value.Length > 0 ? value : throw new ArgumentException($"{_program} needs {flag}.");

    /// <summary>The value of <paramref name="flag"/>, a positive whole number.</summary>
    /// <exception cref="ArgumentException">The flag is missing, or not a positive whole number.</exception>
    public int Number(string flag) =>
        int.TryParse(Text(flag), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{_program}: {flag} takes a positive whole number, not '{_values[flag]}'.");
}
