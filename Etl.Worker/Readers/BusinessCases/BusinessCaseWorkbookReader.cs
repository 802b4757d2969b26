using System.Globalization;
using System.Text.RegularExpressions;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Readers.BusinessCases;

/// <summary>A business case workbook, read: the business case, or every problem found in it.</summary>
/// <param name="RowsSeen">
/// The cost and benefit lines the workbook holds, loaded or not: the same count a loaded file records (its
/// <see cref="BusinessCase.LineCount"/>), so the rows of the sheet <c>Känslighet</c>, which describe lines, are not counted.
/// </param>
public sealed record BusinessCaseReadResult(BusinessCase? BusinessCase, IReadOnlyList<SourceProblem> Problems, int RowsSeen)
{
    public bool IsValid => BusinessCase is not null && Problems.Count == 0;
}

/// <summary>
/// Reads a business case workbook (nyttokalkyl) as business-case-workbook.md defines it and checks
/// every rule, reporting all problems of the file at once with sheet and cell, in Swedish. A hostile
/// value (a number that is not finite or past <see cref="MaxAmount"/>, a date outside <see cref="InputLimits"/>'
/// window, a text of millions of characters) is a problem on its cell, quoted only as an excerpt.
/// </summary>
/// <param name="input">The date window and text limit; optional so that callers that predate it still compile.</param>
public sealed partial class BusinessCaseWorkbookReader(WorkbookLimits limits, InputLimits? input = null)
{
    private readonly InputLimits _input = input ?? new InputLimits();

    public const string InitiativeSheet = "Initiativ";
    public const string CostSheet = "Kostnader";
    public const string BenefitSheet = "Nyttor";

    /// <summary>The optional sheet of the low and the high case per line.</summary>
    public const string SensitivitySheet = "Känslighet";

    // Below decimal's largest value (7.9e28) with room to round: a double this large converts without overflow.
    private const double DecimalRange = 7.9e27;

    /// <summary>A larger amount than this is a typing error, and more than the warehouse's columns hold.</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    public static readonly IReadOnlyList<string> RequiredSheets = [InitiativeSheet, CostSheet, BenefitSheet];

    private enum Label
    {
        InitiativeId,
        Name,
        Unit,
        Owner,
        Object,
        Goals,
        Version,
    }

    private static readonly (Label Label, string Text, bool Required, int MaxLength)[] Labels =
    [
        (Label.InitiativeId, "Initiativ-ID", true, 100),
        (Label.Name, "Namn", true, 400),
        (Label.Unit, "Verksamhet", true, 200),
        (Label.Owner, "Ägare", true, 320),
        (Label.Object, "Förvaltningsobjekt", false, 100),
        (Label.Goals, "Strategiska mål", false, 400),
        (Label.Version, "Kalkylversion", false, 200),
    ];

    /// <summary>Reads the workbook at <paramref name="path"/>; <paramref name="sourceName"/> names it in problems.</summary>
    public BusinessCaseReadResult Read(string path, string sourceName)
    {
        try
        {
            using var workbook = XlsxWorkbook.Open(path, limits, _input);
            return Read(workbook, sourceName);
        }
        catch (UnreadableWorkbookException e)
        {
            return new BusinessCaseReadResult(null, [new SourceProblem(sourceName, e.Sheet, null, e.Message)], 0);
        }
    }

    public BusinessCaseReadResult Read(XlsxWorkbook workbook, string sourceName)
    {
        var problems = new List<SourceProblem>();
        var sheets = new Dictionary<string, string>();
        foreach (var required in RequiredSheets)
        {
            string? actual;
            try
            {
                actual = workbook.FindSheet(required);
            }
            catch (UnreadableWorkbookException e)
            {
                // Two sheets match the name: neither is read, and the problem names both.
                problems.Add(new SourceProblem(sourceName, e.Sheet, null, e.Message));
                continue;
            }
            if (actual is null)
            {
                problems.Add(SourceProblem.ForFile(sourceName, $"Bladet \"{required}\" saknas. En nyttokalkyl har bladen {string.Join(", ", RequiredSheets)}."));
            }
            else
            {
                sheets[required] = actual;
            }
        }

        // The sheets that are there are read even when one is missing: every problem is reported at once.
        var context = new Context(sourceName, problems, _input);
        var (card, attributes) = sheets.TryGetValue(InitiativeSheet, out var initiativeSheet)
            ? ReadInitiative(workbook, initiativeSheet, context)
            : (null, []);
        var costTable = sheets.TryGetValue(CostSheet, out var costSheet)
            ? ReadTable(workbook, costSheet, "Kostnadspost", "Kategori", context)
            : null;
        var benefitTable = sheets.TryGetValue(BenefitSheet, out var benefitSheet)
            ? ReadTable(workbook, benefitSheet, "Nyttopost", "Typ", context)
            : null;
        var costs = costTable is null ? [] : ToCostLines(costTable, context);
        var benefits = benefitTable is null ? [] : ToBenefitLines(benefitTable, context);
        var sensitivity = ReadSensitivity(workbook, costTable, benefitTable, context);

        var rowsSeen = (costTable?.Lines.Count ?? 0) + (benefitTable?.Lines.Count ?? 0);
        if (problems.Count > 0 || card is null || costTable is null || benefitTable is null)
        {
            return new BusinessCaseReadResult(null, problems, rowsSeen);
        }
        var years = costTable.Years.Select(y => y.Year).Union(benefitTable.Years.Select(y => y.Year)).Order().ToList();
        return new BusinessCaseReadResult(new BusinessCase(card, years, costs, benefits, attributes) { Sensitivity = sensitivity }, problems, rowsSeen);
    }

