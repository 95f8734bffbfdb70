using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Query;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Query;

public class ExplainTextTests
{
    private static IDStream<string> Lines() =>
        new StreamingContext(TimeSpan.FromSeconds(1)).QueueStream(new ConcurrentQueue<IEnumerable<string>>());

    [Fact]
    public void Explain_renders_char_literals_quoted()
    {
        var plan = Lines().SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Explain();
        Assert.Contains("SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_renders_a_char_compared_with_a_char_literal_as_the_literal_not_its_code()
    {
        // The compiler compares chars as ints: c == ',' is Convert(c) == 44 in the tree.
        var plan = Lines().SelectMany(line => line.ToCharArray()).Where(c => c == ',' || c != '\'' && c >= 'a' && 'z' >= c).Explain();
        Assert.Contains(@"Where(c => c == ',' || c != '\'' && c >= 'a' && 'z' >= c)", plan, StringComparison.Ordinal);

        // Arithmetic on a char stays an int: c - 'a' is c - 97, and must not read as a char.
        Assert.Contains("Select(c => c - 97)", Lines().SelectMany(line => line.ToCharArray()).Select(c => c - 'a').Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_renders_arrays_of_chars_as_quoted_elements()
    {
        var plan = Lines().SelectMany(line => line.Split(new[] { ' ', ',', '\t' })).Explain();
        Assert.Contains(@"line.Split(new char[] { ' ', ',', '\t' })", plan, StringComparison.Ordinal);
        Assert.Equal(@"new char[] { ' ', '\'' }", CSharpText.Literal(new[] { ' ', '\'' }));
    }

    [Fact]
    public void Explain_names_anonymous_and_generic_types_as_a_reader_writes_them()
    {
        var plan = Lines()
            .Select(w => new { W = w, N = 1 })
            .Where(x => x.N > 0)
            .Select(x => new KeyValuePair<string, int>(x.W, x.N))
            .Explain();
        Assert.Contains("Select(w => new { W = w, N = 1 }) -> Where(x => x.N > 0) -> Select(x => new KeyValuePair<string, int>(x.W, x.N))", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("`", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("<>", plan, StringComparison.Ordinal);
        Assert.Equal("new { W, N }", CSharpText.Type(new { W = "", N = 1 }.GetType()));
        Assert.Equal("KeyValuePair<string, int>", CSharpText.Type(typeof(KeyValuePair<string, int>)));
        Assert.Equal("Dictionary<string, List<int?>>[]", CSharpText.Type(typeof(Dictionary<string, List<int?>>[])));
        Assert.Equal("(int, string)", CSharpText.Type(typeof((int, string))));
    }

    [Fact]
    public void Explain_names_captured_variables_and_inlines_no_closure()
    {
        var limit = 3;
        var separator = ';';
        var plan = Lines().Where(l => l.Length > limit && l[0] != separator).Explain();
        Assert.Contains("Where(l => l.Length > limit && l[0] != separator)", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("value(", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("DisplayClass", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_of_every_kind_of_operator_names_no_compiler_generated_type()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var clicks = context.QueueStream(new ConcurrentQueue<IEnumerable<(string User, int Page, DateTimeOffset At)>>());
        var pages = new[] { new { Id = 1, Title = "home" } };
        var spec = StateSpec.Function((string user, int page, KeyedState<int> state) => user + page);
        var streams = new List<IDStream<string>>
        {
            clicks.Select(c => new { c.User, Minute = c.At.Minute }).GroupBy(c => c.User).Select(g => new { g.Key, N = g.Count(), M = g.Max(c => c.Minute) }).Select(x => x.Key),
            clicks.Join(pages, c => c.Page, p => p.Id, (c, p) => new { c.User, p.Title }).Select(x => x.User + x.Title),
            clicks.LeftJoin(clicks.Where(c => c.Page > 1), c => c.User, d => d.User, (c, d) => c.User + d.Page).OrderBy(x => x).ThenByDescending(x => x.Length).Take(3),
            clicks.Window(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2)).ReduceByKeyAndWindow(c => c.User, c => (long)c.Page, (a, b) => a + b, (a, b) => a - b, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), p => p.Value != 0).Select(p => p.Key),
            clicks.WithEventTime(c => c.At, TimeSpan.FromSeconds(1)).WindowByEventTime(c => c.User, EventTimeWindows.Session(TimeSpan.FromSeconds(10))).Select(w => w.Key),
            clicks.MapWithState(c => c.User, c => c.Page, spec),
            clicks.Transform(q => q.Where(c => c.Page % 2 == 0).Select(c => c.User)).Concat(clicks.Select(c => c.User)).Distinct(),
        };
        foreach (var stream in streams)
        {
            var plan = stream.Explain();
            Assert.DoesNotContain("`", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("<>", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("AnonymousType", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("DisplayClass", plan, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Explain_keeps_the_parentheses_precedence_needs_and_only_those()
    {
        Expression<Func<int, int, bool>> predicate = (a, b) => (a + b) * 2 > a - (b - 1) || !(a > b) && a % 2 == 0;
        Assert.Equal("(a, b) => (a + b) * 2 > a - (b - 1) || !(a > b) && a % 2 == 0", CSharpText.Expression(predicate));
    }

    [Property(MaxTest = 300)]
    public bool String_and_char_literals_read_back_as_the_same_value(string? text, char c)
    {
        text ??= "";
        return ReadStringLiteral(CSharpText.Literal(text)) == text
            && ReadStringLiteral(CSharpText.Literal(c)) == c.ToString()
            && !CSharpText.Literal(text).Any(char.IsControl);
    }

    [Property(MaxTest = 300)]
    public bool Floating_point_literals_read_back_as_the_same_value(double d, float f, decimal m, long l) =>
        ReadDouble(CSharpText.Literal(d)).Equals(d)
        && ReadFloat(CSharpText.Literal(f)).Equals(f)
        && decimal.Parse(CSharpText.Literal(m).TrimEnd('m'), CultureInfo.InvariantCulture) == m
        && long.Parse(CSharpText.Literal(l).TrimEnd('L'), CultureInfo.InvariantCulture) == l;

    [Fact]
    public void Special_floating_point_values_are_named()
    {
        Assert.Equal("double.NaN", CSharpText.Literal(double.NaN));
        Assert.Equal("double.NegativeInfinity", CSharpText.Literal(double.NegativeInfinity));
        Assert.Equal("float.PositiveInfinity", CSharpText.Literal(float.PositiveInfinity));
        Assert.Equal("2.0", CSharpText.Literal(2.0));
        Assert.Equal("2.5m", CSharpText.Literal(2.5m));
    }

    [Fact]
    public async Task A_failed_batch_names_its_operator_in_CSharp_and_its_time_in_UTC()
    {
        await using var harness = new StreamHarness();
        harness.Queue(new[] { new[] { "a,b" } }).Select(line => line.Split(',')[3]).ForEachBatch((_, _) => { });
        await harness.StartAsync();
        var failed = await harness.RunBatchAsync();

        var error = Assert.IsType<BatchFailedException>(failed.Failure);
        Assert.Contains("Select(line => line.Split(',')[3])", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Batch 1970-01-01T00:00:01Z failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("1000ms", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_times_read_as_ISO_8601_UTC_with_a_fraction_only_when_there_is_one()
    {
        Assert.Equal("1970-01-01T00:00:01.5Z", new BatchTime(TimeSpan.FromMilliseconds(1500).Ticks).ToString());
        var time = new DateTimeOffset(2026, 12, 3, 4, 23, 18, TimeSpan.Zero);
        var batch = new BatchTime((time - DateTimeOffset.UnixEpoch).Ticks);
        Assert.Equal("2026-12-03T04:23:18Z", batch.ToString());
        Assert.Equal(time, DateTimeOffset.Parse(batch.ToString(), CultureInfo.InvariantCulture));
        Assert.Equal(1796271798000, batch.Milliseconds);
    }

    private static double ReadDouble(string literal) => literal switch
    {
        "double.NaN" => double.NaN,
        "double.PositiveInfinity" => double.PositiveInfinity,
        "double.NegativeInfinity" => double.NegativeInfinity,
        _ => double.Parse(literal, CultureInfo.InvariantCulture),
    };

    private static float ReadFloat(string literal) => literal switch
    {
        "float.NaN" => float.NaN,
        "float.PositiveInfinity" => float.PositiveInfinity,
        "float.NegativeInfinity" => float.NegativeInfinity,
        _ => float.Parse(literal.TrimEnd('f'), CultureInfo.InvariantCulture),
    };

    /// <summary>Reads a C# regular string or char literal: the escapes of the C# specification.</summary>
    private static string ReadStringLiteral(string literal)
    {
        Assert.True(literal[0] is '"' or '\'' && literal[^1] == literal[0], literal);
        var text = new StringBuilder();
        for (var i = 1; i < literal.Length - 1; i++)
        {
            if (literal[i] != '\\')
            {
                Assert.NotEqual(literal[0], literal[i]);
                text.Append(literal[i]);
                continue;
            }

            var escape = literal[++i];
            if (escape == 'u')
            {
                text.Append((char)int.Parse(literal.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 4;
                continue;
            }

            text.Append(escape switch
            {
                '0' => '\0', 'a' => '\a', 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', 'v' => '\v',
                '\\' or '"' or '\'' => escape,
                _ => throw new FormatException($"Unknown escape \\{escape} in {literal}"),
            });
        }

        return text.ToString();
    }
}
