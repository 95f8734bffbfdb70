using StreamLinq.Analyzers.Tests.Corpus;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.ExternalEffectInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class ExternalEffectInSinkAnalyzerTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Threading.Tasks;
        using Dapper;
        using Microsoft.EntityFrameworkCore;
        using StreamLinq;

        """;

    [Fact]
    public async Task Posts_publishes_mails_and_entity_framework_inserts_are_reported_even_behind_an_in_memory_set()
    {
        const string source = Usings + """
            class Row { public int Id { get; set; } }
            class Db : DbContext { public DbSet<Row> Rows { get; } = new(); }

            class Sink
            {
                private readonly HashSet<int> sent = new();

                public void Wire(IDStream<int> xs, HttpClient http, Confluent.Kafka.IProducer<string, string> producer) =>
                    xs.ForEachBatch(async (batch, time, ct) =>
                    {
                        using var db = new Db();
                        foreach (var x in batch)
                        {
                            if (!sent.Add(x)) continue;
                            await {|#0:http.PostAsync("https://hooks.example.com", new StringContent(x.ToString()), ct)|};
                            await {|#1:producer.ProduceAsync("t", new Confluent.Kafka.Message<string, string> { Key = "k", Value = "v" }, ct)|};
                            {|#2:db.Rows.Add(new Row { Id = x })|};
                        }

                        await db.SaveChangesAsync(ct);
                        using var smtp = new System.Net.Mail.SmtpClient("smtp.example.com");
                        {|#3:smtp.Send("a@example.com", "b@example.com", "s", "b")|};
                    });
            }
            """ + LibraryStubs.Source;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("http.PostAsync(\"https://hooks.example.com\", new StringContent(x.ToString()), ct)", "ForEachBatch", "sends an HTTP POST"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("producer.ProduceAsync(\"t\", new Confluent.Kafka.Message<string, string> { Key ...", "ForEachBatch", "publishes a message"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("db.Rows.Add(new Row { Id = x })", "ForEachBatch", "adds rows through EF Core that SaveChanges inserts"),
            Verifier.Diagnostic().WithLocation(3).WithArguments("smtp.Send(\"a@example.com\", \"b@example.com\", \"s\", \"b\")", "ForEachBatch", "sends mail"));
    }

    [Fact]
    public async Task Idempotency_keys_durable_guards_puts_and_at_most_once_outputs_are_not_reported()
    {
        const string source = Usings + """
            class Sink
            {
                public void Wire(IDStream<int> xs, HttpClient http, StackExchange.Redis.IDatabase redis) =>
                    xs.ForEachBatch(async (batch, time, ct) =>
                    {
                        foreach (var x in batch)
                        {
                            using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.example.com/charges");
                            request.Headers.Add("Idempotency-Key", $"{time.Milliseconds}-{x}");
                            await http.SendAsync(request, ct);
                            await http.PutAsync($"https://store.example.com/{time.Milliseconds}", new StringContent(""), ct);
                        }
                    });

                public void Guarded(IDStream<int> xs, HttpClient http, StackExchange.Redis.IDatabase redis) =>
                    xs.ForEachBatch(async (batch, time, ct) =>
                    {
                        foreach (var x in batch)
                        {
                            var first = await redis.StringSetAsync($"sent:{x}", "1", null, StackExchange.Redis.When.NotExists);
                            if (!first) continue;
                            await http.PostAsync("https://hooks.example.com", new StringContent(x.ToString()), ct);
                        }
                    });

                public void Lossy(IDStream<int> xs, HttpClient http) =>
                    xs.ForEachBatch(async (batch, time, ct) => await http.PostAsync("https://hooks.example.com", new StringContent(""), ct), DeliveryGuarantee.AtMostOnce);
            }
            """ + LibraryStubs.Source;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task A_method_listed_as_idempotent_in_editorconfig_or_a_helper_marked_IdempotentSink_is_not_reported()
    {
        const string source = Usings + """
            class Notifier
            {
                public Task Publish(string message) => Task.CompletedTask;
            }

            class Sink
            {
                public void Wire(IDStream<string> xs, Notifier notifier, HttpClient http) =>
                    xs.ForEachBatch(async (batch, time, ct) =>
                    {
                        foreach (var x in batch)
                        {
                            await notifier.Publish(x);
                            await Post(http, x);
                        }
                    });

                [IdempotentSink]
                private static Task Post(HttpClient http, string x) => http.PostAsync("https://dedup.example.com", new StringContent(x));
            }
            """ + LibraryStubs.Source;

        await Verifier.AnalyzerWithConfigAsync(source, "streamlinq.idempotent_methods = Notifier.Publish");
    }
}
