using Npgsql;
using StackExchange.Redis;
using StreamLinq.Postgres;
using StreamLinq.Redis;

namespace StreamLinq.ClusterWorker;

/// <summary>
/// The job under the kill test: every record of the partitioned Redis source (a field <c>n</c>,
/// a number the producer hands out once) goes to PostgreSQL, one row per record, so a record lost
/// or written twice shows in the table.
/// </summary>
internal static class NumbersJob
{
    public static void Define(StreamingContext context, IConnectionMultiplexer redis, NpgsqlDataSource postgres, WorkerArguments worker)
    {
        var numbers = context.RedisStreams(
            redis,
            worker.StreamKeys,
            static (_, entry) => (long)entry.Values[0].Value,
            // The driver cuts each batch into one id range per stream without reading it.
            new RedisStreamsOptions { StartFromBeginning = true, FixRangesWhenSealed = true, MaxEntriesPerBatch = 2_000 });
        if (worker.Sink == "exactly-once")
        {
            numbers.WriteTo(new PostgresSink<long>(postgres, worker.Table, PostgresCopy.Rows<long>(worker.Table, ["n"], n => [n])), DeliveryGuarantee.ExactlyOnce);
        }
        else
        {
            numbers.WriteTo(new UpsertNumbersSink(postgres, worker.Table), DeliveryGuarantee.AtLeastOnce);
        }
    }
}
