using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using StreamLinq.Analyzers.Support;
using StreamLinq.Analyzers.Tests.Corpus;
using Xunit.Abstractions;

namespace StreamLinq.Analyzers.Tests.Support;

/// <summary>
/// The analyzers' work grows linearly with the size of a sink: a sink eight times longer (every kind
/// of effect the rules look for, locals, helpers, guards) costs about eight times as much, counted
/// in operations examined, not in seconds. The default suite compares 250 and 2,000 statements; the
/// soak run (<c>./build.sh soak</c>, <c>STREAMLINQ_SOAK=1</c>) 1,000 and 8,000.
/// </summary>
[Trait("Category", "Soak")]
public class AnalyzerScalingTests(ITestOutputHelper output)
{
    private static readonly int Small = Environment.GetEnvironmentVariable("STREAMLINQ_SOAK") == "1" ? 1_000 : 250;

    [Fact]
    public async Task The_effect_rules_examine_a_number_of_operations_linear_in_the_size_of_the_sink()
    {
        var small = await MeasureAsync(Small);
        var large = await MeasureAsync(8 * Small);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Small,5:N0} statements: {small.Work,10:N0} operations examined, {small.Diagnostics,5} diagnostics, analyzers {small.Elapsed.TotalSeconds:F2} s against {small.Compile.TotalSeconds:F2} s for the compiler's own diagnostics"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{8 * Small,5:N0} statements: {large.Work,10:N0} operations examined, {large.Diagnostics,5} diagnostics, analyzers {large.Elapsed.TotalSeconds:F2} s against {large.Compile.TotalSeconds:F2} s for the compiler's own diagnostics"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"work ratio {(double)large.Work / small.Work:F2} for 8x the statements"));

        // Every statement of the generated sink holds an effect some rule reports: the walk reached them all.
        Assert.True(small.Diagnostics >= Small, $"{small.Diagnostics} diagnostics for {Small} statements");
        Assert.True(large.Diagnostics >= 8 * Small, $"{large.Diagnostics} diagnostics for {8 * Small} statements");

        // Linear: eight times the statements, eight times the work (a quadratic walk would be 64 times).
        Assert.InRange((double)large.Work / small.Work, 6.0, 10.0);
    }

    private static async Task<(long Work, int Diagnostics, TimeSpan Elapsed, TimeSpan Compile)> MeasureAsync(int statements)
    {
        var compilation = CorpusCompilation.Compile(
        [
            ("GlobalUsings.cs", LibraryStubs.GlobalUsings),
            ("Stubs.cs", LibraryStubs.Source),
            ("BigSink.cs", BigSink(statements)),
        ]);
        var compile = Stopwatch.StartNew();
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        compile.Stop();

        // Fresh instances: each counts only this compilation's work.
        var analyzers = CorpusCompilation.Analyzers.Select(a => (DiagnosticAnalyzer)Activator.CreateInstance(a.GetType())!).ToArray();
        var watch = Stopwatch.StartNew();
        var diagnostics = await compilation.WithAnalyzers([.. analyzers]).GetAnalyzerDiagnosticsAsync();
        watch.Stop();
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");

        var work = analyzers.OfType<SinkEffectAnalyzer>().Sum(a => a.Work.Value);
        return (work, diagnostics.Length, watch.Elapsed, compile.Elapsed);
    }

    /// <summary>One ForEachBatch lambda of <paramref name="statements"/> statements, cycling through the shapes real sinks have.</summary>
    private static string BigSink(int statements)
    {
        var body = new StringBuilder();
        for (var i = 0; i < statements; i++)
        {
            body.AppendLine((i % 10) switch
            {
                0 => $"        total += batch.Count + {i};",
                1 => $"        s_all.Add(\"{i}\");",
                2 => $"        var alias{i} = s_all; alias{i}.Add(\"x\");",
                3 => $"        conn.Execute(\"UPDATE t SET n = n + {i} WHERE k = @k\", new {{ k = time.Milliseconds }});",
                4 => $"        redis.StringIncrement(\"k{i}\");",
                5 => $"        var path{i} = $\"out/{{Guid.NewGuid()}}-{i}.txt\"; File.WriteAllText(path{i}, \"\");",
                6 => $"        Bump(\"k{i}\");",
                7 => $"        if (seen.Add(\"{i}\")) producer.Produce(\"t\", new Confluent.Kafka.Message<string, string> {{ Key = \"{i}\", Value = \"v\" }});",
                8 => $"        conn.Execute(\"INSERT INTO log (line) VALUES (@l) -- ON CONFLICT DO NOTHING\", new {{ l = {i} }});",
                _ => $"        counts[\"w{i}\"] = counts.GetValueOrDefault(\"w{i}\") + 1;",
            });
        }

        return $$"""
            class BigSink
            {
                private static readonly List<string> s_all = new();
                private readonly Dictionary<string, int> counts = new();
                private readonly HashSet<string> seen = new();
                private long total;

                public void Wire(IDStream<string> lines, Npgsql.NpgsqlConnection conn, StackExchange.Redis.IDatabase redis, Confluent.Kafka.IProducer<string, string> producer) =>
                    lines.ForEachBatch((batch, time) =>
                    {
            {{body}}
                    });

                private void Bump(string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
            }
            """;
    }
}
