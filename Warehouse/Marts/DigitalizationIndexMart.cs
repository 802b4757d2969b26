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

    /// <summary>
    /// By initiative in that a realisation written for some initiatives changes only the units they belong to: those units
    /// are rebuilt alone (<see cref="BuildAsync"/>). Its own tables have no initiative, so what it writes counts as written
    /// whole for the marts and checks after it (<see cref="WritesByInitiative"/>).
    /// </summary>
    public bool ByInitiative => true;

    /// <summary>Its rows are of units and years: what it writes for some initiatives is written for every initiative.</summary>
    public bool WritesByInitiative => false;

    /// <summary>
    /// The tables whose writes for some initiatives cannot move an initiative to another unit: after only those, the units
    /// the initiatives belong to now are the units they belonged to when the index was last built.
    /// </summary>
    private static readonly HashSet<string> UnitKeeping = new(StringComparer.OrdinalIgnoreCase) { "fct_benefit_realization" };

    /// <summary>
    /// Whole, or for some initiatives: then only the units those initiatives belong to (in any version, and now) are
    /// computed, and their rows rewritten where they differ from the stored ones; the municipality's mean is taken again
    /// from the other units' stored components. When the initiatives' units may have moved (their dimension rows or
    /// versions were written: the unit they had may be gone from every table), or the stored components do not give
    /// back the stored unit rows, it is built whole.
    /// </summary>
    public async Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct)
    {
        var work = new Work(context);
        if (scope.IsWhole || context.RecomputesAll || context.DueFrom is { } dueFrom && !dueFrom.IsSubsetOf(UnitKeeping)
            || !await work.RebuildUnitsOfAsync(scope.Initiatives!, ct))
        {
            await work.RebuildAsync(ct);
        }
    }

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
            var index = await CalculateAsync(null, ct);

            // Only a table whose rows differ from the stored ones is rewritten: a realisation whose comments changed, or a
            // survey that repeats last year's values, then makes nothing after the index due (units, calendar, checks).
            await WriteIfDifferentAsync(WarehouseTables.DigitalizationIndex, ComponentRows(index), null, ct);
            await WriteIfDifferentAsync(WarehouseTables.DigitalizationIndexUnit, UnitRows(index), null, ct);
            await WriteIfDifferentAsync(WarehouseTables.DigitalizationIndexTotal, TotalRows(index.Municipality), null, ct);
            Logger.LogDebug("Run {RunId}: digitaliseringsindex recomputed for {Units} unit-years over {Years} years", RunId, index.Units.Count, index.Municipality.Count);
        }

        /// <summary>
        /// The index computed from what it is made of: of every unit, or of <paramref name="units"/> only (the survey and
        /// realisation of those units, and the whole history of every initiative that ever had one of them, whose
        /// completions are counted in the unit of the version that completed).
        /// </summary>
        private async Task<DigitalizationIndex> CalculateAsync(IReadOnlyCollection<string>? units, CancellationToken ct)
        {
            var survey = await ReadScopedAsync(
                "SELECT unit, year, dimension, percent_value FROM fct_survey_result WHERE {scope}", "unit", units,
                r => new SurveyResultInput(Text(r, 0), Int(r, 1), Text(r, 2), Dec(r, 3)), ct);
            var versions = await ReadScopedAsync(
                """
                SELECT v.initiative_id, v.version_no, h.unit, v.phase, v.valid_from_utc
                FROM dim_initiative_version v
                JOIN dim_initiative_history h ON h.initiative_id = v.initiative_id AND h.version_no = v.version_no
                WHERE v.initiative_id IN (SELECT initiative_id FROM dim_initiative_history WHERE {scope})
                """, "unit", units,
                r => new InitiativeVersionInput(Text(r, 0), Int(r, 1), Text(r, 2), TextOrNull(r, 3), Timestamp(r, 4)), ct);
            var realization = await ReadScopedAsync(
                """
                SELECT r.initiative_id, i.unit, r.year, r.benefit_type, r.planned_value, r.actual_value
                FROM fct_benefit_realization r
                JOIN dim_initiative i ON i.initiative_id = r.initiative_id
                WHERE r.actual_value IS NOT NULL AND r.benefit_type IN (@Financial, @Redistribution) AND {scope}
                """, "i.unit", units,
                r => new RealizationInput(Text(r, 0), Text(r, 1), Int(r, 2), Text(r, 3), Dec(r, 4), DecOrNull(r, 5)), ct,
                // Only the economic benefit counts (DigitalizationIndexCalculator): Förflyttning's lines, a sixth of them, are not read.
                ("@Financial", Labels.Financial), ("@Redistribution", Labels.Redistribution));
            if (units is null)
            {
                return DigitalizationIndexCalculator.Calculate(survey, versions, realization, Context.Index);
            }
            // Units read in parts could read an initiative's history twice; its other units' rows are not this build's.
            var distinctVersions = versions.DistinctBy(v => (v.InitiativeId, v.VersionNo)).ToList();
            var index = DigitalizationIndexCalculator.Calculate(survey, distinctVersions, realization, Context.Index);
            var wanted = units.ToHashSet(StringComparer.Ordinal);
            return new DigitalizationIndex(
                [.. index.Components.Where(c => wanted.Contains(c.Unit))], [.. index.Units.Where(u => wanted.Contains(u.Unit))], index.Municipality);
        }

        /// <summary>
        /// Rebuilds the units <paramref name="initiatives"/> belong to, in any version and now (a realisation counts in the
        /// unit of the initiative, a completion in the unit of the version that completed), writing only the rows that
        /// differ, and the municipality's rows from every unit's index. The other units' indexes are computed again from
        /// their stored components, as <see cref="DigitalizationIndexCalculator"/> computed them: their unit rows hold a
        /// double, the mean is of decimals. Returns false, having written nothing, when the stored components do not give
        /// back a stored unit row (a value the database could not hold exactly): the caller then builds it whole.
        /// </summary>
        public async Task<bool> RebuildUnitsOfAsync(IReadOnlyCollection<string> initiatives, CancellationToken ct)
        {
            var units = (await ReadScopedAsync(
                    "SELECT unit FROM dim_initiative_history WHERE {scope} UNION SELECT unit FROM dim_initiative WHERE {scope}",
                    "initiative_id", initiatives, r => Text(r, 0), ct))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (units.Count == 0)
            {
                // In no unit: none of the index's rows can be theirs.
                return true;
            }
            var index = await CalculateAsync(units, ct);
            var mine = units.ToHashSet(StringComparer.Ordinal);

            var storedComponents = await ReadAsync("SELECT unit, year, component, numerator, denominator FROM fct_digitalization_index",
                r => new StoredComponent(Text(r, 0), Int(r, 1), Text(r, 2), Dec(r, 3), Dec(r, 4)), ct);
            var storedUnits = await ReadAsync("SELECT unit, year, index_value FROM fct_digitalization_index_unit",
                r => new StoredUnit(Text(r, 0), Int(r, 1), Double(r, 2)), ct);
            var componentsOf = storedComponents.Where(c => !mine.Contains(c.Unit)).ToLookup(c => (c.Unit, c.Year));
            var everyUnit = new List<UnitIndex>(index.Units);
            foreach (var stored in storedUnits.Where(u => !mine.Contains(u.Unit)))
            {
                var scores = componentsOf[(stored.Unit, stored.Year)]
                    .OrderBy(c => ComponentOrder.GetValueOrDefault(c.Component, int.MaxValue))
                    .Select(c => IndexComponents.All.Contains(c.Component) && DigitalizationIndexCalculator.ComponentScore(c.Component, c.Numerator, c.Denominator) is { } score
                        ? new IndexComponentScore(c.Unit, c.Year, c.Component, score, Context.Index.WeightOf(c.Component), c.Numerator, c.Denominator, "")
                        : null)
                    .ToList();
                if (scores.Count == 0 || scores.Any(s => s is null))
                {
                    return false;
                }
                var value = DigitalizationIndexCalculator.UnitValue(scores!);
                if (Convert.ToDouble(value, CultureInfo.InvariantCulture) != stored.IndexValue)
                {
                    return false;
                }
                everyUnit.Add(new UnitIndex(stored.Unit, stored.Year, value, scores.Count));
            }

            await WriteIfDifferentAsync(WarehouseTables.DigitalizationIndex, ComponentRows(index), units, ct);
            await WriteIfDifferentAsync(WarehouseTables.DigitalizationIndexUnit, UnitRows(index), units, ct);
            await WriteIfDifferentAsync(WarehouseTables.DigitalizationIndexTotal, TotalRows(DigitalizationIndexCalculator.Municipality(everyUnit)), null, ct);
            Logger.LogDebug("Run {RunId}: digitaliseringsindex recomputed for {Units} unit(s)", RunId, units.Count);
            return true;
        }

        // The order the calculator adds a unit's components in, which its decimal sums follow.
        private static readonly Dictionary<string, int> ComponentOrder = IndexComponents.All.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);

        private sealed record StoredComponent(string Unit, int Year, string Component, decimal Numerator, decimal Denominator);

        private sealed record StoredUnit(string Unit, int Year, double IndexValue);

        private List<object?[]> ComponentRows(DigitalizationIndex index) =>
            [.. index.Components.Select(c => new object?[] { c.Unit, c.Year, c.Component, c.Score, c.Weight, c.Numerator, c.Denominator, c.Basis, RunId })];

        private List<object?[]> UnitRows(DigitalizationIndex index) =>
            [.. index.Units.Select(u => new object?[] { u.Unit, u.Year, u.IndexValue, u.ComponentsUsed, RunId })];

        private List<object?[]> TotalRows(IEnumerable<MunicipalityIndex> municipality) =>
            [.. municipality.Select(m => new object?[] { m.Year, m.IndexValue, m.Units, RunId })];

        /// <summary>
        /// Rewrites a table of the index (the rows of <paramref name="units"/>, or all) when its rows, but for the run that
        /// wrote them (the last column), differ from the stored ones; each value compared as the database keeps it, numbers
        /// to 6 decimals. The tables are small: a row per unit, year and component at most.
        /// </summary>
        private async Task WriteIfDifferentAsync(BulkTable table, List<object?[]> rows, IReadOnlyCollection<string>? units, CancellationToken ct)
        {
            if (!Context.RecomputesAll && await SameAsStoredAsync(table, rows, units, ct))
            {
                return;
            }
            if (units is null)
            {
                await ExecuteAsync($"DELETE FROM {table.Name}", ct);
            }
            else
            {
                await ExecuteScopedAsync($"DELETE FROM {table.Name} WHERE {{scope}}", "unit", units, ct);
            }
            await InsertAsync(table, rows, ct);
        }

        /// <summary>
        /// Whether <paramref name="rows"/> are the stored rows of a table of the index (of <paramref name="units"/>, or all),
        /// but for the run that wrote them (the last column); each value compared as the database keeps it, numbers to 6 decimals.
        /// </summary>
        private async Task<bool> SameAsStoredAsync(BulkTable table, List<object?[]> rows, IReadOnlyCollection<string>? units, CancellationToken ct)
        {
            var compared = table.Columns.Take(table.Columns.Count - 1).ToList();
            var stored = await ReadScopedAsync($"SELECT {string.Join(", ", compared.Select(c => c.Name))} FROM {table.Name} WHERE {{scope}}", "unit", units,
                r => Key(compared.Select((c, i) => r.IsDBNull(i) ? null : r.GetValue(i))), ct);
            var wanted = rows.Select(row => Key(compared.Select((c, i) => Dialect.ToDb(c.Type, row[i])))).ToList();
            return stored.Order(StringComparer.Ordinal).SequenceEqual(wanted.Order(StringComparer.Ordinal), StringComparer.Ordinal);
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
