using System.Globalization;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>A mutated workbook and what was done to it.</summary>
/// <param name="MustReject">
/// The mutation made the sheet malformed in a way issue 13 says is rejected whatever the reference decoder makes of it:
/// a duplicate cell address or row, a row out of order, a column past XFD or a row past 1,048,576, two sheets matching one name.
/// </param>
/// <param name="FileScope">
/// The mutation is in a part of the package (the zip, workbook, relationships, styles, shared strings) rather than a sheet:
/// a problem naming the file alone names its location.
/// </param>
/// <param name="NoReference">
/// The reference decoder cannot judge this mutant: EPPlus 4.5.3.3 never returns from a sheet with an unknown element inside a
/// <c>c</c> before its <c>v</c> (seen with 100 and with 100,000 nested elements; our streaming reader takes milliseconds), and
/// reads an empty <c>&lt;v&gt;&lt;/v&gt;</c> as NaN. Such a mutant is held to everything but the comparison of figures.
/// </param>
/// <param name="Rejecting">The classes of the mutations that make it <paramref name="MustReject"/>.</param>
/// <param name="Original">
/// For a mutation of the zip's bytes, or damage to a part that is not a sheet: the mutant without that damage. EPPlus
/// inflates and parses every part, our reader only the parts it needs (shared strings only when a cell refers to one);
/// a flipped bit in a theme, or a broken shared strings part of a workbook of inline strings, makes EPPlus refuse a file
/// that our reader rightly reads as before. When EPPlus refuses such a mutant, ours is compared with the reading of this.
/// </param>
public sealed record XlsxMutant(byte[] Bytes, IReadOnlyList<string> Mutations, bool MustReject, bool FileScope, long InflatedBytes, bool NoReference = false,
    IReadOnlyList<string>? Rejecting = null, byte[]? Original = null)
{
    public string Describe() => string.Join("; ", Mutations);
}

/// <summary>
/// Mutates a valid workbook deterministically from a <see cref="Random"/>: numbers, dates, styles, cell references,
/// rows, sheet names, XML structure, shared strings and the zip itself. Each mutation targets one of the sheets the
/// reader reads (never an extra sheet the contract ignores), and says in words what it did where.
/// </summary>
public sealed partial class XlsxMutator(IReadOnlyList<string> readSheets)
{
    private static readonly string[] NumberTexts =
    [
        "NaN", "INF", "-INF", "Infinity", "-Infinity", "1e308", "-1e308", "1e309", "-1e309", "-0", "4.9e-324", "1e-300",
        "123456789012345678901234567890", "0.12345678901234567890123456789", "999999999999", "1000000000001", "1E+15",
        "1,5", "86 400", "12abc", "", "0x1A", "+5", "  7  ", "\u0663", "1_000", "5e", "--5", "79228162514264337593543950336",
        "0.1", "2.5", "-35000", "1e12", "-1e12", "1.0000000000000002",
    ];

    private static readonly string[] TextNumbers =
    [
        "-520 000 kr", "1,7", "ca 500k", "86\u00A0400", "1 200:-", "NaN", "Infinity", "1e309", "\u221235 000", "12,5 %", "0", "   ",
        "1.000", new string('9', 100), "1" + new string('0', 30), "35 000 SEK", "1 000 000 000 001", "-0", "\t5\n", "=1+1", "2,5",
    ];

    private static readonly string[] DateSerials = ["-1", "-700000", "2958465", "2958466", "1e7", "1e308", "NaN", "60", "0.5", "45000", "-0.5", "INF"];

    private static readonly string[] IsoDates =
    [
        "0001-01-01T00:00:00", "9999-12-31T23:59:59", "2024-02-30", "2024-06-01", "+10000-01-01", "garbage", "1899-12-30",
        "0001-01-01", "9999-12-31", "2024-06-01T12:00:00Z", "",
    ];

    private static readonly string[] BadStyles = ["99999", "-1", "abc", "2147483648", "3"];

    private static readonly string[] BadAddresses = ["", "!!", "A0", "1A", "C-2", "C2C", "$C$2", " C2", "C 2", "ÅÄ2"];

    private delegate bool Mutation(Context context);