    private sealed class Context(string source, List<SourceProblem> problems, InputLimits input)
    {
        public string Source { get; } = source;

        public InputLimits Input { get; } = input;

        public void Cell(string sheet, int row, int column, string message) =>
            problems.Add(SourceProblem.ForCell(Source, sheet, CellAddress.Format(row, column), message));

        public void Sheet(string sheet, string message) => problems.Add(SourceProblem.ForSheet(Source, sheet, message));

        public void Unreadable(UnreadableWorkbookException e, string sheet) => problems.Add(new SourceProblem(Source, e.Sheet ?? sheet, null, e.Message));
    }

    private static (InitiativeCard? Card, List<SourceAttribute> Attributes) ReadInitiative(XlsxWorkbook workbook, string sheet, Context context)
    {
        var found = new Dictionary<Label, (string Value, int Row)>();
        // Values already reported (an error value, too long): not checked again as an address or goals.
        var reported = new HashSet<Label>();
        var attributes = new List<SourceAttribute>();
        var failed = false;
        try
        {
            foreach (var row in workbook.ReadRows(sheet))
            {
                var labelCell = row[0];
                var valueCell = row[1];
                if (labelCell is null)
                {
                    continue;
                }
                var labelText = labelCell.Value.Display.Trim().TrimEnd(':').Trim();
                var value = valueCell is null ? "" : ValueText(valueCell.Value).Trim();
                attributes.Add(new SourceAttribute(labelText, value, CellAddress.Format(row.Index, 1)));
                // Every value is kept (as an attribute at least), so a date is checked whatever its label.
                if (valueCell is { Kind: CellKind.Date } dated && DateProblem(dated, context.Input) is { } dateProblem)
                {
                    context.Cell(sheet, row.Index, 1, dateProblem);
                    failed = true;
                }

                var known = Labels.FirstOrDefault(l => string.Equals(l.Text, labelText, StringComparison.OrdinalIgnoreCase));
                if (known.Text is null)
                {
                    continue;
                }
                if (found.TryGetValue(known.Label, out var earlier))
                {
                    context.Cell(sheet, row.Index, 0, $"Etiketten \"{known.Text}\" står två gånger (A{earlier.Row + 1} och A{row.Index + 1}).");
                    failed = true;
                    continue;
                }
                found[known.Label] = (value, row.Index);
                if (valueCell is { Kind: CellKind.Date } && DateProblem(valueCell.Value, context.Input) is not null)
                {
                    reported.Add(known.Label);
                }
                else if (valueCell is { Kind: CellKind.Error })
                {
                    context.Cell(sheet, row.Index, 1, $"Cellen innehåller felvärdet {ErrorCode(valueCell.Value)}.");
                    reported.Add(known.Label);
                    failed = true;
                }
                else if (value.Length > known.MaxLength)
                {
                    context.Cell(sheet, row.Index, 1, $"\"{known.Text}\" är längre än {known.MaxLength} tecken.");
                    reported.Add(known.Label);
                    failed = true;
                }
            }
        }
        catch (UnreadableWorkbookException e)
        {
            context.Unreadable(e, sheet);
            return (null, attributes);
        }

        foreach (var (label, text, required, _) in Labels)
        {
            if (!required)
            {
                continue;
            }
            if (!found.TryGetValue(label, out var entry))
            {
                context.Sheet(sheet, $"Etiketten \"{text}\" saknas i kolumn A.");
                failed = true;
            }
            else if (entry.Value.Length == 0)
            {
                context.Cell(sheet, entry.Row, 1, $"\"{text}\" saknar värde.");
                failed = true;
            }
        }

        string? Optional(Label label) => found.TryGetValue(label, out var e) && e.Value.Length > 0 ? e.Value : null;

        if (found.TryGetValue(Label.Owner, out var owner) && owner.Value.Length > 0 && !reported.Contains(Label.Owner) && !EmailPattern().IsMatch(owner.Value))
        {
            context.Cell(sheet, owner.Row, 1, $"{InputLimits.Excerpt(owner.Value)} är inte en e-postadress.");
            failed = true;
        }

        var goals = new List<string>();
        if (found.TryGetValue(Label.Goals, out var goalEntry) && goalEntry.Value.Length > 0 && !reported.Contains(Label.Goals))
        {
            foreach (var part in goalEntry.Value.Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (StrategicGoals.TryFind(part, out var goal))
                {
                    if (!goals.Contains(goal.Code))
                    {
                        goals.Add(goal.Code);
                    }
                }
                else
                {
                    context.Cell(sheet, goalEntry.Row, 1,
                        $"{InputLimits.Excerpt(part)} är inte ett av de övergripande målen ({string.Join("; ", StrategicGoals.All.Select(g => g.Name))}).");
                    failed = true;
                }
            }
        }

        if (failed)
        {
            return (null, attributes);
        }
        var card = new InitiativeCard(
            found[Label.InitiativeId].Value,
            found[Label.Name].Value,
            found[Label.Unit].Value,
            found[Label.Owner].Value,
            Optional(Label.Object),
            goals,
            Optional(Label.Version));
        return (card, attributes);
    }

