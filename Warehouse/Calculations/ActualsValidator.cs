using System.Globalization;
using System.Text.RegularExpressions;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Calculations;

/// <summary>
/// Judges the rows of an actuals workbook (actuals-workbook.md, "Validation, row by row"). Every
/// problem of a row is collected and names its cell; a row with none is accepted.
/// </summary>
public static partial class ActualsValidator
{
    /// <summary>The longest an e-mail address can be (64 before the @, 255 after it).</summary>
    private const int MaxEmailLength = 320;

    /// <summary>
    /// Judges every row. Without a catalogue (a workbook checked on its own) only what the file itself
    /// shows is checked. <paramref name="uploadedBy"/> is the source's author of the upload, when known:
    /// it, and the sheet Om's <c>Rapporterad av</c>, must each be the row's objektsförvaltare or an administrator.
    /// </summary>
    public static ActualsValidation Validate(string sourceName, ActualsUpload upload, ActualsCatalogue? catalogue, string? uploadedBy)
    {
        var columns = upload.Columns;
        var identities = new[] { upload.ReportedBy, uploadedBy }
            .Where(i => !string.IsNullOrWhiteSpace(i))
            .Select(i => i!.Trim())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var duplicates = Duplicates(upload.Rows);
        // Each initiative's lines by key, built at its first row: matched line by line, a workbook's rows lower-cased
        // every line's name once per row (160,000 names for the 20,000 rows of a full refresh at scale 1).
        var linesByKey = new Dictionary<CatalogueInitiative, Dictionary<string, CatalogueLine>>(ReferenceEqualityComparer.Instance);
        Dictionary<string, CatalogueLine> LinesOf(CatalogueInitiative initiative)
        {
            if (!linesByKey.TryGetValue(initiative, out var lines))
            {
                lines = new Dictionary<string, CatalogueLine>(initiative.BenefitLines.Count, StringComparer.Ordinal);
                foreach (var l in initiative.BenefitLines)
                {
                    lines.TryAdd(LineKey(l.Name), l);
                }
                linesByKey[initiative] = lines;
            }
            return lines;
        }

        var outcomes = new List<ActualRowOutcome>(upload.Rows.Count);
        foreach (var row in upload.Rows)
        {
            if (!row.IsReported)
            {
                outcomes.Add(new ActualRowOutcome(row, ActualRowStatus.NotReported, [], null));
                continue;
            }
            var problems = new List<SourceProblem>();
            void Problem(string column, string message) =>
                problems.Add(SourceProblem.ForCell(sourceName, upload.SheetName, column + row.Row.ToString(CultureInfo.InvariantCulture), message));

            if (row.InitiativeId is null)
            {
                Problem(columns.InitiativeId, "Initiativ-ID saknas.");
            }
            if (row.BenefitLine is null)
            {
                Problem(columns.BenefitLine, "Nyttopost saknas.");
            }
            BenefitType? type = null;
            if (row.TypeText is null)
            {
                Problem(columns.Type, "Typ saknas.");
            }
            else if (Labels.TryParseBenefitType(row.TypeText, out var parsed))
            {
                type = parsed;
            }
            else
            {
                Problem(columns.Type, $"{InputLimits.Excerpt(row.TypeText)} är inte en typ; ska vara Finansiell, Omfördelning eller Förflyttning.");
            }
            if (row.YearText is null)
            {
                Problem(columns.Year, "År saknas.");
            }
            else if (row.Year is null)
            {
                Problem(columns.Year, $"{InputLimits.Excerpt(row.YearText)} är inte ett år.");
            }

            CatalogueInitiative? initiative = null;
            CatalogueLine? line = null;
            if (catalogue is not null && row.InitiativeId is not null)
            {
                initiative = catalogue.Find(row.InitiativeId);
                if (initiative is null)
                {
                    Problem(columns.InitiativeId, $"Initiativet {InputLimits.Excerpt(row.InitiativeId)} finns inte.");
                }
                else if (row.BenefitLine is not null)
                {
                    if (initiative.BenefitLines.Count == 0)
                    {
                        Problem(columns.BenefitLine, $"{InputLimits.Excerpt(row.BenefitLine)} är ingen nyttopost: initiativet {initiative.InitiativeId} har ingen gällande nyttokalkyl med nyttoposter.");
                    }
                    else
                    {
                        line = LinesOf(initiative).GetValueOrDefault(LineKey(row.BenefitLine));
                        if (line is null)
                        {
                            Problem(columns.BenefitLine, $"{InputLimits.Excerpt(row.BenefitLine)} är ingen nyttopost i den gällande nyttokalkylen för {initiative.InitiativeId}.");
                        }
                        else if (type is { } t && t != line.Type)
                        {
                            Problem(columns.Type, $"Typen {InputLimits.Excerpt(row.TypeText ?? "")} stämmer inte med nyttoposten, som är {Labels.Of(line.Type)}.");
                        }
                    }
                }
                if (initiative is not null && row.Year is { } year && initiative.FirstYear is { } first && initiative.LastYear is { } last && (year < first || year > last))
                {
                    Problem(columns.Year, $"Året {year} ligger utanför nyttokalkylens år {first}–{last}.");
                }
            }

            if (row.Value is not { } value)
            {
                Problem(columns.Value, $"{InputLimits.Excerpt(row.ValueText ?? "")} är inte ett tal.");
            }
            else if (value < 0)
            {
                Problem(columns.Value, "Utfallet får inte vara negativt.");
            }
            else if ((line?.Type ?? type) == BenefitType.Movement && value > 10)
            {
                Problem(columns.Value, $"Förflyttning är ett betyg 0–10, inte {Format(value)}.");
            }

            if (duplicates.TryGetValue(row.Row, out var others))
            {
                var rows = others.Select(r => r.ToString(CultureInfo.InvariantCulture)).ToList();
                var named = rows.Count == 1 ? $"rad {rows[0]}" : $"raderna {string.Join(", ", rows[..^1])} och {rows[^1]}";
                Problem(columns.BenefitLine, $"Samma initiativ, nyttopost och år som {named}.");
            }

            if (initiative is not null)
            {
                foreach (var identity in identities)
                {
                    if (catalogue!.IsAdministrator(identity)
                        || (initiative.ObjectManagerEmail is { } manager && string.Equals(manager.Trim(), identity, StringComparison.OrdinalIgnoreCase)))
                    {
                        continue;
                    }
                    // An e-mail address reads as it is; anything longer than one can be (320 characters) only as an excerpt.
                    var who = identity.Length <= MaxEmailLength ? identity : InputLimits.Excerpt(identity);
                    Problem(columns.InitiativeId, initiative.ObjectId is null
                        ? $"{who} får inte rapportera för {initiative.InitiativeId}: initiativet hör inte till något förvaltningsobjekt, och {who} är inte administratör."
                        : $"{who} är inte objektsförvaltare för förvaltningsobjektet {initiative.ObjectId} och inte administratör.");
                }
            }

            if (problems.Count > 0)
            {
                outcomes.Add(new ActualRowOutcome(row, ActualRowStatus.Rejected, problems, null));
            }
            else
            {
                outcomes.Add(new ActualRowOutcome(row, ActualRowStatus.Accepted, [], line ?? new CatalogueLine(row.BenefitLine!.Trim(), type!.Value)));
            }
        }
        return new ActualsValidation(outcomes, []);
    }

