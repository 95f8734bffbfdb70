using StreamLinq.Analyzers.Tests.Corpus;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.NonDeterministicTargetInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class NonDeterministicTargetInSinkAnalyzerTests
{
    [Fact]
    public async Task File_names_keys_and_ids_from_the_clock_a_fresh_guid_or_a_string_hash_are_reported()
    {
        const string source = """
            using System;
            using System.IO;
            using Dapper;
            using StreamLinq;

            class Sink
            {
                public void Wire(IDStream<string> lines, StackExchange.Redis.IDatabase redis, Npgsql.NpgsqlConnection conn) =>
                    lines.ForEachBatch((batch, time) =>
                    {
                        var path = Path.Combine("out", $"batch-{{|#0:DateTime.UtcNow|}:yyyyMMddHHmmss}.txt");
                        File.WriteAllLines(path, batch);
                        foreach (var l in batch)
                        {
                            var shard = Math.Abs({|#1:l.GetHashCode()|}) % 16;
                            redis.StringSet($"lines:{shard}", l);
                            conn.Execute("INSERT INTO t (id, line) VALUES (@Id, @l) ON CONFLICT (id) DO NOTHING", new { Id = {|#2:Guid.NewGuid()|}, l });
                        }
                    });
            }
            """ + LibraryStubs.Source;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("DateTime.UtcNow", "ForEachBatch", "path"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("l.GetHashCode()", "ForEachBatch", "key"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("Guid.NewGuid()", "ForEachBatch", "Id"));
    }

    [Fact]
    public async Task The_clock_in_a_log_line_a_timeout_an_expiry_or_a_value_column_is_not_reported()
    {
        const string source = """
            using System;
            using System.IO;
            using Dapper;
            using StreamLinq;

            class Sink
            {
                public void Wire(IDStream<string> lines, StackExchange.Redis.IDatabase redis, Npgsql.NpgsqlConnection conn) =>
                    lines.ForEachBatch((batch, time) =>
                    {
                        var deadline = DateTime.UtcNow.AddSeconds(5);
                        Console.WriteLine($"{DateTime.UtcNow:O} writing {batch.Count}");
                        foreach (var l in batch)
                        {
                            if (DateTime.UtcNow > deadline) throw new TimeoutException();
                            redis.StringSet($"line:{time.Milliseconds}:{l}", l, DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow);
                            conn.Execute("INSERT INTO t (k, seen_at) VALUES (@l, @SeenAt) ON CONFLICT (k) DO UPDATE SET seen_at = EXCLUDED.seen_at", new { l, SeenAt = DateTime.UtcNow });
                        }
                    });
            }
            """ + LibraryStubs.Source;

        await Verifier.AnalyzerAsync(source);
    }
}
