using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

using static NackaInsights.Warehouse.Runs.Columns;
using static NackaInsights.Warehouse.Runs.KeySpelling;

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
    /// <summary>Accepted survey values of this run by key, in processing order: a later one replaces an earlier one.</summary>
    private readonly Dictionary<(int Year, string Unit, string Dimension), object?[]> _surveyResults = [];
    private bool _indexInputsChanged;

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
        var keys = await KeysAsync(ct);
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

        foreach (var row in upload.Rows)
        {
            Buffer(WarehouseTables.RawSurveyRow,
                fileId, row.Row, row.YearText, row.Unit, row.Dimension, row.PercentText, row.RespondentsText,
                row.IsAccepted ? SurveyRowStatuses.Loaded : SurveyRowStatuses.Rejected,
                row.IsAccepted ? null : string.Join(" ", row.Problems.Select(p => p.Message)));
            if (!row.IsAccepted)
            {
                continue;
            }
            if (row is not { Year: { } year, Unit: not null, Dimension: { } dimension, Percent: { } percent })
            {
                throw new ArgumentException($"Row {row.Row} of {file.Name} is accepted but lacks its year, unit, dimension or percentage.", nameof(upload));
            }
            var unit = units[row];
            _surveyResults[(year, unit, dimension)] =
                [year, unit, dimension, percent, row.Respondents, fileId, RunId, upload.SheetName, row.PercentCell, row.Row];
        }
        if (accepted > 0)
        {
            _indexInputsChanged = true;
        }
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

    /// <summary>
    /// At completion: writes the run's survey values over the earlier ones of their keys and, when anything the
    /// index is computed from changed (survey, initiative register, business cases, actuals), when the target or
    /// a weight was changed in configuration, or when it has never been built, recomputes the digitaliseringsindex.
    /// </summary>
    private async Task CompleteIndexAsync(CancellationToken ct)
    {
        if (_surveyResults.Count > 0)
        {
            foreach (var batch in _surveyResults.Keys.Chunk(200))
            {
                var parameters = new DynamicParameters();
                var keys = batch.Select((k, i) =>
                {
                    parameters.Add($"y{i}", k.Year);
                    parameters.Add($"u{i}", k.Unit);
                    parameters.Add($"d{i}", k.Dimension);
                    return $"(year = @y{i} AND unit = @u{i} AND dimension = @d{i})";
                });
                await ExecuteDapperAsync($"DELETE FROM fct_survey_result WHERE {string.Join(" OR ", keys)}", parameters, ct);
            }
            await InsertAsync(WarehouseTables.SurveyResult, _surveyResults.Values.ToList(), ct);
            _surveyResults.Clear();
        }

        // Business cases and actuals reach the index through the initiative register and the realisation: their
        // rebuilds say when what the index reads of them changed (_indexInputsChanged).
        var stale = _indexInputsChanged || RecomputesAll || await WarehouseMarts.DigitalizationIndex.ConfigurationChangedAsync(MartContext(), ct);
        if (!stale)
        {
            return;
        }
        _indexInputsChanged = false;

        await WarehouseMarts.DigitalizationIndex.BuildAsync(MartContext(), MartScope.Whole, ct);

        // A survey may name a unit no initiative has, or a year beyond the other facts.
        await RebuildUnitsAsync(ct);
        await RebuildCalendarAsync(ct);
    }
}
