using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamLinq.Hosting.Tests.Support;

namespace StreamLinq.Hosting.Tests.Hosting;

/// <summary>Jobs under the Generic Host: built from DI services, options from configuration, start and stop with the host, health.</summary>
public sealed class GenericHostTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A DI service the job reads its input from.</summary>
    public sealed class Inbox
    {
        public ConcurrentQueue<IEnumerable<int>> Batches { get; } = new();
    }

    /// <summary>A DI service the job writes to.</summary>
    public sealed class Outbox
    {
        public ConcurrentQueue<int> Records { get; } = new();
    }

    private static (IHost Host, CapturedLogs Logs) Build(Dictionary<string, string?> settings, Action<IServiceProvider, StreamLinqJob>? output = null, Action<HostOptions>? host = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        if (host is not null)
        {
            builder.Services.Configure(host);
        }

        builder.Services.AddSingleton<Inbox>();
        builder.Services.AddSingleton<Outbox>();
        builder.Services.AddStreamLinq().AddJob("numbers", job =>
        {
            if (output is not null)
            {
                output(job.Services, job);
                return;
            }

            var inbox = job.Services.GetRequiredService<Inbox>();
            var outbox = job.Services.GetRequiredService<Outbox>();
            job.Context.QueueStream(inbox.Batches).Select(x => x * 10).ForEachBatch((batch, _) =>
            {
                foreach (var x in batch)
                {
                    outbox.Records.Enqueue(x);
                }
            });
        });
        return (builder.Build(), logs);
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_job_built_from_DI_services_starts_with_the_host_and_stops_gracefully_with_it()
    {
        var (host, logs) = Build(new() { ["StreamLinq:Jobs:numbers:BatchInterval"] = "00:00:00.050" });
        using (host)
        {
            var inbox = host.Services.GetRequiredService<Inbox>();
            var input = Enumerable.Range(1, 5).Select(b => Enumerable.Range(b * 100, 3).ToArray()).ToList();
            foreach (var batch in input)
            {
                inbox.Batches.Enqueue(batch);
            }

            await host.StartAsync();
            var job = Assert.Single(host.Services.GetRequiredService<StreamLinqJobs>().Running);
            Assert.Equal(StreamingContextState.Active, job.Context.State);
            var outbox = host.Services.GetRequiredService<Outbox>();
            await Until(() => outbox.Records.Count == 15, "every record to be written");
            await host.StopAsync().WaitAsync(Patience);

            Assert.Equal(input.SelectMany(b => b).Select(x => x * 10), outbox.Records);
            Assert.Equal(StreamingContextState.Stopped, job.Context.State);
            Assert.Contains(logs.Entries, e => e.Id == 2002 && e.Message.Contains("numbers", StringComparison.Ordinal));
            Assert.Contains(logs.Entries, e => e.Id == 1000 && e.Category == "StreamLinq");
        }
    }

    [Fact]
    public async Task Options_bind_from_configuration_into_the_jobs_context_and_receiver_limits()
    {
        var (host, _) = Build(new()
        {
            ["StreamLinq:Jobs:numbers:BatchInterval"] = "00:00:00.250",
            ["StreamLinq:Jobs:numbers:BackPressure"] = "true",
            ["StreamLinq:Jobs:numbers:MaxQueuedBatches"] = "5",
            ["StreamLinq:Jobs:numbers:JobName"] = "configured-name",
            ["StreamLinq:Jobs:numbers:Receiver:BufferCapacity"] = "1234",
            ["StreamLinq:Jobs:numbers:Receiver:MaxRatePerSecond"] = "500",
        });
        using (host)
        {
            await host.StartAsync();
            var job = Assert.Single(host.Services.GetRequiredService<StreamLinqJobs>().Running);
            await host.StopAsync().WaitAsync(Patience);

            Assert.Equal(TimeSpan.FromMilliseconds(250), job.Context.BatchInterval);
            Assert.True(job.Context.Options.BackPressure);
            Assert.Equal(5, job.Context.Options.MaxQueuedBatches);
            Assert.Equal("configured-name", job.Context.Options.JobName);
            Assert.Equal(1234, job.ReceiverOptions.BufferCapacity);
            Assert.Equal(500, job.ReceiverOptions.MaxRatePerSecond);
        }
    }

    [Fact]
    public async Task Invalid_options_fail_the_host_start_with_a_message_naming_each_bad_setting()
    {
        var (host, _) = Build(new()
        {
            ["StreamLinq:Jobs:numbers:BatchInterval"] = "00:00:00.001",
            ["StreamLinq:Jobs:numbers:Receiver:BufferCapacity"] = "0",
        });
        using (host)
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.Contains("StreamLinq:Jobs:numbers:BatchInterval must be between", error.Message, StringComparison.Ordinal);
            Assert.Contains("StreamLinq:Jobs:numbers:Receiver:BufferCapacity must be at least 1", error.Message, StringComparison.Ordinal);
            Assert.Empty(host.Services.GetRequiredService<StreamLinqJobs>().Running);
        }
    }

    [Fact]
    public async Task The_health_check_turns_unhealthy_when_a_batch_fails()
    {
        var (host, _) = Build(
            // A loaded machine must not make the check unhealthy for scheduling delay first.
            new() { ["StreamLinq:Jobs:numbers:BatchInterval"] = "00:00:00.050", ["StreamLinq:Jobs:numbers:StopOnBatchFailure"] = "false", ["StreamLinq:Jobs:numbers:MaxSchedulingDelay"] = "00:10:00" },
            (services, job) => job.Context.QueueStream(services.GetRequiredService<Inbox>().Batches)
                .ForEachBatch((batch, _) =>
                {
                    if (batch.Contains(-1))
                    {
                        throw new InvalidOperationException("poisoned record");
                    }

                    foreach (var x in batch)
                    {
                        services.GetRequiredService<Outbox>().Records.Enqueue(x);
                    }
                }));
        using (host)
        {
            var inbox = host.Services.GetRequiredService<Inbox>();
            var health = host.Services.GetRequiredService<HealthCheckService>();
            inbox.Batches.Enqueue([1]);
            await host.StartAsync();
            await Until(() => !host.Services.GetRequiredService<Outbox>().Records.IsEmpty, "the first batch");
            Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

            inbox.Batches.Enqueue([-1]);
            HealthReport report = await health.CheckHealthAsync();
            var deadline = DateTime.UtcNow + Patience;
            while (report.Status == HealthStatus.Healthy && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
                report = await health.CheckHealthAsync();
            }

            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            Assert.Contains("failed: ", report.Entries["streamlinq"].Description, StringComparison.Ordinal);
            Assert.Contains("poisoned record", report.Entries["streamlinq"].Description, StringComparison.Ordinal);
            await host.StopAsync().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task The_health_check_turns_unhealthy_when_the_scheduling_delay_passes_its_bound()
    {
        using var release = new SemaphoreSlim(0);
        var (host, _) = Build(
            new() { ["StreamLinq:Jobs:numbers:BatchInterval"] = "00:00:00.050", ["StreamLinq:Jobs:numbers:MaxSchedulingDelay"] = "00:00:00.300" },
            (services, job) => job.Context.QueueStream(services.GetRequiredService<Inbox>().Batches)
                .ForEachBatch(async (batch, _, token) =>
                {
                    if (batch.Contains(-1))
                    {
                        await release.WaitAsync(token); // holds the runner: later batches queue up
                    }
                }));
        using (host)
        {
            var inbox = host.Services.GetRequiredService<Inbox>();
            var health = host.Services.GetRequiredService<HealthCheckService>();
            inbox.Batches.Enqueue([-1]);
            await host.StartAsync();
            HealthReport report = await health.CheckHealthAsync();
            var deadline = DateTime.UtcNow + Patience;
            while (report.Status == HealthStatus.Healthy && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
                report = await health.CheckHealthAsync();
            }

            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            Assert.Contains("scheduling delay", report.Entries["streamlinq"].Description, StringComparison.Ordinal);
            release.Release();
            await host.StopAsync().WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task A_graceful_stop_that_outlasts_the_hosts_shutdown_timeout_turns_abrupt_and_says_so()
    {
        var (host, logs) = Build(
            new() { ["StreamLinq:Jobs:numbers:BatchInterval"] = "00:00:00.050", ["StreamLinq:Jobs:numbers:GracefulStopTimeout"] = "00:10:00" },
            (services, job) => job.Context.QueueStream(services.GetRequiredService<Inbox>().Batches)
                .ForEachBatch(async (batch, _, token) =>
                {
                    services.GetRequiredService<Outbox>().Records.Enqueue(batch.Count);
                    await Task.Delay(Timeout.Infinite, token); // never drains by itself
                }),
            host: o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        using (host)
        {
            host.Services.GetRequiredService<Inbox>().Batches.Enqueue([1]);
            await host.StartAsync();
            var job = Assert.Single(host.Services.GetRequiredService<StreamLinqJobs>().Running);
            await Until(() => !host.Services.GetRequiredService<Outbox>().Records.IsEmpty, "the blocking batch to start");
            await host.StopAsync().WaitAsync(Patience);

            Assert.Equal(StreamingContextState.Stopped, job.Context.State);
            var warning = Assert.Single(logs.Entries, e => e.Id == 2001);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains("stopping abruptly", warning.Message, StringComparison.Ordinal);
            await job.Context.AwaitTerminationAsync().WaitAsync(Patience);
        }
    }
}