    /// <summary>An error cell's code (<c>#REF!</c>) as the message shows it: unquoted, and cut like an excerpt, since a hostile file may write anything there.</summary>
    private static string ErrorCode(XlsxCell cell) => InputLimits.Cut(cell.Text, InputLimits.ExcerptCharacters).ReplaceLineEndings(" ");

    /// <summary>What is wrong with a date cell: no date at all, or one outside the window; null when it is fine.</summary>
    private static string? DateProblem(XlsxCell cell, InputLimits input) => cell.Date switch
    {
        null => $"Cellen är formaterad som datum, men {InputLimits.Excerpt(cell.Display)} är inget datum; det ligger utanför de tillåtna åren {input.Window}.",
        { } date when !input.Contains(date) => $"Datumet {input.OutsideWindow(date)}",
        _ => null,
    };

    /// <summary>A cell as text for the sheet Initiativ: dates as ISO dates, whole numbers without decimals.</summary>
    private static string ValueText(XlsxCell cell) => cell.Kind switch
    {
        CellKind.Date => cell.Display,
        CellKind.Number => cell.Number.ToString("0.##########", CultureInfo.InvariantCulture),
        _ => cell.Display,
    };

    private sealed record YearColumn(int Column, int Year);

    private sealed record TableLine(int Row, string Name, XlsxCell? Kind, IReadOnlyList<(YearColumn Year, XlsxCell Cell)> Values);

    private sealed record Table(string Sheet, IReadOnlyList<YearColumn> Years, IReadOnlyList<TableLine> Lines);

    /// <param name="LastColumn">The header's last column with a value: what lies beyond is outside the year columns.</param>
    private sealed record Header(List<YearColumn> Years, int LastColumn)
    {
        /// <summary>
        /// The year of a column, the first listed; null when none is. A plain loop: the lambda searching for it cost a
        /// closure and a delegate for every value of every line, 12 MB of a full refresh's reads at scale 1.
        /// </summary>
        public YearColumn? YearAt(int column)
        {
            foreach (var y in Years)
            {
                if (y.Column == column)
                {
                    return y;
                }
            }
            return null;
        }
    }

