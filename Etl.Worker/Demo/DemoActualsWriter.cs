using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;
using OfficeOpenXml;

namespace NackaInsights.Etl.Demo;

/// <summary>
/// Writes the demo's actuals workbooks (<c>actuals/*.xlsx</c>) as the objektsförvaltare would send them in
/// June 2024: each object's pre-filled template, filled in. Most objects report, some completely, some
/// partly; one file has rows with mistakes and one comes from a person who is not the object's
/// objektsförvaltare. Realisation spans under- and over-achievement. Deterministic: the same bytes every time.
/// </summary>
/// <remarks>Belongs with the June run: the values reported are those of the years up to <see cref="ThroughYear"/>.</remarks>
public static class DemoActualsWriter
{
    /// <summary>The last year reported: the demo stands in June 2024.</summary>
    public const int ThroughYear = 2024;

    /// <summary>The object whose objektsförvaltare has not reported yet: it has no file.</summary>
    public const string SilentObject = "FO-BOKNING";

    /// <summary>The object whose file has rows with mistakes, each rejected with its reason.</summary>
    public const string RejectedRowsObject = "FO-BYGGLOV";

    public const string RejectedRowsFileName = "FO-BYGGLOV Nyttouppföljning 2024 med fel.xlsx";

    /// <summary>The object whose file was sent by someone else than its objektsförvaltare.</summary>
    public const string UnauthorisedObject = "FO-SOCIAL";

    public const string UnauthorisedFileName = "FO-SOCIAL Nyttouppföljning 2024.xlsx";

    /// <summary>Who sent <see cref="UnauthorisedFileName"/>: not the objektsförvaltare, not an administrator.</summary>
    public const string UnauthorisedReporter = "praktikant.holm@nacka.se";

    /// <summary>The initiative that does not exist, in <see cref="RejectedRowsFileName"/>.</summary>
    public const string UnknownInitiativeId = "DIG-2019-999";

    /// <summary>Objects whose files leave some values out (not yet known); the others report every row.</summary>
    public static readonly IReadOnlyList<string> PartialObjects = ["FO-FORSKOLA", "FO-OMSORG", "FO-FASTIGHET"];

    private static readonly DateTime BaseTime = new(2024, 6, 10, 7, 0, 0, DateTimeKind.Utc);

    /// <summary>The file name of an object's actuals workbook.</summary>
    public static string FileName(string objectId) => objectId switch
    {
        RejectedRowsObject => RejectedRowsFileName,
        UnauthorisedObject => UnauthorisedFileName,
        _ => $"{objectId} Nyttouppföljning 2024.xlsx",
    };

    /// <summary>
    /// The pre-filled template of an object, as of June 2024: one row per initiative of the object, benefit
    /// line of its current business case and year up to <see cref="ThroughYear"/>.
    /// </summary>
    public static ActualsTemplate Template(string objectId)
    {
        var (_, name, _) = DemoSourceWriter.Objects().Single(o => o.Id == objectId);
        var rows = new List<ActualsTemplateRow>();
        foreach (var initiative in DemoSourceWriter.Catalogue().Where(i => i.ObjectId == objectId).OrderBy(i => i.Id, StringComparer.Ordinal))
        {
            var draft = DemoSourceWriter.CurrentDraft(initiative);
            foreach (var line in draft.Benefits)
            {
                for (var year = draft.FirstYear; year <= Math.Min(draft.LastYear, ThroughYear); year++)
                {
                    rows.Add(new ActualsTemplateRow(initiative.Id, initiative.Name, line.Name, line.Type, year, line.Amounts.GetValueOrDefault(year)));
                }
            }
        }
        return new ActualsTemplate(objectId, name, DemoListWriter.ManagerEmail(objectId), rows);
    }

    /// <summary>Writes the actuals workbooks below <paramref name="root"/> and returns what it wrote.</summary>
    public static IReadOnlyList<DemoSourceWriter.DemoFile> Write(string root)
    {
        var folder = Path.Combine(root, SourceFolder.Actuals);
        Directory.CreateDirectory(folder);
        var written = new List<DemoSourceWriter.DemoFile>();
        var minute = 0;
        foreach (var (objectId, _, _) in DemoSourceWriter.Objects())
        {
            if (objectId == SilentObject)
            {
                continue;
            }
            var template = Template(objectId);
            if (template.Rows.Count == 0)
            {
                continue;
            }
            var fileName = FileName(objectId);
            var path = Path.Combine(folder, fileName);
            File.WriteAllBytes(path, Fill(template));
            File.SetLastWriteTimeUtc(path, BaseTime.AddMinutes(minute += 11));
            written.Add(new DemoSourceWriter.DemoFile($"{SourceFolder.Actuals}/{fileName}", null, null));
        }
        return written;
    }

