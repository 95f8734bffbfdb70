using System.Text.RegularExpressions;

namespace StreamLinq.Monitoring;

/// <summary>
/// Masks secrets in text the engine logs or puts in its own exceptions: connection-string
/// passwords (<c>Password=...</c>, <c>pwd=...</c>, StackExchange.Redis's <c>password=...</c>) and
/// URI user-info (<c>redis://user:secret@host</c>). A client library that echoes its connection
/// string in an error message would otherwise put the password in the logs.
/// </summary>
internal static class Redaction
{
    public const string Mask = "***";

    // Not [GeneratedRegex]: its generated namespace would sit outside the engine's layering.
    private static readonly Regex KeyValueSecretPattern = new(@"(?<key>\b(?:password|pwd|passwd|secret|token|api[-_]?key)\s*=\s*)(?<value>""[^""]*""|'[^']*'|[^;,\s]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static readonly Regex UriUserInfoPattern = new(@"(?<scheme>\b[a-z][a-z0-9+.\-]*://)(?<user>[^:/@\s]*):(?<value>[^@/\s]+)@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>The text with every secret it holds masked.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        text = KeyValueSecretPattern.Replace(text, m => m.Groups["key"].Value + Mask);
        return UriUserInfoPattern.Replace(text, m => m.Groups["scheme"].Value + m.Groups["user"].Value + ":" + Mask + "@");
    }

    /// <summary>
    /// The exception to hand a logger: itself when nothing in its chain holds a secret, otherwise a
    /// stand-in whose message, stack trace and inner chain are the redacted text of the original's.
    /// </summary>
    public static Exception Wrap(Exception error)
    {
        var text = error.ToString();
        var redacted = Redact(text);
        return ReferenceEquals(text, redacted) || text == redacted ? error : new RedactedException(error, redacted);
    }

    /// <summary>An exception logged in place of one whose text held a secret.</summary>
    private sealed class RedactedException(Exception original, string text)
        : Exception($"{original.GetType().FullName}: {Redact(original.Message)}")
    {
        public override string? StackTrace => null;

        public override string ToString() => text;
    }
}
