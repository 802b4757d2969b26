using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>The digitaliseringsindex: per unit and year its components, its value, and the municipality's.</summary>
public sealed class DigitalizationIndexMart : IMart
{
    public string Name => "digitalization_index";

    public string Grain => "one row per unit, year and component (fct_digitalization_index); per unit and year (_unit); per year (_total)";

    public IReadOnlyList<string> Reads { get; } = ["fct_survey_result", "dim_initiative_version", "dim_initiative_history", "fct_benefit_realization", "dim_initiative"];

    public IReadOnlyList<string> Writes { get; } = ["fct_digitalization_index", "fct_digitalization_index_unit", "fct_digitalization_index_total"];

    public bool ByInitiative => false;

    public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => new Work(context).RebuildAsync(ct);

    /// <summary>
    /// Due whole when the stored index was computed with another target or other weights than configured now, or was never
    /// built. What it is computed from (the survey, the initiatives and their history, the realisation) makes it due through
    /// the graph when written.
    /// </summary>
    public Task<bool> IsDueAsync(MartContext context, CancellationToken ct) => new Work(context).ConfigurationChangedAsync(ct);

    private sealed class Work(MartContext context) : MartWork(context)
    {
        public async Task RebuildAsync(CancellationToken ct)
        {
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
            var index = DigitalizationIndexCalculator.Calculate(survey, versions, realization, Context.Index);

            await ExecuteAsync("DELETE FROM fct_digitalization_index", ct);
            await ExecuteAsync("DELETE FROM fct_digitalization_index_unit", ct);
            await ExecuteAsync("DELETE FROM fct_digitalization_index_total", ct);
            await InsertAsync(WarehouseTables.DigitalizationIndex,
                index.Components.Select(c => new object?[] { c.Unit, c.Year, c.Component, c.Score, c.Weight, c.Numerator, c.Denominator, c.Basis, RunId }).ToList(), ct);
            await InsertAsync(WarehouseTables.DigitalizationIndexUnit,
                index.Units.Select(u => new object?[] { u.Unit, u.Year, u.IndexValue, u.ComponentsUsed, RunId }).ToList(), ct);
            await InsertAsync(WarehouseTables.DigitalizationIndexTotal,
                index.Municipality.Select(m => new object?[] { m.Year, m.IndexValue, m.Units, RunId }).ToList(), ct);
            Logger.LogDebug("Run {RunId}: digitaliseringsindex recomputed for {Units} unit-years over {Years} years", RunId, index.Units.Count, index.Municipality.Count);
        }

        /// <summary>Whether the stored index was computed with another target or other weights than configured now.</summary>
        public async Task<bool> ConfigurationChangedAsync(CancellationToken ct)
        {
            var weights = await ReadAsync("SELECT DISTINCT component, weight FROM fct_digitalization_index", r => new ComponentWeight(Text(r, 0), Double(r, 1)), ct);
            if (weights.Count == 0)
            {
                // Never built, or nothing to build: building it costs little and finds out.
                return true;
            }
            var targets = await ReadAsync("SELECT DISTINCT denominator FROM fct_digitalization_index WHERE component = @Component",
                r => (object)Dec(r, 0), ct, ("@Component", IndexComponents.CompletedInitiatives));
            return weights.Any(w => !IndexComponents.All.Contains(w.Component) || Math.Abs(w.Weight - (double)Context.Index.WeightOf(w.Component)) > 1e-9)
                || targets.Any(t => (decimal)t != Context.Index.CompletedInitiativesTarget);
        }

        private sealed record ComponentWeight(string Component, double Weight);
    }
}