    /// <summary>The template filled in, the way its objektsförvaltare would.</summary>
    private static byte[] Fill(ActualsTemplate template)
    {
        var random = new Random(StableSeed(template.ObjectId));
        var partial = PartialObjects.Contains(template.ObjectId);
        var initiatives = template.Rows.Select(r => r.InitiativeId).Distinct().ToList();
        using var package = new ExcelPackage(new MemoryStream(ActualsTemplateWriter.Write(template)));
        var sheet = package.Workbook.Worksheets[ActualsWorkbookReader.ValuesSheet];
        for (var i = 0; i < template.Rows.Count; i++)
        {
            var row = template.Rows[i];
            var r = i + 2;
            // A score planned as nothing is left empty; a partial report leaves out this year's figures of
            // every other initiative (not known yet), and a stray row here and there.
            if ((row.Type == BenefitType.Movement && row.Planned == 0)
                || (partial && row.Year == ThroughYear && initiatives.IndexOf(row.InitiativeId) % 2 == 0)
                || (partial && random.Next(8) == 0))
            {
                continue;
            }
            var (value, comment) = Realised(row, random);
            sheet.Cells[r, 6].Value = value;
            sheet.Cells[r, 7].Value = comment;
        }

        if (template.ObjectId == RejectedRowsObject)
        {
            AddMistakes(sheet, template);
        }
        if (template.ObjectId == UnauthorisedObject)
        {
            var about = package.Workbook.Worksheets[ActualsWorkbookReader.AboutSheet];
            about.Cells["B3"].Value = UnauthorisedReporter;
        }
        using var output = new MemoryStream();
        package.SaveAs(output);
        return DeterministicZip.Normalize(output.ToArray());
    }

    /// <summary>What was realised: from well under to well over plan, rounded as people round.</summary>
    private static (decimal Value, string? Comment) Realised(ActualsTemplateRow row, Random random)
    {
        if (row.Type == BenefitType.Movement)
        {
            var score = Math.Clamp(row.Planned + (random.Next(5) - 2) * 0.5m, 0, 10);
            return (score, score < row.Planned ? "Invånarna har ännu inte hittat tjänsten." : null);
        }
        var factor = 0.5m + random.Next(0, 17) * 0.05m;
        var value = Math.Round(row.Planned * factor / 100, MidpointRounding.AwayFromZero) * 100;
        var comment = factor switch
        {
            < 0.7m => "Införandet försenades; full effekt först nästa år.",
            > 1.15m => "Fler ärenden än väntat hanteras digitalt.",
            _ => null,
        };
        return (value, comment);
    }

    /// <summary>
    /// Mistakes as they happen: a value typed as text, a negative value, a row copied twice, and two rows
    /// added by hand (an initiative that does not exist, a year outside the business case).
    /// </summary>
    private static void AddMistakes(ExcelWorksheet sheet, ActualsTemplate template)
    {
        var rows = template.Rows;
        var money = Enumerable.Range(0, rows.Count).Where(i => rows[i].Type != BenefitType.Movement && rows[i].Planned > 0).ToList();
        sheet.Cells[money[0] + 2, 6].Value = "ungefär 30 000";
        sheet.Cells[money[1] + 2, 6].Value = -15_000m;
        sheet.Cells[money[1] + 2, 7].Value = "Kostnaden ökade i stället";

        var next = rows.Count + 2;
        void Append(string initiative, string line, string type, int year, object value, string? comment)
        {
            sheet.Cells[next, 1].Value = initiative;
            sheet.Cells[next, 2].Value = line;
            sheet.Cells[next, 3].Value = type;
            sheet.Cells[next, 4].Value = year;
            sheet.Cells[next, 6].Value = value;
            sheet.Cells[next, 7].Value = comment;
            next++;
        }
        var copied = rows[money[2]];
        Append(copied.InitiativeId, copied.BenefitLine, Labels.Of(copied.Type), copied.Year, 99_000m, "Rättat värde");
        Append(UnknownInitiativeId, "Frigjord arbetstid", Labels.Redistribution, ThroughYear, 50_000m, null);
        var first = rows[money[3]];
        Append(first.InitiativeId, first.BenefitLine, Labels.Of(first.Type), FirstYearOf(first.InitiativeId) - 1, 10_000m, "Effekt redan året före");
    }

    private static int FirstYearOf(string initiativeId) =>
        DemoSourceWriter.CurrentDraft(DemoSourceWriter.Catalogue().Single(i => i.Id == initiativeId)).FirstYear;

    /// <summary>A seed from a text that is the same in every process (string.GetHashCode is not).</summary>
    private static int StableSeed(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked(hash * 31 + c);
        }
        return hash & 0x7FFFFFFF;
    }
}