    private static readonly (string Class, int Weight, Mutation Apply)[] Catalogue =
    [
        ("number", 8, ReplaceNumber),
        ("text-number", 5, TextInNumberCell),
        ("date-style", 4, DateStyleOnAmount),
        ("iso-date", 3, IsoDateCell),
        ("style-index", 3, BadStyleIndex),
        ("duplicate-cell", 3, DuplicateCell),
        ("column-past-xfd", 2, ColumnPastXfd),
        ("row-past-max", 2, RowPastMax),
        ("missing-r", 2, MissingCellReference),
        ("lowercase-r", 2, LowercaseCellReference),
        ("garbage-r", 2, GarbageCellReference),
        ("other-row-r", 2, AddressOfAnotherRow),
        ("duplicate-row", 3, DuplicateRow),
        ("rows-out-of-order", 3, SwapRows),
        ("dropped-row", 2, DropRow),
        ("far-row", 1, MoveRowFar),
        ("garbage-row-r", 1, GarbageRowReference),
        ("duplicate-sheet-name", 3, DuplicateSheetName),
        ("hidden-sheet", 1, HideSheet),
        ("missing-sheet", 1, RemoveSheet),
        ("missing-sheet-part", 1, RemoveSheetPart),
        ("truncated-part", 3, TruncatePart),
        ("unbalanced-tag", 2, UnbalanceTag),
        ("entity", 2, UndefinedEntity),
        ("dtd", 2, InsertDtd),
        ("deep-nesting", 1, DeepNesting),
        ("huge-text", 1, HugeText),
        ("wrong-namespace", 1, WrongNamespace),
        ("shared-string-index", 3, SharedStringOutOfRange),
        ("long-shared-string", 2, LongSharedString),
        ("many-long-shared-strings", 1, ManyLongSharedStrings),
        ("truncated-zip", 1, TruncateZip),
        ("flipped-byte", 1, FlipByte),
    ];

    /// <summary>The mutation classes, for the record of which were run.</summary>
    public static IEnumerable<string> Classes => Catalogue.Select(c => c.Class);

    /// <summary>One to three mutations of <paramref name="original"/>.</summary>
    public XlsxMutant Mutate(XlsxPackage original, Random random, int? count = null)
    {
        var context = new Context(original.Clone(), random, readSheets);
        var wanted = count ?? (random.Next(10) < 6 ? 1 : random.Next(2, 4));
        var total = Catalogue.Sum(c => c.Weight);
        var attempts = 0;
        while (context.Applied < wanted && attempts++ < 50 && context.ZipBytes is null && !context.Alone)
        {
            var pick = random.Next(total);
            foreach (var (name, weight, apply) in Catalogue)
            {
                if ((pick -= weight) >= 0)
                {
                    continue;
                }
                context.Class = name;
                if (apply(context))
                {
                    context.Applied++;
                }
                break;
            }
        }
        var bytes = context.ZipBytes ?? context.Package.ToBytes();
        byte[]? undamaged = null;
        if (context.ZipBytes is not null || context.Damaged is not null)
        {
            var repaired = context.Package.Clone();
            if (context.Damaged is { } damaged)
            {
                repaired.SetBytes(damaged.Part, damaged.Content);
            }
            undamaged = repaired.ToBytes();
        }
        return new XlsxMutant(bytes, context.Notes, context.MustReject, context.FileScope, context.Package.InflatedBytes, context.NoReference,
            context.Rejecting, undamaged);
    }

    private sealed class Context(XlsxPackage package, Random random, IReadOnlyList<string> readSheets)
    {
        public XlsxPackage Package { get; } = package;
        public Random Random { get; } = random;
        public List<string> Notes { get; } = [];
        public List<string> Rejecting { get; } = [];

        public bool MustReject
        {
            get => Rejecting.Count > 0;
            set
            {
                if (value && !Rejecting.Contains(Class))
                {
                    Rejecting.Add(Class);
                }
            }
        }
        public bool FileScope { get; set; }
        public bool NoReference { get; set; }

        /// <summary>
        /// A mutation that must be the case's only one: a sheet taken out of the workbook takes with it whatever
        /// another mutation did in that sheet, so that mutation's verdict (must reject) would no longer hold.
        /// </summary>
        public bool Alone { get; set; }

        /// <summary>The first part of the package (not a sheet) damaged, with its content before: see <see cref="XlsxMutant.Original"/>.</summary>
        public (string Part, byte[] Content)? Damaged { get; set; }

        public void Damaging(string part)
        {
            if (!IsSheetPart(part) && Damaged is null)
            {
                Damaged = (part, (byte[])Package.Bytes(part).Clone());
            }
        }
        public int Applied { get; set; }
        public string Class { get; set; } = "";

        /// <summary>Set by a mutation of the zip's bytes: the last mutation, as the package can no longer be edited.</summary>
        public byte[]? ZipBytes { get; set; }

        public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

        public void Note(string what) => Notes.Add($"[{Class}] {what}");

