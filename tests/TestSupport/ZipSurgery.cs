using System.Buffers.Binary;
using System.Text;

namespace NackaInsights.TestSupport;

/// <summary>
/// Edits the headers of a finished zip in place, to make the damaged and hostile files that no
/// honest writer produces: an entry that lies about its size, one packed with a method that cannot
/// be unpacked, one whose packed data is garbled.
/// </summary>
public static class ZipSurgery
{
    /// <summary>Makes the central directory and the local header declare <paramref name="size"/> as the entry's unpacked size.</summary>
    public static byte[] DeclareUncompressedSize(byte[] zip, string entryName, uint size) =>
        Edit(zip, entryName, (central, local) =>
        {
            BinaryPrimitives.WriteUInt32LittleEndian(central[24..], size);
            BinaryPrimitives.WriteUInt32LittleEndian(local[22..], size);
        });

    /// <summary>Declares the entry packed with another method, e.g. 99 (AES encryption, as 7-Zip writes it).</summary>
    public static byte[] DeclareCompressionMethod(byte[] zip, string entryName, ushort method) =>
        Edit(zip, entryName, (central, local) =>
        {
            BinaryPrimitives.WriteUInt16LittleEndian(central[10..], method);
            BinaryPrimitives.WriteUInt16LittleEndian(local[8..], method);
        });

    /// <summary>Inverts the middle third of the entry's packed data.</summary>
    public static byte[] GarbleData(byte[] zip, string entryName) =>
        Edit(zip, entryName, (central, local) =>
        {
            var compressed = (int)BinaryPrimitives.ReadUInt32LittleEndian(central[20..]);
            var dataStart = 30 + BinaryPrimitives.ReadUInt16LittleEndian(local[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(local[28..]);
            var data = local.Slice(dataStart, compressed);
            for (var i = compressed / 3; i < 2 * compressed / 3 + 1 && i < compressed; i++)
            {
                data[i] ^= 0xFF;
            }
        });

    private delegate void EntryEdit(Span<byte> central, Span<byte> local);

    private static byte[] Edit(byte[] zip, string entryName, EntryEdit edit)
    {
        var copy = (byte[])zip.Clone();
        var span = copy.AsSpan();
        var end = span.LastIndexOf("PK\x05\x06"u8);
        if (end < 0)
        {
            throw new ArgumentException("No end of central directory record.", nameof(zip));
        }
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[(end + 10)..]);
        var offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(end + 16)..]);
        for (var i = 0; i < count; i++)
        {
            var central = span[offset..];
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(central[28..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(central[30..]);
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(central[32..]);
            var name = Encoding.UTF8.GetString(central.Slice(46, nameLength));
            if (name == entryName)
            {
                var local = span[(int)BinaryPrimitives.ReadUInt32LittleEndian(central[42..])..];
                edit(central, local);
                return copy;
            }
            offset += 46 + nameLength + extraLength + commentLength;
        }
        throw new ArgumentException($"No entry {entryName} in the zip.", nameof(entryName));
    }
}
