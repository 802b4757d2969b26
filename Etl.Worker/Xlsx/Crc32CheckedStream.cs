using System.IO.Hashing;

namespace NackaInsights.Etl.Xlsx;

/// <summary>
/// A zip part's inflated bytes, checked against the CRC-32 its zip entry declares once the last byte is read.
/// .NET's <see cref="System.IO.Compression.ZipArchive"/> never checks it, so a part damaged in transit or on purpose
/// (one flipped bit in a stored part, or deflate data that still inflates) would be read as data and could load a wrong
/// figure; here it is <see cref="InvalidDataException"/>, which the reader reports as a damaged part. Parts read to their
/// end are checked; that is every part the reader reads whole, sheets included.
/// </summary>
internal sealed class Crc32CheckedStream(Stream inner, uint expected) : Stream
{
    private readonly Crc32 _crc = new();
    private bool _checked;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        if (read > 0)
        {
            _crc.Append(buffer[..read]);
        }
        else if (buffer.Length > 0 && !_checked)
        {
            _checked = true;
            if (_crc.GetCurrentHashAsUInt32() != expected)
            {
                throw new InvalidDataException("The zip entry's CRC-32 does not match its content.");
            }
        }
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
