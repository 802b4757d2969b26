using System.Globalization;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// What the contract makes of a workbook, read by an independent decoder: EPPlus 4.5.3.3 (already a dependency of the
/// worker, for writing). Only the cells the contract names are read: the business case's year headers and amount
/// cells, the actuals' Utfall column. The result is either the figures a valid reading must produce, or the reasons
/// the contract says the workbook must be rejected; anything the decoder cannot open must be rejected too.
/// </summary>
/// <remarks>
/// How EPPlus 4.5.3.3 decodes what no honest writer produces, and so what the comparison can mean:
/// <list type="bullet">
/// <item>Two <c>c</c> elements with one address, or two rows with one number: the later one overwrites the earlier in its
/// cell store, so EPPlus sees one value. Issue 13 says such a sheet is rejected; the mutator marks it <c>MustReject</c>.</item>
/// <item>Rows out of order: EPPlus places each cell by its address. Rejected by issue 13, marked likewise.</item>
/// <item>A cell without <c>r</c> or with an address EPPlus cannot parse, a column past XFD or a row past 1,048,576: see
/// <see cref="Open"/>; where EPPlus throws, the mutant must be rejected.</item>
/// <item>Numbers: EPPlus parses <c>v</c> with the invariant culture, as <c>double</c> (so <c>NaN</c>, <c>INF</c> and
/// <c>1e309</c> are not finite); what is not a number stays text. Dates by style stay numbers (<c>Value</c> is the
/// serial): a date format on an amount cell is still the amount to EPPlus, and our reader may reject it instead.</item>
/// <item>Sheet names: EPPlus keeps them as written; the contract's match (case-insensitive, trimmed) is applied here,
/// and two matches mean the workbook must be rejected.</item>
/// </list>
/// </remarks>
public static class ReferenceReading
{
    /// <summary>A cell's value as the contract reads an amount, or why it is none.</summary>
    private static (decimal? Amount, string? Problem) Amount(object? value)
    {
        switch (value)
        {
            case null:
                return (null, null);
            case string s when string.IsNullOrWhiteSpace(s):
                return (null, null);
            case string s when SwedishNumber.TryParse(s, out var parsed):
                return Math.Abs(parsed) > BusinessCaseWorkbookReader.MaxAmount ? (null, $"text {Quote(s)} past the amount limit") : (parsed, null);
            case string s:
                return (null, $"text {Quote(s)} is no number");
            case double d when !double.IsFinite(d):
                return (null, $"{d} is not finite");
            case double d when Math.Abs(d) > (double)BusinessCaseWorkbookReader.MaxAmount:
                return (null, $"{d:R} past the amount limit");
            case double d:
                return ((decimal)d, null);
            case ExcelErrorValue e:
                return (null, $"error value {e}");
            default:
                return (null, $"a {value.GetType().Name} is no amount");
        }
    }

    private static string Quote(string s) => s.Length > 40 ? $"\"{s[..40]}…\"" : $"\"{s}\"";

    private static bool IsEmpty(object? value) => value is null || (value is string s && string.IsNullOrWhiteSpace(s));

    /// <summary>Opens the bytes with EPPlus and loads every sheet; null, with the reason, when EPPlus cannot.</summary>
    public static ExcelPackage? Open(byte[] bytes, out string? failure)
    {
        failure = null;
        ExcelPackage? package = null;
        try
        {
            package = new ExcelPackage(new MemoryStream(bytes));
            foreach (var sheet in package.Workbook.Worksheets)
            {
                _ = sheet.Dimension;
            }
            return package;
        }
        catch (Exception e)
        {
            package?.Dispose();
            var frame = e.StackTrace?.Split('\n').FirstOrDefault()?.Trim().Split(" in ")[0];
            failure = $"{e.GetType().Name}: {e.Message} {frame}";
            return null;
        }
    }

