using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using StreamLinq.Analyzers.CodeFixes.Rules;

namespace StreamLinq.Analyzers.Tests;

/// <summary>
/// The attribute is a suppression, not a repair (issue 14, item 10): the IDE must list the rewrites
/// and the change of delivery before it, and say what it is.
/// </summary>
public class CodeFixOrderTests
{
    private static readonly Type[] Providers = typeof(MarkSinkIdempotentFix).Assembly.GetTypes()
        .Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && !t.IsAbstract && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
        .ToArray();

    [Fact]
    public void Every_other_fix_is_ordered_before_the_IdempotentSink_attribute()
    {
        var after = new Dictionary<string, string?>();
        var before = new Dictionary<string, string?>();
        foreach (var provider in Providers)
        {
            var order = provider.GetCustomAttribute<ExtensionOrderAttribute>();
            after[provider.Name] = order?.After;
            before[provider.Name] = order?.Before;
        }

        Assert.Equal(nameof(AskForAtMostOnceFix), after[nameof(MarkSinkIdempotentFix)]);
        Assert.Null(before[nameof(MarkSinkIdempotentFix)]);
        foreach (var provider in Providers.Where(p => p != typeof(MarkSinkIdempotentFix)))
        {
            // Follow Before links: every chain must reach the attribute's fix.
            var name = provider.Name;
            var seen = new HashSet<string>();
            while (before.TryGetValue(name, out var next) && next is not null && seen.Add(name))
            {
                name = next;
            }

            Assert.True(name == nameof(MarkSinkIdempotentFix), $"{provider.Name} is not ordered before {nameof(MarkSinkIdempotentFix)}");
        }
    }

    [Fact]
    public void The_attribute_fix_is_titled_as_a_suppression_and_offers_no_fix_all()
    {
        Assert.StartsWith("Suppress:", MarkSinkIdempotentFix.Title, StringComparison.Ordinal);
        Assert.Contains("exactly-once", MarkSinkIdempotentFix.Title, StringComparison.Ordinal);
        Assert.Null(new MarkSinkIdempotentFix().GetFixAllProvider());
    }
}
