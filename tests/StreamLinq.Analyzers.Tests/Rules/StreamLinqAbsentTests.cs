using StreamLinq.Analyzers.Rules;
using StreamLinq.Analyzers.Tests.Support;

namespace StreamLinq.Analyzers.Tests.Rules;

/// <summary>Without a reference to StreamLinq every rule stays out, even for types that look like StreamLinq's.</summary>
public class StreamLinqAbsentTests
{
    private const string LookAlike = """
        using System;
        using System.Collections.Generic;

        namespace Elsewhere
        {
            public enum DeliveryGuarantee { AtMostOnce, AtLeastOnce, ExactlyOnce }

            public static class DStreamOutput
            {
                public static void ForEachBatch<T>(this List<T> source, Action<IReadOnlyList<T>, long> action, DeliveryGuarantee delivery = DeliveryGuarantee.AtLeastOnce) { }
            }

            public static class DStreamQueryable
            {
                public static List<T> Select<T>(this List<T> source, Func<T, T> selector) => source;
            }

            class Use
            {
                private int total;
                private readonly List<int> all = new();

                public void Run(List<int> numbers)
                {
                    numbers.ForEachBatch((batch, time) => { total++; all.AddRange(batch); }, DeliveryGuarantee.ExactlyOnce);
                    numbers.Select(x => x + DateTime.Now.Second);
                }
            }
        }
        """;

    [Fact]
    public Task Counter_rule_stays_out() => Verify<CounterUpdateInSinkAnalyzer>.AnalyzerAsync(LookAlike, referenceStreamLinq: false);

    [Fact]
    public Task Collection_rule_stays_out() => Verify<CollectionAppendInSinkAnalyzer>.AnalyzerAsync(LookAlike, referenceStreamLinq: false);

    [Fact]
    public Task Non_determinism_rule_stays_out() => Verify<NonDeterministicTransformationAnalyzer>.AnalyzerAsync(LookAlike, referenceStreamLinq: false);

    [Fact]
    public Task Exactly_once_rule_stays_out() => Verify<ExactlyOnceFromUnsafeSinkAnalyzer>.AnalyzerAsync(LookAlike, referenceStreamLinq: false);
}
