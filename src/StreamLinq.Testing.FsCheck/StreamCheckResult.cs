namespace StreamLinq.Testing.FsCheck;

/// <summary>The outcome of <see cref="StreamCheck.Run"/>.</summary>
/// <param name="Passed">Whether the property held for every input tried.</param>
/// <param name="Counterexample">The smallest failing input found (the property's arguments); empty when it passed.</param>
/// <param name="Message">FsCheck's report: tests run, shrinks, the counterexample and the failing label.</param>
public sealed record StreamCheckResult(bool Passed, IReadOnlyList<object> Counterexample, string Message)
{
    /// <summary>The counterexample's first argument as <typeparamref name="TInput"/>, e.g. a <see cref="BatchedInput{T}"/>.</summary>
    /// <typeparam name="TInput">The argument's type.</typeparam>
    /// <exception cref="InvalidOperationException">The property passed, or the argument is of another type.</exception>
    public TInput CounterexampleAs<TInput>() =>
        Counterexample is [TInput input, ..]
            ? input
            : throw new InvalidOperationException(Passed ? "The property passed: there is no counterexample." : $"The counterexample is not a {typeof(TInput).Name}: {Message}");
}
