using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>The benefit realisation: each current business case's planned benefits beside the current actuals.</summary>
public sealed class RealizationMart : IMart
{
    public string Name => "realization";

    public string Grain => "one row per initiative, benefit line and year of its current business case (fct_benefit_realization); marks the current actual of each initiative, line and year, and why one no longer matches (fct_benefit_actual)";

    public IReadOnlyList<string> Reads { get; } = ["fct_benefit_actual", "fct_business_case_version", "raw_business_case_line", "raw_business_case_value", "fct_benefit_realization"];

    public IReadOnlyList<string> Writes { get; } = ["fct_benefit_realization", "fct_benefit_actual"];

    public bool ByInitiative => true;

    /// <summary>
    /// Marks the current actuals of the scope's initiatives and rebuilds their realisation, writing only what differs
    /// from the stored rows (all of it on a recompute).
    /// </summary>
    public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => new Work(context).RebuildAsync(scope.Initiatives, ct);

    private const string BenefitLineKind = "Nytta";

    /// <summary>
    /// Due whole when it holds nothing while current business cases have benefit lines: a warehouse upgraded with business
    /// cases already in it gets its realisation built once, by the first run after the upgrade.
    /// </summary>
    public async Task<bool> IsDueAsync(MartContext context, CancellationToken ct) =>
        await context.Sql.CountAsync(
            """
            SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM fct_benefit_realization) AND EXISTS (
                SELECT 1 FROM raw_business_case_line l JOIN fct_business_case_version v ON v.file_id = l.file_id
                WHERE v.is_current = 1 AND l.line_kind = @Kind) THEN 1 ELSE 0 END
            """, ct, ("@Kind", BenefitLineKind)) == 1;


    /// <summary>Marks the current actuals of <paramref name="initiatives"/> (all when null); returns how many flags it changed.</summary>
    internal Task<int> MarkCurrentActualsAsync(MartContext context, IReadOnlyCollection<string>? initiatives, CancellationToken ct) =>
        new Work(context).MarkCurrentActualsAsync(initiatives, ct);

    private sealed record CaseVersion(string InitiativeId, long BcVersionId, int? FirstYear, int? LastYear, long FileId);

    private sealed record CaseLine(string InitiativeId, int LineRow, string LineName, string Category);

    private sealed record CaseValue(long FileId, int LineRow, int Year, decimal Value);

    internal sealed record CurrentBusinessCase(long BcVersionId, int? FirstYear, int? LastYear, List<PlannedBenefitLine> Lines);

