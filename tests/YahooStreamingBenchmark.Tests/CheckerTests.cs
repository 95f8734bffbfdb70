using System.Text;

namespace YahooStreamingBenchmark.Tests;

/// <summary>
/// The benchmark's checker: the counts the job stores per campaign window must equal the views
/// the generator made, in every mode; Redis modes run against a real redis-server the test starts.
/// </summary>
public class CheckerTests
{
    private static readonly RunOptions Short = new(Seconds: 1.5, Rate: 40_000, BatchInterval: TimeSpan.FromMilliseconds(100));

    [Fact]
    public async Task In_memory_mode_stores_exactly_the_generated_view_counts()
    {
        var report = await BenchmarkRun.RunAsync(Short);
        Assert.True(report.Events > 0);
        Assert.Empty(report.Mismatches);
        Assert.True(report.Windows >= Campaigns.CampaignCount, $"{report.Windows} campaign windows");
    }

    [Fact]
    public async Task Pre_parsed_mode_stores_exactly_the_generated_view_counts()
    {
        var report = await BenchmarkRun.RunAsync(Short with { PreParsed = true });
        Assert.True(report.Events > 0);
        Assert.Empty(report.Mismatches);
        Assert.True(report.Windows >= Campaigns.CampaignCount, $"{report.Windows} campaign windows");
    }

    [Fact]
    public async Task Pre_parsed_events_from_a_redis_stream_are_refused_naming_the_mode()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => BenchmarkRun.RunAsync(Short with { PreParsed = true, Mode = EventSourceMode.Redis }));
        Assert.Contains("Redis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_stream_mode_stores_exactly_the_generated_view_counts_in_redis()
    {
        var report = await BenchmarkRun.RunAsync(Short with { Mode = EventSourceMode.Redis, Rate = 20_000 });
        Assert.True(report.Events > 0);
        Assert.Empty(report.Mismatches);
    }

    [Fact]
    public async Task In_memory_events_with_the_redis_store_store_exactly_the_generated_view_counts()
    {
        var report = await BenchmarkRun.RunAsync(Short with { RedisStore = true, Parallelism = 2 });
        Assert.True(report.Events > 0);
        Assert.Empty(report.Mismatches);
    }

    [Fact]
    public async Task Redis_store_adds_counts_across_batches_under_the_original_layout()
    {
        await using var server = await RedisServer.StartAsync();
        var database = server.Connection.GetDatabase();
        var store = new RedisWindowStore(database, "t:");
        var campaign = Guid.NewGuid();
        await store.AddAsync([new WindowCount(campaign, 20_000, 3)], 25_000, CancellationToken.None);
        await store.AddAsync([new WindowCount(campaign, 20_000, 4)], 26_500, CancellationToken.None);
        var windowKey = (string?)await database.HashGetAsync($"t:{campaign}", "20000");
        Assert.Equal($"t:{campaign}:20000", windowKey);
        Assert.Equal(7, (long)await database.HashGetAsync(windowKey, "seen_count"));
        Assert.Equal(26_500, (long)await database.HashGetAsync(windowKey, "time_updated"));
        var all = await store.ReadAllAsync([campaign]);
        Assert.Equal(new WindowState(7, 26_500), all[new CampaignWindow(campaign, 20_000)]);
    }

    [Fact]
    public void Checker_reports_a_window_whose_count_differs_and_one_never_generated()
    {
        var campaign = Guid.NewGuid();
        var expected = new Dictionary<CampaignWindow, long> { [new(campaign, 0)] = 5, [new(campaign, 10_000)] = 2 };
        var stored = new Dictionary<CampaignWindow, WindowState> { [new(campaign, 0)] = new(5, 1), [new(campaign, 10_000)] = new(3, 1), [new(campaign, 20_000)] = new(1, 1) };
        var mismatches = Checker.Compare(expected, stored);
        Assert.Equal(2, mismatches.Count);
        Assert.Contains(mismatches, m => m.Contains("expected 2, stored 3", StringComparison.Ordinal));
        Assert.Contains(mismatches, m => m.Contains("expected none", StringComparison.Ordinal));
    }

    [Fact]
    public void Parser_reads_the_generators_events_and_the_original_field_layout()
    {
        var campaigns = Campaigns.Create();
        var generator = new EventGenerator(campaigns);
        var json = generator.Next(1_700_000_012_345);
        var parsed = AdEvent.Parse(json);
        Assert.Equal(1_700_000_012_345, parsed.EventTime);
        Assert.Contains(campaigns, c => c.AdId == parsed.AdId);
        var original = Encoding.UTF8.GetBytes("""{"user_id":"3f8b8a5c-2f4b-4a8e-9a43-6f1f3c1f2a10","page_id":"9a1c6f4e-1d2b-4c3a-8e7f-0a1b2c3d4e5f","ad_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","ad_type":"banner","event_type":"view","event_time":"1700000000000","ip_address":"1.2.3.4"}""");
        Assert.Equal(new AdEvent(Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), AdEventType.View, 1_700_000_000_000), AdEvent.Parse(original));
    }

    [Fact]
    public void Parser_names_the_missing_field()
    {
        var error = Assert.Throws<FormatException>(() => AdEvent.Parse(Encoding.UTF8.GetBytes("""{"ad_id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","event_type":"view"}""")));
        Assert.Contains("event_time", error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => AdEvent.Parse(Encoding.UTF8.GetBytes("""{"ad_id":"not a uuid","event_type":"view","event_time":"1"}""")));
    }
}
