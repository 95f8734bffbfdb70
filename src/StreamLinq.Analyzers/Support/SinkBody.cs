using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>The code that an output operation runs on every batch, as far as the compiler can see it.</summary>
internal sealed class SinkBody
{
    public SinkBody(IOperation body, SyntaxNode scope, string operationName, IInvocationOperation? output = null)
    {
        Body = body;
        Scope = scope;
        OperationName = operationName;
        Output = output;
    }

    /// <summary>The output operation's call, when the body is its lambda or method group; null for a sink class.</summary>
    public IInvocationOperation? Output { get; }

    /// <summary>The operations of the lambda or method body.</summary>
    public IOperation Body { get; }

    /// <summary>The lambda or method declaration: what is declared inside it dies with the call.</summary>
    public SyntaxNode Scope { get; }

    /// <summary>The output operation that runs the body, e.g. <c>ForEachBatch</c>.</summary>
    public string OperationName { get; }
}