    /// <summary>
    /// Reads a sheet laid out as row 1 = <c>name header, kind header, year, year, …</c>, then one line
    /// per row until the first empty row.
    /// </summary>
    private static Table? ReadTable(XlsxWorkbook workbook, string sheet, string nameHeader, string kindHeader, Context context)
    {
        var header = new Header([], 1);
        var lines = new List<TableLine>();
        var sawHeader = false;
        var expectedRow = 1;
        var ended = false;
        int? rowBelowEmpty = null;
        try
        {
            foreach (var row in workbook.ReadRows(sheet))
            {
                if (!sawHeader)
                {
                    sawHeader = true;
                    if (row.Index != 0)
                    {
                        context.Cell(sheet, 0, 0, $"Rubrikraden saknas: rad 1 ska ha rubrikerna {nameHeader}, {kindHeader} och ett år per kolumn.");
                        return null;
                    }
                    header = ReadHeader(row, sheet, nameHeader, kindHeader, context);
                    continue;
                }
                if (ended)
                {
                    rowBelowEmpty ??= row.Index;
                    continue;
                }
                if (row.Index != expectedRow)
                {
                    // An empty row ends the table; what stands below it (notes, sums) is not read.
                    ended = true;
                    rowBelowEmpty = row.Index;
                    continue;
                }
                expectedRow++;
                var line = ReadLine(row, sheet, header, nameHeader, context);
                if (line is not null)
                {
                    lines.Add(line);
                }
            }
        }
        catch (UnreadableWorkbookException e)
        {
            context.Unreadable(e, sheet);
            return null;
        }

        if (!sawHeader)
        {
            context.Cell(sheet, 0, 0, $"Bladet är tomt: rad 1 ska ha rubrikerna {nameHeader}, {kindHeader} och ett år per kolumn.");
            return null;
        }
        if (lines.Count == 0 && rowBelowEmpty is { } below)
        {
            context.Cell(sheet, 1, 0, $"Tabellen är tom: rad 2 är tom, men rad {below + 1} har värden. En tom rad avslutar tabellen; ta bort den tomma raden.");
        }
        // Returned even when the header or a line has a problem, so that the amounts, kinds and signs are
        // checked too: every problem is reported at once. The problems themselves reject the workbook.
        return new Table(sheet, header.Years, lines);
    }

    private static Header ReadHeader(XlsxRow header, string sheet, string nameHeader, string kindHeader, Context context)
    {
        void ExpectLabel(int column, string expected)
        {
            var cell = header[column];
            var text = cell?.Display.Trim() ?? "";
            if (!string.Equals(text, expected, StringComparison.OrdinalIgnoreCase))
            {
                context.Cell(sheet, 0, column, text.Length == 0
                    ? $"Rubriken \"{expected}\" saknas."
                    : $"Rubriken ska vara \"{expected}\", inte {InputLimits.Excerpt(text)}.");
            }
        }
        ExpectLabel(0, nameHeader);
        ExpectLabel(1, kindHeader);

        var years = new List<YearColumn>();
        var yearCells = header.Cells.Where(c => c.Column >= 2).ToList();
        if (yearCells.Count == 0)
        {
            context.Cell(sheet, 0, 2, "Årskolumner saknas: rad 1 ska ha ett år per kolumn från kolumn C.");
            return new Header(years, 1);
        }
        var expectedColumn = 2;
        foreach (var cell in yearCells)
        {
            if (cell.Column != expectedColumn)
            {
                context.Cell(sheet, 0, expectedColumn, "Årskolumnen saknar rubrik; årskolumnerna ska stå i följd utan tomma kolumner.");
            }
            expectedColumn = cell.Column + 1;
            // The years follow the configured window: the calendar covers no other year, so a year outside it could not be shown.
            if (!TryReadYear(cell, context.Input, out var year))
            {
                context.Cell(sheet, 0, cell.Column, $"{InputLimits.Excerpt(cell.Display)} är inte ett år ({context.Input.Window}).");
                continue;
            }
            // Compared with the year just left of it only: after a bad or missing header, already reported, it would say nothing new.
            if (years.Count > 0 && years[^1].Column == cell.Column - 1 && year != years[^1].Year + 1)
            {
                context.Cell(sheet, 0, cell.Column, $"Året {year} följer inte på {years[^1].Year}; årskolumnerna ska vara år i följd.");
            }
            years.Add(new YearColumn(cell.Column, year));
        }
        return new Header(years, yearCells[^1].Column);
    }

    private static bool TryReadYear(XlsxCell cell, InputLimits window, out int year)
    {
        year = 0;
        double number;
        switch (cell.Kind)
        {
            case CellKind.Number:
                number = cell.Number;
                break;
            case CellKind.Text when SwedishNumber.TryParse(cell.Text, out var d) && !cell.Text.Trim().Contains(' '):
                number = (double)d;
                break;
            default:
                return false;
        }
        if (number != Math.Floor(number) || number < window.EarliestYear || number > window.LatestYear)
        {
            return false;
        }
        year = (int)number;
        return true;
    }

