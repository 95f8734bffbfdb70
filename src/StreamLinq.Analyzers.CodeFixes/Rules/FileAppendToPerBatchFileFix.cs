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
/// their async forms) into <c>File.WriteAllText("audit-{time.Milliseconds}.log", text)</c>: one
/// file per batch time, the time before the extension so that the file keeps its type, which a
/// replayed batch overwrites with the same content. Offered when the sink has a <c>BatchTime</c>
/// parameter in scope and the path can be read twice without running anything twice.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FileAppendToPerBatchFileFix)), Shared]
[ExtensionOrder(Before = nameof(AskForAtMostOnceFix))]
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
            BatchTimeParameter.InScope(call, model, cancellationToken) is not { } time)
        {
            return null;
        }

        return Rewrite(call, member, write, time) is { } rewritten
            ? new Replacement("Write one file per batch time instead of appending", call, rewritten)
            : null;
    }

    private static InvocationExpressionSyntax? Rewrite(InvocationExpressionSyntax call, MemberAccessExpressionSyntax member, string write, string time)
    {
        var path = call.ArgumentList.Arguments[0];
        if (PerBatchPath(path.Expression.WithoutTrivia(), time) is not { } perBatchPath)
        {
            return null;
        }

        var arguments = call.ArgumentList.Arguments.Replace(path, path.WithExpression(perBatchPath.WithTriviaFrom(path.Expression)));
        return call
            .WithExpression(member.WithName(SyntaxFactory.IdentifierName(write).WithTriviaFrom(member.Name)))
            .WithArgumentList(call.ArgumentList.WithArguments(arguments));
    }

    /// <summary>
    /// The path with <c>-{time.Milliseconds}</c> before its extension (<c>audit.log</c> becomes
    /// <c>audit-{time.Milliseconds}.log</c>, so the file keeps its type), or at its end when it has
    /// none; null when the path is an expression that cannot be read twice without running it twice.
    /// </summary>
    private static ExpressionSyntax? PerBatchPath(ExpressionSyntax path, string time)
    {
        var stamp = "-{" + time + ".Milliseconds}";
        switch (path)
        {
            // A regular or verbatim literal becomes an interpolated one: its escapes carry over, its braces are doubled.
            case LiteralExpressionSyntax literal when literal.Token.IsKind(SyntaxKind.StringLiteralToken):
            {
                var text = literal.Token.Text;
                var verbatim = text.StartsWith("@", System.StringComparison.Ordinal);
                var body = text.Substring(verbatim ? 2 : 1, text.Length - (verbatim ? 3 : 2));
                var at = ExtensionStart(body, fileNameMayStartEarlier: false) ?? body.Length;
                return SyntaxFactory.ParseExpression(
                    (verbatim ? "$@\"" : "$\"") + DoubleBraces(body.Substring(0, at)) + stamp + DoubleBraces(body.Substring(at)) + "\"");
            }

            // An interpolated path whose last part is text: the stamp goes into that text.
            case InterpolatedStringExpressionSyntax interpolated
                when interpolated.StringStartToken.IsKind(SyntaxKind.InterpolatedStringStartToken) ||
                     interpolated.StringStartToken.IsKind(SyntaxKind.InterpolatedVerbatimStringStartToken):
            {
                if (interpolated.Contents.LastOrDefault() is not InterpolatedStringTextSyntax last)
                {
                    return interpolated.Contents.Count == 0 ? null : SplitAtRunTime(interpolated, time);
                }

                var text = last.TextToken.Text;
                var at = ExtensionStart(text, fileNameMayStartEarlier: interpolated.Contents.Count > 1) ?? text.Length;
                var whole = interpolated.ToString();
                var offset = last.SpanStart - interpolated.SpanStart + at;
                return SyntaxFactory.ParseExpression(whole.Substring(0, offset) + stamp + whole.Substring(offset));
            }

            default:
                return SplitAtRunTime(path, time);
        }
    }

    /// <summary>
    /// <c>$"{Path.ChangeExtension(p, null)}-{time}{Path.GetExtension(p)}"</c>: reads the path twice,
    /// so offered only for a name, a member or a Path.Combine/Join of them, never for a call that may
    /// do something else.
    /// </summary>
    private static ExpressionSyntax? SplitAtRunTime(ExpressionSyntax path, string time)
    {
        if (!IsPure(path))
        {
            return null;
        }

        var text = path.ToString();
        var changed = SyntaxFactory.ParseExpression(
            "$\"{System.IO.Path.ChangeExtension(" + text + ", null)}-{" + time + ".Milliseconds}{System.IO.Path.GetExtension(" + text + ")}\"");
        return changed.ReplaceNodes(
            changed.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Where(m => m.Expression.ToString() == "System.IO.Path").Select(m => m.Expression),
            (_, node) => node.WithAdditionalAnnotations(Microsoft.CodeAnalysis.Simplification.Simplifier.Annotation));
    }

    private static bool IsPure(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax or LiteralExpressionSyntax => true,
        MemberAccessExpressionSyntax member => IsPure(member.Expression),
        ParenthesizedExpressionSyntax parenthesized => IsPure(parenthesized.Expression),
        InterpolatedStringExpressionSyntax interpolated =>
            interpolated.Contents.OfType<InterpolationSyntax>().All(i => IsPure(i.Expression)),
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Combine" or "Join" } callee } invocation =>
            callee.Expression.ToString() is "Path" or "System.IO.Path" &&
            invocation.ArgumentList.Arguments.All(a => a.RefKindKeyword.IsKind(SyntaxKind.None) && IsPure(a.Expression)),
        _ => false,
    };

    /// <summary>
    /// Where the extension of the file name at the end of <paramref name="path"/> starts, or null
    /// when it has none (a name that only starts with a dot, like <c>.env</c>, has none).
    /// </summary>
    private static int? ExtensionStart(string path, bool fileNameMayStartEarlier)
    {
        var separator = System.Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        var dot = path.LastIndexOf('.');
        var nameStart = separator + 1;
        return dot > nameStart || (dot == nameStart && separator < 0 && fileNameMayStartEarlier) ? dot : null;
    }

    private static string DoubleBraces(string text) => text.Replace("{", "{{").Replace("}", "}}");
}