    /// <summary>
    /// A benefit line's name as it is matched: case-insensitive, trimmed, inner whitespace collapsed.
    /// Done here rather than in SQL, whose collations differ between the databases.
    /// </summary>
    public static string LineKey(string name) => SpacedOnce(name) ? name.ToLowerInvariant() : Whitespace().Replace(name.Trim(), " ").ToLowerInvariant();

    /// <summary>
    /// Whether a name is trimmed and single spaces are its only whitespace: what the regular expression would leave as it
    /// is. Most names are (the realisation asks for some 30,000 keys at scale 1), and need only lower-casing.
    /// </summary>
    private static bool SpacedOnce(string name)
    {
        if (name.Length == 0 || name[0] == ' ' || name[^1] == ' ')
        {
            return name.Length == 0;
        }
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == ' ' ? name[i - 1] == ' ' : char.IsWhiteSpace(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>For each reported row that shares its initiative, line and year with others: the other rows.</summary>
    private static Dictionary<int, List<int>> Duplicates(IReadOnlyList<ActualRow> rows) =>
        rows.Where(r => r.IsReported && r.InitiativeId is not null && r.BenefitLine is not null && r.Year is not null)
            .GroupBy(r => (Initiative: r.InitiativeId!.Trim().ToUpperInvariant(), Line: LineKey(r.BenefitLine!), Year: r.Year!.Value))
            .Where(g => g.Count() > 1)
            .SelectMany(g => g.Select(r => (r.Row, Others: g.Where(o => o.Row != r.Row).Select(o => o.Row).Order().ToList())))
            .ToDictionary(x => x.Row, x => x.Others);

    private static string Format(decimal value) => value.ToString("0.############", CultureInfo.GetCultureInfo("sv-SE"));

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
