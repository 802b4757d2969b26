using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace NackaInsights.Warehouse.Storage;

/// <summary>
/// Rows in PostgreSQL's binary COPY format, encoded straight into a buffer that goes to the COPY's stream once it is full:
/// a header, then per row its number of values and each value as its length and its bytes (-1 for null), then a
/// trailer (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"). Each type is encoded as its
/// <c>*_send</c> function does and as Npgsql writes it: big-endian integers and doubles, UTF-8 text, a date as days and a
/// timestamp as microseconds since 2000-01-01 (<see cref="DateTime.MinValue"/> and <see cref="DateTime.MaxValue"/>, and
/// <see cref="DateOnly"/>'s, as <c>-infinity</c> and <c>infinity</c>), a numeric as base-10,000 digits with the decimal's scale.
/// </summary>
internal sealed class PostgresCopyBinary(Stream output) : IDisposable
{
    // Throws on a lone surrogate, as Npgsql's own encoding does: such a value fails the insert rather than being altered.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The signature <c>PGCOPY\n\377\r\n\0</c>, no flags, no header extension.</summary>
    private static ReadOnlySpan<byte> Header => [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

    private const long PostgresEpochTicks = 630_822_816_000_000_000; // 2000-01-01T00:00:00
    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _used;
    private bool _started;

    /// <summary>Starts a row of <paramref name="values"/> values; the header goes before the first.</summary>
    public void StartRow(int values)
    {
        if (!_started)
        {
            _started = true;
            Header.CopyTo(Room(Header.Length));
            _used += Header.Length;
        }
        BinaryPrimitives.WriteInt16BigEndian(Room(2), checked((short)values));
        _used += 2;
    }

    public void WriteNull()
    {
        BinaryPrimitives.WriteInt32BigEndian(Room(4), -1);
        _used += 4;
    }

    public void Write(int value) => BinaryPrimitives.WriteInt32BigEndian(Value(4), value);

    public void Write(long value) => BinaryPrimitives.WriteInt64BigEndian(Value(8), value);

    public void Write(short value) => BinaryPrimitives.WriteInt16BigEndian(Value(2), value);

    public void Write(double value) => BinaryPrimitives.WriteDoubleBigEndian(Value(8), value);

    public void Write(DateOnly value) => BinaryPrimitives.WriteInt32BigEndian(Value(4),
        value == DateOnly.MinValue ? int.MinValue : value == DateOnly.MaxValue ? int.MaxValue : value.DayNumber - PostgresEpochDay);

    /// <summary>A timestamp without time zone: its ticks as they are, whatever its kind, to the microsecond (truncated, as Npgsql does).</summary>
    public void Write(DateTime value) => BinaryPrimitives.WriteInt64BigEndian(Value(8),
        value == DateTime.MinValue ? long.MinValue : value == DateTime.MaxValue ? long.MaxValue : (value.Ticks - PostgresEpochTicks) / 10);

    /// <summary>
    /// numeric_send's form: the number of base-10,000 digits, the weight of the first (a power of 10,000), the sign, the
    /// display scale (the decimal's own: 1.50 stays 1.50), then the digits, first to last, with no zeros at either end.
    /// </summary>
    public void Write(decimal value)
    {
        Span<int> parts = stackalloc int[4];
        decimal.GetBits(value, parts);
        var scale = (parts[3] >> 16) & 0xFF;
        var negative = parts[3] < 0;
        var unscaled = ((UInt128)(uint)parts[2] << 64) | ((UInt128)(uint)parts[1] << 32) | (uint)parts[0];
        // Whole groups of four decimals after the point: 1.5 (15, scale 1) is 1.5000 (15000, scale 4).
        var padding = (4 - scale % 4) % 4;
        for (var i = 0; i < padding; i++)
        {
            unscaled *= 10;
        }
        var fractionGroups = (scale + padding) / 4;
        // At most 28 + 3 decimal digits: 8 groups of four.
        Span<short> groups = stackalloc short[8];
        var count = 0;
        while (unscaled != 0)
        {
            groups[count++] = (short)(ushort)(unscaled % 10_000);
            unscaled /= 10_000;
        }
        // groups[0] is the last digit; drop the zeros at the end, which the weight then implies.
        var last = 0;
        while (last < count && groups[last] == 0)
        {
            last++;
        }
        var digits = count - last;
        var weight = digits == 0 ? 0 : count - fractionGroups - 1;
        var room = Value(8 + 2 * digits);
        BinaryPrimitives.WriteInt16BigEndian(room, (short)digits);
        BinaryPrimitives.WriteInt16BigEndian(room[2..], (short)weight);
        BinaryPrimitives.WriteUInt16BigEndian(room[4..], negative && digits > 0 ? (ushort)0x4000 : (ushort)0);
        BinaryPrimitives.WriteInt16BigEndian(room[6..], (short)scale);
        for (var i = 0; i < digits; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(room[(8 + 2 * i)..], groups[count - 1 - i]);
        }
    }

    /// <summary>Its UTF-8 bytes.</summary>
    public void Write(string value)
    {
        var room = Room(4 + Utf8.GetMaxByteCount(value.Length));
        var written = Utf8.GetBytes(value, room[4..]);
        BinaryPrimitives.WriteInt32BigEndian(room, written);
        _used += 4 + written;
    }

    /// <summary>Writes the length of a value of <paramref name="bytes"/> bytes and returns the room for them, taken as used.</summary>
    private Span<byte> Value(int bytes)
    {
        var room = Room(4 + bytes);
        BinaryPrimitives.WriteInt32BigEndian(room, bytes);
        _used += 4 + bytes;
        return room.Slice(4, bytes);
    }

    /// <summary>Room for <paramref name="bytes"/> more, the buffer grown if need be: it is sent between rows only (<see cref="SendAsync"/>).</summary>
    private Span<byte> Room(int bytes)
    {
        if (_buffer.Length - _used < bytes)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _used + bytes));
            _buffer.AsSpan(0, _used).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        return _buffer.AsSpan(_used);
    }

    /// <summary>Whether enough is buffered to be sent: <see cref="SendAsync"/> after the row.</summary>
    public bool Full => _used >= SendAt;

    /// <summary>What is sent at a time: PostgreSQL's COPY reads 64 KB at a time, and Npgsql's write buffer is 8 KB.</summary>
    private const int SendAt = 48 * 1024;

    /// <summary>
    /// Sends what is buffered, awaited: a thread of the pool is not held while the server reads the last buffer (a run's
    /// uploads are read on the pool while it loads).
    /// </summary>
    public async ValueTask SendAsync(CancellationToken ct)
    {
        await output.WriteAsync(_buffer.AsMemory(0, _used), ct);
        _used = 0;
    }

    /// <summary>Writes the trailer and sends what is buffered; the COPY is completed by disposing its stream.</summary>
    public ValueTask FinishAsync(CancellationToken ct)
    {
        if (!_started)
        {
            return ValueTask.CompletedTask;
        }
        BinaryPrimitives.WriteInt16BigEndian(Room(2), -1);
        _used += 2;
        return SendAsync(ct);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
