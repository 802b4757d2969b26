using System.Buffers.Binary;
using System.Text;

namespace NackaInsights.TestSupport;

/// <summary>
/// Writes a minimal but genuine OLE compound file ([MS-CFB] version 3, 512-byte sectors): what an
/// old Excel 97–2003 <c>.xls</c> is. One FAT sector, one directory sector, and one stream in regular
/// sectors (padded to 4 096 bytes, the mini stream cutoff, as Excel pads its Workbook stream).
/// </summary>
public static class CompoundFile
{
    private const int SectorSize = 512;
    private const uint FreeSector = 0xFFFFFFFF;
    private const uint EndOfChain = 0xFFFFFFFE;
    private const uint FatSector = 0xFFFFFFFD;
    private const uint NoStream = 0xFFFFFFFF;

    public static readonly byte[] Signature = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <summary>A legacy .xls: a <c>Workbook</c> stream holding a BIFF8 workbook-globals BOF record and an EOF record.</summary>
    public static byte[] LegacyXls()
    {
        var biff = new byte[]
        {
            0x09, 0x08, 0x10, 0x00, // BOF, 16 bytes
            0x00, 0x06, 0x05, 0x00, // BIFF8, workbook globals
            0xBB, 0x0D, 0xCC, 0x07, // build 3515, year 1996
            0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
            0x0A, 0x00, 0x00, 0x00, // EOF
        };
        return WithStream("Workbook", biff);
    }

    /// <summary>A compound file holding one stream of the given name and content.</summary>
    public static byte[] WithStream(string name, byte[] content)
    {
        var streamSize = Math.Max(content.Length, 4096);
        var streamSectors = (streamSize + SectorSize - 1) / SectorSize;
        const uint fatIndex = 0, directoryIndex = 1, firstStreamSector = 2;
        var file = new byte[SectorSize * (1 + 2 + streamSectors)];
        var span = file.AsSpan();

        // Header.
        Signature.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[0x18..], 0x003E); // minor version
        BinaryPrimitives.WriteUInt16LittleEndian(span[0x1A..], 0x0003); // major version 3
        BinaryPrimitives.WriteUInt16LittleEndian(span[0x1C..], 0xFFFE); // little-endian
        BinaryPrimitives.WriteUInt16LittleEndian(span[0x1E..], 9); // 512-byte sectors
        BinaryPrimitives.WriteUInt16LittleEndian(span[0x20..], 6); // 64-byte mini sectors
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x2C..], 1); // FAT sectors
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x30..], directoryIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x38..], 4096); // mini stream cutoff
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x3C..], EndOfChain); // no mini FAT
        BinaryPrimitives.WriteUInt32LittleEndian(span[0x44..], EndOfChain); // no DIFAT sectors
        for (var i = 0; i < 109; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[(0x4C + 4 * i)..], i == 0 ? fatIndex : FreeSector);
        }

        // FAT: itself, the directory's one-sector chain, the stream's chain.
        var fat = span.Slice(Offset(fatIndex), SectorSize);
        for (var i = 0; i < SectorSize / 4; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(fat[(4 * i)..], FreeSector);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(fat[(4 * (int)fatIndex)..], FatSector);
        BinaryPrimitives.WriteUInt32LittleEndian(fat[(4 * (int)directoryIndex)..], EndOfChain);
        for (var s = 0; s < streamSectors; s++)
        {
            var sector = firstStreamSector + (uint)s;
            BinaryPrimitives.WriteUInt32LittleEndian(fat[(4 * (int)sector)..], s == streamSectors - 1 ? EndOfChain : sector + 1);
        }

        // Directory: the root storage with the stream as its only child, then two unused entries.
        var directory = span.Slice(Offset(directoryIndex), SectorSize);
        WriteEntry(directory[..128], "Root Entry", type: 5, child: 1, start: EndOfChain, size: 0);
        WriteEntry(directory[128..256], name, type: 2, child: NoStream, start: firstStreamSector, size: (uint)streamSize);
        WriteEntry(directory[256..384], null, type: 0, child: NoStream, start: 0, size: 0);
        WriteEntry(directory[384..], null, type: 0, child: NoStream, start: 0, size: 0);

        content.CopyTo(span[Offset(firstStreamSector)..]);
        return file;
    }

    private static int Offset(uint sector) => SectorSize * (1 + (int)sector);

    private static void WriteEntry(Span<byte> entry, string? name, byte type, uint child, uint start, uint size)
    {
        if (name is not null)
        {
            var bytes = Encoding.Unicode.GetBytes(name);
            bytes.CopyTo(entry);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[0x40..], (ushort)(bytes.Length + 2));
        }
        entry[0x42] = type;
        entry[0x43] = name is null ? (byte)0 : (byte)1; // black
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x44..], NoStream);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x48..], NoStream);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x4C..], child);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x74..], start);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[0x78..], size);
    }
}
