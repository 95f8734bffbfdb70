using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0003: a sink that appends to a file (File.Append*, FileInfo.AppendText, FileMode.Append,
/// a StreamWriter opened with append: true). A replayed batch appends its lines again.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FileAppendInSinkAnalyzer : SinkEffectAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = Descriptors.FileAppendInSink;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    internal override Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation)
    {
        var file = compilation.GetTypeByMetadataName("System.IO.File");
        var fileInfo = compilation.GetTypeByMetadataName("System.IO.FileInfo");
        var fileMode = compilation.GetTypeByMetadataName("System.IO.FileMode");
        var streamWriter = compilation.GetTypeByMetadataName("System.IO.StreamWriter");
        return (operation, sink, report) =>
        {
            var appends = operation switch
            {
                IInvocationOperation call =>
                    (SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, file) && call.TargetMethod.Name.StartsWith("Append", StringComparison.Ordinal)) ||
                    (SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, fileInfo) && call.TargetMethod.Name == "AppendText"),
                IFieldReferenceOperation field =>
                    SymbolEqualityComparer.Default.Equals(field.Field.ContainingType, fileMode) && field.Field.Name == "Append",
                IArgumentOperation argument =>
                    argument.Parent is IObjectCreationOperation creation &&
                    SymbolEqualityComparer.Default.Equals(creation.Type, streamWriter) &&
                    argument.Parameter?.Name == "append" &&
                    argument.Value.ConstantValue is { HasValue: true, Value: true },
                _ => false,
            };

            if (appends)
            {
                var shown = operation is IArgumentOperation ? operation.Parent! : operation;
                report(Diagnostic.Create(Rule, shown.Syntax.GetLocation(), Show(shown), sink.OperationName));
            }
        };
    }
}
