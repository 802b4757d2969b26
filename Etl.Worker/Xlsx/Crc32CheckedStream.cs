using System.IO.Hashing;
using NackaInsights.Etl.Readers;

namespace NackaInsights.Etl.Xlsx;

/// <summary>
/// A zip part's inflated bytes, checked against the CRC-32 its zip entry declares once the last byte is read.
/// .NET's <see cref="System.IO.Compression.ZipArchive"/> never checks it, so a part damaged in transit or on purpose
/// (one flipped bit in a stored part, or deflate data that still inflates) would be read as data and could load a wrong
/// figure; here it is <see cref="InvalidDataException"/>, which the reader reports as a damaged part. Parts read to their
/// end are checked; that is every part the reader reads whole, sheets included.
/// </summary>
internal sealed class Crc32CheckedStream(Stream inner, uint expected) : ReadThroughStream(inner)
{
    private readonly Crc32 _crc = new();

    protected override void Observe(ReadOnlySpan<byte> read) => _crc.Append(read);

    protected override void AtEnd()
    {
        if (_crc.GetCurrentHashAsUInt32() != expected)
        {
            throw new InvalidDataException("The zip entry's CRC-32 does not match its content.");
        }
    }
}
