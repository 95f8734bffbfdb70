using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0002: Add, Enqueue, Push, Insert (or StringBuilder.Append) in a sink, onto a collection
/// that outlives the call. A replayed batch adds its records again; a dictionary's Add throws.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CollectionAppendInSinkAnalyzer : SinkEffectAnalyzer
{
    /// <summary>The property that tells the code fix it may rewrite <c>Add(key, value)</c> into an indexer write.</summary>
    internal const string DictionaryAddProperty = "DictionaryAdd";

    internal static readonly DiagnosticDescriptor Rule = Descriptors.CollectionAppendInSink;

    private static readonly ImmutableHashSet<string> AppendingMethods = ImmutableHashSet.Create(
        "Add", "AddRange", "Enqueue", "EnqueueRange", "Push", "PushRange", "Insert", "InsertRange", "AddFirst", "AddLast",
        "Append", "AppendLine", "AppendFormat", "AppendJoin");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    internal override Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation)
    {
        var collection = compilation.GetTypeByMetadataName("System.Collections.Generic.ICollection`1");
        var untypedCollection = compilation.GetTypeByMetadataName("System.Collections.ICollection");
        var set = compilation.GetTypeByMetadataName("System.Collections.Generic.ISet`1");
        var dictionary = compilation.GetTypeByMetadataName("System.Collections.Generic.IDictionary`2");
        var builder = compilation.GetTypeByMetadataName("System.Text.StringBuilder");

        bool Implements(ITypeSymbol type, INamedTypeSymbol? candidate) =>
            candidate is not null &&
            (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, candidate) ||
             type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, candidate)));

        return (operation, sink, report) =>
        {
            if (operation is not IInvocationOperation { Instance: { Type: { } type } receiver } call ||
                !AppendingMethods.Contains(call.TargetMethod.Name))
            {
                return;
            }

            // Sets keep one copy of a repeated element, and immutable collections return a new one: both are harmless.
            var isCollection = SymbolEqualityComparer.Default.Equals(type, builder) ||
                ((Implements(type, collection) || Implements(type, untypedCollection)) &&
                 !Implements(type, set) &&
                 type.ContainingNamespace?.ToDisplayString() != "System.Collections.Immutable");
            // A buffer cleared or replaced on every call holds only this call's records.
            if (!isCollection || !Storage.OutlivesCall(receiver, sink) ||
                (Storage.RootStorage(receiver) is { } storage && Storage.IsResetInCall(storage, sink)))
            {
                return;
            }

            var isDictionaryAdd = call.TargetMethod.Name == "Add" && call.Arguments.Length == 2 && Implements(type, dictionary);
            var properties = isDictionaryAdd
                ? ImmutableDictionary<string, string?>.Empty.Add(DictionaryAddProperty, "true")
                : ImmutableDictionary<string, string?>.Empty;
            var consequence = isDictionaryAdd
                ? "a replayed batch adds the same key again and throws"
                : "a replayed batch adds its records again";
            report(Diagnostic.Create(Rule, call.Syntax.GetLocation(), properties, Show(call), sink.OperationName, Show(receiver), consequence));
        };
    }
}
