using System.Linq;
using Microsoft.CodeAnalysis;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// StreamLinq's well-known types, resolved once per compilation so that rules match by
/// symbol, never by name: <c>List&lt;T&gt;.ForEach</c> is not <c>ForEachBatch</c>.
/// </summary>
internal sealed class StreamLinqTypes
{
    private StreamLinqTypes(Compilation compilation, INamedTypeSymbol output, INamedTypeSymbol queryable, INamedTypeSymbol delivery)
    {
        DStreamOutput = output;
        DStreamQueryable = queryable;
        DeliveryGuarantee = delivery;
        BatchSink = compilation.GetTypeByMetadataName("StreamLinq.IBatchSink`1");
        IdempotentSink = compilation.GetTypeByMetadataName("StreamLinq.IIdempotentSink");
        TransactionalSink = compilation.GetTypeByMetadataName("StreamLinq.ITransactionalSink");
        IdempotentSinkAttribute = compilation.GetTypeByMetadataName("StreamLinq.IdempotentSinkAttribute");
        BatchTime = compilation.GetTypeByMetadataName("StreamLinq.BatchTime");
    }

    public INamedTypeSymbol DStreamOutput { get; }

    public INamedTypeSymbol DStreamQueryable { get; }

    public INamedTypeSymbol DeliveryGuarantee { get; }

    public INamedTypeSymbol? BatchSink { get; }

    public INamedTypeSymbol? IdempotentSink { get; }

    public INamedTypeSymbol? TransactionalSink { get; }

    public INamedTypeSymbol? IdempotentSinkAttribute { get; }

    public INamedTypeSymbol? BatchTime { get; }

    /// <summary>The types, or null when the compilation does not reference StreamLinq (every rule then stays out).</summary>
    public static StreamLinqTypes? TryCreate(Compilation compilation)
    {
        var output = compilation.GetTypeByMetadataName("StreamLinq.DStreamOutput");
        var queryable = compilation.GetTypeByMetadataName("StreamLinq.DStreamQueryable");
        var delivery = compilation.GetTypeByMetadataName("StreamLinq.DeliveryGuarantee");
        return output is null || queryable is null || delivery is null
            ? null
            : new StreamLinqTypes(compilation, output, queryable, delivery);
    }

    /// <summary>Whether a symbol carries <c>[IdempotentSink]</c>.</summary>
    public bool HasIdempotentAttribute(ISymbol? symbol) =>
        symbol is not null && IdempotentSinkAttribute is not null &&
        symbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, IdempotentSinkAttribute));

    /// <summary>Whether a sink type declares that a replayed batch is harmless: a marker interface or the attribute.</summary>
    public bool IsReplaySafeType(ITypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        foreach (var candidate in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(candidate, IdempotentSink) || SymbolEqualityComparer.Default.Equals(candidate, TransactionalSink))
            {
                return true;
            }
        }

        // The attribute is not inherited (Inherited = false): the engine reads it on the sink's own type.
        if (HasIdempotentAttribute(type))
        {
            return true;
        }

        return false;
    }

    /// <summary>Whether a type implements <c>IBatchSink&lt;T&gt;</c>.</summary>
    public bool IsBatchSink(ITypeSymbol? type) =>
        type is not null && BatchSink is not null &&
        (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, BatchSink) ||
         type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, BatchSink)));
}
