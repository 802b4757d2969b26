using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

using static NackaInsights.Warehouse.Runs.Columns;

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
        var fileId = _nextFileId;
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
        var stale = _indexInputsChanged || RecomputesAll || await IndexConfigurationChangedAsync(ct);
        if (!stale)
        {
            return;
        }
        _indexInputsChanged = false;

        var survey = await ReadAsync(
            "SELECT unit, year, dimension, percent_value FROM fct_survey_result",
            r => new SurveyResultInput(Text(r, 0), Int(r, 1), Text(r, 2), Dec(r, 3)), ct);
        var versions = await ReadAsync(
            """
            SELECT v.initiative_id, v.version_no, h.unit, v.phase, v.valid_from_utc
            FROM dim_initiative_version v
            JOIN dim_initiative_history h ON h.initiative_id = v.initiative_id AND h.version_no = v.version_no
            """,
            r => new InitiativeVersionInput(Text(r, 0), Int(r, 1), Text(r, 2), TextOrNull(r, 3), Timestamp(r, 4)), ct);
        var realization = await ReadAsync(
            """
            SELECT r.initiative_id, i.unit, r.year, r.benefit_type, r.planned_value, r.actual_value
            FROM fct_benefit_realization r
            JOIN dim_initiative i ON i.initiative_id = r.initiative_id
            WHERE r.actual_value IS NOT NULL
            """,
            r => new RealizationInput(Text(r, 0), Text(r, 1), Int(r, 2), Text(r, 3), Dec(r, 4), DecOrNull(r, 5)), ct);
        var index = DigitalizationIndexCalculator.Calculate(survey, versions, realization, _index);

        await ExecuteAsync("DELETE FROM fct_digitalization_index", ct);
        await ExecuteAsync("DELETE FROM fct_digitalization_index_unit", ct);
        await ExecuteAsync("DELETE FROM fct_digitalization_index_total", ct);
        await InsertAsync(WarehouseTables.DigitalizationIndex,
            index.Components.Select(c => new object?[] { c.Unit, c.Year, c.Component, c.Score, c.Weight, c.Numerator, c.Denominator, c.Basis, RunId }).ToList(), ct);
        await InsertAsync(WarehouseTables.DigitalizationIndexUnit,
            index.Units.Select(u => new object?[] { u.Unit, u.Year, u.IndexValue, u.ComponentsUsed, RunId }).ToList(), ct);
        await InsertAsync(WarehouseTables.DigitalizationIndexTotal,
            index.Municipality.Select(m => new object?[] { m.Year, m.IndexValue, m.Units, RunId }).ToList(), ct);
        _logger.LogDebug("Run {RunId}: digitaliseringsindex recomputed for {Units} unit-years over {Years} years", RunId, index.Units.Count, index.Municipality.Count);

        // A survey may name a unit no initiative has, or a year beyond the other facts.
        await RebuildUnitsAsync(ct);
        await RebuildCalendarAsync(ct);
    }

    /// <summary>Whether the stored index was computed with another target or other weights than configured now.</summary>
    private async Task<bool> IndexConfigurationChangedAsync(CancellationToken ct)
    {
        var weights = await ReadAsync("SELECT DISTINCT component, weight FROM fct_digitalization_index", r => new ComponentWeight(Text(r, 0), Double(r, 1)), ct);
        if (weights.Count == 0)
        {
            // Never built, or nothing to build: building it costs little and finds out.
            return true;
        }
        var targets = await ReadAsync("SELECT DISTINCT denominator FROM fct_digitalization_index WHERE component = @Component",
            r => (object)Dec(r, 0), ct, ("@Component", IndexComponents.CompletedInitiatives));
        return weights.Any(w => !IndexComponents.All.Contains(w.Component) || Math.Abs(w.Weight - (double)_index.WeightOf(w.Component)) > 1e-9)
            || targets.Any(t => (decimal)t != _index.CompletedInitiativesTarget);
    }

    private sealed record ComponentWeight(string Component, double Weight);
}