        /// <summary>A sheet the reader reads, present in the package: its name and part.</summary>
        public (string Name, string Part)? PickSheet()
        {
            var present = Package.Sheets().Where(s => readSheets.Any(r => string.Equals(r, s.Name.Trim(), StringComparison.OrdinalIgnoreCase)) && Package.Has(s.Part)).ToList();
            return present.Count == 0 ? null : Pick(present);
        }

        /// <summary>A cell element of a read sheet that matches, with its sheet.</summary>
        public (string Sheet, string Part, Match Cell)? PickCell(Func<Match, bool>? where = null)
        {
            for (var attempt = 0; attempt < 4; attempt++)
            {
                if (PickSheet() is not { } sheet)
                {
                    return null;
                }
                var cells = CellPattern().Matches(Package.Text(sheet.Part)).Where(m => where?.Invoke(m) ?? true).ToList();
                if (cells.Count > 0)
                {
                    return (sheet.Name, sheet.Part, Pick(cells));
                }
            }
            return null;
        }

        public (string Sheet, string Part, List<Match> Rows)? PickRows(int atLeast)
        {
            for (var attempt = 0; attempt < 4; attempt++)
            {
                if (PickSheet() is not { } sheet)
                {
                    return null;
                }
                var rows = RowPattern().Matches(Package.Text(sheet.Part)).ToList();
                if (rows.Count >= atLeast)
                {
                    return (sheet.Name, sheet.Part, rows);
                }
            }
            return null;
        }

        public void Replace(string part, Match match, string replacement)
        {
            var text = Package.Text(part);
            Package.SetText(part, string.Concat(text.AsSpan(0, match.Index), replacement, text.AsSpan(match.Index + match.Length)));
        }

