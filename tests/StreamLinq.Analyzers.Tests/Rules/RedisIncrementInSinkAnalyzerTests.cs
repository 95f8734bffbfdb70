using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.RedisIncrementInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class RedisIncrementInSinkAnalyzerTests
{
    // The shape of StackExchange.Redis's database interfaces, enough for the rule to match them by symbol.
    private const string Redis = """

        namespace StackExchange.Redis
        {
            using System.Threading.Tasks;

            public interface IDatabaseAsync
            {
                Task<long> StringIncrementAsync(string key, long value = 1);
                Task<bool> StringSetAsync(string key, string value);
                Task<long> HashIncrementAsync(string key, string field, long value = 1);
            }

            public interface IDatabase : IDatabaseAsync
            {
                long StringIncrement(string key, long value = 1);
                long ListRightPush(string key, string value);
                bool StringSet(string key, string value);
                bool HashSet(string key, string field, string value);
            }
        }

        class Counters
        {
            public long StringIncrement(string key) => 0;
        }
        """;

    [Fact]
    public async Task Increments_and_pushes_on_a_Redis_database_are_reported()
    {
        const string source = """
            using StackExchange.Redis;
            using StreamLinq;

            class Writer
            {
                public void Wire(IDStream<string> stream, IDatabase redis) =>
                    stream.ForEachBatch(async (batch, time, cancellationToken) =>
                    {
                        foreach (var word in batch)
                        {
                            {|#0:redis.StringIncrement("count:" + word)|};
                            {|#1:redis.ListRightPush("words", word)|};
                            await {|#2:redis.HashIncrementAsync("counts", word)|};
                        }
                    });
            }
            """ + Redis;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("redis.StringIncrement(\"count:\" + word)", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("redis.ListRightPush(\"words\", word)", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("redis.HashIncrementAsync(\"counts\", word)", "ForEachBatch"));
    }

    [Fact]
    public async Task Absolute_writes_look_alikes_and_at_most_once_outputs_are_not_reported()
    {
        const string source = """
            using StackExchange.Redis;
            using StreamLinq;

            class Writer
            {
                public void Wire(IDStream<string> stream, IDatabase redis, Counters counters)
                {
                    stream.ForEachBatch((batch, time) =>
                    {
                        redis.StringSet("last-batch", time.ToString());
                        redis.HashSet("sizes", time.ToString(), batch.Count.ToString());
                        counters.StringIncrement("not redis");
                    });
                    stream.ForEachBatch((batch, time) => redis.StringIncrement("batches"), DeliveryGuarantee.AtMostOnce);
                    redis.StringIncrement("started");
                }
            }
            """ + Redis;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task Other_clients_wrappers_raw_commands_and_names_listed_in_editorconfig_are_reported()
    {
        var source = """
            using StackExchange.Redis;
            using StreamLinq;

            interface ICache
            {
                long IncrBy(string key, long delta);
                void Bump(string key);
                void Set(string key, string value);
            }

            class RedisLog
            {
                public void Append(string line) { }
            }

            class Writer
            {
                public void Wire(IDStream<string> stream, IDatabase redis, ICache cache, RedisLog log) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        foreach (var word in batch)
                        {
                            {|#0:cache.IncrBy(word, 1)|};
                            {|#1:cache.Bump(word)|};
                            {|#2:log.Append(word)|};
                            {|#3:redis.Execute("HINCRBY", "counts", word, 1)|};
                            cache.Set(word, "1");
                            new System.Text.StringBuilder().Append(word);
                        }
                    });
            }
            """ + Redis.Replace("long StringIncrement(string key, long value = 1);", "long StringIncrement(string key, long value = 1);\n        object Execute(string command, params object[] args);");

        await Verifier.AnalyzerWithConfigAsync(
            source,
            "streamlinq.redis_relative_methods = ICache.Bump",
            Verifier.Diagnostic().WithLocation(0).WithArguments("cache.IncrBy(word, 1)", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("cache.Bump(word)", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("log.Append(word)", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(3).WithArguments("redis.Execute(\"HINCRBY\", \"counts\", word, 1)", "ForEachBatch"));
    }
}