    private static TableLine? ReadLine(XlsxRow row, string sheet, Header header, string nameHeader, Context context)
    {
        var nameCell = row[0];
        var name = nameCell?.Display.Trim() ?? "";
        if (name.Length == 0)
        {
            context.Cell(sheet, row.Index, 0, $"{nameHeader} saknar namn, men raden har värden.");
        }
        else if (name.Length > 400)
        {
            context.Cell(sheet, row.Index, 0, $"{nameHeader} är längre än 400 tecken.");
        }

        var values = new List<(YearColumn, XlsxCell)>(header.Years.Count);
        foreach (var cell in row.Cells)
        {
            if (cell.Column < 2)
            {
                continue;
            }
            var year = header.YearAt(cell.Column);
            if (year is null)
            {
                // Under a header that is not a year the header's problem is reported, not each value.
                if (cell.Column > header.LastColumn)
                {
                    context.Cell(sheet, row.Index, cell.Column, $"Värdet {InputLimits.Excerpt(cell.Display)} står utanför årskolumnerna.");
                }
                continue;
            }
            values.Add((year, cell));
        }
        return name.Length == 0 ? null : new TableLine(row.Index, name, row[1], values);
    }

    private static bool TryReadAmount(XlsxCell cell, string sheet, int row, Context context, out decimal amount, string what)
    {
        amount = 0;
        switch (cell.Kind)
        {
            case CellKind.Number when double.IsNaN(cell.Number):
                // A <v>NaN</v> is read by double.TryParse, but is no number to anyone.
                context.Cell(sheet, row, cell.Column, $"{InputLimits.Excerpt(cell.Text)} är inte {what}.");
                return false;
            case CellKind.Number:
                if (Math.Abs(cell.Number) > (double)MaxAmount)
                {
                    // Rounded in Swedish form while decimal holds it; past that (1e308, 1e309 read as infinity)
                    // the cell is quoted as written, since (decimal) of such a double throws.
                    var shown = Math.Abs(cell.Number) < DecimalRange
                        ? SwedishNumber.Format((decimal)Math.Round(cell.Number))
                        : InputLimits.Excerpt(cell.Text);
                    context.Cell(sheet, row, cell.Column, $"{shown} är orimligt stort; största tillåtna är {SwedishNumber.Format(MaxAmount)}.");
                    return false;
                }
                amount = (decimal)cell.Number;
                return true;
            case CellKind.Text when SwedishNumber.TryParse(cell.Text, out amount):
                if (Math.Abs(amount) > MaxAmount)
                {
                    context.Cell(sheet, row, cell.Column, $"{InputLimits.Excerpt(cell.Text)} är orimligt stort; största tillåtna är {SwedishNumber.Format(MaxAmount)}.");
                    return false;
                }
                return true;
            case CellKind.Error:
                context.Cell(sheet, row, cell.Column, $"Cellen innehåller felvärdet {ErrorCode(cell)}, inte {what}.");
                return false;
            default:
                context.Cell(sheet, row, cell.Column, $"{InputLimits.Excerpt(cell.Display)} är inte {what}.");
                return false;
        }
    }

    private static List<CostLine> ToCostLines(Table table, Context context)
    {
        var lines = new List<CostLine>();
        var positive = new List<string>();
        var negative = new List<string>();
        var ok = true;
        foreach (var line in table.Lines)
        {
            CostCategory category = default;
            var kindText = line.Kind?.Display.Trim() ?? "";
            if (kindText.Length == 0)
            {
                context.Cell(table.Sheet, line.Row, 1, "Kategori saknas; ska vara Investering eller Förvaltning.");
                ok = false;
            }
            else if (!Warehouse.Model.Labels.TryParseCostCategory(kindText, out category))
            {
                context.Cell(table.Sheet, line.Row, 1, $"{InputLimits.Excerpt(kindText)} är inte en kategori; ska vara Investering eller Förvaltning.");
                ok = false;
            }
            var values = new List<YearValue>();
            foreach (var (year, cell) in line.Values)
            {
                if (!TryReadAmount(cell, table.Sheet, line.Row, context, out var amount, "ett belopp"))
                {
                    ok = false;
                    continue;
                }
                if (amount == 0)
                {
                    continue;
                }
                var address = CellAddress.Format(line.Row, cell.Column);
                (amount > 0 ? positive : negative).Add(address);
                values.Add(new YearValue(year.Year, Math.Abs(amount), address, cell.Text));
            }
            lines.Add(new CostLine(line.Row + 1, line.Name, category, values));
        }
        if (positive.Count > 0 && negative.Count > 0)
        {
            // Report at the cells of the rarer sign: those are most likely the mistakes.
            var minority = negative.Count <= positive.Count ? negative : positive;
            var (row, column) = CellAddressParts(minority[0]);
            context.Cell(table.Sheet, row, column,
                $"Bladet blandar tecken: positiva belopp i {Cells(positive)} och negativa i {Cells(negative)}. " +
                "Skriv alla kostnader med samma tecken, antingen positiva eller negativa.");
            ok = false;
        }
        return ok ? lines : [];
    }

