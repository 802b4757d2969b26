using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace NackaInsights.Etl.Xlsx;

/// <summary>
/// The zip of a workbook <see cref="XlsxWriter"/> writes, by hand: every entry deflated, at one fixed time, in the order
/// added. A part that is the same in every workbook is deflated once (<see cref="Fixed"/>) and copied; only the parts
/// that differ are deflated per workbook. With <see cref="ZipArchive"/> each of a result's eight parts cost a deflater
/// of its own (zlib's state, about 256 KB, set up and torn down), the fixed ones as well.
/// </summary>
internal sealed class ZipParts(MemoryStream output)
{
    // 2000-01-01 00:00 as MS-DOS keeps it: the fixed time of every entry, so that the same input gives the same bytes.
    private const ushort DosTime = 0;
    private const ushort DosDate = ((2000 - 1980) << 9) | (1 << 5) | 1;
    private const ushort Version = 20;
    private const ushort Deflated = 8;

    private readonly List<(byte[] Name, uint Crc, int Compressed, int Length, long Offset)> _entries = [];

    /// <summary>A part deflated once, for every workbook that has it.</summary>
    public sealed class Fixed
    {
        public Fixed(string name, byte[] bytes)
        {
            Name = Encoding.ASCII.GetBytes(name);
            Crc = Crc32.HashToUInt32(bytes);
            Length = bytes.Length;
            using var deflated = new MemoryStream();
            using (var deflate = new DeflateStream(deflated, CompressionLevel.Optimal, leaveOpen: true))
            {
                deflate.Write(bytes);
            }
            Deflated = deflated.ToArray();
        }

        public byte[] Name { get; }

        public uint Crc { get; }

        public int Length { get; }

        public byte[] Deflated { get; }
    }

    public void Add(Fixed part) => Append(part.Name, part.Crc, part.Length, part.Deflated);

    /// <summary>A part written through the returned stream, deflated, and added when the stream is disposed.</summary>
    public Stream Open(string name) => new Entry(this, Encoding.ASCII.GetBytes(name));

    /// <summary>Ends the zip: its central directory.</summary>
    public void Finish()
    {
        var start = output.Position;
        Span<byte> header = stackalloc byte[46];
        foreach (var (name, crc, compressed, length, offset) in _entries)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], Version);
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], Version);
            BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(header[10..], Deflated);
            BinaryPrimitives.WriteUInt16LittleEndian(header[12..], DosTime);
            BinaryPrimitives.WriteUInt16LittleEndian(header[14..], DosDate);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)compressed);
            BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)length);
            BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)name.Length);
            header[30..42].Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(header[42..], checked((uint)offset));
            output.Write(header);
            output.Write(name);
        }
        Span<byte> end = stackalloc byte[22];
        end.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], checked((uint)(output.Position - start)));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], checked((uint)start));
        output.Write(end);
    }

    private void Append(byte[] name, uint crc, int length, ReadOnlySpan<byte> deflated)
    {
        _entries.Add((name, crc, deflated.Length, length, output.Position));
        Span<byte> header = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], Deflated);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], DosTime);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], DosDate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], (uint)deflated.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], 0);
        output.Write(header);
        output.Write(name);
        output.Write(deflated);
    }

    /// <summary>One part being written: deflated into a buffer of its own, its CRC and length counted, then appended.</summary>
    private sealed class Entry : Stream
    {
        private readonly ZipParts _zip;
        private readonly byte[] _name;
        // A result's parts deflate to a few hundred bytes to 2 KB: 1 KB at once spares most of the growing from 256 bytes.
        private readonly MemoryStream _deflated = new(1024);
        private readonly DeflateStream _deflate;
        private readonly Crc32 _crc = new();
        private long _length;
        private bool _closed;

        public Entry(ZipParts zip, byte[] name)
        {
            _zip = zip;
            _name = name;
            _deflate = new DeflateStream(_deflated, CompressionLevel.Optimal, leaveOpen: true);
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => !_closed;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _crc.Append(buffer);
            _length += buffer.Length;
            _deflate.Write(buffer);
        }

        public override void WriteByte(byte value) => Write([value]);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closed)
            {
                _closed = true;
                _deflate.Dispose();
                _zip.Append(_name, _crc.GetCurrentHashAsUInt32(), checked((int)_length), _deflated.GetBuffer().AsSpan(0, (int)_deflated.Length));
            }
            base.Dispose(disposing);
        }
    }
}
