// The engine under a crash test: reads a Redis stream of numbered records into PostgreSQL with
// the delivery guarantee it is given, recovering with GetOrCreate at every start. It prints
// "MARK <point>" lines at the moments a killer wants to aim at (before and after an output,
// during a checkpoint write) and lingers there for CRASH_LINGER_MS, then stops by itself,
// gracefully, at the first empty batch (the stream is drained).
using Npgsql;
using StackExchange.Redis;
using StreamLinq;
using StreamLinq.Checkpointing;
using StreamLinq.CrashWorker;
using StreamLinq.Postgres;
using StreamLinq.Redis;

var mode = Required("CRASH_MODE");
var linger = int.Parse(Environment.GetEnvironmentVariable("CRASH_LINGER_MS") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
var table = Required("CRASH_TABLE");
var stream = Required("CRASH_STREAM");
var marks = new Marks(linger);
CheckpointFile.WriteHook = stage => marks.Mark("checkpoint-" + stage);

using var redis = await ConnectionMultiplexer.ConnectAsync(Required("CRASH_REDIS"));
await using var postgres = NpgsqlDataSource.Create(Required("CRASH_POSTGRES"));
var delivery = mode switch
{
    "exactly-once" => DeliveryGuarantee.ExactlyOnce,
    "at-least-once" => DeliveryGuarantee.AtLeastOnce,
    "at-most-once" => DeliveryGuarantee.AtMostOnce,
    _ => throw new ArgumentException($"Unknown CRASH_MODE '{mode}'."),
};
var copy = PostgresCopy.Rows<long>(table, ["n"], n => [n]);

var drained = new TaskCompletionSource();
var context = StreamingContext.GetOrCreate(Required("CRASH_CHECKPOINTS"), () =>
{
    var context = new StreamingContext(TimeSpan.FromMilliseconds(50));
    context.AddListener(new DrainListener(drained));
    var numbers = context.RedisStream(redis, stream, new RedisStreamsOptions { MaxEntriesPerBatch = 37 })
        .Select(e => long.Parse(e["n"]!, System.Globalization.CultureInfo.InvariantCulture));
    if (delivery == DeliveryGuarantee.ExactlyOnce)
    {
        numbers.WriteTo(new MarkedSink(new PostgresSink<long>(postgres, "crash", copy), marks), delivery);
    }
    else
    {
        // A plain insert, committed on its own: a replay duplicates, a skipped batch is lost.
        numbers.ForEachBatch(async (batch, time, cancellationToken) =>
        {
            marks.Mark("output");
            await using (var connection = await postgres.OpenConnectionAsync(cancellationToken))
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                await copy(batch, connection, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            marks.Mark("output-committed");
        }, delivery);
    }

    return context;
});

Console.WriteLine($"STARTED recovered={context.RecoveredBatchTime?.ToString() ?? "none"}");
await context.StartAsync();
await Task.WhenAny(drained.Task, context.AwaitTerminationAsync());
await context.StopAsync(graceful: true);
await context.AwaitTerminationAsync();
Console.WriteLine("DRAINED");
return 0;

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) ?? throw new ArgumentException($"The environment variable {name} is required.");
