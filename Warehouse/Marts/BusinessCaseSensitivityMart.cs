using System.Globalization;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>
/// The low and the high case of each current business case (business-case-workbook.md, sheet <c>Känslighet</c>): its
/// pessimistic and optimistic totals, net present values and payback years, and each SEK line's swing, the bars of a
/// tornado chart. Computed by <see cref="SensitivityCalculator"/> over the expected case's horizon and discount rate.
/// </summary>
public sealed class BusinessCaseSensitivityMart : IMart
{
    public string Name => "business_case_sensitivity";

    public string Grain => "one row per initiative with a current business case (fct_business_case_range), and one per SEK line of it (fct_business_case_sensitivity)";

    public IReadOnlyList<string> Reads { get; } =
    [
        "fct_business_case_version", "fct_business_case_year", "raw_business_case_line", "raw_business_case_value", "raw_business_case_sensitivity",
        "fct_business_case_range", "fct_business_case_sensitivity",
    ];

    public IReadOnlyList<string> Writes { get; } = ["fct_business_case_range", "fct_business_case_sensitivity"];

    public bool ByInitiative => true;

    /// <summary>
    /// Rebuilds the range and the swings of the scope's initiatives, writing only what differs from the stored rows (all
    /// of it on a recompute). A changed discount rate reaches it through the version mart's restated versions.
    /// </summary>
    public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => new Work(context).RebuildAsync(scope.Initiatives, ct);

    /// <summary>
    /// Due whole when it holds no range while current business cases exist: a warehouse upgraded to version 12 gets the
    /// range of the business cases already in it from the first run after the upgrade.
    /// </summary>
    public async Task<bool> IsDueAsync(MartContext context, CancellationToken ct) =>
        await context.Sql.CountAsync(
            """
            SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM fct_business_case_range)
                AND EXISTS (SELECT 1 FROM fct_business_case_version WHERE is_current = 1) THEN 1 ELSE 0 END
            """, ct) == 1;

    private sealed record CaseVersion(string InitiativeId, long BcVersionId, decimal DiscountRate, long FileId);

    private sealed record CaseYear(string InitiativeId, int Year);

    private sealed record CaseLine(string InitiativeId, string Kind, int Row, string Name, string Category);

    private sealed record CaseValue(long FileId, string Kind, int Row, string Category, int Year, decimal Value);

    private sealed record CaseSheetRow(string InitiativeId, string Kind, string Name, decimal Low, decimal High, string LowCell, string HighCell);

    /// <summary>A row of fct_business_case_range without its run id, its values as the warehouse keeps them.</summary>
    private sealed record RangeRow(
        string InitiativeId, long BcVersionId, decimal NetPessimistic, decimal NetOptimistic, decimal NpvPessimistic, decimal NpvOptimistic,
        int? PaybackPessimistic, int? PaybackOptimistic);

    /// <summary>A row of fct_business_case_sensitivity without its run id, its values as the warehouse keeps them.</summary>
    private sealed record LineRow(
        string InitiativeId, int LineNo, string Kind, string Name, long BcVersionId, decimal LowPct, decimal HighPct, decimal NpvAtLow,
        decimal NpvAtHigh, decimal Swing, int Rank, string? LowCell, string? HighCell);

    /// <summary>
    /// A computed row: its initiative, the row as compared (none when nothing is compared), and as inserted (unrounded,
    /// the run id last).
    /// </summary>
    private sealed record Computed<T>(string InitiativeId, T? Row, object?[] Values)
        where T : class;

    private sealed class Work(MartContext context) : MartWork(context)
    {
        private static readonly string[] Written = ["fct_business_case_range", "fct_business_case_sensitivity"];