    /// <summary>The one sheet matching the contract's name, or why there is none.</summary>
    private static ExcelWorksheet? Find(ExcelPackage package, string name, List<string> mustReject)
    {
        var matches = package.Workbook.Worksheets.Where(s => string.Equals(s.Name.Trim(), name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count != 1)
        {
            mustReject.Add(matches.Count == 0 ? $"no sheet {name}" : $"{matches.Count} sheets match {name}");
            return null;
        }
        return matches[0];
    }

    /// <summary>A business case's figures: every non-zero amount by <c>Sheet!Cell</c> (costs as positive amounts), or why it must be rejected.</summary>
    public sealed record BusinessCaseFigures(IReadOnlyDictionary<string, decimal> Amounts, IReadOnlyList<string> MustReject) : IReferenceReading;

    public static BusinessCaseFigures BusinessCase(ExcelPackage package)
    {
        var mustReject = new List<string>();
        var amounts = new Dictionary<string, decimal>();
        Find(package, BusinessCaseWorkbookReader.InitiativeSheet, mustReject);
        Table(package, BusinessCaseWorkbookReader.CostSheet, isCost: true, amounts, mustReject);
        Table(package, BusinessCaseWorkbookReader.BenefitSheet, isCost: false, amounts, mustReject);
        return new BusinessCaseFigures(amounts, mustReject);
    }

    private static void Table(ExcelPackage package, string name, bool isCost, Dictionary<string, decimal> amounts, List<string> mustReject)
    {
        var sheet = Find(package, name, mustReject);
        if (sheet?.Dimension is not { } dimension)
        {
            if (sheet is not null)
            {
                mustReject.Add($"{name} is empty");
            }
            return;
        }
        var lastColumn = dimension.End.Column;
        var labels = isCost ? ("Kostnadspost", "Kategori") : ("Nyttopost", "Typ");
        if (!string.Equals((sheet.Cells[1, 1].Value as string)?.Trim(), labels.Item1, StringComparison.OrdinalIgnoreCase)
            || !string.Equals((sheet.Cells[1, 2].Value as string)?.Trim(), labels.Item2, StringComparison.OrdinalIgnoreCase))
        {
            mustReject.Add($"{name}: header labels");
            return;
        }
        // Year headers from column C, consecutive, each a year 2000–2100 (a number, or text without spaces).
        var years = new Dictionary<int, int>();
        var headerEnd = 2;
        for (var column = 3; column <= lastColumn; column++)
        {
            if (!IsEmpty(sheet.Cells[1, column].Value))
            {
                headerEnd = column;
            }
        }
        for (var column = 3; column <= headerEnd; column++)
        {
            var value = sheet.Cells[1, column].Value;
            int? year = value switch
            {
                double d when d == Math.Floor(d) && d is >= 2000 and <= 2100 => (int)d,
                string s when !s.Trim().Contains(' ') && SwedishNumber.TryParse(s, out var y) && y == decimal.Truncate(y) && y is >= 2000 and <= 2100 => (int)y,
                _ => null,
            };
            if (year is null)
            {
                mustReject.Add($"{name}!{ExcelCellBase.GetAddress(1, column)} is no year header");
                return;
            }
            if (years.Count > 0 && years[column - 1] != year - 1)
            {
                mustReject.Add($"{name}: year columns not consecutive at {ExcelCellBase.GetAddress(1, column)}");
                return;
            }
            years[column] = year.Value;
        }
        if (years.Count == 0)
        {
            mustReject.Add($"{name}: no year columns");
            return;
        }

        bool positive = false, negative = false;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var row = 2; row <= dimension.End.Row; row++)
        {
            var cells = Enumerable.Range(1, lastColumn).Select(c => sheet.Cells[row, c].Value).ToList();
            if (cells.All(IsEmpty))
            {
                // An empty row ends the table.
                break;
            }
            if (cells.Skip(headerEnd).Any(v => !IsEmpty(v)))
            {
                mustReject.Add($"{name} row {row}: a value outside the year columns");
            }
            var lineName = Convert.ToString(cells[0], CultureInfo.InvariantCulture)?.Trim() ?? "";
            if (lineName.Length == 0 || (!isCost && !names.Add(lineName)))
            {
                mustReject.Add($"{name} row {row}: no or a repeated name");
            }
            var kind = cells[1] as string ?? "";
            var isScore = false;
            if (isCost ? !Labels.TryParseCostCategory(kind.Trim(), out _) : !Labels.TryParseBenefitType(kind.Trim(), out var type))
            {
                mustReject.Add($"{name} row {row}: kind {Quote(kind)}");
            }
            else if (!isCost)
            {
                Labels.TryParseBenefitType(kind.Trim(), out type);
                isScore = type == BenefitType.Movement;
            }
            foreach (var (column, _) in years)
            {
                var (amount, problem) = Amount(cells[column - 1]);
                var address = $"{name}!{ExcelCellBase.GetAddress(row, column)}";
                if (problem is not null)
                {
                    mustReject.Add($"{address}: {problem}");
                    continue;
                }
                if (amount is not { } a || a == 0)
                {
                    continue;
                }
                if (isCost)
                {
                    positive |= a > 0;
                    negative |= a < 0;
                    amounts[address] = Math.Abs(a);
                }
                else if ((isScore && a is < 0 or > 10) || (!isScore && a < 0))
                {
                    mustReject.Add($"{address}: {a} out of range");
                }
                else
                {
                    amounts[address] = a;
                }
            }
        }
        if (positive && negative)
        {
            mustReject.Add($"{name}: mixed signs");
        }
    }

