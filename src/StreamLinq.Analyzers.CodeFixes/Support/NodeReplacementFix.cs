using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace StreamLinq.Analyzers.CodeFixes.Support;

/// <summary>
/// A code fix that rewrites one syntax node in place: the base loads the document's root (and,
/// when asked, its semantic model), and registers one action per diagnostic for which the rule
/// proposes a replacement.
/// </summary>
public abstract class NodeReplacementFix : CodeFixProvider
{
    /// <summary>Whether <see cref="Propose"/> needs the semantic model.</summary>
    private protected virtual bool NeedsSemanticModel => false;

    /// <summary>The equivalence key of the fix's actions.</summary>
    private protected abstract string Key { get; }

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = NeedsSemanticModel ? await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false) : null;
        if (root is null || (NeedsSemanticModel && model is null))
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            foreach (var replacement in ProposeAll(root, diagnostic, model, context.CancellationToken))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        replacement.Title,
                        _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(replacement.Old, replacement.New))),
                        replacement.Key ?? Key),
                    diagnostic);
            }
        }
    }

    /// <summary>The node to replace for <paramref name="diagnostic"/> and its replacement, or null when the rule has no mechanical fix for it.</summary>
    private protected abstract Replacement? Propose(SyntaxNode root, Diagnostic diagnostic, SemanticModel? model, CancellationToken cancellationToken);

    /// <summary>
    /// Every edit the rule offers for <paramref name="diagnostic"/>, one action each, in the order
    /// the IDE lists them: by default the one <see cref="Propose"/> returns.
    /// </summary>
    private protected virtual IEnumerable<Replacement> ProposeAll(SyntaxNode root, Diagnostic diagnostic, SemanticModel? model, CancellationToken cancellationToken)
    {
        if (Propose(root, diagnostic, model, cancellationToken) is { } replacement)
        {
            yield return replacement;
        }
    }

    /// <summary>One proposed edit: the action's title, the node, what replaces it, and the action's equivalence key when it is not the fix's.</summary>
    private protected sealed class Replacement(string title, SyntaxNode old, SyntaxNode @new, string? key = null)
    {
        public string Title { get; } = title;

        public string? Key { get; } = key;

        public SyntaxNode Old { get; } = old;

        public SyntaxNode New { get; } = @new;
    }
}
