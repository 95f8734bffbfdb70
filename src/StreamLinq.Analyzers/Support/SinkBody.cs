using Microsoft.CodeAnalysis;

namespace StreamLinq.Analyzers.Support;

/// <summary>The code that an output operation runs on every batch, as far as the compiler can see it.</summary>
internal sealed class SinkBody
{
    public SinkBody(IOperation body, SyntaxNode scope, string operationName)
    {
        Body = body;
        Scope = scope;
        OperationName = operationName;
    }

    /// <summary>The operations of the lambda or method body.</summary>
    public IOperation Body { get; }

    /// <summary>The lambda or method declaration: what is declared inside it dies with the call.</summary>
    public SyntaxNode Scope { get; }

    /// <summary>The output operation that runs the body, e.g. <c>ForEachBatch</c>.</summary>
    public string OperationName { get; }
}