    /// <summary>The actuals' Utfall values by row number (null: no number), or why the workbook must be rejected.</summary>
    public sealed record ActualsFigures(IReadOnlyDictionary<int, decimal?> Values, IReadOnlyList<string> MustReject) : IReferenceReading;

    public static ActualsFigures Actuals(ExcelPackage package)
    {
        var mustReject = new List<string>();
        var values = new Dictionary<int, decimal?>();
        var sheet = Find(package, "Utfall", mustReject);
        if (sheet?.Dimension is not { } dimension)
        {
            if (sheet is not null)
            {
                mustReject.Add("Utfall is empty");
            }
            return new ActualsFigures(values, mustReject);
        }
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var column = 1; column <= dimension.End.Column; column++)
        {
            if (sheet.Cells[1, column].Value is { } header && ActualsWorkbookReader.Headers.FirstOrDefault(h =>
                    string.Equals(h, Convert.ToString(header, CultureInfo.InvariantCulture)?.Trim(), StringComparison.OrdinalIgnoreCase)) is { } known)
            {
                if (!columns.TryAdd(known, column))
                {
                    mustReject.Add($"header {known} twice");
                }
            }
        }
        if (!columns.ContainsKey("Utfall") || !columns.ContainsKey("Initiativ-ID"))
        {
            mustReject.Add("a required header is missing");
            return new ActualsFigures(values, mustReject);
        }
        // Only the rows that hold cells: a row moved to 1,048,576 must not cost a million look-ups.
        var rows = sheet.Cells[2, 1, dimension.End.Row, dimension.End.Column].Select(c => c.Start.Row).Distinct().Order();
        foreach (var row in rows)
        {
            if (columns.Values.All(c => IsEmpty(sheet.Cells[row, c].Value)))
            {
                continue;
            }
            values[row] = sheet.Cells[row, columns["Utfall"]].Value switch
            {
                double d when double.IsFinite(d) && Math.Abs(d) < 7.9e27 => (decimal)d,
                string s when SwedishNumber.TryParse(s, out var parsed) => parsed,
                _ => null,
            };
        }
        return new ActualsFigures(values, mustReject);
    }
}

/// <summary>A reference decoder's reading of a workbook: what the contract rejects in it, whatever its figures.</summary>
public interface IReferenceReading
{
    IReadOnlyList<string> MustReject { get; }
}
