using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0008: SQL in a sink that sets a column from its stored value (<c>UPDATE t SET n = n + @d</c>,
/// <c>ON CONFLICT ... DO UPDATE SET total = t.total + EXCLUDED.total</c>,
/// <c>ON DUPLICATE KEY UPDATE qty = qty + VALUES(qty)</c>), and EF Core's
/// <c>ExecuteUpdate(s =&gt; s.SetProperty(p =&gt; p.N, p =&gt; p.N + d))</c>. A replayed batch applies the change again.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SqlReadModifyWriteInSinkAnalyzer : SinkEffectAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = Descriptors.SqlReadModifyWriteInSink;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    internal override Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation) =>
        (operation, sink, report) =>
        {
            var text = SqlText.Of(operation);
            if (text is not null && SqlText.RelativeUpdate(text) is { } item)
            {
                report(Diagnostic.Create(Rule, operation.Syntax.GetLocation(), Show(item), sink.OperationName));
            }
            else if (IsRelativeSetProperty(operation))
            {
                report(Diagnostic.Create(Rule, operation.Syntax.GetLocation(), Show(operation), sink.OperationName));
            }
        };

    /// <summary>EF Core's <c>SetProperty(p =&gt; p.N, p =&gt; p.N + d)</c>: the new value reads the property it sets.</summary>
    private static bool IsRelativeSetProperty(IOperation operation)
    {
        if (operation is not IInvocationOperation { TargetMethod.Name: "SetProperty", Arguments.Length: 2 } call ||
            call.TargetMethod.ContainingNamespace?.ToDisplayString() != "Microsoft.EntityFrameworkCore" ||
            Lambda(call.Arguments[0].Value) is not { } selector || Lambda(call.Arguments[1].Value) is not { } value ||
            selector.Body.Descendants().OfType<IPropertyReferenceOperation>().LastOrDefault() is not { } property)
        {
            return false;
        }

        return value.Body.Descendants().OfType<IPropertyReferenceOperation>()
            .Any(p => SymbolEqualityComparer.Default.Equals(p.Property, property.Property));
    }

    private static IAnonymousFunctionOperation? Lambda(IOperation operation) =>
        OutputOperations.Unwrap(operation) is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } ? lambda : null;
}
