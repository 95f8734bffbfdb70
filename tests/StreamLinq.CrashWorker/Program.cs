// The engine under a crash test: reads a Redis stream (or, with CRASH_SOURCE=filelog, the sample
// connector's file log, written on the public connector SDK alone, or with CRASH_SOURCE=nats, a
// NATS JetStream stream's two subjects) of numbered records into PostgreSQL with the delivery
// guarantee it is given, recovering with GetOrCreate at every start from a checkpoint directory
// (or, with CRASH_STORE=postgres, from checkpoints in PostgreSQL named by CRASH_CHECKPOINTS). It prints
// "MARK <point>" lines at the moments a killer wants to aim at (before the context starts, at
// the first output of a restart, before and after an output, during a checkpoint write) and
// lingers there for CRASH_LINGER_MS. It runs until it is killed or reads "stop" on its standard
// input, then stops gracefully: the test decides when everything is in, from the sink's commits.
using NATS.Client.Core;
using Npgsql;
using StackExchange.Redis;
using StreamLinq;
using StreamLinq.Checkpointing;
using StreamLinq.Connectors.Sample;
using StreamLinq.CrashWorker;
using StreamLinq.Nats;
using StreamLinq.Postgres;
using StreamLinq.Redis;

var mode = Required("CRASH_MODE");
var linger = int.Parse(Environment.GetEnvironmentVariable("CRASH_LINGER_MS") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
var restarted = Environment.GetEnvironmentVariable("CRASH_RESTART") == "1";
var table = Required("CRASH_TABLE");
var stream = Required("CRASH_STREAM");
var source = Environment.GetEnvironmentVariable("CRASH_SOURCE") ?? "redis";
var marks = new Marks(linger);
var outputs = new OutputMarks(marks, restarted);
CheckpointFile.WriteHook = stage => marks.Mark("checkpoint-" + stage);

using var redis = source == "redis" ? await ConnectionMultiplexer.ConnectAsync(Required("CRASH_REDIS")) : null;
await using var nats = source == "nats" ? new NatsConnection(new NatsOpts { Url = Required("CRASH_NATS") }) : null;
await using var postgres = NpgsqlDataSource.Create(Required("CRASH_POSTGRES"));
ICheckpointStore store = (Environment.GetEnvironmentVariable("CRASH_STORE") ?? "directory") switch
{
    "directory" => new DirectoryCheckpointStore(Required("CRASH_CHECKPOINTS")),
    "postgres" => new PostgresCheckpointStore(postgres, Required("CRASH_CHECKPOINTS")),
    var other => throw new ArgumentException($"Unknown CRASH_STORE '{other}'."),
};
var delivery = mode switch
{
    "exactly-once" => DeliveryGuarantee.ExactlyOnce,
    "at-least-once" => DeliveryGuarantee.AtLeastOnce,
    "at-most-once" => DeliveryGuarantee.AtMostOnce,
    _ => throw new ArgumentException($"Unknown CRASH_MODE '{mode}'."),
};
var copy = PostgresCopy.Rows<long>(table, ["n"], n => [n]);

var context = StreamingContext.GetOrCreate(store, () =>
{
    var context = new StreamingContext(TimeSpan.FromMilliseconds(50));
    context.AddListener(new WarningListener());
    var numbers = source switch
    {
        "redis" => context.RedisStream(redis!, stream, new RedisStreamsOptions { MaxEntriesPerBatch = 37 })
            .Select(e => long.Parse(e["n"]!, System.Globalization.CultureInfo.InvariantCulture)),
        // CRASH_STREAM is the log's directory; two partitions, so batches hold a range of each.
        "filelog" => context.FileLog(stream, ["p0.log", "p1.log"], new FileLogOptions { MaxBytesPerBatch = 150 })
            .Select(line => long.Parse(line, System.Globalization.CultureInfo.InvariantCulture)),
        // CRASH_STREAM is the JetStream stream; its two subjects are two partitions.
        "nats" => context.NatsJetStream(nats!, stream, [stream + ".a", stream + ".b"], new NatsJetStreamOptions { MaxMessagesPerBatch = 19 })
            .Select(m => long.Parse(m.Text, System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException($"Unknown CRASH_SOURCE '{source}'."),
    };
    if (delivery == DeliveryGuarantee.ExactlyOnce)
    {
        numbers.WriteTo(new MarkedSink(new PostgresSink<long>(postgres, "crash", copy), outputs), delivery);
    }
    else
    {
        // A plain insert, committed on its own: a replay duplicates, a skipped batch is lost.
        numbers.ForEachBatch(async (batch, time, cancellationToken) =>
        {
            outputs.Before();
            await using (var connection = await postgres.OpenConnectionAsync(cancellationToken))
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                await copy(batch, connection, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            outputs.After();
        }, delivery);
    }

    return context;
});

Console.WriteLine($"STARTED recovered={context.RecoveredBatchTime?.ToString() ?? "none"}");
marks.Mark("start");
await context.StartAsync();
var stopRequested = Task.Run(async () =>
{
    while (await Console.In.ReadLineAsync() is { } line && line != "stop")
    {
    }
});
await Task.WhenAny(stopRequested, context.AwaitTerminationAsync());
await context.StopAsync(graceful: true);
await context.AwaitTerminationAsync();
Console.WriteLine("STOPPED");
return 0;

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) ?? throw new ArgumentException($"The environment variable {name} is required.");
