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
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.CodeFixes.Support;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// SLQ0001: keys an update by the batch time, so that a replayed batch does not apply it again.
/// <c>total += batch.Count;</c> becomes
/// <c>if (totalAppliedUpTo is null || time &gt; totalAppliedUpTo) { total += batch.Count; totalAppliedUpTo = time; }</c>
/// beside a new <c>BatchTime? totalAppliedUpTo</c> declared with <c>total</c>. Batches reach a sink
/// in time order and a replay repeats a batch already seen, so the update runs once per batch time.
/// </summary>
/// <remarks>
/// Offered only where the rewrite is mechanical: the update is a statement of the sink's own body
/// (not in a loop or a branch, where one guard per batch would skip the batch's other records), the
/// sink has a <c>BatchTime</c> parameter, and the updated variable is a field or a captured local
/// declared in the same file. The mark lives beside the variable, so it survives exactly as long:
/// both are lost together on a crash, or kept together across an in-process restart.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ApplyOncePerBatchTimeFix)), Shared]
[ExtensionOrder(Before = nameof(AskForAtMostOnceFix))]
public sealed class ApplyOncePerBatchTimeFix : CodeFixProvider
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.ApplyOncePerBatchTime";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.CounterUpdateInSink);

    /// <summary>Each update gets its own mark, declared once: fixed one at a time.</summary>
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
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax update ||
                Plan(update, model, context.CancellationToken) is not { } plan)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Apply once per batch time (a replayed batch skips it; remembers the last batch in '{plan.Mark}')",
                    cancellationToken => ApplyAsync(context.Document, update, plan, cancellationToken),
                    EquivalenceKey),
                diagnostic);
        }
    }

    private sealed class Edit(string mark, string time, SyntaxNode declaration, bool isField, bool isStatic)
    {
        public string Mark { get; } = mark;

        public string Time { get; } = time;

        public SyntaxNode Declaration { get; } = declaration;

        public bool IsField { get; } = isField;

        public bool IsStatic { get; } = isStatic;
    }

    private static Edit? Plan(ExpressionSyntax update, SemanticModel model, CancellationToken cancellationToken)
    {
        // The update must run once per call: a statement of the function's own block, or its expression body.
        var function = update.Parent switch
        {
            ExpressionStatementSyntax { Parent: BlockSyntax { Parent: var owner } } => owner,
            ParenthesizedLambdaExpressionSyntax lambda when lambda.ExpressionBody == update => lambda,
            ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax or LocalFunctionStatementSyntax } arrow => arrow.Parent,
            _ => null,
        };
        if (function is not (ParenthesizedLambdaExpressionSyntax or MethodDeclarationSyntax or LocalFunctionStatementSyntax) ||
            BatchTimeParameter.InScope(update, model, cancellationToken) is not { } time)
        {
            return null;
        }

        var target = model.GetOperation(update, cancellationToken) switch
        {
            IIncrementOrDecrementOperation step => step.Target,
            ICompoundAssignmentOperation compound => compound.Target,
            ISimpleAssignmentOperation assignment => assignment.Target,
            IInvocationOperation { Arguments.Length: > 0 } call => call.Arguments[0].Value,
            _ => null,
        };
        var storage = Storage.RootStorage(target);
        var declaration = storage?.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).FirstOrDefault();
        if (storage is null || declaration?.SyntaxTree != update.SyntaxTree || declaration.Span.Contains(update.Span))
        {
            return null;
        }

        var mark = storage.Name + "AppliedUpTo";
        if (model.LookupSymbols(update.SpanStart, name: mark).Any() ||
            model.LookupSymbols(declaration.SpanStart, name: mark).Any())
        {
            return null;
        }

        return storage switch
        {
            IFieldSymbol field when declaration.FirstAncestorOrSelf<FieldDeclarationSyntax>() is { } fieldDeclaration =>
                new Edit(mark, time, fieldDeclaration, isField: true, field.IsStatic),
            ILocalSymbol when declaration.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is { Parent: BlockSyntax } localDeclaration &&
                              !localDeclaration.Span.Contains(function.Span) =>
                new Edit(mark, time, localDeclaration, isField: false, isStatic: false),
            _ => null,
        };
    }

    private static async Task<Document> ApplyAsync(Document document, ExpressionSyntax update, Edit plan, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var type = SyntaxEdits.QualifiedName("StreamLinq.BatchTime");
        var markType = SyntaxFactory.NullableType(type);
        var declarator = SyntaxFactory.VariableDeclaration(markType, SyntaxFactory.SingletonSeparatedList(SyntaxFactory.VariableDeclarator(plan.Mark)));
        SyntaxNode declaration = plan.IsField
            ? SyntaxFactory.FieldDeclaration(declarator).WithModifiers(SyntaxFactory.TokenList(
                plan.IsStatic
                    ? new[] { SyntaxFactory.Token(SyntaxKind.PrivateKeyword), SyntaxFactory.Token(SyntaxKind.StaticKeyword) }
                    : new[] { SyntaxFactory.Token(SyntaxKind.PrivateKeyword) }))
            : SyntaxFactory.LocalDeclarationStatement(declarator.WithVariables(SyntaxFactory.SingletonSeparatedList(
                SyntaxFactory.VariableDeclarator(plan.Mark).WithInitializer(SyntaxFactory.EqualsValueClause(
                    SyntaxFactory.LiteralExpression(SyntaxKind.NullLiteralExpression))))));
        editor.InsertAfter(plan.Declaration, declaration.WithAdditionalAnnotations(Formatter.Annotation));

        var endOfLine = SyntaxEdits.EndOfLine(await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) ?? update);

        // Line breaks written out: the formatter keeps a block it finds on one line on one line.
        BlockSyntax Lines(params StatementSyntax[] statements) => SyntaxFactory.Block(
            SyntaxFactory.Token(SyntaxKind.OpenBraceToken).WithLeadingTrivia(endOfLine).WithTrailingTrivia(endOfLine),
            SyntaxFactory.List(statements.Select(s => s.WithTrailingTrivia(endOfLine))),
            SyntaxFactory.Token(SyntaxKind.CloseBraceToken));

        var guarded = SyntaxFactory.IfStatement(
            SyntaxFactory.ParseExpression($"{plan.Mark} is null || {plan.Time} > {plan.Mark}"),
            Lines(
                SyntaxFactory.ExpressionStatement(update.WithoutTrivia()),
                SyntaxFactory.ParseStatement($"{plan.Mark} = {plan.Time};"))).WithAdditionalAnnotations(Formatter.Annotation);
        switch (update.Parent)
        {
            case ExpressionStatementSyntax statement:
                editor.ReplaceNode(statement, guarded.WithTriviaFrom(statement));
                break;
            case ParenthesizedLambdaExpressionSyntax lambda:
                // The formatter indents the new block from the statement or member that holds the lambda.
                var holder = lambda.Ancestors().First(a => a is StatementSyntax or MemberDeclarationSyntax);
                editor.ReplaceNode(holder, holder.ReplaceNode(
                    lambda, lambda.WithArrowToken(lambda.ArrowToken.WithoutTrivia()).WithExpressionBody(null).WithBlock(Lines(guarded))).WithAdditionalAnnotations(Formatter.Annotation));
                break;
            case ArrowExpressionClauseSyntax { Parent: MethodDeclarationSyntax method }:
                editor.ReplaceNode(method, method.WithExpressionBody(null).WithSemicolonToken(default)
                    .WithParameterList(method.ParameterList.WithoutTrailingTrivia()).WithBody(Lines(guarded)).WithAdditionalAnnotations(Formatter.Annotation));
                break;
            case ArrowExpressionClauseSyntax { Parent: LocalFunctionStatementSyntax localFunction }:
                editor.ReplaceNode(localFunction, localFunction.WithExpressionBody(null).WithSemicolonToken(default)
                    .WithParameterList(localFunction.ParameterList.WithoutTrailingTrivia()).WithBody(Lines(guarded)).WithAdditionalAnnotations(Formatter.Annotation));
                break;
        }

        return editor.GetChangedDocument();
    }
}
