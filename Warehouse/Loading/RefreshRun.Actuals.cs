using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loading;

/// <summary>The statuses of <c>raw_actual_row</c>: what became of each row of an actuals workbook.</summary>
public static class ActualRowStatuses
{
    public const string Loaded = "Inläst";
    public const string Rejected = "Avvisad";
    public const string NotReported = "Ej rapporterad";

    public static string Of(ActualRowStatus status) => status switch
    {
        ActualRowStatus.Accepted => Loaded,
        ActualRowStatus.Rejected => Rejected,
        _ => NotReported,
    };
}

public sealed partial class RefreshRun
{
    private const string BenefitLineKind = "Nytta";

    private readonly Dictionary<string, string?> _uploadDeltaLinks = new(StringComparer.Ordinal);
    private ActualsCatalogue? _catalogue;
    private long? _nextActualId;

    /// <summary>Every initiative with an actual accepted in this run.</summary>
    private readonly HashSet<string> _actualInitiatives = new(StringComparer.Ordinal);

    /// <summary>
    /// What actuals rows are judged by, as of this point of the run: the model is first brought up to
    /// date with the business cases and lists loaded so far. Kept until the run loads something that changes it.
    /// </summary>
    public async Task<ActualsCatalogue> GetActualsCatalogueAsync(CancellationToken ct)
    {
        await BringModelUpToDateAsync(ct);
        if (_catalogue is not null)
        {
            return _catalogue;
        }
        var initiatives = await ReadAsync(
            """
            SELECT i.initiative_id, i.object_id, o.manager_email
            FROM dim_initiative i
            LEFT JOIN dim_object o ON o.object_id = i.object_id
            """,
            r => new CatalogueRow(Text(r, 0), TextOrNull(r, 1), TextOrNull(r, 2)), ct);
        var cases = await CurrentCasesAsync(withPlannedValues: false, null, ct);
        _catalogue = new ActualsCatalogue(
            initiatives.Select(i =>
            {
                var bc = cases.GetValueOrDefault(i.InitiativeId);
                return new CatalogueInitiative(i.InitiativeId, i.ObjectId, i.ManagerEmail, bc?.FirstYear, bc?.LastYear,
                    bc?.Lines.Select(l => new CatalogueLine(l.Name, l.Type)).ToList() ?? []);
            }),
            _actuals.Administrators);
        return _catalogue;
    }

    /// <summary>
    /// Judges one actuals workbook against the catalogue and loads it: the file with its status and a
    /// problem per rejected cell, every row as read, and the accepted values. Returns the judgement, from
    /// which the edge writes the result workbook.
    /// </summary>
    public async Task<ActualsValidation> AddActualsAsync(SourceFile file, ActualsUpload upload, CancellationToken ct)
    {
        var catalogue = await GetActualsCatalogueAsync(ct);
        var validation = Timings.Measure(PhaseTimings.Validate, () => ActualsValidator.Validate(file.Name, upload, catalogue, file.AuthorEmail));
        _nextActualId ??= await CountAsync("SELECT COALESCE(MAX(actual_id), 0) FROM fct_benefit_actual", ct) + 1;

        var (accepted, rejected, notReported) = (validation.Accepted, validation.Rejected, validation.NotReported);
        var status = rejected == 0 ? FileStatus.Loaded : accepted > 0 ? FileStatus.PartlyLoaded : FileStatus.Rejected;
        var fileId = _nextFileId;
        // An accepted row naming its initiative in other letter case is taken as the initiative, which the file is told.
        var notes = validation.Rows
            .Where(o => o.Status == ActualRowStatus.Accepted && !string.Equals(o.Row.InitiativeId!.Trim(), catalogue.Find(o.Row.InitiativeId)!.InitiativeId, StringComparison.Ordinal))
            .Select(o => SourceProblem.ForCell(file.Name, upload.SheetName, upload.Columns.InitiativeId + o.Row.Row.ToString(CultureInfo.InvariantCulture),
                KeyVariantMessage("Initiativ-ID", o.Row.InitiativeId!.Trim(), catalogue.Find(o.Row.InitiativeId)!.InitiativeId)) with { IsNotice = true })
            .ToList();
        await AddFileAsync(file, status, accepted, rejected, ActualsMessage(upload.ObjectId, accepted, rejected, notReported) + KeyVariantsSentence(notes.Count),
            [.. validation.Problems, .. notes], ct);

        var reportedBy = string.IsNullOrWhiteSpace(upload.ReportedBy) ? file.AuthorEmail : upload.ReportedBy.Trim();
        var reportedAt = file.ModifiedUtc ?? StartedAtUtc;
        foreach (var outcome in validation.Rows)
        {
            var row = outcome.Row;
            Buffer(WarehouseTables.RawActualRow,
                fileId, row.Row, row.InitiativeId, row.BenefitLine, row.TypeText, row.YearText, row.PlannedText, row.ValueText, row.Comment,
                ActualRowStatuses.Of(outcome.Status), outcome.Status == ActualRowStatus.Rejected ? outcome.ResultText : null);
            if (outcome.Status != ActualRowStatus.Accepted)
            {
                continue;
            }
            var line = outcome.Line!;
            var initiativeId = catalogue.Find(row.InitiativeId!)!.InitiativeId;
            _actualInitiatives.Add(initiativeId);
            Buffer(WarehouseTables.BenefitActual,
                _nextActualId++, initiativeId, line.Name, ActualsValidator.LineKey(line.Name), Labels.Of(line.Type), row.Year!.Value, row.Value!.Value,
                row.Comment, reportedBy, file.AuthorEmail, reportedAt, fileId, RunId, upload.SheetName,
                upload.Columns.Value + row.Row.ToString(CultureInfo.InvariantCulture), true, null);
        }
        await FlushIfFullAsync(ct);
        return validation;
    }

