using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;
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

            // Only a table whose rows differ from the stored ones is rewritten: a realisation whose comments changed, or a
            // survey that repeats last year's values, then makes nothing after the index due (units, calendar, checks).
            await WriteIfDifferentAsync(WarehouseTables.DigitalizationIndex,
                index.Components.Select(c => new object?[] { c.Unit, c.Year, c.Component, c.Score, c.Weight, c.Numerator, c.Denominator, c.Basis, RunId }).ToList(), ct);
            await WriteIfDifferentAsync(WarehouseTables.DigitalizationIndexUnit,
                index.Units.Select(u => new object?[] { u.Unit, u.Year, u.IndexValue, u.ComponentsUsed, RunId }).ToList(), ct);
            await WriteIfDifferentAsync(WarehouseTables.DigitalizationIndexTotal,
                index.Municipality.Select(m => new object?[] { m.Year, m.IndexValue, m.Units, RunId }).ToList(), ct);
            Logger.LogDebug("Run {RunId}: digitaliseringsindex recomputed for {Units} unit-years over {Years} years", RunId, index.Units.Count, index.Municipality.Count);
        }

        /// <summary>
        /// Rewrites a table of the index whole when its rows, but for the run that wrote them (the last column), differ from
        /// the stored ones; each value compared as the database keeps it, numbers to 6 decimals. The tables are small: a row
        /// per unit, year and component at most.
        /// </summary>
        private async Task WriteIfDifferentAsync(BulkTable table, List<object?[]> rows, CancellationToken ct)
        {
            var compared = table.Columns.Take(table.Columns.Count - 1).ToList();
            var stored = await ReadAsync($"SELECT {string.Join(", ", compared.Select(c => c.Name))} FROM {table.Name}",
                r => Key(compared.Select((c, i) => r.IsDBNull(i) ? null : r.GetValue(i))), ct);
            var wanted = rows.Select(row => Key(compared.Select((c, i) => Dialect.ToDb(c.Type, row[i])))).ToList();
            if (!Context.RecomputesAll && stored.Order(StringComparer.Ordinal).SequenceEqual(wanted.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            {
                return;
            }
            await ExecuteAsync($"DELETE FROM {table.Name}", ct);
            await InsertAsync(table, rows, ct);
        }

        /// <summary>A row as comparable text: numbers of any provider's type to 6 decimals, the rest as written.</summary>
        private static string Key(IEnumerable<object?> values) => string.Join('\u001f', values.Select(v => v switch
        {
            null => "\u2205",
            double or float or decimal or long or int or short => Number(Convert.ToDecimal(v, CultureInfo.InvariantCulture)),
            _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
        }));

        // Without trailing zeros: a decimal keeps its scale (5.00), a double read back does not (5).
        private static string Number(decimal value) => Math.Round(value, 6).ToString("0.######", CultureInfo.InvariantCulture);

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
