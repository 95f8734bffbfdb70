using FsCheck;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace StreamLinq.Testing.FsCheck;

/// <summary>
/// Checks a property and returns its outcome with the shrunk counterexample, for a test that
/// asserts on the counterexample (that a broken job fails, and how).
/// </summary>
public static class StreamCheck
{
    /// <summary>Checks <paramref name="property"/> on up to <paramref name="maxTest"/> inputs, shrinking a failure.</summary>
    /// <param name="property">The property, e.g. from <see cref="StreamProperties"/>.</param>
    /// <param name="maxTest">How many inputs to try.</param>
    /// <returns>Whether it held, and otherwise the smallest failing input found.</returns>
    public static StreamCheckResult Run(Property property, int maxTest = 100)
    {
        ArgumentNullException.ThrowIfNull(property);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTest, 1);
        var runner = new CapturingRunner();
        Check.One(Config.Quick.WithMaxTest(maxTest).WithRunner(runner), property);
        return runner.Result ?? throw new InvalidOperationException("FsCheck finished without reporting a result.");
    }

    private sealed class CapturingRunner : IRunner
    {
        private static readonly FSharpFunc<object, string> Format = FSharpFunc<object, string>.FromConverter(o => o?.ToString() ?? "null");
        private FSharpList<object> _last = FSharpList<object>.Empty;

        public StreamCheckResult? Result { get; private set; }

        public void OnStartFixture(Type testType)
        {
        }

        public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every) => _last = args;

        public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink) => _last = args;

        public void OnFinished(string name, TestResult testResult)
        {
            var message = Runner.onFinishedToStringWithFormatter(Format, name, testResult);
            Result = testResult.IsFailed
                ? new StreamCheckResult(false, [.. _last], message)
                : new StreamCheckResult(true, [], message);
        }
    }
}