    /// <summary>The delta link an uploads source was last read up to, as published (or as set earlier in this run).</summary>
    public async Task<string?> GetUploadDeltaLinkAsync(string key, CancellationToken ct)
    {
        if (_uploadDeltaLinks.TryGetValue(key, out var pending))
        {
            return pending;
        }
        return (await ReadAsync("SELECT delta_link FROM etl_upload_state WHERE source_key = @key", r => new DeltaLink(TextOrNull(r, 0)), ct, ("@key", key))).SingleOrDefault()?.Link;
    }

    /// <summary>Keeps an uploads source's delta link; written with the run, so it only advances when the run publishes.</summary>
    public void SetUploadDeltaLink(string key, string? deltaLink)
    {
        _uploadDeltaLinks[key] = deltaLink;
        _sourcesOffered = true;
    }

    private static string ActualsMessage(string? objectId, int accepted, int rejected, int notReported)
    {
        var subject = string.IsNullOrWhiteSpace(objectId) ? "Utfall" : $"Utfall för {objectId.Trim()}";
        if (accepted + rejected == 0)
        {
            return notReported == 0
                ? $"{subject}: inget utfall angivet; filen har inga rader."
                : $"{subject}: inget utfall angivet; {Rows(notReported)} utan utfall.";
        }
        var parts = new List<string>
        {
            accepted == 1 ? "1 rad inläst" : $"{accepted} rader inlästa",
            rejected == 1 ? "1 avvisad" : $"{rejected} avvisade",
        };
        if (notReported > 0)
        {
            parts.Add($"{notReported} utan utfall");
        }
        return $"{subject}: {string.Join(", ", parts)}.";
    }

    private static string Rows(int count) => count == 1 ? "1 rad" : $"{count} rader";

    /// <summary>
    /// At completion: keeps the uploads' delta links and, when business cases or actuals changed, marks
    /// the current actuals, says which no longer match their business case, and rebuilds the realisation:
    /// of the initiatives whose business case or actuals this run loaded, or of all on a recompute.
    /// </summary>
    private async Task CompleteActualsAsync(CancellationToken ct)
    {
        foreach (var (key, link) in _uploadDeltaLinks)
        {
            await ExecuteAsync("DELETE FROM etl_upload_state WHERE source_key = @key", [("@key", key)], ct);
            await InsertAsync(WarehouseTables.EtlUploadState, [[key, link, RunId, Clock.UtcNow(_time)]], ct);
        }

        // An initiative's realisation is made of its current business case and its current actuals alone.
        var changed = _caseInitiatives.Union(_actualInitiatives, StringComparer.Ordinal).ToList();
        IReadOnlyCollection<string>? scope = RecomputesAll || changed.Count > ScopedRebuildLimit ? null : changed;
        if (scope is { Count: 0 })
        {
            // A warehouse upgraded with business cases already in it: its realisation is built once.
            var built = await CountAsync("SELECT CASE WHEN EXISTS (SELECT 1 FROM fct_benefit_realization) THEN 1 ELSE 0 END", ct);
            if (built == 1 || !(await CurrentCasesAsync(withPlannedValues: false, null, ct)).Values.Any(c => c.Lines.Count > 0))
            {
                return;
            }
            scope = null;
        }

        // The latest actual per initiative, line and year is current: actuals are numbered in processing order.
        // Only new actuals change which is current.
        IReadOnlyCollection<string>? reported = scope is null ? null : _actualInitiatives;
        if (reported is null || reported.Count > 0)
        {
            await ExecuteScopedAsync(
                """
                UPDATE fct_benefit_actual
                SET is_current = CASE WHEN actual_id = (
                    SELECT MAX(l.actual_id) FROM fct_benefit_actual l
                    WHERE l.initiative_id = fct_benefit_actual.initiative_id
                      AND l.benefit_line_key = fct_benefit_actual.benefit_line_key
                      AND l.year = fct_benefit_actual.year) THEN 1 ELSE 0 END
                WHERE {scope}
                """, "initiative_id", reported, ct);
        }
        if (scope is null)
        {
            // Every initiative's: in parts, so that the realisation of a large municipality is never held whole.
            await ExecuteScopedAsync("DELETE FROM fct_benefit_realization WHERE {scope}", "initiative_id", null, ct);
            _indexInputsChanged = true;
            var initiatives = await ReadAsync(
                "SELECT initiative_id FROM fct_benefit_actual UNION SELECT initiative_id FROM fct_business_case_version WHERE is_current = 1",
                r => Text(r, 0), ct);
            foreach (var part in initiatives.Order(StringComparer.Ordinal).Chunk(RebuildPart))
            {
                await RebuildRealizationAsync(part, wholeTable: true, ct);
            }
        }
        else
        {
            await RebuildRealizationAsync(scope, wholeTable: false, ct);
        }
    }

