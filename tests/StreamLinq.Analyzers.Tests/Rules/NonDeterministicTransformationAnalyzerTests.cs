using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.NonDeterministicTransformationAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class NonDeterministicTransformationAnalyzerTests
{
    [Fact]
    public async Task Clock_random_and_guid_reads_in_query_lambdas_are_reported()
    {
        const string source = """
            using System;
            using System.Linq;
            using StreamLinq;

            record Click(string User, DateTimeOffset At);

            class Queries
            {
                private readonly Random random = new();

                public void Build(IDStream<Click> clicks)
                {
                    var stamped = clicks.Select(c => new { c.User, Seen = {|#0:DateTime.UtcNow|} });
                    var sampled = clicks.Where(c => {|#1:Random.Shared.Next(10)|} == 0 || {|#2:random.NextDouble()|} < 0.1);
                    var grouped = clicks.GroupBy(c => {|#3:Guid.NewGuid()|});
                    var ticks = from c in clicks select {|#4:Environment.TickCount64|};
                    var noisy = clicks.Transform(q => q.Select(c => c.At.AddTicks({|#5:new Random()|}.Next())));
                }
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("DateTime.UtcNow", "Select"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("Random.Shared.Next(10)", "Where"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("random.NextDouble()", "Where"),
            Verifier.Diagnostic().WithLocation(3).WithArguments("Guid.NewGuid()", "GroupBy"),
            Verifier.Diagnostic().WithLocation(4).WithArguments("Environment.TickCount64", "Select"),
            Verifier.Diagnostic().WithLocation(5).WithArguments("new Random()", "Transform"));
    }

    [Fact]
    public async Task Values_from_the_record_seeded_randomness_and_code_outside_transformations_are_not_reported()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using StreamLinq;

            record Click(string User, DateTimeOffset At);

            class Queries
            {
                public void Build(IDStream<Click> clicks, List<Click> list)
                {
                    var started = DateTime.UtcNow;
                    var hourly = clicks.Select(c => new { c.User, Hour = c.At.Hour, Since = c.At - started });
                    var sampled = clicks.Where(c => new Random(c.User.Length).Next(10) == 0);
                    var local = list.Select(c => DateTime.Now).ToList();
                    clicks.ForEachBatch((batch, time) => Console.WriteLine(DateTime.Now));
                }
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task A_string_hash_randomised_per_process_is_reported_as_not_deterministic()
    {
        const string source = """
            using System;
            using StreamLinq;

            record Click(string User);

            class Queries
            {
                public void Build(IDStream<Click> clicks)
                {
                    var sampled = clicks.Where(c => new Random({|#0:c.User.GetHashCode()|}).Next(10) == 0);
                    var sharded = clicks.Select(c => {|#1:HashCode.Combine(c.User)|} % 8);
                }
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("c.User.GetHashCode()", "Where"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("HashCode.Combine(c.User)", "Select"));
    }

    [Fact]
    public async Task A_helper_or_computed_property_that_reads_the_clock_is_reported_at_the_lambdas_call_and_a_pure_one_is_not()
    {
        const string source = """
            using System;
            using StreamLinq;

            record Click(string User, DateTime At)
            {
                public bool IsFresh => DateTime.UtcNow - At < TimeSpan.FromMinutes(5);
                public int Hour => At.Hour;
            }

            class Queries
            {
                public void Build(IDStream<Click> clicks)
                {
                    var stamped = clicks.Select(c => {|#0:Stamp(c)|});
                    var fresh = clicks.Where(c => {|#1:c.IsFresh|});
                    var pure = clicks.Select(c => Lower(c) + c.Hour);
                }

                private static DateTime Stamp(Click c) => Now();
                private static DateTime Now() => DateTime.UtcNow;
                private static string Lower(Click c) => c.User.ToLowerInvariant();
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("Stamp(c)', which reads 'DateTime.UtcNow", "Select"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("c.IsFresh', which reads 'DateTime.UtcNow", "Where"));
    }

    [Fact]
    public async Task A_nested_query_in_a_join_argument_is_reported_once()
    {
        const string source = """
            using System;
            using StreamLinq;

            class Queries
            {
                public void Build(IDStream<int> left, IDStream<int> right)
                {
                    var joined = left.Join(right.Select(r => r + {|#0:DateTime.Now|}.Second), l => l, r => r, (l, r) => l + r);
                }
            }
            """;

        await Verifier.AnalyzerAsync(source, Verifier.Diagnostic().WithLocation(0).WithArguments("DateTime.Now", "Select"));
    }

    [Fact]
    public async Task Key_and_value_selectors_of_the_keyed_operators_are_read_like_any_query_lambda()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using StreamLinq;

            record Click(string User, int Weight);

            class Queries
            {
                public void Build(IDStream<Click> clicks)
                {
                    var reduced = clicks.ReduceByKey(c => c.User + {|#0:Guid.NewGuid()|}, c => c.Weight, (a, b) => a + b);
                    var windowed = clicks.ReduceByKeyAndWindow(c => c.User, c => c.Weight + {|#1:Random.Shared.Next()|}, (a, b) => a + b, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
                    var states = clicks.UpdateStateByKey(c => c.User, c => c.Weight, (IReadOnlyList<int> values, long? state) => {|#2:DateTime.UtcNow|}.Ticks);
                    var deterministic = clicks.ReduceByKey(c => c.User, c => c.Weight, (a, b) => a + b);
                }
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("Guid.NewGuid()", "ReduceByKey"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("Random.Shared.Next()", "ReduceByKeyAndWindow"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("DateTime.UtcNow", "UpdateStateByKey"));
    }

    [Fact]
    public async Task A_state_update_function_reading_the_clock_is_reported()
    {
        const string source = """
            using System;
            using StreamLinq;

            class Queries
            {
                public void Build() =>
                    StateSpec.Function<string, int, long, long>((key, value, state) => value + {|#0:DateTime.Now|}.Ticks);
            }
            """;

        await Verifier.AnalyzerAsync(source, Verifier.Diagnostic().WithLocation(0).WithArguments("DateTime.Now", "Function"));
    }
}
