using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace StreamLinq.Analyzers.CodeFixes.Support;

/// <summary>Finds the sink's <c>BatchTime</c> parameter, which the fixes key their writes by.</summary>
internal static class BatchTimeParameter
{
    /// <summary>The name of a <c>BatchTime</c> parameter of the nearest enclosing lambda or method, or null.</summary>
    public static string? InScope(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
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
                (model.GetDeclaredSymbol(p, cancellationToken) as IParameterSymbol)?.Type.ToDisplayString() == "StreamLinq.BatchTime");
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
