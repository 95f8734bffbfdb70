using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StreamLinq.Tests.Support;

/// <summary>A logger factory that keeps every entry logged through it, with its full text as a console would print it.</summary>
public sealed class CapturedLogs : ILoggerFactory
{
    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    /// <summary>Everything logged, as one text: messages and exceptions.</summary>
    public string AllText => string.Join("\n", Entries.Select(e => e.Text));

    public sealed record Entry(string Category, LogLevel Level, EventId Id, string Message, Exception? Exception)
    {
        public string Text => $"{Level} [{Id.Id}] {Message}\n{Exception}";
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
