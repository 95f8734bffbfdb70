using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StreamLinq.Analyzers.Rules;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// Marks a sink <c>[IdempotentSink]</c>: the lambda, the method of a method group, or the sink
/// class whose <c>WriteBatchAsync</c> it is. A suppression, not a repair: the code still does what
/// it did, and the engine then trusts the sink with exactly-once delivery. So it is titled as a
/// suppression, offered last (after the rewrites and the change of delivery, in provider order and
/// at low priority), and never for a batch of diagnostics at once.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MarkSinkIdempotentFix)), Shared]
[ExtensionOrder(After = nameof(AskForAtMostOnceFix))]
public sealed class MarkSinkIdempotentFix : CodeFixProvider
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.MarkSinkIdempotent";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(
        RuleIdentifiers.CounterUpdateInSink,
        RuleIdentifiers.CollectionAppendInSink,
        RuleIdentifiers.FileAppendInSink,
        RuleIdentifiers.SqlInsertInSink,
        RuleIdentifiers.RedisIncrementInSink,
        RuleIdentifiers.ExactlyOnceFromUnsafeSink);

    /// <summary>The action's title: what the attribute claims, and that the engine will rely on it.</summary>
    public const string Title = "Suppress: mark the sink [IdempotentSink] (only if a replayed batch already leaves the same result; exactly-once delivery then trusts it)";

    /// <summary>A promise made after review is made one sink at a time: no fix-all.</summary>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var target = diagnostic.Id == RuleIdentifiers.ExactlyOnceFromUnsafeSink
                ? SinkOfArgument(node, diagnostic, model, context.CancellationToken)
                : EnclosingSink(node, model, context.CancellationToken);
            if (target is null || context.Document.Project.Solution.GetDocument(target.SyntaxTree) is not { } targetDocument)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    Title,
                    cancellationToken => AddAttributeAsync(targetDocument, target, cancellationToken),
                    EquivalenceKey,
                    CodeActionPriority.Low),
                diagnostic);
        }
    }

    private static SyntaxNode? SinkOfArgument(SyntaxNode node, Diagnostic diagnostic, SemanticModel model, CancellationToken cancellationToken)
    {
        var expression = node is ArgumentSyntax argument ? argument.Expression : node as ExpressionSyntax;
        if (expression is null)
        {
            return null;
        }

        diagnostic.Properties.TryGetValue(ExactlyOnceFromUnsafeSinkAnalyzer.SinkKindProperty, out var kind);
        return kind switch
        {
            ExactlyOnceFromUnsafeSinkAnalyzer.LambdaKind => expression.DescendantNodesAndSelf().OfType<AnonymousFunctionExpressionSyntax>().FirstOrDefault(),
            ExactlyOnceFromUnsafeSinkAnalyzer.MethodKind => Declaration(model.GetSymbolInfo(expression, cancellationToken).Symbol, cancellationToken),
            ExactlyOnceFromUnsafeSinkAnalyzer.TypeKind => Declaration(model.GetTypeInfo(expression, cancellationToken).Type, cancellationToken),
            _ => null,
        };
    }

    /// <summary>The sink around an effect: the lambda passed to an output operation, or the enclosing method (the class for a WriteBatchAsync).</summary>
    private static SyntaxNode? EnclosingSink(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax { Parent: ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } } } lambda
                    when model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol method &&
                         method.ContainingType?.ToDisplayString() == "StreamLinq.DStreamOutput":
                    return lambda;
                case LocalFunctionStatementSyntax localFunction:
                    return localFunction;
                case BaseMethodDeclarationSyntax declaration:
                    return model.GetDeclaredSymbol(declaration, cancellationToken) is IMethodSymbol { Name: "WriteBatchAsync" } write &&
                           write.ContainingType.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(
                               i.OriginalDefinition, model.Compilation.GetTypeByMetadataName("StreamLinq.IBatchSink`1")))
                        ? declaration.Parent as TypeDeclarationSyntax
                        : declaration;
            }
        }

        return null;
    }

    private static SyntaxNode? Declaration(ISymbol? symbol, CancellationToken cancellationToken) =>
        symbol?.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken))
            .FirstOrDefault(s => s is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or TypeDeclarationSyntax);

    private static async Task<Solution> AddAttributeAsync(Document document, SyntaxNode target, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document.Project.Solution;
        }

        var attribute = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
            SyntaxFactory.Attribute(SyntaxEdits.QualifiedName("StreamLinq.IdempotentSink"))));
        SyntaxNode? marked = target switch
        {
            ParenthesizedLambdaExpressionSyntax lambda => lambda.WithoutLeadingTrivia().AddAttributeLists(
                attribute.WithLeadingTrivia(lambda.GetLeadingTrivia()).WithTrailingTrivia(SyntaxFactory.Space)),
            MemberDeclarationSyntax member => PrependAttribute(member, attribute, SyntaxEdits.EndOfLine(root)),
            LocalFunctionStatementSyntax localFunction => PrependAttribute(localFunction, attribute, SyntaxEdits.EndOfLine(root)),
            _ => null,
        };

        return marked is null
            ? document.Project.Solution
            : document.WithSyntaxRoot(root.ReplaceNode(target, marked)).Project.Solution;
    }

    private static SyntaxNode PrependAttribute(SyntaxNode declaration, AttributeListSyntax attribute, SyntaxTrivia endOfLine)
    {
        // The new line takes the declaration's leading trivia (doc comment, indentation); the declaration keeps its indentation.
        var leading = declaration.GetLeadingTrivia();
        var indentation = leading.Count > 0 && leading.Last().IsKind(SyntaxKind.WhitespaceTrivia)
            ? SyntaxFactory.TriviaList(leading.Last())
            : SyntaxFactory.TriviaList();
        var line = attribute.WithLeadingTrivia(leading).WithTrailingTrivia(endOfLine);
        return declaration.WithLeadingTrivia(indentation) switch
        {
            MemberDeclarationSyntax member => member.WithAttributeLists(member.AttributeLists.Insert(0, line)),
            LocalFunctionStatementSyntax localFunction => localFunction.WithAttributeLists(localFunction.AttributeLists.Insert(0, line)),
            var other => other,
        };
    }
}
