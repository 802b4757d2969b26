using NackaInsights.Warehouse.Storage;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

using static NackaInsights.Warehouse.Runs.Columns;
using static NackaInsights.Warehouse.Runs.KeySpelling;

using NackaInsights.Warehouse.Loads;
using NackaInsights.Warehouse.Marts;

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
    private readonly Dictionary<string, string?> _uploadDeltaLinks = new(StringComparer.Ordinal);
    private ActualsCatalogue? _catalogue;

    /// <summary>What the catalogue reads: only the marts that make these are built before an actuals workbook is judged.</summary>
    private static readonly string[] CatalogueTables = ["dim_initiative", "dim_object", "fct_business_case_version", "raw_business_case_line"];
    private readonly ActualsLoad _actualsLoad = new();

    /// <summary>
    /// What actuals rows are judged by, as of this point of the run: the model is first brought up to
    /// date with the business cases and lists loaded so far. Kept until the run loads something that changes it.
    /// </summary>
    public async Task<ActualsCatalogue> GetActualsCatalogueAsync(CancellationToken ct)
    {
        await BringModelUpToDateAsync(CatalogueTables, ct);
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
        var cases = await RealizationMart.CurrentCasesAsync(_sql, withPlannedValues: false, null, ct);
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
        if (!_actualsLoad.NumbersActuals)
        {
            _actualsLoad.NumberActualsFrom(await CountAsync("SELECT COALESCE(MAX(actual_id), 0) FROM fct_benefit_actual", ct) + 1);
        }

        var (accepted, rejected, notReported) = (validation.Accepted, validation.Rejected, validation.NotReported);
        var status = rejected == 0 ? FileStatus.Loaded : accepted > 0 ? FileStatus.PartlyLoaded : FileStatus.Rejected;
        var fileId = _ledger.NextFileId;
        // An accepted row naming its initiative in other letter case is taken as the initiative, which the file is told.
        var notes = validation.Rows
            .Where(o => o.Status == ActualRowStatus.Accepted && !string.Equals(o.Row.InitiativeId!.Trim(), catalogue.Find(o.Row.InitiativeId)!.InitiativeId, StringComparison.Ordinal))
            .Select(o => SourceProblem.ForCell(file.Name, upload.SheetName, upload.Columns.InitiativeId + o.Row.Row.ToString(CultureInfo.InvariantCulture),
                KeyVariantMessage("Initiativ-ID", o.Row.InitiativeId!.Trim(), catalogue.Find(o.Row.InitiativeId)!.InitiativeId)) with { IsNotice = true })
            .ToList();
        await AddFileAsync(file, status, accepted, rejected, ActualsMessage(upload.ObjectId, accepted, rejected, notReported) + KeyVariantsSentence(notes.Count),
            [.. validation.Problems, .. notes], ct);

        _actualsLoad.Take(file, upload, validation, catalogue, fileId, RunId, StartedAtUtc, _buffer);
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

    /// <summary>At completion: keeps the uploads' delta links, so that they advance only when the run publishes.</summary>
    private async Task CompleteUploadStateAsync(CancellationToken ct)
    {
        foreach (var (key, link) in _uploadDeltaLinks)
        {
            await ExecuteAsync("DELETE FROM etl_upload_state WHERE source_key = @key", [("@key", key)], ct);
            await InsertAsync(WarehouseTables.EtlUploadState, [[key, link, RunId, _time.UtcNowToTheMillisecond()]], ct);
        }
    }

    private sealed record CatalogueRow(string InitiativeId, string? ObjectId, string? ManagerEmail);

    private sealed record DeltaLink(string? Link);


    private sealed record StoredActual(
        long ActualId, string InitiativeId, string BenefitLine, string BenefitLineKey, string BenefitType, int Year, decimal Value,
        string? Comment, string? ReportedBy, DateTime ReportedAtUtc);
}
