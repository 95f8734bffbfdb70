namespace StreamLinq.AdaptiveInterval;

/// <summary>Phases of a steady input rate: each a share of capacity held for a number of seconds.</summary>
internal sealed class LoadProfile(IReadOnlyList<(double Load, double Seconds)> phases, double capacity)
{
    public IReadOnlyList<(double Load, double Seconds)> Phases { get; } = phases;

    public double Seconds => Phases.Sum(p => p.Seconds);

    /// <summary>How many records are due <paramref name="seconds"/> after the start: the integral of the rate.</summary>
    public long DueAt(double seconds)
    {
        double due = 0, start = 0;
        foreach (var (load, length) in Phases)
        {
            due += load * capacity * Math.Clamp(seconds - start, 0, length);
            start += length;
        }

        return (long)due;
    }

    /// <summary>The phase running <paramref name="seconds"/> after the start.</summary>
    public int PhaseAt(double seconds)
    {
        double end = 0;
        for (var i = 0; i < Phases.Count; i++)
        {
            end += Phases[i].Seconds;
            if (seconds < end)
            {
                return i;
            }
        }

        return Phases.Count - 1;
    }
}
