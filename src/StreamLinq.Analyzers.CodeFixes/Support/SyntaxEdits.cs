using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace StreamLinq.Analyzers.Support;

/// <summary>Small syntax builders the code fixes share.</summary>
internal static class SyntaxEdits
{
    /// <summary>A fully qualified name that the code action's clean-up shortens where a using directive allows.</summary>
    public static NameSyntax QualifiedName(string name) =>
        SyntaxFactory.ParseName(name).WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>A fully qualified member access (an expression, not a name), shortened likewise.</summary>
    public static ExpressionSyntax QualifiedMember(string member) =>
        SyntaxFactory.ParseExpression(member).WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>The line ending the document already uses.</summary>
    public static SyntaxTrivia EndOfLine(SyntaxNode root) =>
        root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { } found && found.IsKind(SyntaxKind.EndOfLineTrivia)
            ? found
            : SyntaxFactory.LineFeed;

    /// <summary>A string literal token with the same form (regular or verbatim) as <paramref name="original"/>.</summary>
    public static SyntaxToken StringLiteral(SyntaxToken original, string value)
    {
        var token = original.Text.StartsWith("@", System.StringComparison.Ordinal)
            ? SyntaxFactory.Literal("@\"" + value.Replace("\"", "\"\"") + "\"", value)
            : SyntaxFactory.Literal(value);
        return token.WithTriviaFrom(original);
    }
}
