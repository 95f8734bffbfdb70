using System.Text.Json;
using FsCheck.Xunit;
using StreamLinq.Connectors.Sample;
using StreamLinq.Sources;

namespace StreamLinq.Connectors.Tests;

/// <summary>
/// A partitioned source's batch range as written into checkpoints (<see cref="PartitionRanges"/>):
/// resolved ranges read back as written, in order; an unresolved batch's count read back within
/// what the source takes now; a malformed range refused naming the source and quoting it.
/// </summary>
public sealed class PartitionRangesTests
{
    private static readonly FileLogSource Source = new(Path.GetTempPath(), ["a"]);

    [Property(MaxTest = 50)]
    public void Ranges_written_are_read_back_in_order((string Partition, long From, long To)[] ranges)
    {
        var written = ranges.Select(r => (r.Partition ?? "", r.From, r.To)).ToArray();
        var read = PartitionRanges.Read(Source, Written(written, unresolved: 0), 10, r => (r.GetProperty("p").GetString()!, r.GetProperty("from").GetInt64(), r.GetProperty("to").GetInt64()), out var unresolved);
        Assert.Equal(written, read);
        Assert.Equal(0, unresolved);
    }

    [Theory]
    [InlineData(7, 10, 7)]
    [InlineData(50, 10, 10)]
    [InlineData(0, 10, 1)]
    public void An_unresolved_batch_reads_back_its_count_within_what_the_source_takes_now(int written, int max, int expected)
    {
        Assert.Null(PartitionRanges.Read(Source, Written(null, written), max, _ => 0, out var unresolved));
        Assert.Equal(expected, unresolved);
    }

    [Fact]
    public void A_malformed_range_is_refused_naming_the_source_and_quoting_it()
    {
        using var document = JsonDocument.Parse("""[{"p": "a", "from": "one"}]""");
        var error = Assert.Throws<InvalidDataException>(() => PartitionRanges.Read(Source, document.RootElement, 10, r => r.GetProperty("from").GetInt64(), out _));
        Assert.Contains(Source.Name, error.Message, StringComparison.Ordinal);
        Assert.Contains("\"one\"", error.Message, StringComparison.Ordinal);
    }

    private static JsonElement Written((string Partition, long From, long To)[]? ranges, int unresolved)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            PartitionRanges.Write(writer, ranges, unresolved, (w, range) =>
            {
                w.WriteString("p", range.Partition);
                w.WriteNumber("from", range.From);
                w.WriteNumber("to", range.To);
            });
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