    /// <summary>
    /// The current business case of every initiative of <paramref name="scope"/> (of all when null) with its benefit
    /// lines in row order, and their planned values when asked.
    /// </summary>
    internal static async Task<Dictionary<string, CurrentBusinessCase>> CurrentCasesAsync(RunTransaction sql, bool withPlannedValues, IReadOnlyCollection<string>? scope, CancellationToken ct)
    {
        var versions = await sql.ReadScopedAsync(
            "SELECT initiative_id, bc_version_id, first_year, last_year, file_id FROM fct_business_case_version WHERE is_current = 1 AND {scope}", "initiative_id", scope,
            r => new CaseVersion(Text(r, 0), Long(r, 1), IntOrNull(r, 2), IntOrNull(r, 3), Long(r, 4)), ct);
        var lines = await sql.ReadScopedAsync(
            """
            SELECT v.initiative_id, l.line_row, l.line_name, l.category
            FROM raw_business_case_line l
            JOIN fct_business_case_version v ON v.file_id = l.file_id
            WHERE v.is_current = 1 AND l.line_kind = @Kind AND {scope}
            """, "v.initiative_id", scope, r => new CaseLine(Text(r, 0), Int(r, 1), Text(r, 2), Text(r, 3)), ct, ("@Kind", BenefitLineKind));
        // The largest read (35 values an initiative at scale 1): each value names its workbook by number, not its initiative by text.
        var values = !withPlannedValues ? [] : await sql.ReadScopedAsync(
            """
            SELECT r.file_id, r.line_row, r.year, r.value
            FROM raw_business_case_value r
            JOIN fct_business_case_version v ON v.file_id = r.file_id
            WHERE v.is_current = 1 AND r.line_kind = @Kind AND {scope}
            """, "v.initiative_id", scope, r => new CaseValue(Long(r, 0), Int(r, 1), Int(r, 2), Dec(r, 3)), ct, ("@Kind", BenefitLineKind));
        // Plain loops over classes: see RefreshRun.Sql.cs for why not LINQ over tuples here. By workbook, then row: a text
        // key per value cost a string and a hash of it, 70,000 of each at scale 1 (a Dictionary<long or int, class> shares
        // code already compiled, as a class key does).
        var planned = new Dictionary<long, Dictionary<int, Dictionary<int, decimal>>>();
        foreach (var v in values)
        {
            if (!planned.TryGetValue(v.FileId, out var rows))
            {
                planned[v.FileId] = rows = [];
            }
            if (!rows.TryGetValue(v.LineRow, out var years))
            {
                rows[v.LineRow] = years = [];
            }
            years[v.Year] = years.GetValueOrDefault(v.Year) + v.Value;
        }
        var linesOf = new Dictionary<string, List<CaseLine>>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (!linesOf.TryGetValue(line.InitiativeId, out var ofInitiative))
            {
                linesOf[line.InitiativeId] = ofInitiative = [];
            }
            ofInitiative.Add(line);
        }
        IReadOnlyDictionary<int, decimal> none = new Dictionary<int, decimal>();
        var cases = new Dictionary<string, CurrentBusinessCase>(StringComparer.Ordinal);
        foreach (var v in versions)
        {
            var ofInitiative = linesOf.GetValueOrDefault(v.InitiativeId) ?? [];
            ofInitiative.Sort((a, b) => a.LineRow.CompareTo(b.LineRow));
            var benefitLines = new List<PlannedBenefitLine>(ofInitiative.Count);
            var ofFile = planned.GetValueOrDefault(v.FileId);
            foreach (var l in ofInitiative)
            {
                benefitLines.Add(new PlannedBenefitLine(l.LineRow, l.LineName, ParseType(l.Category), ofFile?.GetValueOrDefault(l.LineRow) ?? none));
            }
            cases[v.InitiativeId] = new CurrentBusinessCase(v.BcVersionId, v.FirstYear, v.LastYear, benefitLines);
        }
        return cases;
    }

    private static BenefitType ParseType(string label) =>
        Labels.TryParseBenefitType(label, out var type) ? type : throw new InvalidOperationException($"A benefit line's category is not a benefit type: {label}");

    private sealed class Work(MartContext context) : MartWork(context)
    {
        /// <summary>The run id, boxed once for every row.</summary>
        private readonly object _runId = context.RunId;

        /// <summary>The table whose rows are rebuilt (of fct_benefit_actual only flags and reasons are set).</summary>
        private static readonly string[] Written = ["fct_benefit_realization"];

        /// <summary>Marks the current actuals of the initiatives of <paramref name="scope"/> (all when null) and rebuilds their realisation.</summary>
        public async Task RebuildAsync(IReadOnlyCollection<string>? scope, CancellationToken ct)
        {
            // The latest actual per initiative, line and year is current: actuals are numbered in processing order.
            await MarkCurrentActualsAsync(scope, ct);
            if (scope is not null)
            {
                await RebuildRealizationAsync(scope, emptied: false, ct);
                return;
            }
            if (Context.RecomputesAll)
            {
                // A recompute rewrites every row: the table is emptied, then written part by part.
                await ExecuteScopedAsync("DELETE FROM fct_benefit_realization WHERE {scope}", "initiative_id", null, ct);
            }
            var straight = await WritesStraightAsync(Written, ct);
            // Every initiative's, in parts, so that the realisation of a large municipality is never held whole: those
            // with actuals or a current business case, and those with rows, which may no longer be due.
            var initiatives = await ReadAsync(
                """
                SELECT initiative_id FROM fct_benefit_actual
                UNION SELECT initiative_id FROM fct_business_case_version WHERE is_current = 1
                UNION SELECT initiative_id FROM fct_benefit_realization
                """,
                r => Text(r, 0), ct);
            foreach (var part in initiatives.Order(StringComparer.Ordinal).Chunk(RebuildPart))
            {
                await RebuildRealizationAsync(part, emptied: straight, ct);
            }
        }

        /// <summary>
        /// Marks the current actuals of <paramref name="initiatives"/> (all when null); returns how many flags it changed.
        /// Only a flag that differs is set (flipped): an UPDATE that matched a row counts as a write of the table, and the
        /// marts and data checks downstream follow those writes. The latest actual of each initiative, line and year comes
        /// from one grouping of the scope's actuals rather than a subquery per row: PostgreSQL planned the correlated form
        /// at a cost that switched its JIT on (0.39 s of a scale-1 full refresh against about 0.1 s); SQLite runs both alike.
        /// </summary>
        public Task<int> MarkCurrentActualsAsync(IReadOnlyCollection<string>? initiatives, CancellationToken ct) =>
            ExecuteScopedAsync(
                """
                UPDATE fct_benefit_actual
                SET is_current = CASE WHEN is_current = 1 THEN 0 ELSE 1 END
                WHERE {scope} AND is_current <> CASE WHEN actual_id IN (
                    SELECT MAX(l.actual_id) FROM fct_benefit_actual l
                    WHERE {scope}
                    GROUP BY l.initiative_id, l.benefit_line_key, l.year) THEN 1 ELSE 0 END
                """, "initiative_id", initiatives, ct);

        /// <summary>
        /// Rebuilds the realisation of the given initiatives and says which of their current actuals no longer match
        /// their business case. Only the initiatives whose rows differ from the stored ones are rewritten (all on a
        /// recompute): the index downstream and the data checks follow those writes. <paramref name="emptied"/>: part
        /// of a rebuild of every initiative's that writes straight away (<see cref="MartWork.WritesStraightAsync"/>):
        /// nothing is stored to compare with, or it is already deleted.
        /// </summary>
        private async Task RebuildRealizationAsync(IReadOnlyCollection<string> scope, bool emptied, CancellationToken ct)
        {
            if (emptied)
            {
                // Written straight, slice by slice, each slice's rows dropped once inserted: computed whole, a part's 35,000
                // rows (boxed values and all) outlived several collections each, about three quarters of the computation's
                // time (0.27 s against 0.07 s with a 128 MB first generation, scale 1). Each slice is read on its own and
                // computed while the next is read and the one before written (MartWork.PipelineAsync).
                var withoutCase = new List<Unmatched>();
                var ofCases = new List<Unmatched>();
                await PipelineAsync(scope.Chunk(WriteSlice), slice => ReadInputsAsync(slice, ct),
                    inputs =>
                    {
                        var sliceRows = new List<object?[]>();
                        var sliceUnmatched = new List<Unmatched>();
                        foreach (var entry in inputs.Cases)
                        {
                            var c = Compute(inputs, entry, compared: false);
                            foreach (var r in c.Rows)
                            {
                                sliceRows.Add(r.Values);
                            }
                            sliceUnmatched.AddRange(c.Unmatched);
                        }
                        return (Rows: sliceRows, WithoutCase: WithoutCase(inputs), OfCases: sliceUnmatched);
                    },
                    async computed =>
                    {
                        await InsertAsync(WarehouseTables.BenefitRealization, computed.Rows, ct);
                        withoutCase.AddRange(computed.WithoutCase);
                        ofCases.AddRange(computed.OfCases);
                    }, ct);
                await UpdateReasonsAsync(scope, [.. withoutCase, .. ofCases], ct);
                return;
            }
            var inputs = await ReadInputsAsync(scope, ct);
            var rows = new List<Computed>();
            var unmatched = WithoutCase(inputs);
            var all = inputs.Cases.ToList();
            // Each initiative is computed apart from the others: on every core (see MartWork.ComputeEach).
            var computed = ComputeEach(all, entry => Compute(inputs, entry, compared: true), ct);
            var count = 0;
            foreach (var c in computed)
            {
                count += c.Rows.Count;
            }
            rows.EnsureCapacity(count);
            foreach (var c in computed)
            {
                rows.AddRange(c.Rows);
                unmatched.AddRange(c.Unmatched);
            }

            await UpdateReasonsAsync(scope, unmatched, ct);

            var differing = scope;
            if (!Context.RecomputesAll)
            {
                var storedRows = (await ReadScopedAsync(
                    """
                    SELECT initiative_id, benefit_line, benefit_type, year, planned_value, actual_value, variance_value, realization_rate,
                           planned_acc_value, actual_acc_value, reported_by, reported_at_utc, comment, bc_version_id, line_row, actual_id
                    FROM fct_benefit_realization
                    WHERE {scope}
                    """, "initiative_id", scope,
                    r => new RealizationRow(
                        Text(r, 0), Text(r, 1), Text(r, 2), Int(r, 3), Kept(Dec(r, 4)), Kept(DecOrNull(r, 5)), Kept(DecOrNull(r, 6)), Kept(DecOrNull(r, 7)),
                        Kept(Dec(r, 8)), Kept(DecOrNull(r, 9)), TextOrNull(r, 10), r.IsDBNull(11) ? null : Timestamp(r, 11), TextOrNull(r, 12), Long(r, 13),
                        Int(r, 14), LongOrNull(r, 15)), ct))
                    .ToLookup(r => r.InitiativeId, StringComparer.Ordinal);
                var wantedRows = rows.Select(r => r.Row!).ToLookup(r => r.InitiativeId, StringComparer.Ordinal);
                differing = scope.Where(id => !SameRows(wantedRows[id], storedRows[id])).ToList();
            }
            if (differing.Count == 0)
            {
                return;
            }
            var rewritten = differing.ToHashSet(StringComparer.Ordinal);
            await ExecuteScopedAsync("DELETE FROM fct_benefit_realization WHERE {scope}", "initiative_id", differing, ct);
            await InsertAsync(WarehouseTables.BenefitRealization, rows.Where(r => rewritten.Contains(r.InitiativeId)).Select(r => r.Values).ToList(), ct);
        }

        /// <summary>What the realisation of some initiatives is computed from: their current actuals and business cases.</summary>
        private sealed record Inputs(ILookup<string, StoredActual> Actuals, Dictionary<string, CurrentBusinessCase> Cases);

        private async Task<Inputs> ReadInputsAsync(IReadOnlyCollection<string> scope, CancellationToken ct)
        {
            var actuals = await ReadScopedAsync(
                """
                SELECT actual_id, initiative_id, benefit_line, benefit_line_key, benefit_type, year, value, comment, reported_by, reported_at_utc
                FROM fct_benefit_actual
                WHERE is_current = 1 AND {scope}
                """, "initiative_id", scope,
                r => new StoredActual(Long(r, 0), Text(r, 1), Text(r, 2), Text(r, 3), Text(r, 4), Int(r, 5), Dec(r, 6), TextOrNull(r, 7), TextOrNull(r, 8), Timestamp(r, 9)), ct);
            var cases = await CurrentCasesAsync(Sql, withPlannedValues: true, scope, ct);
            return new Inputs(actuals.ToLookup(a => a.InitiativeId, StringComparer.Ordinal), cases);
        }

        /// <summary>The current actuals of the initiatives that have no current business case.</summary>
        private static List<Unmatched> WithoutCase(Inputs inputs)
        {
            var unmatched = new List<Unmatched>();
            foreach (var group in inputs.Actuals)
            {
                if (!inputs.Cases.ContainsKey(group.Key))
                {
                    unmatched.AddRange(group.Select(a => new Unmatched(a, "Initiativet har ingen gällande nyttokalkyl.")));
                }
            }
            return unmatched;
        }

        /// <summary>
        /// The rows of one initiative's current business case and its actuals that no longer match it; each row also as
        /// compared when <paramref name="compared"/>. Uses no connection: computed beside the run's SQL.
        /// </summary>
        private CaseRows Compute(Inputs inputs, KeyValuePair<string, CurrentBusinessCase> entry, bool compared)
        {
            var (initiativeId, bc) = (entry.Key, entry.Value);
            var matched = new List<CurrentActual>();
            var caseUnmatched = new List<Unmatched>();
            var lines = bc.Lines.ToDictionary(l => ActualsValidator.LineKey(l.Name), StringComparer.Ordinal);
            foreach (var a in inputs.Actuals[initiativeId])
            {
                var reason = !lines.TryGetValue(a.BenefitLineKey, out var line)
                    ? "Nyttoposten finns inte längre i den gällande nyttokalkylen."
                    : Labels.Of(line.Type) != a.BenefitType
                        ? $"Nyttoposten är nu {Labels.Of(line.Type)}; utfallet rapporterades som {a.BenefitType}."
                        : bc.FirstYear is not { } first || bc.LastYear is not { } last || a.Year < first || a.Year > last
                            ? $"Året {a.Year} ligger utanför nyttokalkylens år {bc.FirstYear}–{bc.LastYear}."
                            : null;
                if (reason is null)
                {
                    matched.Add(new CurrentActual(a.BenefitLineKey, a.Year, a.Value, a.ActualId));
                }
                else
                {
                    caseUnmatched.Add(new Unmatched(a, reason));
                }
            }
            if (bc.FirstYear is not { } from || bc.LastYear is not { } to)
            {
                return new CaseRows([], caseUnmatched);
            }
            var stored = inputs.Actuals[initiativeId].ToDictionary(a => a.ActualId);
            var caseRows = new List<Computed>();
            // The values repeated on many rows are boxed once: an initiative's version, each year and line row.
            var bcVersion = (object)bc.BcVersionId;
            var years = new object[to - from + 1];
            for (var y = 0; y < years.Length; y++)
            {
                years[y] = from + y;
            }
            PlannedBenefitLine? boxedLine = null;
            object? lineRow = null;
            foreach (var r in RealizationCalculator.Calculate(from, to, bc.Lines, matched))
            {
                var source = r.Source is { ActualId: { } id } ? stored[id] : null;
                var type = Labels.Of(r.Line.Type);
                if (!ReferenceEquals(boxedLine, r.Line))
                {
                    (boxedLine, lineRow) = (r.Line, r.Line.Row);
                }
                caseRows.Add(new Computed(
                    initiativeId,
                    !compared ? null : new RealizationRow(
                        initiativeId, r.Line.Name, type, r.Year, Kept(ColumnType.Decimal, r.Planned), Kept(ColumnType.Decimal, r.Actual),
                        Kept(ColumnType.Decimal, r.Variance), Kept(ColumnType.Ratio, r.Rate), Kept(ColumnType.Decimal, r.PlannedAcc),
                        Kept(ColumnType.Decimal, r.ActualAcc), source?.ReportedBy, source?.ReportedAtUtc, source?.Comment, bc.BcVersionId, r.Line.Row,
                        source?.ActualId),
                    [
                        initiativeId, r.Line.Name, type, years[r.Year - from], r.Planned, r.Actual, r.Variance, r.Rate,
                        r.PlannedAcc, r.ActualAcc, source?.ReportedBy, source?.ReportedAtUtc, source?.Comment,
                        bcVersion, lineRow, source?.ActualId, _runId,
                    ]));
            }
            return new CaseRows(caseRows, caseUnmatched);
        }

        /// <summary>
        /// The reasons of the scope's current actuals: set where one is due, cleared where one no longer is (an actual
        /// replaced by a later one included).
        /// </summary>
        private async Task UpdateReasonsAsync(IReadOnlyCollection<string> scope, List<Unmatched> unmatched, CancellationToken ct)
        {
            var reasons = unmatched.ToDictionary(u => u.Actual.ActualId, u => u.Reason);
            var storedReasons = (await ReadScopedAsync(
                    "SELECT actual_id, initiative_id, unmatched_reason FROM fct_benefit_actual WHERE unmatched_reason IS NOT NULL AND {scope}", "initiative_id", scope,
                    r => new ReasonUpdate(Text(r, 2), Long(r, 0), Text(r, 1)), ct))
                .ToDictionary(r => r.ActualId);
            var reasonUpdates = storedReasons.Values.Where(r => !reasons.ContainsKey(r.ActualId)).Select(r => r with { Reason = null })
                .Concat(unmatched.Where(u => storedReasons.GetValueOrDefault(u.Actual.ActualId)?.Reason != u.Reason)
                    .Select(u => new ReasonUpdate(u.Reason, u.Actual.ActualId, u.Actual.InitiativeId)))
                .ToList();
            if (reasonUpdates.Count > 0)
            {
                await ExecuteDapperAsync("UPDATE fct_benefit_actual SET unmatched_reason = @Reason WHERE actual_id = @ActualId",
                    reasonUpdates.Select(u => new { u.Reason, u.ActualId }), ct, reasonUpdates.Select(u => u.InitiativeId));
            }
            foreach (var initiative in unmatched.GroupBy(u => u.Actual.InitiativeId))
            {
                Logger.LogWarning("Run {RunId}: {Count} current actual(s) of {Initiative} no longer match its current business case: {Lines}",
                    RunId, initiative.Count(), initiative.Key, string.Join("; ", initiative.Select(u => $"{u.Actual.BenefitLine} {u.Actual.Year}")));
            }
        }

        /// <summary>How many initiatives a straight rebuild reads, computes and writes at a time (about 2,200 rows at scale 1).</summary>
        private const int WriteSlice = 64;

        /// <summary>
        /// A value as the warehouse keeps it, to compare a computed row with a stored one: converted as this database's
        /// column takes it (SQLite keeps a double) and rounded to 6 decimals.
        /// </summary>
        private decimal Kept(ColumnType type, decimal value) => Kept(Convert.ToDecimal(Dialect.ToDb(type, value), CultureInfo.InvariantCulture));

        private decimal? Kept(ColumnType type, decimal? value) => value is { } v ? Kept(type, v) : null;

        private static decimal Kept(decimal value) => Math.Round(value, 6);

        private static decimal? Kept(decimal? value) => value is { } v ? Kept(v) : null;

        /// <summary>A row of fct_benefit_realization without its run id (it says which run last wrote the row), its values as the warehouse keeps them.</summary>
        private sealed record RealizationRow(
            string InitiativeId, string BenefitLine, string BenefitType, int Year, decimal Planned, decimal? Actual, decimal? Variance, decimal? Rate,
            decimal PlannedAcc, decimal? ActualAcc, string? ReportedBy, DateTime? ReportedAtUtc, string? Comment, long BcVersionId, int LineRow, long? ActualId);

        /// <summary>
        /// A computed row: its initiative, the row as compared (none when nothing is compared), and as inserted
        /// (unrounded, the run id last).
        /// </summary>
        private sealed record Computed(string InitiativeId, RealizationRow? Row, object?[] Values);


        /// <summary>The computed rows of one initiative, and its current actuals that no longer match.</summary>
        private sealed record CaseRows(List<Computed> Rows, List<Unmatched> Unmatched);

        private sealed record ReasonUpdate(string? Reason, long ActualId, string InitiativeId);

        private sealed record Unmatched(StoredActual Actual, string Reason);

        private sealed record StoredActual(
            long ActualId, string InitiativeId, string BenefitLine, string BenefitLineKey, string BenefitType, int Year, decimal Value,
            string? Comment, string? ReportedBy, DateTime ReportedAtUtc);
    }
}