        public async Task RebuildAsync(IReadOnlyCollection<string>? scope, CancellationToken ct)
        {
            if (scope is not null)
            {
                await RebuildPartAsync(scope, emptied: false, ct);
                return;
            }
            if (Context.RecomputesAll)
            {
                // A recompute rewrites every row: the tables are emptied, then written part by part.
                await ExecuteScopedAsync("DELETE FROM fct_business_case_sensitivity WHERE {scope}", "initiative_id", null, ct);
                await ExecuteScopedAsync("DELETE FROM fct_business_case_range WHERE {scope}", "initiative_id", null, ct);
            }
            var straight = await WritesStraightAsync(Written, ct);
            // Every initiative's, in parts: those with a current business case, and those with rows, which may have none now.
            var initiatives = await ReadAsync(
                """
                SELECT initiative_id FROM fct_business_case_version WHERE is_current = 1
                UNION SELECT initiative_id FROM fct_business_case_range
                UNION SELECT initiative_id FROM fct_business_case_sensitivity
                """,
                r => Text(r, 0), ct);
            foreach (var part in initiatives.Order(StringComparer.Ordinal).Chunk(RebuildPart))
            {
                await RebuildPartAsync(part, emptied: straight, ct);
            }
        }

        /// <summary>
        /// Rebuilds the rows of <paramref name="scope"/>'s initiatives, rewriting in each table only the initiatives whose
        /// rows differ from the stored ones. <paramref name="emptied"/>: part of a rebuild of every initiative's that writes
        /// straight away (<see cref="MartWork.WritesStraightAsync"/>): nothing is stored to compare with, or it is already deleted.
        /// </summary>
        private async Task RebuildPartAsync(IReadOnlyCollection<string> scope, bool emptied, CancellationToken ct)
        {
            if (emptied)
            {
                await WriteStraightAsync(scope, ct);
                return;
            }
            var (ranges, lines) = await ComputeAsync(scope, compared: true, ct);
            var storedRanges = await ReadScopedAsync(
                """
                SELECT initiative_id, bc_version_id, net_benefit_total_pessimistic_sek, net_benefit_total_optimistic_sek,
                       npv_pessimistic_sek, npv_optimistic_sek, payback_year_pessimistic, payback_year_optimistic
                FROM fct_business_case_range
                WHERE {scope}
                """, "initiative_id", scope,
                r => new RangeRow(Text(r, 0), Long(r, 1), Kept(Dec(r, 2)), Kept(Dec(r, 3)), Kept(Dec(r, 4)), Kept(Dec(r, 5)), IntOrNull(r, 6), IntOrNull(r, 7)), ct);
            await RewriteDifferingAsync(WarehouseTables.BusinessCaseRange, scope, ranges, storedRanges, r => r.InitiativeId, ct);

            var storedLines = await ReadScopedAsync(
                """
                SELECT initiative_id, line_no, line_kind, line_name, bc_version_id, low_pct, high_pct, npv_at_low_sek, npv_at_high_sek,
                       npv_swing_sek, swing_rank, low_cell, high_cell
                FROM fct_business_case_sensitivity
                WHERE {scope}
                """, "initiative_id", scope,
                r => new LineRow(Text(r, 0), Int(r, 1), Text(r, 2), Text(r, 3), Long(r, 4), Kept(Dec(r, 5)), Kept(Dec(r, 6)), Kept(Dec(r, 7)),
                    Kept(Dec(r, 8)), Kept(Dec(r, 9)), Int(r, 10), TextOrNull(r, 11), TextOrNull(r, 12)), ct);
            await RewriteDifferingAsync(WarehouseTables.BusinessCaseSensitivity, scope, lines, storedLines, r => r.InitiativeId, ct);
        }

        /// <summary>
        /// Deletes and inserts the rows of the initiatives whose computed rows differ from the stored ones: an initiative
        /// whose rows are as they were is not written, so that what follows the writes (data checks, the models) does not.
        /// </summary>
        private async Task RewriteDifferingAsync<T>(BulkTable table, IReadOnlyCollection<string> scope, List<Computed<T>> computed, List<T> stored,
            Func<T, string> initiativeOf, CancellationToken ct)
            where T : class
        {
            var wanted = computed.Select(c => c.Row!).ToLookup(initiativeOf, StringComparer.Ordinal);
            var storedOf = stored.ToLookup(initiativeOf, StringComparer.Ordinal);
            var differing = scope.Where(id => !SameRows(wanted[id], storedOf[id])).ToList();
            if (differing.Count == 0)
            {
                return;
            }
            var rewritten = differing.ToHashSet(StringComparer.Ordinal);
            await ExecuteScopedAsync($"DELETE FROM {table.Name} WHERE {{scope}}", "initiative_id", differing, ct);
            await InsertAsync(table, computed.Where(c => rewritten.Contains(c.InitiativeId)).Select(c => c.Values).ToList(), ct);
        }

