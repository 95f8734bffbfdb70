using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// Follows a stream back to the source calls that create it (<c>context.QueueStream(q)</c>,
/// <c>context.TextFileStream(dir)</c>, ...), through StreamLinq's operators and locals initialised
/// once, and tells what can be known there: whether each source can replay a batch, and whether its
/// context checkpoints.
/// </summary>
internal sealed class StreamOrigins
{
    private readonly INamedTypeSymbol? context;
    private readonly INamedTypeSymbol? stream;

    public StreamOrigins(Compilation compilation)
    {
        context = compilation.GetTypeByMetadataName("StreamLinq.StreamingContext");
        stream = compilation.GetTypeByMetadataName("StreamLinq.IDStream`1");
    }

    /// <summary>The source calls behind <paramref name="operation"/>, or null when one of its inputs cannot be followed.</summary>
    public IReadOnlyList<IInvocationOperation>? Sources(IOperation operation)
    {
        var found = new List<IInvocationOperation>();
        return Follow(operation, found, depth: 0) ? found : null;
    }

    /// <summary>The stream an output operation writes: its receiver (the <c>this</c> argument of the extension method).</summary>
    public static IOperation? OutputStream(IInvocationOperation output) =>
        output.Instance ?? output.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value;

    /// <summary>
    /// Whether a built-in source can replay a sealed batch: null when it cannot be told here (a
    /// source of another library, options held in a variable).
    /// </summary>
    public static bool? IsReplayable(IInvocationOperation source)
    {
        var owner = source.TargetMethod.ContainingType?.ToDisplayString();
        if (owner == "StreamLinq.Redis.RedisStreamsSources")
        {
            return true;
        }

        if (owner != "StreamLinq.StreamingContextSources")
        {
            return null;
        }

        switch (source.TargetMethod.Name)
        {
            case "TextFileStream":
                return true;
            case "QueueStream":
                return false;
            case "FromObservable" or "FromAsyncEnumerable" or "SocketTextStream":
                // A receiver replays only what its write-ahead log kept.
                var options = source.Arguments.FirstOrDefault(a => a.Parameter?.Name == "options");
                if (options is null || options.ArgumentKind == ArgumentKind.DefaultValue ||
                    OutputOperations.Unwrap(options.Value).ConstantValue is { HasValue: true, Value: null })
                {
                    return false;
                }

                if (OutputOperations.Unwrap(options.Value) is IObjectCreationOperation created)
                {
                    var log = created.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                        .FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "WriteAheadLog" });
                    return log is null ? false : log.Value.ConstantValue is { HasValue: true, Value: bool on } ? on : null;
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>
    /// Whether the context of a source call is seen never to checkpoint: a local made by
    /// <c>new StreamingContext(...)</c> in a function that does not return a context (a factory
    /// passed to <c>StreamingContext.GetOrCreate</c> does, and checkpoints). Null for the function
    /// that declares that local, to compare with where other state lives.
    /// </summary>
    public SyntaxNode? UncheckpointedContextScope(IInvocationOperation source)
    {
        var argument = source.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
        if (argument is null || OutputOperations.Unwrap(argument.Value) is not ILocalReferenceOperation local ||
            !SymbolEqualityComparer.Default.Equals(local.Type, context) ||
            Initializer(local) is not IObjectCreationOperation creation ||
            !SymbolEqualityComparer.Default.Equals(creation.Type, context))
        {
            return null;
        }

        var function = Function(creation.Syntax);
        var model = source.SemanticModel;
        if (function is null || model is null)
        {
            return null;
        }

        var returns = function switch
        {
            AnonymousFunctionExpressionSyntax lambda => (model.GetSymbolInfo(lambda).Symbol as IMethodSymbol)?.ReturnType,
            _ => (model.GetDeclaredSymbol(function) as IMethodSymbol)?.ReturnType,
        };
        var returnsContext = returns is INamedTypeSymbol returned &&
            (SymbolEqualityComparer.Default.Equals(returned, context) ||
             returned.TypeArguments.Any(t => SymbolEqualityComparer.Default.Equals(t, context)));
        return returnsContext ? null : function;
    }

    /// <summary>The lambda, local function or member whose body declares <paramref name="node"/>.</summary>
    public static SyntaxNode? Function(SyntaxNode node) =>
        node.Ancestors().FirstOrDefault(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax);

    private bool Follow(IOperation operation, List<IInvocationOperation> found, int depth)
    {
        if (depth > 64)
        {
            return false;
        }

        operation = OutputOperations.Unwrap(operation);
        switch (operation)
        {
            case IInvocationOperation call when call.TargetMethod.Parameters.FirstOrDefault() is { } first &&
                                                SymbolEqualityComparer.Default.Equals(first.Type, context):
                found.Add(call);
                return true;
            case IInvocationOperation call when call.TargetMethod.ContainingNamespace?.ToDisplayString() is "StreamLinq" or "StreamLinq.Redis":
                var inputs = call.Arguments.Select(a => a.Value).Where(IsStream).ToList();
                if (call.Instance is { } instance && IsStream(instance))
                {
                    inputs.Add(instance);
                }

                return inputs.Count > 0 && inputs.All(input => Follow(input, found, depth + 1));
            case ILocalReferenceOperation local when Initializer(local) is { } initializer:
                return Follow(initializer, found, depth + 1);
            default:
                return false;
        }
    }

    private bool IsStream(IOperation operation) =>
        stream is not null && operation.Type is { } type &&
        (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, stream) ||
         type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, stream)));

    /// <summary>The value a local is declared with, when it is never assigned again in its function.</summary>
    private static IOperation? Initializer(ILocalReferenceOperation reference)
    {
        var model = reference.SemanticModel;
        var declarator = reference.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as VariableDeclaratorSyntax;
        if (model is null || declarator is null || declarator.SyntaxTree != model.SyntaxTree ||
            model.GetOperation(declarator) is not IVariableDeclaratorOperation { Initializer.Value: { } value })
        {
            return null;
        }

        var scope = Function(declarator);
        var reassigned = scope?.DescendantNodes().OfType<AssignmentExpressionSyntax>()
            .Any(a => a.Left is IdentifierNameSyntax name && name.Identifier.ValueText == reference.Local.Name &&
                      SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name).Symbol, reference.Local)) ?? true;
        return reassigned ? null : value;
    }
}
