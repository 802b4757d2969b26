using System.Globalization;
using System.Text;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Survey;
using NackaInsights.Etl.Xlsx;
using OfficeOpenXml;

namespace NackaInsights.Etl.Demo;

/// <summary>
/// Writes the demo's maturity survey exports (<c>index/</c>): three years of the digital maturity survey across
/// the demo's verksamheter, maturing year by year, each year as its export might come: 2022 a <c>;</c>-separated
/// <c>.csv</c> with a BOM (Excel's "CSV UTF-8"), 2023 a <c>,</c>-separated one with quoted Swedish decimals, 2024 a
/// workbook with the sheet <c>Index</c>. <see cref="UnitWithoutSurvey"/> did not answer in <see cref="YearWithoutSurvey"/>.
/// Deterministic: the same bytes every time.
/// </summary>
public static class DemoSurveyWriter
{
    public static readonly IReadOnlyList<int> Years = [2022, 2023, 2024];

    /// <summary>The unit with no survey result in <see cref="YearWithoutSurvey"/>: its index that year rests on the other components.</summary>
    public const string UnitWithoutSurvey = "Välfärd skola";

    public const int YearWithoutSurvey = 2023;

    public static readonly IReadOnlyList<string> Dimensions = ["Digital förmåga", "Digitalt arv", "Digital ledning", "Digital kultur"];

    private static readonly DateTime BaseTime = new(2024, 1, 5, 7, 0, 0, DateTimeKind.Utc);

    /// <summary>The file name of a year's export.</summary>
    public static string FileName(int year) => year == 2024 ? $"DiMiOS {year}.xlsx" : $"DiMiOS {year}.csv";

    /// <summary>A unit's result for a dimension and year, in percent with one decimal: every unit matures, some faster.</summary>
    public static decimal Percent(int unitIndex, int dimensionIndex, int year) =>
        Math.Min(95m, 38m + 4.5m * unitIndex + 3.5m * dimensionIndex + (year - Years[0]) * (4m + 1.5m * (unitIndex % 3)) + (unitIndex * 7 + dimensionIndex * 3) % 5 / 2m);

    /// <summary>The rows of a year's export: unit, dimension, percent, respondents.</summary>
    public static IEnumerable<(string Unit, string Dimension, decimal Percent, int Respondents)> Rows(int year)
    {
        var units = DemoSourceWriter.UnitNames;
        for (var u = 0; u < units.Count; u++)
        {
            if (units[u] == UnitWithoutSurvey && year == YearWithoutSurvey)
            {
                continue;
            }
            for (var d = 0; d < Dimensions.Count; d++)
            {
                yield return (units[u], Dimensions[d], Percent(u, d, year), 20 + 13 * u + 2 * (year - Years[0]));
            }
        }
    }

    public static void Write(string root)
    {
        var folder = Path.Combine(root, SourceFolder.Index);
        Directory.CreateDirectory(folder);
        var minute = 0;
        foreach (var year in Years)
        {
            var path = Path.Combine(folder, FileName(year));
            var bytes = year switch
            {
                2022 => Csv(year, ';', bom: true),
                2023 => Csv(year, ',', bom: false),
                _ => Workbook(year),
            };
            File.WriteAllBytes(path, bytes);
            File.SetLastWriteTimeUtc(path, BaseTime.AddMinutes(minute += 5));
        }
    }

    private static string Swedish(decimal value) => value.ToString("0.0", CultureInfo.GetCultureInfo("sv-SE"));

    private static byte[] Csv(int year, char separator, bool bom)
    {
        var text = new StringBuilder();
        string Field(string value) => separator == ',' && value.Contains(',', StringComparison.Ordinal) ? $"\"{value}\"" : value;
        text.Append(string.Join(separator, SurveyReader.Headers)).Append("\r\n");
        foreach (var (unit, dimension, percent, respondents) in Rows(year))
        {
            text.Append(string.Join(separator, year.ToString(CultureInfo.InvariantCulture), Field(unit), Field(dimension),
                Field(Swedish(percent)), respondents.ToString(CultureInfo.InvariantCulture))).Append("\r\n");
        }
        return [.. (bom ? Encoding.UTF8.GetPreamble() : []), .. new UTF8Encoding(false).GetBytes(text.ToString())];
    }

    private static byte[] Workbook(int year)
    {
        using var package = new ExcelPackage();
        var sheet = package.Workbook.Worksheets.Add(SurveyReader.SheetName);
        for (var c = 0; c < SurveyReader.Headers.Count; c++)
        {
            sheet.Cells[1, c + 1].Value = SurveyReader.Headers[c];
        }
        var row = 2;
        foreach (var (unit, dimension, percent, respondents) in Rows(year))
        {
            sheet.Cells[row, 1].Value = year;
            sheet.Cells[row, 2].Value = unit;
            sheet.Cells[row, 3].Value = dimension;
            sheet.Cells[row, 4].Value = percent;
            sheet.Cells[row, 5].Value = respondents;
            row++;
        }
        using var buffer = new MemoryStream();
        package.SaveAs(buffer);
        return DeterministicZip.Normalize(buffer.ToArray());
    }
}