        /// <summary>
        /// The rows of the current business cases of <paramref name="scope"/>'s initiatives; none for an initiative without
        /// one.
        /// </summary>
        private async Task<(List<Computed<RangeRow>> Ranges, List<Computed<LineRow>> Lines)> ComputeAsync(IReadOnlyCollection<string> scope, bool compared,
            CancellationToken ct)
        {
            var inputs = await ReadInputsAsync(scope, ct);
            // Each business case is computed apart from the others: on every core (see MartWork.ComputeEach).
            return Gathered(ComputeEach(inputs.Versions, v => Compute(inputs, v, compared), ct));
        }

        /// <summary>
        /// Computes and writes the rows of the current business cases of <paramref name="scope"/>'s initiatives, a slice
        /// of <see cref="WriteSlice"/> initiatives at a time, each slice's rows dropped once inserted, as the
        /// realisation's are (RealizationMart); each slice read on its own and computed while the next is read and the one
        /// before written (<see cref="MartWork.PipelineAsync"/>).
        /// </summary>
        private Task WriteStraightAsync(IReadOnlyCollection<string> scope, CancellationToken ct) =>
            PipelineAsync(scope.Chunk(WriteSlice), slice => ReadInputsAsync(slice, ct),
                inputs =>
                {
                    var computed = new CaseRows[inputs.Versions.Count];
                    for (var i = 0; i < computed.Length; i++)
                    {
                        computed[i] = Compute(inputs, inputs.Versions[i], compared: false);
                    }
                    return Gathered(computed);
                },
                async rows =>
                {
                    await InsertAsync(WarehouseTables.BusinessCaseRange, rows.Ranges.Select(r => r.Values).ToList(), ct);
                    await InsertAsync(WarehouseTables.BusinessCaseSensitivity, rows.Lines.Select(r => r.Values).ToList(), ct);
                }, ct);

        /// <summary>What the rows of some initiatives' current business cases are computed from.</summary>
        private sealed record Inputs(
            List<CaseVersion> Versions, ILookup<string, CaseYear> YearsOf, ILookup<string, CaseLine> LinesOf, Dictionary<long, List<CaseValue>> ValuesOf,
            ILookup<string, CaseSheetRow> SheetOf);

