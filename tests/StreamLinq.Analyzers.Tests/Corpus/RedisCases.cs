namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>Family 5: Redis commands that change a key relative to its value, through StackExchange.Redis or another client.</summary>
internal static partial class LabelledCorpus
{
    private const string Redis = "5 Redis through any client";

    public static IEnumerable<CorpusCase> RedisCommands =>
    [
        new(Redis, "redis-se-string-increment", true, "StringIncrement (INCRBY) applies again on replay", """
            class Sink
            {
                public void Wire(IDStream<string> pages, StackExchange.Redis.IDatabase redis) => pages.ForEachBatch((batch, time) =>
                {
                    foreach (var p in batch) redis.StringIncrement("views:" + p);
                });
            }
            """),
        new(Redis, "redis-se-hash-increment-async", true, "HashIncrementAsync (HINCRBY) applies again on replay", """
            class Sink
            {
                public void Wire(IDStream<(string User, int Points)> scores, StackExchange.Redis.IDatabase redis) => scores.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var s in batch) await redis.HashIncrementAsync("leaderboard", s.User, s.Points);
                });
            }
            """),
        new(Redis, "redis-se-list-left-push-batch", true, "LPUSH through an IBatch pushes the elements again", """
            class Sink
            {
                public void Wire(IDStream<string> events, StackExchange.Redis.IDatabase redis) => events.ForEachBatch((batch, time) =>
                {
                    var b = redis.CreateBatch();
                    foreach (var e in batch) _ = b.ListLeftPushAsync("recent-events", e);
                    b.Execute();
                });
            }
            """),
        new(Redis, "redis-se-stream-add-auto-id", true, "XADD without an id gives the replayed entries new ids", """
            class Sink
            {
                public void Wire(IDStream<string> events, StackExchange.Redis.IDatabase redis) => events.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var e in batch) await redis.StreamAddAsync("events", "body", e);
                });
            }
            """),
        new(Redis, "redis-se-string-append", true, "APPEND adds the text again", """
            class Sink
            {
                public void Wire(IDStream<string> lines, StackExchange.Redis.IDatabase redis) => lines.ForEachBatch((batch, time) =>
                {
                    foreach (var l in batch) redis.StringAppend("transcript", l + "\n");
                });
            }
            """),
        new(Redis, "redis-se-zincrby", true, "SortedSetIncrement (ZINCRBY) applies again", """
            class Sink
            {
                public void Wire(IDStream<string> tags, StackExchange.Redis.IDatabase redis) => tags.ForEachBatch((batch, time) =>
                {
                    foreach (var t in batch) redis.SortedSetIncrement("trending", t, 1);
                });
            }
            """),
        new(Redis, "redis-se-execute-incrby", true, "Execute(\"INCRBY\", ...) is INCRBY spelled as a raw command", """
            class Sink
            {
                public void Wire(IDStream<(string Key, long N)> counts, StackExchange.Redis.IDatabase redis) => counts.ForEachBatch((batch, time) =>
                {
                    foreach (var c in batch) redis.Execute("INCRBY", c.Key, c.N);
                });
            }
            """),
        new(Redis, "redis-se-lua-incr", true, "a Lua script that runs HINCRBY unconditionally", """
            class Sink
            {
                private const string Script = "redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])";
                public void Wire(IDStream<(string Field, long N)> counts, StackExchange.Redis.IDatabase redis) => counts.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var c in batch) await redis.ScriptEvaluateAsync(Script, new[] { "totals" }, new object[] { c.Field, c.N });
                });
            }
            """),
        new(Redis, "redis-servicestack-increment", true, "ServiceStack's IncrementValueInHash is HINCRBY", """
            class Sink
            {
                public void Wire(IDStream<string> users, ServiceStack.Redis.IRedisClient client) => users.ForEachBatch((batch, time) =>
                {
                    foreach (var u in batch) client.IncrementValueInHash("logins", u, 1);
                });
            }
            """),
        new(Redis, "redis-servicestack-add-to-list", true, "ServiceStack's AddItemToList is RPUSH", """
            class Sink
            {
                public void Wire(IDStream<string> jobs, ServiceStack.Redis.IRedisClient client) => jobs.ForEachBatch((batch, time) =>
                {
                    foreach (var j in batch) client.AddItemToList("queue:jobs", j);
                });
            }
            """),
        new(Redis, "redis-own-wrapper-incrby", true, "a team's own client wrapper whose IncrByAsync is INCRBY", """
            interface ICache
            {
                Task<long> IncrByAsync(string key, long delta);
                Task SetAsync(string key, string value);
            }
            class Sink
            {
                public void Wire(IDStream<(string Key, long N)> counts, ICache cache) => counts.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var c in batch) await cache.IncrByAsync(c.Key, c.N);
                });
            }
            """),
        new(Redis, "redis-freeredis-style-rpush", true, "a FreeRedis-style client: RPush by command name", """
            class RedisClient
            {
                public long RPush(string key, params object[] elements) => 0;
                public long HIncrBy(string key, string field, long increment) => 0;
            }
            class Sink
            {
                public void Wire(IDStream<string> logs, RedisClient cli) => logs.ForEachBatch((batch, time) =>
                {
                    cli.RPush("logs", batch.Cast<object>().ToArray());
                });
            }
            """),
        new(Redis, "redis-transaction-increment", true, "a MULTI/EXEC transaction without a condition still increments twice", """
            class Sink
            {
                public void Wire(IDStream<string> pages, StackExchange.Redis.IDatabase redis) => pages.ForEachBatch(async (batch, time, ct) =>
                {
                    var tx = redis.CreateTransaction();
                    foreach (var p in batch) _ = tx.StringIncrementAsync("views:" + p);
                    await tx.ExecuteAsync();
                });
            }
            """),
        new(Redis, "redis-increment-in-sink-class", true, "a sink class increments daily counters", """
            class DailySink : IBatchSink<string>
            {
                private readonly StackExchange.Redis.IDatabase redis;
                public DailySink(StackExchange.Redis.IDatabase redis) => this.redis = redis;
                public async Task WriteBatchAsync(IReadOnlyList<string> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    var day = time.ToDateTimeOffset().ToString("yyyyMMdd");
                    foreach (var e in batch) await redis.StringIncrementAsync($"events:{day}:{e}");
                }
            }
            """),

        new(Redis, "redis-se-string-set", false, "SET of an absolute value keyed by batch time", """
            class Sink
            {
                public void Wire(IDStream<(string Page, long Views)> views, StackExchange.Redis.IDatabase redis) => views.ForEachBatch((batch, time) =>
                {
                    foreach (var v in batch) redis.StringSet($"views:{v.Page}:{time.Milliseconds}", v.Views.ToString());
                });
            }
            """),
        new(Redis, "redis-se-hash-set", false, "HSET of the window's count: overwritten on replay", """
            class Sink
            {
                public void Wire(IDStream<(string Word, int N)> counts, StackExchange.Redis.IDatabase redis) => counts.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var c in batch) await redis.HashSetAsync("word-counts", c.Word, c.N.ToString());
                });
            }
            """),
        new(Redis, "redis-se-set-add", false, "SADD adds a member once, whatever the replays", """
            class Sink
            {
                public void Wire(IDStream<string> users, StackExchange.Redis.IDatabase redis) => users.ForEachBatch((batch, time) =>
                {
                    foreach (var u in batch) redis.SetAdd("active-users", u);
                });
            }
            """),
        new(Redis, "redis-se-zadd", false, "ZADD with an absolute score", """
            class Sink
            {
                public void Wire(IDStream<(string Player, double Score)> scores, StackExchange.Redis.IDatabase redis) => scores.ForEachBatch((batch, time) =>
                {
                    foreach (var s in batch) redis.SortedSetAdd("high-scores", s.Player, s.Score);
                });
            }
            """),
        new(Redis, "redis-se-stream-add-explicit-id", false, "XADD with an id from the batch time: Redis refuses the replayed id", """
            class Sink
            {
                public void Wire(IDStream<string> events, StackExchange.Redis.IDatabase redis) => events.ForEachBatch(async (batch, time, ct) =>
                {
                    var seq = 0;
                    foreach (var e in batch) await redis.StreamAddAsync("events", "body", e, messageId: $"{time.Milliseconds}-{seq++}");
                });
            }
            """),
        new(Redis, "redis-conditional-transaction", false, "the increments run in a transaction conditioned on the batch not being applied yet", """
            class Sink
            {
                public void Wire(IDStream<string> pages, StackExchange.Redis.IDatabase redis) => pages.ForEachBatch(async (batch, time, ct) =>
                {
                    var tx = redis.CreateTransaction();
                    tx.AddCondition(StackExchange.Redis.Condition.HashNotExists("applied-batches", time.Milliseconds.ToString()));
                    _ = tx.HashSetAsync("applied-batches", time.Milliseconds.ToString(), "1");
                    foreach (var p in batch) _ = tx.StringIncrementAsync("views:" + p);
                    await tx.ExecuteAsync();
                });
            }
            """),
        new(Redis, "redis-lua-guarded", false, "a Lua script increments only when the batch is newer than the last applied one", """
            class Sink
            {
                private const string Script = @"
                    local last = tonumber(redis.call('HGET', KEYS[1], 'last_batch') or '0')
                    if tonumber(ARGV[1]) > last then
                        redis.call('HINCRBY', KEYS[1], 'total', ARGV[2])
                        redis.call('HSET', KEYS[1], 'last_batch', ARGV[1])
                    end";
                public void Wire(IDStream<long> amounts, StackExchange.Redis.IDatabase redis) => amounts.ForEachBatch(async (batch, time, ct) =>
                {
                    await redis.ScriptEvaluateAsync(Script, new[] { "totals" }, new object[] { time.Milliseconds, batch.Sum() });
                });
            }
            """),
        new(Redis, "redis-servicestack-set-value", false, "ServiceStack SetValue and SetEntryInHash are absolute writes", """
            class Sink
            {
                public void Wire(IDStream<(string K, string V)> kvs, ServiceStack.Redis.IRedisClient client) => kvs.ForEachBatch((batch, time) =>
                {
                    foreach (var kv in batch)
                    {
                        client.SetValue(kv.K, kv.V);
                        client.SetEntryInHash("latest", kv.K, kv.V);
                    }
                });
            }
            """),
        new(Redis, "redis-wrapper-set", false, "a wrapper's SetAsync is an absolute write", """
            interface ICache
            {
                Task SetAsync(string key, string value);
            }
            class Sink
            {
                public void Wire(IDStream<(string K, string V)> kvs, ICache cache) => kvs.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var kv in batch) await cache.SetAsync(kv.K, kv.V);
                });
            }
            """),
        new(Redis, "redis-stringbuilder-append", false, "StringBuilder.Append on a local builder is not Redis APPEND", """
            class Sink
            {
                public void Wire(IDStream<string> lines, StackExchange.Redis.IDatabase redis) => lines.ForEachBatch((batch, time) =>
                {
                    var sb = new StringBuilder();
                    foreach (var l in batch) sb.Append(l).Append('\n');
                    redis.StringSet($"batch:{time.Milliseconds}", sb.ToString());
                });
            }
            """),
        new(Redis, "redis-local-counter-increment", false, "an Increment method of an in-call object that is not a Redis client", """
            class Tally
            {
                private int n;
                public void Increment() => n++;
                public int Value => n;
            }
            class Sink
            {
                public void Wire(IDStream<string> xs, StackExchange.Redis.IDatabase redis) => xs.ForEachBatch((batch, time) =>
                {
                    var tally = new Tally();
                    foreach (var _ in batch) tally.Increment();
                    redis.StringSet($"count:{time.Milliseconds}", tally.Value.ToString());
                });
            }
            """),
        new(Redis, "redis-increment-at-most-once", false, "increments under at-most-once delivery are never replayed", """
            class Sink
            {
                public void Wire(IDStream<string> pages, StackExchange.Redis.IDatabase redis) => pages.ForEachBatch((batch, time) =>
                {
                    foreach (var p in batch) redis.StringIncrement("approx-views:" + p);
                }, DeliveryGuarantee.AtMostOnce);
            }
            """),
        new(Redis, "redis-hincrby-per-batch-key", true, "HINCRBY on a key named by the batch still adds twice when that batch replays", """
            class Sink
            {
                public void Wire(IDStream<string> words, StackExchange.Redis.IDatabase redis) => words.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var w in batch) await redis.HashIncrementAsync($"wc:{time.Milliseconds}", w);
                });
            }
            """),
        new(Redis, "redis-cache-client-increment", true, "a cache client interface (Foundatio-style) IncrementAsync on a shared counter", """
            interface ICacheClient
            {
                Task<long> IncrementAsync(string key, long amount);
                Task<bool> SetAsync(string key, long value);
            }
            class Sink
            {
                public void Wire(IDStream<string> logins, ICacheClient cache) => logins.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var l in batch) await cache.IncrementAsync("logins:" + l, 1);
                });
            }
            """),
        new(Redis, "redis-cache-client-set", false, "the same cache client's SetAsync of a batch-keyed count", """
            interface ICacheClient
            {
                Task<long> IncrementAsync(string key, long amount);
                Task<bool> SetAsync(string key, long value);
            }
            class Sink
            {
                public void Wire(IDStream<string> logins, ICacheClient cache) => logins.ForEachBatch(async (batch, time, ct) =>
                {
                    await cache.SetAsync($"logins:{time.Milliseconds}", batch.Count);
                });
            }
            """),
        new(Redis, "redis-pubsub-publish", true, "PUBLISH sends the notification to subscribers again on replay", """
            class Sink
            {
                public void Wire(IDStream<string> events, StackExchange.Redis.IDatabase redis) => events.ForEachBatch(async (batch, time, ct) =>
                {
                    foreach (var e in batch) await redis.PublishAsync("events", e);
                });
            }
            """),
    ];
}
