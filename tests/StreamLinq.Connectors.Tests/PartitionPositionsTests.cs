using System.Text.Json;
using FsCheck.Xunit;
using StreamLinq.Connectors.Sample;
using StreamLinq.Sources;

namespace StreamLinq.Connectors.Tests;

/// <summary>
/// A partitioned source's position as checkpointed state (<see cref="PartitionPositions"/>): read
/// back as written, partitions the checkpoint does not name left where they were, and a partition
/// the source does not read, another version or a malformed offset refused naming the source.
/// </summary>
public sealed class PartitionPositionsTests
{
    private static readonly FileLogSource Source = new(Path.GetTempPath(), ["a", "b", "c"]);

    [Property(MaxTest = 50)]
    public void Offsets_written_are_read_back_and_a_partition_not_written_keeps_its_own(long a, long b, long c)
    {
        var written = new Dictionary<string, long>(StringComparer.Ordinal) { ["c"] = c, ["a"] = a };
        var positions = new Dictionary<string, long>(StringComparer.Ordinal) { ["a"] = 0, ["b"] = b, ["c"] = 0 };

        var named = PartitionPositions.Read(Source, Written(written), Source.StateVersion, positions, offset => offset.GetInt64());

        Assert.Equal(["c", "a"], named);
        Assert.Equal(new Dictionary<string, long>(StringComparer.Ordinal) { ["a"] = a, ["b"] = b, ["c"] = c }, positions);
    }

    [Fact]
    public void A_partition_the_source_does_not_read_is_refused_naming_the_source_and_the_partition()
    {
        var positions = new Dictionary<string, long>(StringComparer.Ordinal) { ["a"] = 0 };
        var error = Assert.Throws<InvalidDataException>(() =>
            PartitionPositions.Read(Source, Written(new Dictionary<string, long> { ["gone"] = 5 }), Source.StateVersion, positions, offset => offset.GetInt64()));
        Assert.Contains(Source.Name, error.Message, StringComparison.Ordinal);
        Assert.Contains("'gone'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_version_or_a_malformed_offset_is_refused_naming_the_source()
    {
        var positions = new Dictionary<string, long>(StringComparer.Ordinal) { ["a"] = 0 };
        var version = Assert.Throws<InvalidDataException>(() =>
            PartitionPositions.Read(Source, Written(new Dictionary<string, long> { ["a"] = 1 }), Source.StateVersion + 1, positions, offset => offset.GetInt64()));
        Assert.Contains(Source.Name, version.Message, StringComparison.Ordinal);
        Assert.Contains($"version {Source.StateVersion + 1}", version.Message, StringComparison.Ordinal);

        using var text = JsonDocument.Parse("""{"a": "seven"}""");
        var malformed = Assert.Throws<InvalidDataException>(() => PartitionPositions.Read(Source, text.RootElement, Source.StateVersion, positions, offset => offset.GetInt64()));
        Assert.Contains("'a'", malformed.Message, StringComparison.Ordinal);
        Assert.Contains("\"seven\"", malformed.Message, StringComparison.Ordinal);
        Assert.Equal(0, positions["a"]);
    }

    private static JsonElement Written(Dictionary<string, long> positions)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            PartitionPositions.Write(writer, positions, (w, partition, offset) => w.WriteNumber(partition, offset));
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