        private async Task<Inputs> ReadInputsAsync(IReadOnlyCollection<string> scope, CancellationToken ct)
        {
            var versions = await ReadScopedAsync(
                "SELECT initiative_id, bc_version_id, discount_rate, file_id FROM fct_business_case_version WHERE is_current = 1 AND {scope}", "initiative_id", scope,
                r => new CaseVersion(Text(r, 0), Long(r, 1), Dec(r, 2), Long(r, 3)), ct);
            var years = await ReadScopedAsync(
                """
                SELECT v.initiative_id, y.year
                FROM fct_business_case_year y
                JOIN fct_business_case_version v ON v.bc_version_id = y.bc_version_id
                WHERE v.is_current = 1 AND {scope}
                """, "v.initiative_id", scope, r => new CaseYear(Text(r, 0), Int(r, 1)), ct);
            var lines = await ReadScopedAsync(
                """
                SELECT v.initiative_id, l.line_kind, l.line_row, l.line_name, l.category
                FROM raw_business_case_line l
                JOIN fct_business_case_version v ON v.file_id = l.file_id
                WHERE v.is_current = 1 AND {scope}
                """, "v.initiative_id", scope, r => new CaseLine(Text(r, 0), Text(r, 1), Int(r, 2), Text(r, 3), Text(r, 4)), ct);
            // Costs are kept positive (the reader takes the amount of a negative cost), as the calculator takes them. The
            // largest read (49 values an initiative at scale 1): each value names its workbook by number, not its initiative by text.
            var values = await ReadScopedAsync(
                """
                SELECT r.file_id, r.line_kind, r.line_row, r.category, r.year, r.value
                FROM raw_business_case_value r
                JOIN fct_business_case_version v ON v.file_id = r.file_id
                WHERE v.is_current = 1 AND {scope}
                """, "v.initiative_id", scope, r => new CaseValue(Long(r, 0), Text(r, 1), Int(r, 2), Text(r, 3), Int(r, 4), Dec(r, 5)), ct);
            var sheet = await ReadScopedAsync(
                """
                SELECT v.initiative_id, s.line_kind, s.line_name, s.low_pct, s.high_pct, s.low_cell, s.high_cell
                FROM raw_business_case_sensitivity s
                JOIN fct_business_case_version v ON v.file_id = s.file_id
                WHERE v.is_current = 1 AND {scope}
                ORDER BY s.line_row
                """, "v.initiative_id", scope, r => new CaseSheetRow(Text(r, 0), Text(r, 1), Text(r, 2), Dec(r, 3), Dec(r, 4), Text(r, 5), Text(r, 6)), ct);

            var yearsOf = years.ToLookup(y => y.InitiativeId, StringComparer.Ordinal);
            var linesOf = lines.ToLookup(l => l.InitiativeId, StringComparer.Ordinal);
            // By workbook, then by row within it (a Dictionary<long, class> and <int, class> share code already compiled, as
            // a class key does): a text key per value cost a string and a hash of it, 100,000 of each at scale 1.
            var valuesOf = new Dictionary<long, List<CaseValue>>();
            foreach (var value in values)
            {
                if (!valuesOf.TryGetValue(value.FileId, out var ofFile))
                {
                    valuesOf[value.FileId] = ofFile = [];
                }
                ofFile.Add(value);
            }
            var sheetOf = sheet.ToLookup(s => s.InitiativeId, StringComparer.Ordinal);

            return new Inputs(versions, yearsOf, linesOf, valuesOf, sheetOf);
        }

        /// <summary>The rows of one current business case, each also as compared when <paramref name="compared"/>. Uses no connection: computed beside the run's SQL.</summary>
        private CaseRows Compute(Inputs inputs, CaseVersion v, bool compared)
        {
            // The sheet as the reader accepted it names each line once; the first listing counts should it not.
            var listed = new Listings(inputs.SheetOf[v.InitiativeId].ToList());
            var byRow = new Dictionary<int, List<CaseValue>>();
            foreach (var value in inputs.ValuesOf.GetValueOrDefault(v.FileId) ?? [])
            {
                if (!byRow.TryGetValue(value.Row, out var atRow))
                {
                    byRow[value.Row] = atRow = [];
                }
                atRow.Add(value);
            }
            // The workbook's order: Kostnader, then Nyttor, each by row (as read among equals, as a stable sort keeps them).
            var caseLines = inputs.LinesOf[v.InitiativeId].ToList();
            var order = new int[caseLines.Count];
            for (var i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }
            Array.Sort(order, (x, y) => (caseLines[x].Kind == SensitivityLine.CostKind ? 0 : 1).CompareTo(caseLines[y].Kind == SensitivityLine.CostKind ? 0 : 1) is var bySheet and not 0
                ? bySheet
                : caseLines[x].Row.CompareTo(caseLines[y].Row) is var byRow and not 0 ? byRow : x.CompareTo(y));
            var ordered = new List<SensitivityCalculator.Line>(order.Length);
            foreach (var at in order)
            {
                var l = caseLines[at];
                var s = listed.Of(l.Kind, l.Name);
                var amounts = new List<BusinessCaseCalculator.LineAmount>();
                foreach (var a in byRow.GetValueOrDefault(l.Row) ?? [])
                {
                    if (a.Kind == l.Kind)
                    {
                        amounts.Add(new BusinessCaseCalculator.LineAmount(a.Category, a.Year, a.Value));
                    }
                }
                ordered.Add(new SensitivityCalculator.Line(l.Kind, l.Name, amounts, s?.Low ?? SensitivityLine.Expected, s?.High ?? SensitivityLine.Expected, l.Category));
            }
            var figures = SensitivityCalculator.Calculate(inputs.YearsOf[v.InitiativeId].Select(y => y.Year), ordered, v.DiscountRate);

            var (p, o) = (figures.Pessimistic, figures.Optimistic);
            var range = new Computed<RangeRow>(
                v.InitiativeId,
                !compared ? null : new RangeRow(v.InitiativeId, v.BcVersionId, Kept(p.NetBenefitTotal), Kept(o.NetBenefitTotal), Kept(p.NetPresentValue), Kept(o.NetPresentValue),
                    p.PaybackYear, o.PaybackYear),
                [v.InitiativeId, v.BcVersionId, p.NetBenefitTotal, o.NetBenefitTotal, p.NetPresentValue, o.NetPresentValue, p.PaybackYear, o.PaybackYear, RunId]);
            var rows = new List<Computed<LineRow>>(figures.Lines.Count);
            foreach (var l in figures.Lines)
            {
                var s = listed.Of(l.Kind, l.Name);
                rows.Add(new Computed<LineRow>(
                    v.InitiativeId,
                    !compared ? null : new LineRow(v.InitiativeId, l.LineNo, l.Kind, l.Name, v.BcVersionId, Kept(l.LowPercent), Kept(l.HighPercent), Kept(l.NpvAtLow),
                        Kept(l.NpvAtHigh), Kept(l.NpvSwing), l.SwingRank, s?.LowCell, s?.HighCell),
                    [
                        v.InitiativeId, l.LineNo, l.Kind, l.Name, v.BcVersionId, l.LowPercent, l.HighPercent, l.NpvAtLow, l.NpvAtHigh, l.NpvSwing,
                        l.SwingRank, s?.LowCell, s?.HighCell, RunId,
                    ]));
            }
            return new CaseRows(range, rows);
        }

