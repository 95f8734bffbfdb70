// Exactly-once versus at-least-once throughput on the same input: a Redis stream of numbered
// records written to PostgreSQL with binary COPY. At least once: COPY in its own transaction,
// then the checkpoint. Exactly once: the offset ranges logged before the batch (an extra
// checkpoint write), then COPY and the commit token in one transaction, then the checkpoint.
// Runs alternate between the modes; the report gives medians and their ratio.
//   dotnet run -c Release --project bench/StreamLinq.DeliveryBenchmark -- [records] [repetitions] [records per batch]
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StackExchange.Redis;
using StreamLinq;
using StreamLinq.DeliveryBenchmark;
using StreamLinq.Postgres;
using StreamLinq.Redis;

var records = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var repetitions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var perBatch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5_000;

using var servers = new LocalServers();
using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{servers.RedisPort}");
await using var postgres = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={servers.PostgresPort};Username=postgres;Database=postgres");

const string stream = "bench:numbers";
var database = redis.GetDatabase();
for (var start = 1; start <= records; start += 10_000)
{
    var batch = database.CreateBatch();
    var adds = Enumerable.Range(start, Math.Min(10_000, records - start + 1)).Select(n => batch.StreamAddAsync(stream, "n", n)).ToArray();
    batch.Execute();
    await Task.WhenAll(adds);
}

var copy = PostgresCopy.Rows<long>("numbers", ["n"], n => [n]);
var results = new Dictionary<DeliveryGuarantee, List<double>> { [DeliveryGuarantee.AtLeastOnce] = [], [DeliveryGuarantee.ExactlyOnce] = [] };
for (var run = 0; run < repetitions + 1; run++)
{
    foreach (var delivery in results.Keys)
    {
        var seconds = await MeasureAsync(delivery);
        if (run > 0)
        {
            // The first round warms up the JIT, the connections and the servers' caches.
            results[delivery].Add(records / seconds);
        }
    }
}

double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
var atLeastOnce = Median(results[DeliveryGuarantee.AtLeastOnce]);
var exactlyOnce = Median(results[DeliveryGuarantee.ExactlyOnce]);
Console.WriteLine($"records per run: {records}, at most {perBatch} per batch, runs per mode: {repetitions}");
Console.WriteLine($"at least once: {atLeastOnce:N0} records/s (median)");
Console.WriteLine($"exactly once:  {exactlyOnce:N0} records/s (median)");
Console.WriteLine($"exactly-once / at-least-once throughput: {exactlyOnce / atLeastOnce:F2}");
return 0;

async Task<double> MeasureAsync(DeliveryGuarantee delivery)
{
    await using (var reset = postgres.CreateCommand("DROP TABLE IF EXISTS numbers; CREATE TABLE numbers (n bigint NOT NULL); DROP TABLE IF EXISTS streamlinq_commits"))
    {
        await reset.ExecuteNonQueryAsync();
    }

    var checkpoints = Directory.CreateTempSubdirectory("streamlinq-bench-ckpt-");
    try
    {
        var drained = new Drained(records);
        var context = StreamingContext.GetOrCreate(checkpoints.FullName, () =>
        {
            var context = new StreamingContext(TimeSpan.FromMilliseconds(10));
            context.AddListener(drained);
            var numbers = context.RedisStream(redis, stream, new RedisStreamsOptions { MaxEntriesPerBatch = perBatch })
                .Select(e => long.Parse(e["n"]!, CultureInfo.InvariantCulture));
            if (delivery == DeliveryGuarantee.ExactlyOnce)
            {
                numbers.WriteTo(new PostgresSink<long>(postgres, "bench", copy), delivery);
            }
            else
            {
                numbers.ForEachBatch(async (batch, _, cancellationToken) =>
                {
                    await using var connection = await postgres.OpenConnectionAsync(cancellationToken);
                    await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                    await copy(batch, connection, transaction, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                }, delivery);
            }

            return context;
        });
        var clock = Stopwatch.StartNew();
        await context.StartAsync();
        await drained.Done.Task;
        var seconds = clock.Elapsed.TotalSeconds;
        await context.StopAsync(graceful: false);
        return seconds;
    }
    finally
    {
        checkpoints.Delete(recursive: true);
    }
}

/// <summary>Completes when the batches have carried every record of the stream.</summary>
internal sealed class Drained(long records) : IStreamingListener
{
    private long _seen;

    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnBatchCompleted(BatchInfo batch)
    {
        if (batch.Failure is { } failure)
        {
            Done.TrySetException(failure);
        }
        else if (Interlocked.Add(ref _seen, batch.RecordCount ?? 0) >= records)
        {
            Done.TrySetResult();
        }
    }
}
