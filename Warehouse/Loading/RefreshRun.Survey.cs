using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;

using static NackaInsights.Warehouse.Runs.Columns;
using static NackaInsights.Warehouse.Runs.KeySpelling;

using NackaInsights.Warehouse.Loads;
using NackaInsights.Warehouse.Marts;

namespace NackaInsights.Warehouse.Loading;

/// <summary>The statuses of <c>raw_survey_row</c>: what became of each row of a survey export.</summary>
public static class SurveyRowStatuses
{
    public const string Loaded = "Inläst";
    public const string Rejected = "Avvisad";
}

public sealed partial class RefreshRun
{
    private readonly SurveyLoad _survey = new();

    /// <summary>
    /// Loads one maturity survey export (index-survey.md), judged row by row by its reader: the file with its
    /// status (<c>Inläst</c>, <c>Delvis inläst</c>, or <c>Avvisad</c> when no row was accepted), a problem per
    /// rejected cell, every row as read, and the accepted values, each replacing the earlier value of its year,
    /// unit and dimension. The digitaliseringsindex is recomputed as the run completes.
    /// </summary>
    public async Task AddSurveyAsync(SourceFile file, SurveyUpload upload, CancellationToken ct)
    {
        var (accepted, rejected) = (upload.Accepted, upload.Rejected);
        var status = rejected == 0 ? FileStatus.Loaded : accepted > 0 ? FileStatus.PartlyLoaded : FileStatus.Rejected;
        var fileId = _ledger.NextFileId;
        // Each accepted row's unit as the warehouse already spells it: a variant in letter case is noted, not rejected.
        var keys = await KeysForAsync(upload.Rows.Where(r => r.IsAccepted).Select(r => (KeyKind.Unit, r.Unit)).ToList(), ct);
        var notes = new List<SourceProblem>();
        var units = new Dictionary<SurveyRow, string>();
        foreach (var row in upload.Rows.Where(r => r is { IsAccepted: true, Unit: not null }))
        {
            Func<string, SourceProblem> at = message => upload.SheetName is null
                ? SourceProblem.ForCsvCell(file.Name, row.UnitCell, message)
                : SourceProblem.ForCell(file.Name, upload.SheetName, row.UnitCell, message);
            units[row] = Spell(keys.Units, row.Unit, "Verksamhet", at, notes)!;
        }
        await AddFileAsync(file, status, accepted, rejected, SurveyMessage(accepted, rejected) + KeyVariantsSentence(notes.Count), [.. upload.Problems, .. notes], ct);

        // Merged over the earlier values as the run completes: what it writes makes the index due.
        _survey.Take(file, upload, fileId, RunId, units, _buffer);
        await FlushIfFullAsync(ct);
    }

    private static string SurveyMessage(int accepted, int rejected)
    {
        if (accepted + rejected == 0)
        {
            return "Enkätexport: filen har inga rader.";
        }
        var loaded = accepted == 1 ? "1 rad inläst" : $"{accepted} rader inlästa";
        return rejected == 0 ? $"Enkätexport: {loaded}." : $"Enkätexport: {loaded}, {(rejected == 1 ? "1 avvisad" : $"{rejected} avvisade")}.";
    }
}
