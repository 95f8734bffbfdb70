using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CodeFixes;
using StreamLinq.Analyzers.CodeFixes.Support;

namespace StreamLinq.Analyzers.CodeFixes.Rules;

/// <summary>
/// SLQ0003: turns <c>File.AppendAllText(path, text)</c> (and AppendAllLines, AppendAllBytes and
/// their async forms) into <c>File.WriteAllText($"{path}-{time.Milliseconds}", text)</c>: one
/// file per batch time, which a replayed batch overwrites with the same content. Offered when
/// the sink has a <c>BatchTime</c> parameter in scope.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FileAppendToPerBatchFileFix)), Shared]
public sealed class FileAppendToPerBatchFileFix : NodeReplacementFix
{
    /// <summary>The equivalence key of the action.</summary>
    public const string EquivalenceKey = "StreamLinq.FileAppendToPerBatchFile";

    private static readonly ImmutableDictionary<string, string> Replacements = new[]
    {
        "AllText", "AllLines", "AllBytes", "AllTextAsync", "AllLinesAsync", "AllBytesAsync",
    }.ToImmutableDictionary(suffix => "Append" + suffix, suffix => "Write" + suffix);

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.FileAppendInSink);

    private protected override string Key => EquivalenceKey;

    private protected override bool NeedsSemanticModel => true;

    private protected override Replacement? Propose(SyntaxNode root, Diagnostic diagnostic, SemanticModel? model, CancellationToken cancellationToken)
    {
        if (model is null ||
            root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax
            {
                Expression: MemberAccessExpressionSyntax member,
                ArgumentList.Arguments.Count: >= 2,
            } call ||
            !Replacements.TryGetValue(member.Name.Identifier.ValueText, out var write) ||
            model.GetSymbolInfo(call, cancellationToken).Symbol?.ContainingType?.ToDisplayString() != "System.IO.File" ||
            BatchTimeInScope(call, model, cancellationToken) is not { } time)
        {
            return null;
        }

        return new Replacement("Write one file per batch time instead of appending", call, Rewrite(call, member, write, time));
    }

    private static InvocationExpressionSyntax Rewrite(InvocationExpressionSyntax call, MemberAccessExpressionSyntax member, string write, string time)
    {
        var path = call.ArgumentList.Arguments[0];
        var suffix = SyntaxFactory.Interpolation(SyntaxFactory.ParseExpression(time + ".Milliseconds"));
        // A literal path joins the "-" in one text part: two text parts side by side would be printed apart.
        var parts = path.Expression is LiteralExpressionSyntax literal && literal.Token.IsKind(SyntaxKind.StringLiteralToken) && !literal.Token.Text.StartsWith("@", System.StringComparison.Ordinal)
            ? new InterpolatedStringContentSyntax[] { TextPart(literal.Token.Text.Substring(1, literal.Token.Text.Length - 2) + "-", literal.Token.ValueText + "-"), suffix }
            : new InterpolatedStringContentSyntax[] { SyntaxFactory.Interpolation(path.Expression.WithoutTrivia()), TextPart("-", "-"), suffix };
        var perBatchPath = SyntaxFactory.InterpolatedStringExpression(SyntaxFactory.Token(SyntaxKind.InterpolatedStringStartToken), SyntaxFactory.List(parts));
        var arguments = call.ArgumentList.Arguments.Replace(path, path.WithExpression(perBatchPath.WithTriviaFrom(path.Expression)));
        return call
            .WithExpression(member.WithName(SyntaxFactory.IdentifierName(write).WithTriviaFrom(member.Name)))
            .WithArgumentList(call.ArgumentList.WithArguments(arguments));
    }

    private static InterpolatedStringTextSyntax TextPart(string escapedText, string value)
    {
        // A regular literal's escapes carry over; braces must be doubled inside an interpolated string.
        // (the parser keeps them doubled in the token's value too).
        return SyntaxFactory.InterpolatedStringText(SyntaxFactory.Token(
            SyntaxFactory.TriviaList(), SyntaxKind.InterpolatedStringTextToken, DoubleBraces(escapedText), DoubleBraces(value), SyntaxFactory.TriviaList()));
    }

    private static string DoubleBraces(string text) => text.Replace("{", "{{").Replace("}", "}}");

    /// <summary>The name of a <c>BatchTime</c> parameter of the nearest enclosing lambda or method.</summary>
    private static string? BatchTimeInScope(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var ancestor in node.Ancestors())
        {
            var parameters = ancestor switch
            {
                ParenthesizedLambdaExpressionSyntax lambda => lambda.ParameterList.Parameters,
                LocalFunctionStatementSyntax localFunction => localFunction.ParameterList.Parameters,
                BaseMethodDeclarationSyntax method => method.ParameterList.Parameters,
                _ => default,
            };
            var time = parameters.FirstOrDefault(p =>
                model.GetDeclaredSymbol(p, cancellationToken)?.Type.ToDisplayString() == "StreamLinq.BatchTime");
            if (time is not null)
            {
                return time.Identifier.ValueText;
            }

            if (ancestor is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax)
            {
                return null;
            }
        }

        return null;
    }
}
