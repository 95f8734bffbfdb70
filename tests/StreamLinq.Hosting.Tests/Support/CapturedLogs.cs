using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StreamLinq.Hosting.Tests.Support;

/// <summary>A logger provider that keeps every entry, for tests that check what was logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, int Id, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Entries.Enqueue((category, logLevel, eventId.Id, formatter(state, exception)));
    }
}