    private static List<BenefitLine> ToBenefitLines(Table table, Context context)
    {
        var lines = new List<BenefitLine>();
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var ok = true;
        foreach (var line in table.Lines)
        {
            if (names.TryGetValue(line.Name, out var earlierRow))
            {
                context.Cell(table.Sheet, line.Row, 0, $"Nyttoposten {InputLimits.Excerpt(line.Name)} finns redan på rad {earlierRow + 1}; nyttoposter måste ha unika namn.");
                ok = false;
            }
            else
            {
                names[line.Name] = line.Row;
            }

            BenefitType type = default;
            var hasType = false;
            var kindText = line.Kind?.Display.Trim() ?? "";
            if (kindText.Length == 0)
            {
                context.Cell(table.Sheet, line.Row, 1, "Typ saknas; ska vara Finansiell, Omfördelning eller Förflyttning.");
                ok = false;
            }
            else if (!Warehouse.Model.Labels.TryParseBenefitType(kindText, out type))
            {
                context.Cell(table.Sheet, line.Row, 1, $"{InputLimits.Excerpt(kindText)} är inte en typ; ska vara Finansiell, Omfördelning eller Förflyttning.");
                ok = false;
            }
            else
            {
                hasType = true;
            }

            var values = new List<YearValue>();
            foreach (var (year, cell) in line.Values)
            {
                var isScore = hasType && type == BenefitType.Movement;
                if (!TryReadAmount(cell, table.Sheet, line.Row, context, out var amount, isScore ? "en poäng" : "ett belopp"))
                {
                    ok = false;
                    continue;
                }
                if (isScore && (amount < 0 || amount > 10))
                {
                    context.Cell(table.Sheet, line.Row, cell.Column, $"Poängen {SwedishNumber.Format(amount)} ligger utanför 0–10.");
                    ok = false;
                    continue;
                }
                if (!isScore && amount < 0)
                {
                    context.Cell(table.Sheet, line.Row, cell.Column, $"Nyttan {SwedishNumber.Format(amount)} är negativ; nyttor skrivs som belopp ≥ 0.");
                    ok = false;
                    continue;
                }
                if (amount != 0)
                {
                    values.Add(new YearValue(year.Year, amount, CellAddress.Format(line.Row, cell.Column), cell.Text));
                }
            }
            lines.Add(new BenefitLine(line.Row + 1, line.Name, type, values));
        }
        return ok ? lines : [];
    }

