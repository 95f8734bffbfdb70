using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// What the effect rules share within one compilation: StreamLinq's types, the semantic models of
/// the files a sink's helpers are declared in, the <c>.editorconfig</c> options, and a count of the
/// operations examined (the analyzers' work, which must grow linearly with the code they read).
/// </summary>
internal sealed class SinkContext
{
    private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> models = new();
    private readonly AnalyzerOptions options;
    private readonly WorkCounter work;

    public SinkContext(Compilation compilation, AnalyzerOptions options, StreamLinqTypes types, WorkCounter work)
    {
        Compilation = compilation;
        this.options = options;
        Types = types;
        this.work = work;
    }

    public Compilation Compilation { get; }

    public StreamLinqTypes Types { get; }

    public void CountWork() => work.Add(1);

    /// <summary>The semantic model of a file holding a helper the sink calls, made once per file.</summary>
    public SemanticModel ModelFor(SyntaxTree tree) =>
#pragma warning disable RS1030 // A helper called by a sink may be declared in another file: its body can only be read through that file's model, made once and kept for the compilation.
        models.GetOrAdd(tree, t => Compilation.GetSemanticModel(t));
#pragma warning restore RS1030

    private readonly ConcurrentDictionary<string, ImmutableHashSet<string>> nameLists = new();

    /// <summary>
    /// A comma-separated list of method names from the <c>.editorconfig</c> of a file (<c>Name</c>,
    /// or <c>Type.Name</c> to single out one type's), empty when the key is not set.
    /// </summary>
    public ImmutableHashSet<string> NameList(SyntaxTree tree, string key) =>
        Option(tree, key) is { } value
            ? nameLists.GetOrAdd(value, v => v.Split(new[] { ',', ' ', ';' }, System.StringSplitOptions.RemoveEmptyEntries).ToImmutableHashSet(System.StringComparer.Ordinal))
            : ImmutableHashSet<string>.Empty;

    /// <summary>Whether a method is named in such a list, by its name (without Async) or its type's and its name.</summary>
    public static bool IsListed(ImmutableHashSet<string> list, IMethodSymbol method)
    {
        if (list.IsEmpty)
        {
            return false;
        }

        var name = method.Name.EndsWith("Async", System.StringComparison.Ordinal) ? method.Name.Substring(0, method.Name.Length - 5) : method.Name;
        var type = method.ContainingType?.Name;
        return list.Contains(method.Name) || list.Contains(name) || (type is not null && (list.Contains(type + "." + method.Name) || list.Contains(type + "." + name)));
    }

    /// <summary>An <c>.editorconfig</c> value for the file, or null.</summary>
    public string? Option(SyntaxTree tree, string key) =>
        options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(key, out var value) ? value : null;
}

/// <summary>A count of operations an analyzer examined, kept across the compilations it sees (tests read it to check the work is linear).</summary>
internal sealed class WorkCounter
{
    private long value;

    public long Value => Interlocked.Read(ref value);

    public void Add(long count) => Interlocked.Add(ref value, count);
}