    /// <summary>
    /// Rebuilds the realisation of the given initiatives and says which of their current actuals no longer match
    /// their business case. <paramref name="wholeTable"/>: part of a rebuild of every initiative's, whose rows are
    /// already deleted.
    /// </summary>
    private async Task RebuildRealizationAsync(IReadOnlyCollection<string> scope, bool wholeTable, CancellationToken ct)
    {
        var actuals = await ReadScopedAsync(
            """
            SELECT actual_id, initiative_id, benefit_line, benefit_line_key, benefit_type, year, value, comment, reported_by, reported_at_utc
            FROM fct_benefit_actual
            WHERE is_current = 1 AND {scope}
            """, "initiative_id", scope,
            r => new StoredActual(Long(r, 0), Text(r, 1), Text(r, 2), Text(r, 3), Text(r, 4), Int(r, 5), Dec(r, 6), TextOrNull(r, 7), TextOrNull(r, 8), Timestamp(r, 9)), ct);
        var cases = await CurrentCasesAsync(withPlannedValues: true, scope, ct);

        var rows = new List<object?[]>();
        var unmatched = new List<Unmatched>();
        var byInitiative = actuals.ToLookup(a => a.InitiativeId, StringComparer.Ordinal);
        foreach (var group in byInitiative)
        {
            if (!cases.ContainsKey(group.Key))
            {
                unmatched.AddRange(group.Select(a => new Unmatched(a, "Initiativet har ingen gällande nyttokalkyl.")));
            }
        }
        foreach (var (initiativeId, bc) in cases)
        {
            var matched = new List<CurrentActual>();
            var lines = bc.Lines.ToDictionary(l => ActualsValidator.LineKey(l.Name), StringComparer.Ordinal);
            foreach (var a in byInitiative[initiativeId])
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
                    unmatched.Add(new Unmatched(a, reason));
                }
            }
            if (bc.FirstYear is not { } from || bc.LastYear is not { } to)
            {
                continue;
            }
            var stored = byInitiative[initiativeId].ToDictionary(a => a.ActualId);
            foreach (var r in RealizationCalculator.Calculate(from, to, bc.Lines, matched))
            {
                var source = r.Source is { ActualId: { } id } ? stored[id] : null;
                rows.Add([
                    initiativeId, r.Line.Name, Labels.Of(r.Line.Type), r.Year, r.Planned, r.Actual, r.Variance, r.Rate,
                    r.PlannedAcc, r.ActualAcc, source?.ReportedBy, source?.ReportedAtUtc, source?.Comment,
                    bc.BcVersionId, r.Line.Row, source?.ActualId, RunId,
                ]);
            }
        }

        // The reasons: set where one is due, cleared where one no longer is (an actual replaced by a later one included).
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
            _logger.LogWarning("Run {RunId}: {Count} current actual(s) of {Initiative} no longer match its current business case: {Lines}",
                RunId, initiative.Count(), initiative.Key, string.Join("; ", initiative.Select(u => $"{u.Actual.BenefitLine} {u.Actual.Year}")));
        }

        if (wholeTable)
        {
            await InsertAsync(WarehouseTables.BenefitRealization, rows, ct);
            return;
        }
        if (!_indexInputsChanged)
        {
            // The index counts the realisation's reported values: it is recomputed only when those changed.
            var before = await ReadScopedAsync(
                "SELECT initiative_id, year, benefit_type, planned_value, actual_value FROM fct_benefit_realization WHERE actual_value IS NOT NULL AND {scope}",
                "initiative_id", scope, r => Reported(Text(r, 0), Int(r, 1), Text(r, 2), Dec(r, 3), Dec(r, 4)), ct);
            var after = rows.Where(r => r[5] is not null).Select(r => Reported((string)r[0]!, (int)r[3]!, (string)r[2]!, (decimal)r[4]!, (decimal)r[5]!));
            _indexInputsChanged = !before.Order(StringComparer.Ordinal).SequenceEqual(after.Order(StringComparer.Ordinal), StringComparer.Ordinal);
        }
        await ExecuteScopedAsync("DELETE FROM fct_benefit_realization WHERE {scope}", "initiative_id", scope, ct);
        await InsertAsync(WarehouseTables.BenefitRealization, rows, ct);
    }

    /// <summary>A reported realisation value as the index reads it, comparable as text, to the precision the warehouse keeps it.</summary>
    private static string Reported(string initiativeId, int year, string type, decimal planned, decimal actual) =>
        string.Create(CultureInfo.InvariantCulture, $"{initiativeId}|{year}|{type}|{Math.Round(planned, 6)}|{Math.Round(actual, 6)}");

    private sealed record CatalogueRow(string InitiativeId, string? ObjectId, string? ManagerEmail);

    private sealed record DeltaLink(string? Link);

    private sealed record CaseVersion(string InitiativeId, long BcVersionId, int? FirstYear, int? LastYear);

    private sealed record CaseLine(string InitiativeId, int LineRow, string LineName, string Category);

    private sealed record CaseValue(string InitiativeId, int LineRow, int Year, decimal Value);

    private sealed record ReasonUpdate(string? Reason, long ActualId, string InitiativeId);

    private sealed record Unmatched(StoredActual Actual, string Reason);

    private sealed record StoredActual(
        long ActualId, string InitiativeId, string BenefitLine, string BenefitLineKey, string BenefitType, int Year, decimal Value,
        string? Comment, string? ReportedBy, DateTime ReportedAtUtc);

    private sealed record CurrentBusinessCase(long BcVersionId, int? FirstYear, int? LastYear, List<PlannedBenefitLine> Lines);

    /// <summary>
    /// The current business case of every initiative of <paramref name="scope"/> (of all when null) with its benefit
    /// lines in row order, and their planned values when asked.
    /// </summary>
    private async Task<Dictionary<string, CurrentBusinessCase>> CurrentCasesAsync(bool withPlannedValues, IReadOnlyCollection<string>? scope, CancellationToken ct)
    {
        var versions = await ReadScopedAsync(
            "SELECT initiative_id, bc_version_id, first_year, last_year FROM fct_business_case_version WHERE is_current = 1 AND {scope}", "initiative_id", scope,
            r => new CaseVersion(Text(r, 0), Long(r, 1), IntOrNull(r, 2), IntOrNull(r, 3)), ct);
        var lines = await ReadScopedAsync(
            """
            SELECT v.initiative_id, l.line_row, l.line_name, l.category
            FROM raw_business_case_line l
            JOIN fct_business_case_version v ON v.file_id = l.file_id
            WHERE v.is_current = 1 AND l.line_kind = @Kind AND {scope}
            """, "v.initiative_id", scope, r => new CaseLine(Text(r, 0), Int(r, 1), Text(r, 2), Text(r, 3)), ct, ("@Kind", BenefitLineKind));
        var values = !withPlannedValues ? [] : await ReadScopedAsync(
            """
            SELECT v.initiative_id, r.line_row, r.year, r.value
            FROM raw_business_case_value r
            JOIN fct_business_case_version v ON v.file_id = r.file_id
            WHERE v.is_current = 1 AND r.line_kind = @Kind AND {scope}
            """, "v.initiative_id", scope, r => new CaseValue(Text(r, 0), Int(r, 1), Int(r, 2), Dec(r, 3)), ct, ("@Kind", BenefitLineKind));
        // Plain loops over classes: see RefreshRun.Sql.cs for why not LINQ over tuples here.
        var planned = new Dictionary<string, Dictionary<int, decimal>>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            var key = LineOf(v.InitiativeId, v.LineRow);
            if (!planned.TryGetValue(key, out var years))
            {
                planned[key] = years = [];
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
            foreach (var l in ofInitiative)
            {
                benefitLines.Add(new PlannedBenefitLine(l.LineRow, l.LineName, ParseType(l.Category), planned.GetValueOrDefault(LineOf(l.InitiativeId, l.LineRow)) ?? none));
            }
            cases[v.InitiativeId] = new CurrentBusinessCase(v.BcVersionId, v.FirstYear, v.LastYear, benefitLines);
        }
        return cases;
    }

    private static string LineOf(string initiativeId, int lineRow) => string.Create(CultureInfo.InvariantCulture, $"{initiativeId}\u001f{lineRow}");

    private static BenefitType ParseType(string label) =>
        Labels.TryParseBenefitType(label, out var type) ? type : throw new InvalidOperationException($"A benefit line's category is not a benefit type: {label}");
}