    /// <summary>
    /// Reads the optional sheet <c>Känslighet</c>: row 1 <c>Post, Lägsta, Högsta</c>, then one row per listed line until
    /// the first row with nothing in columns A–C (what stands beside the table, such as the template's instruction, is not
    /// read). Names are matched against the lines of <c>Kostnader</c> and <c>Nyttor</c> as read, even when those sheets
    /// have problems of their own, so that every problem is reported at once.
    /// </summary>
    private static List<SensitivityLine> ReadSensitivity(XlsxWorkbook workbook, Table? costTable, Table? benefitTable, Context context)
    {
        string? sheet;
        try
        {
            sheet = workbook.FindSheet(SensitivitySheet);
        }
        catch (UnreadableWorkbookException e)
        {
            context.Unreadable(e, SensitivitySheet);
            return [];
        }
        if (sheet is null)
        {
            return [];
        }

        // The first spelling of a name is the line's: cost lines may share a name and are then one line here.
        var costNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in costTable?.Lines ?? [])
        {
            costNames.TryAdd(line.Name, line.Name);
        }
        var benefitNames = new Dictionary<string, (string Name, BenefitType? Type)>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in benefitTable?.Lines ?? [])
        {
            // An unknown Typ is reported on Nyttor; here the line only counts as a SEK line.
            BenefitType? type = Warehouse.Model.Labels.TryParseBenefitType(line.Kind?.Display ?? "", out var t) ? t : null;
            benefitNames.TryAdd(line.Name, (line.Name, type));
        }

        // Without both tables (a sheet missing or unreadable, already reported) no name can be told unknown.
        var namesKnown = costTable is not null && benefitTable is not null;
        var lines = new List<SensitivityLine>();
        var listed = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var sawHeader = false;
        var expectedRow = 1;
        var ended = false;
        int? rowBelowEmpty = null;
        try
        {
            foreach (var row in workbook.ReadRows(sheet))
            {
                if (!sawHeader)
                {
                    sawHeader = true;
                    if (row.Index != 0)
                    {
                        context.Cell(sheet, 0, 0, "Rubrikraden saknas: rad 1 ska ha rubrikerna Post, Lägsta och Högsta.");
                        return [];
                    }
                    ExpectHeader(row, 0, "Post");
                    ExpectHeader(row, 1, "Lägsta");
                    ExpectHeader(row, 2, "Högsta");
                    continue;
                }
                // Only columns A–C are the table: a row with nothing there is empty, whatever stands beside it.
                var inTable = row.Cells.Any(c => c.Column <= 2);
                if (ended || row.Index != expectedRow || !inTable)
                {
                    // An empty row ends the table; notes below it are not read.
                    ended = true;
                    if (inTable)
                    {
                        rowBelowEmpty ??= row.Index;
                    }
                    continue;
                }
                expectedRow++;
                if (ReadSensitivityRow(row, sheet, costNames, benefitNames, namesKnown, listed, context) is { } line)
                {
                    lines.Add(line);
                }
            }
        }
        catch (UnreadableWorkbookException e)
        {
            context.Unreadable(e, sheet);
            return [];
        }

        if (!sawHeader)
        {
            context.Cell(sheet, 0, 0, "Bladet är tomt: rad 1 ska ha rubrikerna Post, Lägsta och Högsta. Ta bort bladet om ingen post ska varieras.");
        }
        else if (expectedRow == 1 && rowBelowEmpty is { } below)
        {
            context.Cell(sheet, 1, 0, $"Tabellen är tom: rad 2 är tom, men rad {below + 1} har värden. En tom rad avslutar tabellen; ta bort den tomma raden.");
        }
        return lines;

        void ExpectHeader(XlsxRow header, int column, string expected)
        {
            var text = header[column]?.Display.Trim() ?? "";
            if (!string.Equals(text, expected, StringComparison.OrdinalIgnoreCase))
            {
                context.Cell(sheet, 0, column, text.Length == 0
                    ? $"Rubriken \"{expected}\" saknas."
                    : $"Rubriken ska vara \"{expected}\", inte {InputLimits.Excerpt(text)}.");
            }
        }
    }

    private static SensitivityLine? ReadSensitivityRow(
        XlsxRow row,
        string sheet,
        Dictionary<string, string> costNames,
        Dictionary<string, (string Name, BenefitType? Type)> benefitNames,
        bool namesKnown,
        Dictionary<string, int> listed,
        Context context)
    {
        var ok = true;
        var name = row[0]?.Display.Trim() ?? "";
        string? lineName = null;
        string? kind = null;
        if (name.Length == 0)
        {
            context.Cell(sheet, row.Index, 0, "Post saknar namn, men raden har värden.");
            ok = false;
        }
        else if (name.Length > 400)
        {
            context.Cell(sheet, row.Index, 0, "Post är längre än 400 tecken.");
            ok = false;
        }
        else if (listed.TryGetValue(name, out var earlierRow))
        {
            context.Cell(sheet, row.Index, 0, $"Posten {InputLimits.Excerpt(name)} står redan på rad {earlierRow + 1}; varje post får stå en gång.");
            ok = false;
        }
        else
        {
            listed[name] = row.Index;
            var isCost = costNames.TryGetValue(name, out var costName);
            var isBenefit = benefitNames.TryGetValue(name, out var benefit);
            if (isCost && isBenefit)
            {
                context.Cell(sheet, row.Index, 0,
                    $"Posten {InputLimits.Excerpt(name)} finns både som kostnadspost och som nyttopost, så det går inte att avgöra vilken som avses; byt namn på den ena.");
                ok = false;
            }
            else if (isCost)
            {
                (lineName, kind) = (costName, SensitivityLine.CostKind);
            }
            else if (isBenefit && benefit.Type == BenefitType.Movement)
            {
                context.Cell(sheet, row.Index, 0,
                    $"Nyttoposten {InputLimits.Excerpt(name)} är av typen Förflyttning; en poäng har inga kronor att variera. Ta bort raden.");
                ok = false;
            }
            else if (isBenefit)
            {
                (lineName, kind) = (benefit.Name, SensitivityLine.BenefitKind);
            }
            else if (!namesKnown)
            {
                ok = false;
            }
            else
            {
                context.Cell(sheet, row.Index, 0,
                    $"Posten {InputLimits.Excerpt(name)} finns inte som kostnadspost på bladet Kostnader eller som nyttopost på bladet Nyttor; skriv namnet som där.");
                ok = false;
            }
        }

        var low = ReadPercent(row, 1, "Lägsta", sheet, context);
        var high = ReadPercent(row, 2, "Högsta", sheet, context);
        if (low is { } l && l > SensitivityLine.Expected)
        {
            context.Cell(sheet, row.Index, 1,
                $"Lägsta {SwedishNumber.Format(l)} % är över 100 %; lägsta fallet är högst kalkylens belopp (100 %).");
            low = null;
        }
        if (high is { } h && h < SensitivityLine.Expected)
        {
            context.Cell(sheet, row.Index, 2,
                $"Högsta {SwedishNumber.Format(h)} % är under 100 %; högsta fallet är minst kalkylens belopp (100 %).");
            high = null;
        }
        if (!ok || low is null || high is null || lineName is null || kind is null)
        {
            return null;
        }
        var lowCell = row[1]!.Value;
        var highCell = row[2]!.Value;
        return new SensitivityLine(row.Index + 1, lineName, kind, low.Value, high.Value,
            CellAddress.Format(row.Index, 1), lowCell.Text, CellAddress.Format(row.Index, 2), highCell.Text);
    }

    /// <summary>
    /// A percentage as the user sees it: <c>70</c>, <c>70 %</c>, <c>62,5 %</c>, a formula's cached value, and a number cell
    /// formatted as a percentage, which holds 0.7 where Excel shows "70 %" (and is read as 70). Kept to four decimals,
    /// as the warehouse stores it. Null, with the problem reported, when the cell holds no percentage within 0–1000.
    /// </summary>
    private static decimal? ReadPercent(XlsxRow row, int column, string header, string sheet, Context context)
    {
        var maybeCell = row[column];
        if (maybeCell is not { } cell)
        {
            context.Cell(sheet, row.Index, column, $"{header} saknas; skriv en procentsats, t.ex. 100 för kalkylens belopp.");
            return null;
        }
        decimal percent;
        switch (cell.Kind)
        {
            case CellKind.Number when !double.IsFinite(cell.Number) || Math.Abs(cell.Number) > (double)SensitivityLine.MaxPercent * 1000:
                // Not finite, or so large that only the message matters: quoted as written, never converted.
                context.Cell(sheet, row.Index, column, $"{InputLimits.Excerpt(cell.Text)} ligger utanför 0–1 000 %.");
                return null;
            case CellKind.Number:
                percent = cell.IsPercent ? (decimal)cell.Number * 100 : (decimal)cell.Number;
                break;
            case CellKind.Text when TryParsePercentText(cell.Text, out var parsed):
                percent = parsed;
                break;
            case CellKind.Error:
                context.Cell(sheet, row.Index, column, $"Cellen innehåller felvärdet {ErrorCode(cell)}, inte en procentsats.");
                return null;
            default:
                context.Cell(sheet, row.Index, column, $"{InputLimits.Excerpt(cell.Display)} är inte en procentsats; skriv t.ex. 80 eller 80 %.");
                return null;
        }
        percent = Math.Round(percent, 4, MidpointRounding.AwayFromZero);
        if (percent < 0 || percent > SensitivityLine.MaxPercent)
        {
            context.Cell(sheet, row.Index, column, $"{SwedishNumber.Format(percent)} % ligger utanför 0–1 000 %.");
            return null;
        }
        return percent;
    }

    /// <summary><c>70</c>, <c>70 %</c>, <c>70%</c>, <c>62,5 %</c>: a Swedish number with an optional percent sign, and no currency.</summary>
    private static bool TryParsePercentText(string text, out decimal percent)
    {
        percent = 0;
        var t = text.Trim().Trim('\u00A0', '\u202F', '\u2009');
        if (t.EndsWith('%'))
        {
            t = t[..^1].TrimEnd().TrimEnd('\u00A0', '\u202F', '\u2009');
        }
        // SwedishNumber takes "kr" and ":-"; a percentage has no currency.
        if (t.Any(c => char.IsLetter(c) || c == ':'))
        {
            return false;
        }
        return SwedishNumber.TryParse(t, out percent);
    }

    private static (int Row, int Column) CellAddressParts(string address) =>
        CellAddress.TryParse(address, out var row, out var column) ? (row, column) : (0, 0);

    private static string Cells(List<string> cells) =>
        cells.Count <= 5 ? string.Join(", ", cells) : $"{string.Join(", ", cells.Take(5))} med flera ({cells.Count} celler)";

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();
}
