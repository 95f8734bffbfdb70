namespace YahooStreamingBenchmark;

/// <summary>
/// Recomputes the benchmark's answer from the generated events (the generator counts the views
/// of each campaign window as it makes them) and compares it with what the job stored.
/// </summary>
public static class Checker
{
    /// <summary>Every campaign window whose stored count differs from the expected one, described; empty if all match.</summary>
    public static IReadOnlyList<string> Compare(IReadOnlyDictionary<CampaignWindow, long> expected, IReadOnlyDictionary<CampaignWindow, WindowState> stored)
    {
        var mismatches = new List<string>();
        foreach (var (window, count) in expected)
        {
            var actual = stored.TryGetValue(window, out var state) ? state.SeenCount : 0;
            if (actual != count)
            {
                mismatches.Add($"campaign {window.CampaignId} window {window.WindowStart}: expected {count}, stored {actual}");
            }
        }

        foreach (var window in stored.Keys.Where(w => !expected.ContainsKey(w)))
        {
            mismatches.Add($"campaign {window.CampaignId} window {window.WindowStart}: stored {stored[window].SeenCount}, expected none");
        }

        return mismatches;
    }
}
