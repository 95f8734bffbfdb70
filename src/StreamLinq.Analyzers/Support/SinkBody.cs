using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// The code that an output operation runs on every batch, as far as the compiler can see it: the
/// sink's own body, or a helper it calls (then with what the call passes it).
/// </summary>
internal sealed class SinkBody
{
    private HashSet<ISymbol>? resetInCall;
    private Dictionary<string, bool>? facts;
    private Dictionary<ILocalSymbol, List<ILocalReferenceOperation>>? localUses;

    public SinkBody(IOperation body, SyntaxNode scope, string operationName, SinkContext context, IInvocationOperation? output = null)
        : this(body, scope, operationName, context, null, null, true, 0, null, output)
    {
    }

    private SinkBody(
        IOperation body, SyntaxNode scope, string operationName, SinkContext context,
        SinkBody? caller, Dictionary<IParameterSymbol, bool>? parameters, bool instanceOutlivesCall, int depth, IMethodSymbol? method,
        IInvocationOperation? output)
    {
        Method = method;
        Body = body;
        Scope = scope;
        OperationName = operationName;
        Context = context;
        Caller = caller;
        Parameters = parameters;
        InstanceOutlivesCall = instanceOutlivesCall;
        Depth = depth;
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

    public SinkContext Context { get; }

    /// <summary>The body that called this helper, null for the sink itself.</summary>
    public SinkBody? Caller { get; }

    /// <summary>How many calls away from the sink this body is.</summary>
    public int Depth { get; }

    /// <summary>Whether <c>this</c> in the body is an object that outlives the sink call (false for a helper called on a fresh local).</summary>
    public bool InstanceOutlivesCall { get; }

    /// <summary>For a helper: whether what each parameter received outlives the sink call.</summary>
    private Dictionary<IParameterSymbol, bool>? Parameters { get; }

    /// <summary>Whether a parameter of this body holds something that outlives the sink call; null when the body declares no such mapping.</summary>
    public bool? ParameterOutlivesCall(IParameterSymbol parameter) =>
        Parameters is not null && Parameters.TryGetValue(parameter.OriginalDefinition, out var outlives) ? outlives : null;

    /// <summary>The storage the body starts afresh on every call (see <see cref="Storage.IsResetInCall"/>), found in one pass.</summary>
    public bool IsReset(ISymbol storage)
    {
        resetInCall ??= new HashSet<ISymbol>(Storage.ResetsInCall(this), SymbolEqualityComparer.Default);
        return resetInCall.Contains(storage);
    }

    /// <summary>
    /// A fact about the whole body (does it open a conditional Redis transaction? does it name an
    /// idempotency key?), computed once however many operations ask.
    /// </summary>
    public bool Fact(string name, System.Func<SinkBody, bool> compute)
    {
        facts ??= new Dictionary<string, bool>();
        if (!facts.TryGetValue(name, out var value))
        {
            value = compute(this);
            facts[name] = value;
        }

        return value;
    }

    /// <summary>Whether any operation of the body, or of the bodies that called it, satisfies <paramref name="predicate"/>; computed once per body and name.</summary>
    public bool AnyInChain(string name, System.Func<IOperation, bool> predicate) =>
        Chain().Any(body => body.Fact(name, b => b.Body.DescendantsAndSelf().Any(o =>
        {
            b.Context.CountWork();
            return predicate(o);
        })));

    /// <summary>The references to a local of the body, indexed in one pass over it (a rule that follows a value through locals then costs no rescan per local).</summary>
    public IReadOnlyList<ILocalReferenceOperation> UsesOf(ILocalSymbol local)
    {
        if (localUses is null)
        {
            localUses = new Dictionary<ILocalSymbol, List<ILocalReferenceOperation>>(SymbolEqualityComparer.Default);
            foreach (var operation in Body.Descendants())
            {
                Context.CountWork();
                if (operation is ILocalReferenceOperation reference)
                {
                    if (!localUses.TryGetValue(reference.Local, out var uses))
                    {
                        uses = new List<ILocalReferenceOperation>();
                        localUses[reference.Local] = uses;
                    }

                    uses.Add(reference);
                }
            }
        }

        return localUses.TryGetValue(local, out var found) ? found : (IReadOnlyList<ILocalReferenceOperation>)System.Array.Empty<ILocalReferenceOperation>();
    }

    /// <summary>The body of a helper this body calls, with what the call passes it.</summary>
    public SinkBody Enter(IOperation helperBody, SyntaxNode helperScope, IOperation call, IMethodSymbol helper)
    {
        var arguments = call switch
        {
            IInvocationOperation invocation => invocation.Arguments,
            IObjectCreationOperation creation => creation.Arguments,
            _ => System.Collections.Immutable.ImmutableArray<IArgumentOperation>.Empty,
        };
        var parameters = new Dictionary<IParameterSymbol, bool>(SymbolEqualityComparer.Default);
        foreach (var argument in arguments)
        {
            if (argument.Parameter is { } parameter)
            {
                parameters[parameter.OriginalDefinition] = Storage.OutlivesCall(argument.Value, this);
            }
        }

        // A constructor's 'this' is the object being made: fresh.
        var instanceOutlives = call switch
        {
            IInvocationOperation { Instance: null } => true,
            IInvocationOperation invocation => Storage.OutlivesCall(invocation.Instance, this),
            _ => false,
        };
        return new SinkBody(helperBody, helperScope, OperationName, Context, this, parameters, instanceOutlives, Depth + 1, helper, Output);
    }

    /// <summary>The bodies from the sink down to this one.</summary>
    public IEnumerable<SinkBody> Chain()
    {
        for (var body = this; body is not null; body = body.Caller)
        {
            yield return body;
        }
    }

    /// <summary>Whether <paramref name="method"/> is being walked already, on the way down to this body.</summary>
    public bool IsWalking(ISymbol method) => Chain().Any(b => b.Method is { } m && SymbolEqualityComparer.Default.Equals(m, method));

    /// <summary>The method whose body this is, when it is a helper.</summary>
    public IMethodSymbol? Method { get; }
}