        /// <summary>A run of letters from the seed: random enough not to compress past the ratio limit.</summary>
        public string Letters(int length)
        {
            var bytes = new byte[length];
            Random.NextBytes(bytes);
            return string.Create(length, bytes, (span, b) =>
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (char)('a' + b[i] % 26);
                }
            });
        }
    }

    private static string? Address(Match cell) => XlsxPackage.Attribute(StartTag(cell.Value), "r");

    private static string StartTag(string element) => element[..(element.IndexOf('>') + 1)];

    private static bool IsNumeric(Match cell)
    {
        var type = XlsxPackage.Attribute(StartTag(cell.Value), "t");
        return (type is null or "n") && cell.Value.Contains("<v>", StringComparison.Ordinal);
    }

    private static string WithAttribute(string element, string name, string? value)
    {
        var start = StartTag(element);
        var selfClosing = start.EndsWith("/>", StringComparison.Ordinal);
        var bare = Regex.Replace(start, $@"\s{Regex.Escape(name)}\s*=\s*(""[^""]*""|'[^']*')", "");
        var head = bare[..^(selfClosing ? 2 : 1)].TrimEnd();
        var newStart = value is null ? head : $"{head} {name}=\"{SecurityElement.Escape(value)}\"";
        return newStart + (selfClosing ? "/>" : ">") + element[start.Length..];
    }

    private static string Where((string Sheet, string Part, Match Cell) target) => $"{target.Sheet}!{Address(target.Cell) ?? "(utan r)"}";

    private static bool ReplaceNumber(Context c)
    {
        if (c.PickCell(IsNumeric) is not { } target)
        {
            return false;
        }
        var value = c.Pick(NumberTexts);
        // EPPlus reads an empty <v></v> as NaN, where the contract, like Excel, reads an empty cell; and it parses v with
        // NumberStyles.Any, so that <v>1,5</v> is 15 to it (a comma as group separator), which is no reading of the file.
        c.NoReference |= value.Length == 0 || value.Contains(',', StringComparison.Ordinal);
        var element = Regex.Replace(target.Cell.Value, "<v>.*?</v>", $"<v>{SecurityElement.Escape(value)}</v>", RegexOptions.Singleline);
        c.Replace(target.Part, target.Cell, element);
        c.Note($"{Where(target)}: <v>{value}</v>");
        return true;
    }

    private static bool TextInNumberCell(Context c)
    {
        if (c.PickCell(IsNumeric) is not { } target)
        {
            return false;
        }
        var text = c.Pick(TextNumbers);
        var inline = c.Random.Next(2) == 0;
        var address = Address(target.Cell);
        var reference = address is null ? "" : $" r=\"{address}\"";
        var element = inline
            ? $"<c{reference} t=\"inlineStr\"><is><t xml:space=\"preserve\">{SecurityElement.Escape(text)}</t></is></c>"
            : $"<c{reference} t=\"str\"><f>A1</f><v xml:space=\"preserve\">{SecurityElement.Escape(text)}</v></c>";
        c.Replace(target.Part, target.Cell, element);
        c.Note($"{Where(target)}: {(inline ? "inline text" : "formula text")} \"{text}\"");
        return true;
    }

    /// <summary>Adds a cellXfs entry with a date format and returns its index.</summary>
    private static int? AddDateStyle(Context c, int numFmtId)
    {
        const string styles = "xl/styles.xml";
        if (!c.Package.Has(styles))
        {
            return null;
        }
        var text = c.Package.Text(styles);
        var xfs = CellXfsPattern().Match(text);
        if (!xfs.Success)
        {
            return null;
        }
        var count = XfPattern().Matches(xfs.Groups[2].Value).Count;
        var updated = text.Insert(xfs.Groups[2].Index + xfs.Groups[2].Length, $"<xf numFmtId=\"{numFmtId}\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>");
        c.Package.SetText(styles, updated);
        return count;
    }

    private static bool DateStyleOnAmount(Context c)
    {
        if (c.PickCell(IsNumeric) is not { } target)
        {
            return false;
        }
        var format = c.Pick<int>([14, 22, 47]);
        if (AddDateStyle(c, format) is not { } style)
        {
            return false;
        }
        var element = WithAttribute(target.Cell.Value, "s", style.ToString(CultureInfo.InvariantCulture));
        var serial = c.Random.Next(3) == 0 ? null : c.Pick(DateSerials);
        if (serial is not null)
        {
            element = Regex.Replace(element, "<v>.*?</v>", $"<v>{serial}</v>", RegexOptions.Singleline);
        }
        c.Replace(target.Part, target.Cell, element);
        c.Note($"{Where(target)}: date format {format}{(serial is null ? "" : $", serial {serial}")}");
        return true;
    }

    private static bool IsoDateCell(Context c)
    {
        if (c.PickCell(m => m.Value.Contains("<v>", StringComparison.Ordinal)) is not { } target)
        {
            return false;
        }
        var date = c.Pick(IsoDates);
        // EPPlus reads an empty t="d" value as NaN, as it does an empty number; the contract reads an empty cell.
        c.NoReference |= date.Length == 0;
        var address = Address(target.Cell);
        c.Replace(target.Part, target.Cell, $"<c{(address is null ? "" : $" r=\"{address}\"")} t=\"d\"><v>{date}</v></c>");
        c.Note($"{Where(target)}: t=\"d\" {date}");
        return true;
    }

    private static bool BadStyleIndex(Context c)
    {
        if (c.PickCell() is not { } target)
        {
            return false;
        }
        var style = c.Pick(BadStyles);
        c.Replace(target.Part, target.Cell, WithAttribute(target.Cell.Value, "s", style));
        c.Note($"{Where(target)}: s=\"{style}\"");
        return true;
    }

    private static bool DuplicateCell(Context c)
    {
        if (c.PickCell(m => Address(m) is not null) is not { } target)
        {
            return false;
        }
        var copy = target.Cell.Value;
        var changed = c.Random.Next(2) == 0 && IsNumeric(target.Cell);
        if (changed)
        {
            copy = Regex.Replace(copy, "<v>.*?</v>", "<v>1234</v>", RegexOptions.Singleline);
        }
        c.Replace(target.Part, target.Cell, target.Cell.Value + copy);
        c.MustReject = true;
        c.Note($"{Where(target)}: written twice{(changed ? ", the second 1234" : "")}");
        return true;
    }

    private static bool ColumnPastXfd(Context c)
    {
        if (c.PickCell(m => Address(m) is not null) is not { } target)
        {
            return false;
        }
        var row = Regex.Match(Address(target.Cell)!, "[0-9]+$").Value;
        var column = c.Pick(["XFE", "XFZ", "ZZZ", "AAAA"]);
        c.Replace(target.Part, target.Cell, WithAttribute(target.Cell.Value, "r", column + row));
        c.MustReject = true;
        c.Note($"{Where(target)}: r=\"{column}{row}\"");
        return true;
    }

    private static bool RowPastMax(Context c)
    {
        if (c.PickRows(1) is not { } target)
        {
            return false;
        }
        var row = c.Pick(target.Rows);
        var number = c.Pick(["1048577", "2147483647", "2147483648", "99999999999"]);
        var element = WithAttribute(row.Value, "r", number);
        element = CellPattern().Replace(element, cell => Address(cell) is { } a ? WithAttribute(cell.Value, "r", Regex.Replace(a, "[0-9]+$", number)) : cell.Value);
        c.Replace(target.Part, row, element);
        c.MustReject = true;
        c.Note($"{target.Sheet}: row {XlsxPackage.Attribute(StartTag(row.Value), "r")} moved to r=\"{number}\"");
        return true;
    }

    private static bool MissingCellReference(Context c)
    {
        if (c.PickCell(m => Address(m) is not null) is not { } target)
        {
            return false;
        }
        c.Replace(target.Part, target.Cell, WithAttribute(target.Cell.Value, "r", null));
        c.Note($"{Where(target)}: r removed");
        return true;
    }

    private static bool LowercaseCellReference(Context c)
    {
        if (c.PickCell(m => Address(m) is not null) is not { } target)
        {
            return false;
        }
        c.Replace(target.Part, target.Cell, WithAttribute(target.Cell.Value, "r", Address(target.Cell)!.ToLowerInvariant()));
        c.Note($"{Where(target)}: r in lower case");
        return true;
    }

    private static bool GarbageCellReference(Context c)
    {
        if (c.PickCell(m => Address(m) is not null) is not { } target)
        {
            return false;
        }
        var garbage = c.Pick(BadAddresses);
        c.Replace(target.Part, target.Cell, WithAttribute(target.Cell.Value, "r", garbage));
        c.Note($"{Where(target)}: r=\"{garbage}\"");
        return true;
    }

    private static bool AddressOfAnotherRow(Context c)
    {
        if (c.PickCell(m => Address(m) is not null) is not { } target)
        {
            return false;
        }
        var address = Address(target.Cell)!;
        // An address another mutation has already made garbage has no row to move.
        if (!int.TryParse(Regex.Match(address, "^[A-Za-z]+([0-9]{1,7})$").Groups[1].Value, CultureInfo.InvariantCulture, out var row))
        {
            return false;
        }
        var other = Regex.Replace(address, "[0-9]+$", (row + 1 + c.Random.Next(5)).ToString(CultureInfo.InvariantCulture));
        c.Replace(target.Part, target.Cell, WithAttribute(target.Cell.Value, "r", other));
        c.Note($"{Where(target)}: r=\"{other}\" inside row {row}");
        return true;
    }

    private static bool DuplicateRow(Context c)
    {
        if (c.PickRows(1) is not { } target)
        {
            return false;
        }
        var row = c.Pick(target.Rows);
        c.Replace(target.Part, row, row.Value + row.Value);
        // A row without r is placed after the one before it: its copy is one more row, not the same row twice.
        c.MustReject = XlsxPackage.Attribute(StartTag(row.Value), "r") is not null;
        c.Note($"{target.Sheet}: row {XlsxPackage.Attribute(StartTag(row.Value), "r")} written twice");
        return true;
    }

    private static bool SwapRows(Context c)
    {
        // A second swap may swap the same two rows back.
        if (c.Rejecting.Contains(c.Class) || c.PickRows(2) is not { } target)
        {
            return false;
        }
        var i = c.Random.Next(target.Rows.Count - 1);
        var (first, second) = (target.Rows[i], target.Rows[i + 1]);
        var text = c.Package.Text(target.Part);
        var swapped = text[..first.Index] + second.Value + text[(first.Index + first.Length)..second.Index] + first.Value + text[(second.Index + second.Length)..];
        c.Package.SetText(target.Part, swapped);
        c.MustReject = XlsxPackage.Attribute(StartTag(first.Value), "r") is not null;
        c.Note($"{target.Sheet}: rows {XlsxPackage.Attribute(StartTag(first.Value), "r")} and {XlsxPackage.Attribute(StartTag(second.Value), "r")} swapped");
        return true;
    }

    private static bool DropRow(Context c)
    {
        // A dropped row may be the one another mutation made the sheet malformed with, and take that verdict with it.
        if (c.MustReject || c.PickRows(2) is not { } target)
        {
            return false;
        }
        var row = c.Pick(target.Rows);
        c.Replace(target.Part, row, "");
        c.Note($"{target.Sheet}: row {XlsxPackage.Attribute(StartTag(row.Value), "r")} dropped");
        return true;
    }

    private static bool MoveRowFar(Context c)
    {
        // Renumbering the last row may undo another mutation's disorder (rows swapped at the end come back in order).
        if (c.MustReject || c.PickRows(2) is not { } target)
        {
            return false;
        }
        var row = target.Rows[^1];
        const string number = "1048576";
        var element = WithAttribute(row.Value, "r", number);
        element = CellPattern().Replace(element, cell => Address(cell) is { } a ? WithAttribute(cell.Value, "r", Regex.Replace(a, "[0-9]+$", number)) : cell.Value);
        c.Replace(target.Part, row, element);
        c.Note($"{target.Sheet}: last row moved to r=\"{number}\"");
        return true;
    }

    private static bool GarbageRowReference(Context c)
    {
        if (c.PickRows(1) is not { } target)
        {
            return false;
        }
        var row = c.Pick(target.Rows);
        var garbage = c.Pick(["", "0", "-1", "abc", "1.5"]);
        c.Replace(target.Part, row, WithAttribute(row.Value, "r", garbage));
        c.Note($"{target.Sheet}: row {XlsxPackage.Attribute(StartTag(row.Value), "r")} r=\"{garbage}\"");
        return true;
    }

    private static bool DuplicateSheetName(Context c)
    {
        if (c.PickSheet() is not { } sheet)
        {
            return false;
        }
        var variants = new[] { sheet.Name.ToUpperInvariant(), $" {sheet.Name.ToLowerInvariant()} ", sheet.Name + " ", "\u00A0" + sheet.Name };
        var name = c.Pick(variants);
        if (name == sheet.Name)
        {
            name = " " + name;
        }
        var part = $"xl/worksheets/fuzz{c.Random.Next(1000, 9999)}.xml";
        var content = c.Package.Text(sheet.Part);
        // A copy with one number changed, so that taking the wrong one gives another figure.
        content = Regex.Replace(content, "<v>([0-9]+)</v>", m => $"<v>{m.Groups[1].Value}1</v>");
        c.Package.SetText(part, content);
        var relId = $"rIdFuzz{c.Random.Next(1000, 9999)}";
        var rels = c.Package.Text("xl/_rels/workbook.xml.rels");
        c.Package.SetText("xl/_rels/workbook.xml.rels", rels.Replace("</Relationships>",
            $"<Relationship Id=\"{relId}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"{part[3..]}\"/></Relationships>", StringComparison.Ordinal));
        const string types = "[Content_Types].xml";
        if (c.Package.Has(types))
        {
            c.Package.SetText(types, c.Package.Text(types).Replace("</Types>",
                $"<Override PartName=\"/{part}\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>", StringComparison.Ordinal));
        }
        var workbook = c.Package.Text("xl/workbook.xml");
        var first = c.Random.Next(2) == 0;
        var hidden = c.Random.Next(2) == 0 ? " state=\"hidden\"" : "";
        var element = $"<sheet name=\"{SecurityElement.Escape(name)}\" sheetId=\"{c.Random.Next(100, 999)}\"{hidden} r:id=\"{relId}\"/>";
        workbook = first
            ? Regex.Replace(workbook, "<sheets>", "<sheets>" + element)
            : workbook.Replace("</sheets>", element + "</sheets>", StringComparison.Ordinal);
        if (!workbook.Contains("xmlns:r=", StringComparison.Ordinal))
        {
            return false;
        }
        c.Package.SetText("xl/workbook.xml", workbook);
        c.MustReject = true;
        c.FileScope = true;
        c.Note($"sheet \"{name}\"{(hidden.Length > 0 ? " (hidden)" : "")} added {(first ? "before" : "after")} \"{sheet.Name}\", a copy with other numbers");
        return true;
    }

    private static bool HideSheet(Context c)
    {
        if (c.PickSheet() is not { } sheet)
        {
            return false;
        }
        var workbook = c.Package.Text("xl/workbook.xml");
        var match = Regex.Match(workbook, $@"<sheet\b[^>]*name=""{Regex.Escape(SecurityElement.Escape(sheet.Name))}""[^>]*>");
        if (!match.Success)
        {
            return false;
        }
        c.Package.SetText("xl/workbook.xml", workbook.Replace(match.Value, WithAttribute(match.Value, "state", "hidden"), StringComparison.Ordinal));
        c.Note($"sheet \"{sheet.Name}\" hidden");
        return true;
    }

    private static bool RemoveSheet(Context c)
    {
        if (c.Applied > 0 || c.PickSheet() is not { } sheet)
        {
            return false;
        }
        var workbook = c.Package.Text("xl/workbook.xml");
        var match = Regex.Match(workbook, $@"<sheet\b[^>]*name=""{Regex.Escape(SecurityElement.Escape(sheet.Name))}""[^>]*>");
        if (!match.Success)
        {
            return false;
        }
        c.Package.SetText("xl/workbook.xml", workbook.Replace(match.Value, "", StringComparison.Ordinal));
        c.Alone = true;
        c.FileScope = true;
        c.Note($"sheet \"{sheet.Name}\" removed from the workbook");
        return true;
    }

    private static bool RemoveSheetPart(Context c)
    {
        if (c.Applied > 0 || c.PickSheet() is not { } sheet)
        {
            return false;
        }
        c.Alone = true;
        var empty = c.Random.Next(2) == 0;
        if (empty)
        {
            // What a writer that failed half-way leaves: not to be taken for an empty sheet silently.
            c.Package.SetBytes(sheet.Part, []);
        }
        else
        {
            c.Package.Remove(sheet.Part);
        }
        c.FileScope = true;
        c.Note($"the part of sheet \"{sheet.Name}\" ({sheet.Part}) {(empty ? "emptied to 0 bytes" : "removed")}");
        return true;
    }

    private static string PickPart(Context c)
    {
        var candidates = new List<string>();
        if (c.PickSheet() is { } sheet)
        {
            candidates.Add(sheet.Part);
            candidates.Add(sheet.Part);
        }
        candidates.AddRange(new[] { "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml" }.Where(c.Package.Has));
        return c.Pick(candidates);
    }

    internal static bool IsSheetPart(string part) => part.StartsWith("xl/worksheets/", StringComparison.Ordinal);

    private static bool TruncatePart(Context c)
    {
        var part = PickPart(c);
        c.Damaging(part);
        var bytes = c.Package.Bytes(part);
        if (bytes.Length < 2)
        {
            return false;
        }
        var length = c.Random.Next(1, bytes.Length);
        c.Package.SetBytes(part, bytes[..length]);
        c.FileScope |= !IsSheetPart(part);
        c.Note($"{part} cut at byte {length} of {bytes.Length}");
        return true;
    }

    private static bool UnbalanceTag(Context c)
    {
        var part = PickPart(c);
        c.Damaging(part);
        var text = c.Package.Text(part);
        var ends = Regex.Matches(text, "</[A-Za-z:]+>").ToList();
        if (ends.Count == 0)
        {
            return false;
        }
        var end = c.Pick(ends);
        c.Package.SetText(part, text.Remove(end.Index, end.Length));
        c.FileScope |= !IsSheetPart(part);
        c.Note($"{part}: {end.Value} at {end.Index} removed");
        return true;
    }

    private static bool UndefinedEntity(Context c)
    {
        var part = PickPart(c);
        c.Damaging(part);
        var text = c.Package.Text(part);
        var values = Regex.Matches(text, "<(v|t)>").ToList();
        if (values.Count == 0)
        {
            return false;
        }
        var at = c.Pick(values);
        var entity = c.Pick(["&fuzz;", "&#0;", "&#xD800;", "&#1114112;", "&amp", "&lt;&gt;&quot;"]);
        c.Package.SetText(part, text.Insert(at.Index + at.Length, entity));
        c.FileScope |= !IsSheetPart(part);
        c.Note($"{part}: {entity} inserted at {at.Index + at.Length}");
        return true;
    }

    private static bool InsertDtd(Context c)
    {
        var part = PickPart(c);
        c.Damaging(part);
        var text = c.Package.Text(part);
        var root = Regex.Match(text, "<[A-Za-z]");
        if (!root.Success)
        {
            return false;
        }
        var at = text.StartsWith("<?xml", StringComparison.Ordinal) ? text.IndexOf("?>", StringComparison.Ordinal) + 2 : 0;
        const string dtd = "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY ext SYSTEM \"file:///etc/passwd\">]>";
        var updated = text.Insert(at, dtd);
        var value = Regex.Match(updated, "<v>");
        if (value.Success)
        {
            updated = updated.Insert(value.Index + value.Length, c.Random.Next(2) == 0 ? "&b;" : "&ext;");
        }
        c.Package.SetText(part, updated);
        c.FileScope |= !IsSheetPart(part);
        c.Note($"{part}: a DTD with entities inserted");
        return true;
    }

    private static bool DeepNesting(Context c)
    {
        if (c.PickCell() is not { } target)
        {
            return false;
        }
        var depth = c.Pick([100, 5_000, 100_000]);
        var nest = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            nest.Append("<x>");
        }
        for (var i = 0; i < depth; i++)
        {
            nest.Append("</x>");
        }
        var address = Address(target.Cell);
        c.Replace(target.Part, target.Cell, $"<c{(address is null ? "" : $" r=\"{address}\"")}>{nest}<v>1</v></c>");
        c.NoReference = true;
        c.Note($"{Where(target)}: {depth} nested elements before the value");
        return true;
    }

    private static bool HugeText(Context c)
    {
        if (c.PickCell() is not { } target)
        {
            return false;
        }
        var length = c.Pick([40_000, 1_000_000, 3_000_000]);
        var numeric = c.Random.Next(2) == 0;
        var text = numeric ? new string('9', length) : c.Letters(length);
        var address = Address(target.Cell);
        var reference = address is null ? "" : $" r=\"{address}\"";
        c.Replace(target.Part, target.Cell, numeric
            ? $"<c{reference}><v>{text}</v></c>"
            : $"<c{reference} t=\"inlineStr\"><is><t>{text}</t></is></c>");
        c.Note($"{Where(target)}: {(numeric ? "a number" : "text")} of {length:N0} characters");
        return true;
    }

    private static bool WrongNamespace(Context c)
    {
        if (c.PickSheet() is not { } sheet)
        {
            return false;
        }
        var text = c.Package.Text(sheet.Part);
        const string main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        if (!text.Contains(main, StringComparison.Ordinal))
        {
            return false;
        }
        c.Package.SetText(sheet.Part, text.Replace(main, "http://example.org/not-spreadsheetml", StringComparison.Ordinal));
        c.Note($"{sheet.Name}: the SpreadsheetML namespace replaced");
        return true;
    }

    private static bool SharedStringOutOfRange(Context c)
    {
        if (c.PickCell(m => XlsxPackage.Attribute(StartTag(m.Value), "t") == "s") is not { } target)
        {
            return false;
        }
        var index = c.Pick(["99999", "-1", "2147483648", "", "1.5", "abc"]);
        c.Replace(target.Part, target.Cell, Regex.Replace(target.Cell.Value, "<v>.*?</v>", $"<v>{index}</v>", RegexOptions.Singleline));
        c.Note($"{Where(target)}: shared string index \"{index}\"");
        return true;
    }

    private static bool LongSharedString(Context c)
    {
        const string sst = "xl/sharedStrings.xml";
        if (!c.Package.Has(sst) || c.PickCell() is not { } target)
        {
            return false;
        }
        var text = c.Package.Text(sst);
        var index = Regex.Matches(text, "<si>").Count;
        var end = text.LastIndexOf("</sst>", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }
        var length = c.Pick([32_768, 100_000]);
        var numeric = c.Random.Next(3) == 0;
        var value = numeric ? new string('1', length) : c.Letters(length);
        c.Package.SetText(sst, text.Insert(end, $"<si><t>{value}</t></si>"));
        var address = Address(target.Cell);
        c.Replace(target.Part, target.Cell, $"<c{(address is null ? "" : $" r=\"{address}\"")} t=\"s\"><v>{index}</v></c>");
        c.Note($"{Where(target)}: a shared {(numeric ? "string of digits" : "string")} of {length:N0} characters");
        return true;
    }

    private static bool ManyLongSharedStrings(Context c)
    {
        const string sst = "xl/sharedStrings.xml";
        if (!c.Package.Has(sst))
        {
            return false;
        }
        var text = c.Package.Text(sst);
        var end = text.LastIndexOf("</sst>", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }
        var count = c.Pick([20, 60]);
        var block = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            block.Append("<si><t>").Append(c.Letters(100_000)).Append("</t></si>");
        }
        c.Package.SetText(sst, text.Insert(end, block.ToString()));
        c.FileScope = true;
        c.Note($"{count} unused shared strings of 100,000 characters added");
        return true;
    }

    private static bool TruncateZip(Context c)
    {
        var bytes = c.Package.ToBytes();
        var length = c.Random.Next(0, bytes.Length);
        c.ZipBytes = bytes[..length];
        c.FileScope = true;
        c.Note($"the file cut at byte {length} of {bytes.Length}");
        return true;
    }

    private static bool FlipByte(Context c)
    {
        var bytes = c.Package.ToBytes();
        var at = c.Random.Next(bytes.Length);
        bytes[at] ^= (byte)(1 << c.Random.Next(8));
        c.ZipBytes = bytes;
        c.FileScope = true;
        c.Note($"a bit of byte {at} of {bytes.Length} flipped");
        return true;
    }

    [GeneratedRegex(@"<c\b[^>]*?(?:/>|>.*?</c>)", RegexOptions.Singleline)]
    private static partial Regex CellPattern();

    [GeneratedRegex(@"<row\b[^>]*?(?:/>|>.*?</row>)", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"<cellXfs\b([^>]*)>(.*?)(?=</cellXfs>)", RegexOptions.Singleline)]
    private static partial Regex CellXfsPattern();

    [GeneratedRegex(@"<xf\b")]
    private static partial Regex XfPattern();
}
