using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

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
        await AddFileAsync(file, status, accepted, rejected, SurveyMessage(accepted, rejected), upload.Problems.ToList(), ct);

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
            if (row is not { Year: { } year, Unit: { } unit, Dimension: { } dimension, Percent: { } percent })
            {
                throw new ArgumentException($"Row {row.Row} of {file.Name} is accepted but lacks its year, unit, dimension or percentage.", nameof(upload));
            }
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
                await WriteAsync($"DELETE FROM fct_survey_result WHERE {string.Join(" OR ", keys)}", parameters, ct);
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

        var survey = await QueryAsync<SurveyResultRow>(
            "SELECT unit AS Unit, year AS Year, dimension AS Dimension, percent_value AS Percent FROM fct_survey_result", ct);
        var versions = await QueryAsync<VersionRow>(
            """
            SELECT v.initiative_id AS InitiativeId, v.version_no AS VersionNo, h.unit AS Unit, v.phase AS Phase, v.valid_from_utc AS ValidFromUtc
            FROM dim_initiative_version v
            JOIN dim_initiative_history h ON h.initiative_id = v.initiative_id AND h.version_no = v.version_no
            """, ct);
        var realization = await QueryAsync<RealizationRow>(
            """
            SELECT r.initiative_id AS InitiativeId, i.unit AS Unit, r.year AS Year, r.benefit_type AS BenefitType,
                   r.planned_value AS Planned, r.actual_value AS Actual
            FROM fct_benefit_realization r
            JOIN dim_initiative i ON i.initiative_id = r.initiative_id
            WHERE r.actual_value IS NOT NULL
            """, ct);
        var index = DigitalizationIndexCalculator.Calculate(
            survey.Select(s => new SurveyResultInput(s.Unit, s.Year, s.Dimension, s.Percent)),
            versions.Select(v => new InitiativeVersionInput(v.InitiativeId, v.VersionNo, v.Unit, v.Phase, DateTime.SpecifyKind(v.ValidFromUtc, DateTimeKind.Utc))),
            realization.Select(r => new RealizationInput(r.InitiativeId, r.Unit, r.Year, r.BenefitType, r.Planned, r.Actual)),
            _index);

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
        var weights = await QueryAsync<(string Component, double Weight)>("SELECT DISTINCT component, weight FROM fct_digitalization_index", ct);
        if (weights.Count == 0)
        {
            // Never built, or nothing to build: building it costs little and finds out.
            return true;
        }
        var targets = await _connection.QueryAsync<decimal>(new CommandDefinition(
            "SELECT DISTINCT denominator FROM fct_digitalization_index WHERE component = @Component",
            new { Component = IndexComponents.CompletedInitiatives }, Transaction, _database.CommandTimeoutSeconds, cancellationToken: ct));
        return weights.Any(w => !IndexComponents.All.Contains(w.Component) || Math.Abs(w.Weight - (double)_index.WeightOf(w.Component)) > 1e-9)
            || targets.Any(t => t != _index.CompletedInitiativesTarget);
    }

    private sealed class SurveyResultRow
    {
        public string Unit { get; init; } = "";
        public int Year { get; init; }
        public string Dimension { get; init; } = "";
        public decimal Percent { get; init; }
    }

    private sealed class VersionRow
    {
        public string InitiativeId { get; init; } = "";
        public int VersionNo { get; init; }
        public string Unit { get; init; } = "";
        public string? Phase { get; init; }
        public DateTime ValidFromUtc { get; init; }
    }

    private sealed class RealizationRow
    {
        public string InitiativeId { get; init; } = "";
        public string Unit { get; init; } = "";
        public int Year { get; init; }
        public string BenefitType { get; init; } = "";
        public decimal Planned { get; init; }
        public decimal? Actual { get; init; }
    }
}
