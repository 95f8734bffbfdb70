using System.Collections.Concurrent;
using Microsoft.Playwright;
using StreamLinq.Dashboard;
using Xunit.Abstractions;

namespace StreamLinq.Hosting.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's <c>chromium</c>, driven by Playwright; no
/// browser is downloaded): the page loads, its charts receive live points while a job runs, and
/// a failed batch appears with its error. Saves a screenshot as a test artifact.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            ChromiumSandbox = false,
            Args =
            [
                // Playwright gives every launch a fresh, temporary user data directory of its own.
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what} (last: {value})");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task The_page_loads_its_charts_receive_live_points_and_a_failed_batch_shows_with_its_error()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is not installed: run .ci/install-deps");
        var input = new ConcurrentQueue<IEnumerable<int>>();
        await using var context = new StreamingContext(TimeSpan.FromMilliseconds(200), new StreamingOptions
        {
            JobName = "dashboard-test",
            StopOnBatchFailure = false,
            RestartStrategy = RestartStrategy.None,
        });
        context.QueueStream(input).Where(x => x != 0).ForEachBatch((batch, _) =>
        {
            if (batch.Contains(-1))
            {
                throw new InvalidOperationException("poisoned record -1");
            }
        });
        await context.StartAsync();
        await using var server = await DashboardServer.StartAsync([context]);
        output.WriteLine($"dashboard at {server.Address}");
        Assert.Equal("127.0.0.1", server.Address.Host);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1400 } });
        var response = await page.GotoAsync(server.Address.ToString());
        Assert.Equal(200, response!.Status);
        Assert.Equal("StreamLinq", await page.TitleAsync());
        await PollAsync(() => page.TextContentAsync("#status"), s => s == "live", "the live feed to connect");
        Assert.Contains("dashboard-test", await page.TextContentAsync("#job-name") ?? "", StringComparison.Ordinal);
        Assert.Contains("ForEachBatch", await page.TextContentAsync("#plan") ?? "", StringComparison.Ordinal);

        // Live: the timelines grow while the job runs, without a reload.
        for (var i = 0; i < 20; i++)
        {
            input.Enqueue(Enumerable.Range(1, 10 * (i + 1)));
        }

        Task<int> Points(string chart) => page.EvaluateAsync<int>($"Number(document.querySelector('#chart-{chart}').dataset.points)");
        var before = await PollAsync(() => Points("input-rate"), n => n >= 2, "the first points");
        var after = await PollAsync(() => Points("input-rate"), n => n >= before + 3, "more live points");
        Assert.True(after > before);
        Assert.True(await page.EvaluateAsync<bool>("document.querySelector('#chart-input-rate').dataset.points === document.querySelector('#chart-total-delay').dataset.points"), "every timeline has a point per batch");

        // A failed batch appears in the table, marked, and its detail shows the error.
        input.Enqueue([1, -1, 2]);
        await PollAsync(() => page.Locator("#batches tr.batch.failed").CountAsync(), n => n >= 1, "the failed batch");
        await page.Locator("#batches tr.batch.failed").First.ClickAsync();
        var failure = await page.TextContentAsync("#detail-failure");
        Assert.Contains("poisoned record -1", failure, StringComparison.Ordinal);
        Assert.Contains("ForEachBatch", await page.TextContentAsync("#detail-body") ?? "", StringComparison.Ordinal);
        Assert.True(await page.Locator("#chart-total-delay circle.failed").CountAsync() >= 1, "the failed batch is marked on the timeline");

        // The header follows the interval in force, changed at run time.
        Assert.Contains("batch interval 200 ms", await page.TextContentAsync("#job-name") ?? "", StringComparison.Ordinal);
        await context.SetBatchIntervalAsync(TimeSpan.FromMilliseconds(100));
        await PollAsync(() => page.TextContentAsync("#job-name"), t => t?.Contains("batch interval 100 ms", StringComparison.Ordinal) == true, "the new interval in the header");

        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts"));
        var screenshot = Path.Combine(artifacts.FullName, "dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is empty");
        output.WriteLine($"screenshot: {screenshot}");
        await context.StopAsync(graceful: false);
    }
}