        /// <summary>How many initiatives' business cases a straight rebuild reads, computes and writes at a time.</summary>
        private const int WriteSlice = 64;

        private static (List<Computed<RangeRow>> Ranges, List<Computed<LineRow>> Lines) Gathered(CaseRows[] computed)
        {
            var ranges = new List<Computed<RangeRow>>(computed.Length);
            var count = 0;
            foreach (var c in computed)
            {
                count += c.Lines.Count;
            }
            var lineRows = new List<Computed<LineRow>>(count);
            foreach (var c in computed)
            {
                ranges.Add(c.Range);
                lineRows.AddRange(c.Lines);
            }
            return (ranges, lineRows);
        }

        /// <summary>The computed rows of one business case.</summary>
        private sealed record CaseRows(Computed<RangeRow> Range, List<Computed<LineRow>> Lines);

        /// <summary>
        /// The listings of a business case's sheet <c>Känslighet</c>: the first of a line, names compared as
        /// <see cref="SensitivityCalculator.KindAndName"/> compares them. A business case lists a few lines, searched in
        /// order; a dictionary is built only for a sheet of many, which a search would make quadratic.
        /// </summary>
        private sealed class Listings
        {
            private const int Searched = 16;

            private readonly List<CaseSheetRow> _rows;

            private readonly Dictionary<(string Kind, string Name), CaseSheetRow>? _first;

            public Listings(List<CaseSheetRow> rows)
            {
                _rows = rows;
                if (rows.Count > Searched)
                {
                    _first = new Dictionary<(string Kind, string Name), CaseSheetRow>(rows.Count, SensitivityCalculator.KindAndName);
                    foreach (var s in rows)
                    {
                        _first.TryAdd((s.Kind, s.Name), s);
                    }
                }
            }

            public CaseSheetRow? Of(string kind, string name)
            {
                if (_first is not null)
                {
                    return _first.GetValueOrDefault((kind, name));
                }
                foreach (var s in _rows)
                {
                    if (SensitivityCalculator.KindAndName.Equals((s.Kind, s.Name), (kind, name)))
                    {
                        return s;
                    }
                }
                return null;
            }
        }

        /// <summary>
        /// A decimal as the warehouse keeps it, to compare a computed row with a stored one: converted as this database's
        /// column takes it (SQLite keeps a double) and rounded to the columns' 4 decimals, as PostgreSQL rounds.
        /// </summary>
        private decimal Kept(decimal value) =>
            Math.Round(Convert.ToDecimal(Dialect.ToDb(ColumnType.Decimal, value), CultureInfo.InvariantCulture), 4, MidpointRounding.AwayFromZero);
    }
}
