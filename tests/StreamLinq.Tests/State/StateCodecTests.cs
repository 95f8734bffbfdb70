using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using StreamLinq.Checkpointing;
using StreamLinq.Execution;
using StreamLinq.State;
using StreamLinq.State.Codecs;
using StreamLinq.Tests.Support;
using static StreamLinq.Tests.Support.CheckpointValues;

using StreamLinq.Tests.Checkpointing;

namespace StreamLinq.Tests.State;

/// <summary>A node of a linked structure, which a cycle turns into a graph.</summary>
public sealed class Link
{
    public int Value;
    public Link? Next;
}

/// <summary>An inline array of eight ints: one declared field, eight elements.</summary>
[System.Runtime.CompilerServices.InlineArray(8)]
public struct Eight
{
    private int _first;
}

/// <summary>
/// The codec every checkpointed value goes through: what it writes reads back exactly, and what
/// it cannot hold it says so, naming the type and why.
/// </summary>
public class StateCodecTests
{
    [Fact]
    public void A_value_tuple_keeps_its_fields_where_System_Text_Json_wrote_an_empty_object()
    {
        Assert.Equal("{}", JsonSerializer.Serialize(("a", 1))); // the cause of the lost state
        Assert.Equal(("a", 1), RoundTrip(("a", 1)));
        Assert.Equal((1, 2, 3, 4, 5, 6, 7, "eighth", 9.5), RoundTrip((1, 2, 3, 4, 5, 6, 7, "eighth", 9.5)));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-0.0)]
    [InlineData(double.Epsilon)]
    [InlineData(double.MaxValue)]
    public void Special_doubles_come_back_bit_for_bit(double value)
    {
        ExactEquality.AssertEqual(value, RoundTrip(value));
        ExactEquality.AssertEqual(new[] { (float)value }, RoundTrip(new[] { (float)value }));
    }

    [Fact]
    public void A_NaN_with_a_payload_keeps_its_bits()
    {
        var nan = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0042);
        Assert.Equal(0x7FF8_0000_0000_0042, BitConverter.DoubleToInt64Bits(RoundTrip(nan)));
    }

    [Fact]
    public void A_decimal_keeps_its_scale_and_the_sign_of_zero()
    {
        Assert.Equal(2, RoundTrip(1.10m).Scale);
        var negativeZero = decimal.Negate(0.00m);
        ExactEquality.AssertEqual(negativeZero, RoundTrip(negativeZero));
    }

    [Fact]
    public void Strings_with_lone_surrogates_come_back_unchanged()
    {
        foreach (var text in new[] { "\uD800", "a\uDC00b", "\uDE00\uD83D", "ok \uD83D\uDE00" })
        {
            Assert.Equal(text, RoundTrip(text));
            Assert.Equal(text[^1], RoundTrip(text[^1]));
        }
    }

    [Fact]
    public void A_DateTimeOffset_keeps_its_offset_and_a_DateTime_its_kind()
    {
        var time = new DateTimeOffset(2026, 12, 3, 4, 5, 6, TimeSpan.FromHours(-9.5)).AddTicks(7);
        ExactEquality.AssertEqual(time, RoundTrip(time));
        ExactEquality.AssertEqual(time.UtcDateTime, RoundTrip(time.UtcDateTime));
        ExactEquality.AssertEqual(DateTime.SpecifyKind(time.DateTime, DateTimeKind.Unspecified), RoundTrip(DateTime.SpecifyKind(time.DateTime, DateTimeKind.Unspecified)));
    }

    [Fact]
    public void A_dictionary_keeps_tuple_keys_its_order_and_a_named_comparer()
    {
        var byTuple = new Dictionary<(int, string), double> { [(2, "b")] = 1, [(1, "a")] = double.NaN };
        ExactEquality.AssertEqual(byTuple, RoundTrip(byTuple));
        var ignoringCase = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["A"] = 1 };
        var back = RoundTrip(ignoringCase);
        Assert.Same(StringComparer.OrdinalIgnoreCase, back.Comparer);
        Assert.Equal(1, back["a"]);
    }

    [Fact]
    public void Queues_stacks_sorted_and_immutable_collections_come_back_with_their_items_in_order()
    {
        ExactEquality.AssertEqual(new Queue<int>([3, 1, 2]), RoundTrip(new Queue<int>([3, 1, 2])));
        ExactEquality.AssertEqual(new Stack<string>(["bottom", "top"]), RoundTrip(new Stack<string>(["bottom", "top"])));
        Assert.Equal("top", RoundTrip(new Stack<string>(["bottom", "top"])).Pop());
        ExactEquality.AssertEqual(new LinkedList<double>([double.NaN, -0.0]), RoundTrip(new LinkedList<double>([double.NaN, -0.0])));
        ExactEquality.AssertEqual(new SortedSet<int>([5, 1]), RoundTrip(new SortedSet<int>([5, 1])));
        ExactEquality.AssertEqual(new SortedDictionary<(int, int), string> { [(2, 1)] = "b", [(1, 9)] = "a" }, RoundTrip(new SortedDictionary<(int, int), string> { [(2, 1)] = "b", [(1, 9)] = "a" }));
        ExactEquality.AssertEqual(System.Collections.Immutable.ImmutableArray.Create(1.5m, 1.50m), RoundTrip(System.Collections.Immutable.ImmutableArray.Create(1.5m, 1.50m)));
        Assert.True(RoundTrip(default(System.Collections.Immutable.ImmutableArray<int>)).IsDefault);
        ExactEquality.AssertEqual(System.Collections.Immutable.ImmutableList.Create("\uD800"), RoundTrip(System.Collections.Immutable.ImmutableList.Create("\uD800")));
        var map = System.Collections.Immutable.ImmutableDictionary.CreateRange([new KeyValuePair<(string, int), int>(("a", 1), 2)]);
        Assert.Equal(2, RoundTrip(map)[("a", 1)]);
    }

    [Fact]
    public void A_LINQ_grouping_comes_back_with_its_key_and_items()
    {
        var grouping = new[] { (K: "k", V: 1.5), (K: "k", V: double.NaN) }.GroupBy(p => p.K, p => p.V).Single();
        var back = RoundTrip(grouping);
        Assert.Equal("k", back.Key);
        ExactEquality.AssertEqual(grouping.ToArray(), back.ToArray());
    }

    [Fact]
    public void A_dictionary_with_a_comparer_no_checkpoint_can_name_fails_the_write_naming_it()
    {
        var custom = new Dictionary<int, int>(new ModuloComparer()) { [1] = 1 };
        var error = Assert.Throws<InvalidOperationException>(() => RoundTrip(custom));
        Assert.Contains(nameof(ModuloComparer), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cycle_fails_the_write_instead_of_recursing_forever()
    {
        var link = new Link { Value = 1 };
        link.Next = link;
        var error = Assert.Throws<InvalidOperationException>(() => RoundTrip(link));
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, RoundTrip(new Link { Value = 1, Next = new Link { Value = 3 } }).Next!.Value);
    }

    [Fact]
    public void A_class_comes_back_with_private_fields_and_get_only_properties()
    {
        var tally = new Tally(3, "\uD800", 42, new[] { double.NaN, -0.0 }, new() { [(1, "x")] = [null, 2.5] }) { Label = "changed" };
        ExactEquality.AssertEqual(tally, RoundTrip(tally));
        Assert.Equal(42, RoundTrip(tally).Secret);
    }

    [Fact]
    public void An_interface_typed_list_comes_back_as_the_list_it_was_and_other_sequences_as_arrays()
    {
        Assert.IsType<List<int>>(RoundTrip<IReadOnlyList<int>>(new List<int> { 1 }));
        Assert.IsType<int[]>(RoundTrip<IEnumerable<int>>(new[] { 1 }));
        Assert.Equal([1, 2], RoundTrip<IEnumerable<int>>(Enumerable.Range(1, 2)));
    }

    [Fact]
    public void State_written_for_another_shape_of_the_type_is_refused_naming_the_field()
    {
        using var document = JsonDocument.Parse("""{ "Sensor": "s", "Value": 1, "Price": 1, "At": "2020-01-01T00:00:00.0000000+00:00", "Extra": 1 }""");
        var error = Assert.Throws<InvalidDataException>(() => StateCodecs.For<Reading>().Read(document.RootElement));
        Assert.Contains("Extra", error.Message, StringComparison.Ordinal);
        using var missing = JsonDocument.Parse("""{ "Sensor": "s", "Value": 1, "Price": 1 }""");
        Assert.Contains("'At'", Assert.Throws<InvalidDataException>(() => StateCodecs.For<Reading>().Read(missing.RootElement)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void State_System_Text_Json_wrote_exactly_is_still_read_and_state_it_lost_is_refused_naming_the_field()
    {
        var reading = new Reading("s", 1.5, 1.10m, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)));
        using var exact = JsonDocument.Parse(JsonSerializer.Serialize(new[] { new { key = "a", value = reading } }));
        var store = new KeyedStateStore<string, Reading>();
        store.Read(exact.RootElement);
        Assert.True(store.TryGetValue("a", out var back));
        ExactEquality.AssertEqual(reading, back);

        using var lossy = JsonSerializer.SerializeToDocument(new[] { new { key = 1, value = ("lost", 2) } });
        var error = Assert.Throws<InvalidDataException>(() => new KeyedStateStore<int, (string, int)>().Read(lossy.RootElement));
        Assert.Contains("Item1", error.Message, StringComparison.Ordinal);

        using var table = JsonDocument.Parse("""{ "keys": [7, 9], "columns": [[2, 3], [40, 50]] }""");
        var restored = GroupTableState.Read<int>(table.RootElement, [new SumColumn<long>(), new SumColumn<Int128>()]);
        Assert.Equal([7, 9], restored.Keys.Take(restored.Count));
        Assert.Equal([2L, 3L], ((SumColumn<long>)restored.Columns[0]).Values.Take(2));
        Assert.Equal([(Int128)40, 50], ((SumColumn<Int128>)restored.Columns[1]).Values.Take(2));
    }

    [Fact]
    public void A_record_as_one_UTF8_line_reads_back_exactly_and_a_line_cut_short_is_a_JSON_error()
    {
        var codec = StateCodecs.For<(string?, double)>();
        var bytes = codec.SerializeToUtf8Bytes(("\uD800", double.NaN));
        ExactEquality.AssertEqual(("\uD800", double.NaN), codec.Deserialize(bytes));
        Assert.ThrowsAny<JsonException>(() => codec.Deserialize(bytes.AsSpan(0, bytes.Length - 2)));
        Assert.Throws<InvalidDataException>(() => StateCodecs.For<Reading>().Deserialize(bytes));
    }

    [Fact]
    public void Raw_JSON_payloads_versions_and_uris_come_back_equal()
    {
        using var document = JsonDocument.Parse("""{ "a": [1, 2.50, "\ud83d\ude00"], "b": null }""");
        var element = document.RootElement.Clone();
        Assert.True(JsonElement.DeepEquals(element, RoundTrip(element)));
        Assert.Equal(JsonValueKind.Undefined, RoundTrip(default(JsonElement)).ValueKind);
        var node = System.Text.Json.Nodes.JsonNode.Parse("""{ "x": [true, 1e3] }""")!;
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(node, RoundTrip(node)));
        Assert.Equal(new Version(1, 2, 3), RoundTrip(new Version(1, 2, 3)));
        Assert.Equal(new Uri("https://example.org/a?b#c"), RoundTrip(new Uri("https://example.org/a?b#c")));
        Assert.False(RoundTrip(new Uri("a/b", UriKind.Relative)).IsAbsoluteUri);
        Assert.Null(RoundTrip<Version?>(null));
    }

    public static TheoryData<Type, string> Refused => new()
    {
        { typeof(object), "object" },
        { typeof(Envelope), "Envelope.Payload is declared as object" },
        { typeof(Func<int>), "delegate" },
        { typeof(Rule), "Rule.Test is a delegate" },
        { typeof(IComparable), "interface" },
        { typeof(Shape), "subclasses (Circle)" },
        { typeof(int[,]), "multidimensional" },
        { typeof(IntPtr), "pointer" },
        { typeof(Matcher), "Matcher.Pattern is a framework type" },
        { typeof(List<Stream>), "List<Stream>[] is abstract" },
        { typeof(Eight), "inline array" },
        { typeof(Dictionary<string, object>), ".Values[] is declared as object" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_type_that_cannot_round_trip_is_refused_with_the_member_and_the_reason(Type type, string expected)
    {
        Assert.Contains(expected, StateCodecs.Problem(type), StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => StateCodecs.For(type));
    }

    [Fact]
    public void Generated_values_of_every_supported_shape_read_back_exactly() =>
        Prop.ForAll(Gen.Zip(Gen.Zip(Readings, Points), Gen.Zip(Tallies, Gen.Zip(Strings, OrNull(Doubles)))).ToArbitrary(), value =>
            ExactEquality.AssertEqual(value, RoundTrip(value)))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    /// <summary>Writes the value as operator state in a checkpoint body, serializes the body, parses it and reads the value back.</summary>
    private static T RoundTrip<T>(T value)
    {
        var state = StateWriter.Capture(writer => StateCodecs.For<T>().Write(writer, value));
        var body = new CheckpointData(1, 1, null, new QueryFingerprint("h", []), [], [], [new StateEntry("v", 1, state)]).Serialize();
        return StateCodecs.For<T>().Read(CheckpointData.Deserialize(body).Operators[0].State);
    }

    private sealed class ModuloComparer : IEqualityComparer<int>
    {
        public bool Equals(int x, int y) => x % 10 == y % 10;

        public int GetHashCode(int obj) => obj % 10;
    }
}
