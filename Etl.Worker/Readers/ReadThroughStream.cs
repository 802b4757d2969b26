namespace NackaInsights.Etl.Readers;

/// <summary>
/// A stream read forward once, each block a reader takes shown to <see cref="Observe"/> and its end to
/// <see cref="AtEnd"/>: the base of the streams that check or fingerprint what is read while it is read, so that the
/// bytes are never held whole nor read twice.
/// </summary>
internal abstract class ReadThroughStream(Stream inner) : Stream
{
    private bool _ended;

    /// <summary>The bytes just read.</summary>
    protected abstract void Observe(ReadOnlySpan<byte> read);

    /// <summary>The end was reached (once); may throw to fail the read.</summary>
    protected virtual void AtEnd()
    {
    }

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
            Observe(buffer[..read]);
        }
        else if (buffer.Length > 0 && !_ended)
        {
            _ended = true;
            AtEnd();
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
