using System.Collections.Concurrent;
using Azure.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Drives.Item.Items.Item.Delta;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.SharePoint;

/// <summary>
/// Uploaded workbooks of one kind in a SharePoint document library (optionally one folder of it and its
/// subfolders), read through Graph's drive API: the whole library through <c>root/delta</c> on a first
/// run, then only what changed since the kept <c>@odata.deltaLink</c>, so that only new or changed files
/// are downloaded. Result workbooks are written back beside their upload. Failures throw
/// <see cref="DocumentLibraryException"/> with a Swedish message.
/// </summary>
public sealed class GraphLibrarySource : IUploadSource, IDisposable
{
    /// <summary>Graph's limit for a single-request upload; larger files need an upload session.</summary>
    public const long SmallUploadLimit = 4 * 1024 * 1024;

    private const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const string Permissions = "Sites.ReadWrite.All, eller Sites.Selected med skrivrätt";

    private readonly GraphOptions _options;
    private readonly GraphLibraryOptions _library;
    private readonly string _setting;
    private readonly string _folder;
    private readonly ILogger<GraphLibrarySource> _logger;
    private readonly HttpClient _http;
    private readonly GraphServiceClient _client;
    private readonly SemaphoreSlim _driveLock = new(1, 1);
    private readonly ConcurrentDictionary<string, string> _parents = new(StringComparer.Ordinal);
    private Drive? _drive;
    private Task<bool>? _statusColumns;

    /// <summary>The internal name of the library's choice column that shows each upload's status.</summary>
    public const string StatusColumn = "Inlasningsstatus";

    /// <summary>The internal name of the library's note column that shows each upload's message.</summary>
    public const string MessageColumn = "Inlasningsmeddelande";

    /// <param name="kind"><see cref="Warehouse.Loading.SourceKind.BusinessCase"/> or <see cref="Warehouse.Loading.SourceKind.Actuals"/>: which library of the options it reads.</param>
    /// <param name="extensions">The file types read: those of the kind's reader (<see cref="Pipeline.IUploadReader.Extensions"/>).</param>
    /// <param name="credential">Production: <see cref="GraphCredentials.Create"/>; tests: a fixed token.</param>
    /// <exception cref="ArgumentException">The options are not usable, no tenant is enabled, or the library of this kind is turned off.</exception>
    public GraphLibrarySource(GraphOptions options, string kind, IReadOnlyList<string> extensions, TokenCredential credential, ILogger<GraphLibrarySource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(logger);
        GraphClients.EnsureUsable(options, "the document libraries");
        (_setting, _library) = options.LibraryFor(kind);
        if (!_library.IsEnabled)
        {
            throw new ArgumentException($"{_setting}:Library is empty: the document library source of {kind} workbooks is turned off", nameof(options));
        }
        _options = options;
        _logger = logger;
        _folder = _library.NormalizedFolder;
        Kind = kind;
        _extensions = extensions;
        StateKey = $"graph-library:{kind}:{_library.Library.Trim()}/{_folder}";
        (_http, _client) = GraphClients.Create(options, credential, logger);
    }

    /// <summary>The files this library's kind is read from: workbooks, and for the survey also <c>.csv</c> exports.</summary>
    private readonly IReadOnlyList<string> _extensions;

    public string Kind { get; }

    /// <summary><c>graph-library:{kind}:{library}/{folder}</c>: one delta link per library folder and kind.</summary>
    public string? StateKey { get; }

    /// <summary>The same as <see cref="StateKey"/>: one library folder and kind.</summary>
    public string SourceKey => StateKey!;

    /// <summary>None: a result workbook is uploaded whole, in one request.</summary>
    public Task<IReadOnlyList<string>> RemoveTemporariesAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>For the operator: where the uploads are read from.</summary>
    public override string ToString() =>
        $"the SharePoint document library {_library.Library.Trim()}{(_folder.Length > 0 ? $", folder {_folder}" : string.Empty)} through Microsoft Graph at {_options.NormalizedBaseUrl}";

    /// <summary>
    /// Without <paramref name="deltaLink"/>: every workbook of the folder. With one: those new or changed
    /// since, and the removed ones; when Graph no longer knows the link (410 Gone, or a resync error code),
    /// every workbook again. Only <c>.xlsx</c> files inside the configured folder count; result workbooks
    /// and Excel's lock files never do. A file whose name is not a plain file name is listed with a
    /// <see cref="Upload.Refusal"/>.
    /// </summary>
    public async Task<UploadListing> ListAsync(string? deltaLink, CancellationToken ct)
    {
        var drive = await DriveAsync(ct);
        if (!string.IsNullOrWhiteSpace(deltaLink))
        {
            try
            {
                var changes = await ReadPagesAsync(drive, deltaLink, ct);
                return await ListingAsync(drive, changes, "changes", ct);
            }
            catch (DeltaExpiredException e)
            {
                _logger.LogWarning(
                    "Microsoft Graph no longer knows the delta link of document library {Library} (HTTP {Status}, {Code}); listing the whole library instead",
                    drive.Name, e.Status, e.Code ?? "no error code");
            }
        }

        // The delta function without a token enumerates the whole drive and ends with the link for the
        // changes after it. For SharePoint it is offered on the root only.
        var first = $"{_options.NormalizedBaseUrl}/drives/{Uri.EscapeDataString(drive.Id!)}/root/delta";
        DrivePages all;
        try
        {
            all = await ReadPagesAsync(drive, first, ct);
        }
        catch (DeltaExpiredException e)
        {
            throw new DocumentLibraryException(drive.Name!, $"Dokumentbiblioteket {drive.Name} kunde inte läsas: Microsoft Graph avbröt läsningen av hela biblioteket (HTTP {e.Status}, {e.Code ?? "ingen felkod"}).", e.InnerException);
        }
        // A whole enumeration has nothing removed since: what it holds is the library.
        return await ListingAsync(drive, all with { Items = [.. all.Items.Where(i => i.Deleted is null)] }, "whole", ct);
    }

    /// <summary>The upload's bytes, through Graph's redirect to its download URL; null when it is larger than <paramref name="maxBytes"/>.</summary>
    /// <exception cref="InvalidOperationException">The upload was refused: it is never downloaded.</exception>
    public async Task<byte[]?> ReadAsync(Upload upload, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (upload.Refusal is not null)
        {
            throw new InvalidOperationException($"{upload.Name} was refused ({upload.Refusal}); it is never downloaded");
        }
        if (upload.SizeBytes > maxBytes)
        {
            _logger.LogWarning("Did not download {Upload}: {Bytes} bytes is more than the {MaxBytes} allowed", upload.Name, upload.SizeBytes, maxBytes);
            return null;
        }
        var drive = await DriveAsync(ct);
        try
        {
            var content = await _client.Drives[drive.Id].Items[upload.Id].Content.GetAsync(cancellationToken: ct)
                ?? throw new IOException("Microsoft Graph answered without content");
            await using (content)
            {
                using var buffer = new MemoryStream();
                var chunk = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(chunk, ct)) > 0)
                {
                    // The listed size may be stale; what arrives is what counts.
                    if (buffer.Length + read > maxBytes)
                    {
                        _logger.LogWarning("Stopped downloading {Upload}: it holds more than the {MaxBytes} bytes allowed", upload.Name, maxBytes);
                        return null;
                    }
                    buffer.Write(chunk, 0, read);
                }
                _logger.LogInformation("Downloaded {Upload} ({Bytes} bytes, item {ItemId}) from document library {Library}", upload.Name, buffer.Length, upload.Id, drive.Name);
                return buffer.ToArray();
            }
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw new DocumentLibraryException(drive.Name!, $"Filen {upload.Name} kunde inte hämtas: {GraphClients.Describe(e, _options, $"filen {upload.Name}", Permissions)}", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="workbook"/> as <see cref="Upload.ResultName"/> into the upload's folder, replacing an
    /// earlier result of the same name.
    /// </summary>
    /// <exception cref="InvalidOperationException">The upload was refused, or its result name is not a plain file name: nothing is written.</exception>
    public async Task WriteResultAsync(Upload upload, byte[] workbook, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(workbook);
        if (upload.Refusal is not null || !Upload.IsSafeFileName(upload.FileName))
        {
            throw new InvalidOperationException($"{upload.Name} was refused; nothing is ever written for it");
        }
        var resultName = upload.ResultName;
        if (!Upload.IsSafeFileName(resultName) || !Upload.IsIgnoredName(resultName))
        {
            throw new InvalidOperationException($"The result name \"{resultName}\" of {upload.Name} is not a plain result file name; nothing is written");
        }
        var drive = await DriveAsync(ct);
        var target = $"resultatfilen {resultName} bredvid {upload.Name}";
        if (workbook.Length >= SmallUploadLimit)
        {
            throw new DocumentLibraryException(drive.Name!, $"Resultatfilen {resultName} är {workbook.Length} byte; en resultatfil till ett dokumentbibliotek får vara högst 4 MB.");
        }
        try
        {
            var parentId = _parents.TryGetValue(upload.Id, out var known) ? known : await ParentIdAsync(drive, upload, ct);
            // PUT /drives/{drive}/items/{parent-id}:/{name}:/content, Graph's upload of a small file by its parent and name.
            var url = $"{_options.NormalizedBaseUrl}/drives/{Uri.EscapeDataString(drive.Id!)}/items/{Uri.EscapeDataString(parentId)}:/{Uri.EscapeDataString(resultName)}:/content"
                + "?@microsoft.graph.conflictBehavior=replace";
            using var body = new MemoryStream(workbook, writable: false);
            var request = new RequestInformation { HttpMethod = Method.PUT, URI = new Uri(url) };
            request.Headers.Add("Accept", "application/json");
            request.SetStreamContent(body, XlsxContentType);
            var written = await _client.RequestAdapter.SendAsync(request, DriveItem.CreateFromDiscriminatorValue, GraphClients.ErrorMapping, ct);
            _logger.LogInformation(
                "Wrote the result workbook {Result} ({Bytes} bytes, item {ItemId}) beside {Upload} in document library {Library}",
                resultName, workbook.Length, written?.Id, upload.Name, drive.Name);
        }
        catch (Exception e) when (e is not DocumentLibraryException && !(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw new DocumentLibraryException(drive.Name!, $"Resultatfilen {resultName} kunde inte skrivas bredvid {upload.Name}: {GraphClients.Describe(e, _options, target, Permissions)}", e);
        }
    }

    /// <summary>
    /// Whether the library has the status columns, by their internal names: <c>GET /drives/{drive-id}/list/columns</c>
    /// ("List columns in a list", https://learn.microsoft.com/en-us/graph/api/list-list-columns), asked once for this
    /// source. Columns that cannot be read count as none (logged): the result workbooks then stay the feedback.
    /// </summary>
    public Task<bool> HasStatusColumnsAsync(CancellationToken ct) => LazyInitializer.EnsureInitialized(ref _statusColumns, () => ReadStatusColumnsAsync(ct));

    private async Task<bool> ReadStatusColumnsAsync(CancellationToken ct)
    {
        Drive drive;
        try
        {
            drive = await DriveAsync(ct);
        }
        catch (DocumentLibraryException e)
        {
            _logger.LogWarning(e, "Could not find document library {Library} to read its columns; no status is written there", _library.Library.Trim());
            return false;
        }
        try
        {
            var columns = new List<ColumnDefinition>();
            var page = await _client.Drives[drive.Id].List.Columns.GetAsync(c => c.QueryParameters.Select = ["name", "displayName", "choice"], ct);
            var followed = new HashSet<string>(StringComparer.Ordinal);
            while (page is not null)
            {
                columns.AddRange(page.Value ?? []);
                if (string.IsNullOrEmpty(page.OdataNextLink) || !followed.Add(page.OdataNextLink))
                {
                    break;
                }
                page = await _client.Drives[drive.Id].List.Columns.WithUrl(page.OdataNextLink).GetAsync(cancellationToken: ct);
            }
            var status = columns.FirstOrDefault(c => string.Equals(c.Name, StatusColumn, StringComparison.Ordinal));
            var message = columns.FirstOrDefault(c => string.Equals(c.Name, MessageColumn, StringComparison.Ordinal));
            if (status is null || message is null)
            {
                _logger.LogInformation(
                    "Document library {Library} has {Has} of the status columns {StatusColumn} and {MessageColumn}; the uploads' statuses are not written there",
                    drive.Name, status is null && message is null ? "neither" : "only one", StatusColumn, MessageColumn);
                return false;
            }
            var missing = status.Choice?.Choices is { } choices ? FileStatus.All.Except(choices, StringComparer.Ordinal).ToList() : [];
            if (missing.Count > 0)
            {
                _logger.LogWarning("The column {StatusColumn} of document library {Library} lacks the choices {Missing}; SharePoint may refuse those statuses",
                    StatusColumn, drive.Name, string.Join(", ", missing));
            }
            _logger.LogInformation("Document library {Library} has the status columns {StatusColumn} and {MessageColumn}: each processed upload gets its status there",
                drive.Name, StatusColumn, MessageColumn);
            return true;
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            _logger.LogWarning(e, "Could not read the columns of document library {Library}: {Reason}; no status is written there",
                drive.Name, GraphClients.Describe(e, _options, $"kolumnerna i dokumentbiblioteket {drive.Name}", Permissions));
            return false;
        }
    }

    /// <summary>
    /// Sets the upload's status and message in the library's columns, by its item id (so a refused upload's unsafe name
    /// is never used): <c>PATCH /drives/{drive-id}/items/{item-id}/listItem/fields</c> with
    /// <c>{"Inlasningsstatus": "...", "Inlasningsmeddelande": "..."}</c> ("Update listItem", "Update column values on a
    /// listItem", https://learn.microsoft.com/en-us/graph/api/listitem-update). Sent through the Graph client's handlers,
    /// so that throttling (429, 503 with Retry-After) is waited out. It changes the item's eTag but not its cTag.
    /// </summary>
    public async Task SetStatusAsync(Upload upload, string status, string message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(status);
        var drive = await DriveAsync(ct);
        try
        {
            // Written out: the SDK's drive item has no request builder for its list item's fields.
            var url = $"{_options.NormalizedBaseUrl}/drives/{Uri.EscapeDataString(drive.Id!)}/items/{Uri.EscapeDataString(upload.Id)}/listItem/fields";
            var request = new RequestInformation { HttpMethod = Method.PATCH, URI = new Uri(url) };
            request.Headers.Add("Accept", "application/json");
            var fields = new FieldValueSet { AdditionalData = new Dictionary<string, object> { [StatusColumn] = status, [MessageColumn] = message ?? string.Empty } };
            request.SetContentFromParsable(_client.RequestAdapter, "application/json", fields);
            await _client.RequestAdapter.SendAsync(request, FieldValueSet.CreateFromDiscriminatorValue, GraphClients.ErrorMapping, ct);
            _logger.LogInformation("Set the status of {Upload} in document library {Library} to {Status}", upload.Name, drive.Name, status);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw new DocumentLibraryException(drive.Name!,
                $"Statusen för {upload.Name} kunde inte skrivas i dokumentbiblioteket {drive.Name}: {GraphClients.Describe(e, _options, $"filen {upload.Name}", Permissions)}", e);
        }
    }

    /// <summary>
    /// Removes the result workbook beside the upload, if there is one: <c>DELETE /drives/{drive-id}/items/{parent-id}:/{name}:</c>
    /// ("Delete a DriveItem", https://learn.microsoft.com/en-us/graph/api/driveitem-delete, addressed by path); 404 means
    /// there was none.
    /// </summary>
    /// <exception cref="InvalidOperationException">The upload was refused, or its result name is not a plain result file name: nothing is removed.</exception>
    public async Task RemoveResultAsync(Upload upload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var resultName = upload.ResultName;
        if (upload.Refusal is not null || !Upload.IsSafeFileName(upload.FileName) || !Upload.IsSafeFileName(resultName) || !Upload.IsIgnoredName(resultName))
        {
            throw new InvalidOperationException($"{upload.Name} was refused, or \"{resultName}\" is not a plain result file name; nothing is removed");
        }
        var drive = await DriveAsync(ct);
        try
        {
            var parentId = _parents.TryGetValue(upload.Id, out var known) ? known : await ParentIdAsync(drive, upload, ct);
            var url = $"{_options.NormalizedBaseUrl}/drives/{Uri.EscapeDataString(drive.Id!)}/items/{Uri.EscapeDataString(parentId)}:/{Uri.EscapeDataString(resultName)}:";
            var request = new RequestInformation { HttpMethod = Method.DELETE, URI = new Uri(url) };
            await _client.RequestAdapter.SendNoContentAsync(request, GraphClients.ErrorMapping, ct);
            _logger.LogInformation("Removed the stale result workbook {Result} beside {Upload} in document library {Library}", resultName, upload.Name, drive.Name);
        }
        catch (ApiException e) when (e.ResponseStatusCode == 404)
        {
            // None there: the upload's earlier versions had none, or someone removed it.
        }
        catch (Exception e) when (e is not DocumentLibraryException && !(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw new DocumentLibraryException(drive.Name!,
                $"Resultatfilen {resultName} bredvid {upload.Name} kunde inte tas bort: {GraphClients.Describe(e, _options, $"resultatfilen {resultName}", Permissions)}", e);
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
        _driveLock.Dispose();
    }

    private sealed record DrivePages(IReadOnlyList<DriveItem> Items, string? DeltaLink, int Pages);

    /// <summary>Graph cannot give the changes since the link: list the whole library again.</summary>
    private sealed class DeltaExpiredException(int status, string? code, Exception inner) : Exception($"Delta link expired: HTTP {status} {code}", inner)
    {
        public int Status { get; } = status;

        public string? Code { get; } = code;
    }

    private async Task<DrivePages> ReadPagesAsync(Drive drive, string firstUrl, CancellationToken ct)
    {
        var all = await GraphDeltaPager.ReadAsync(
            async (next, token) =>
            {
                DeltaGetResponse? page;
                try
                {
                    page = await new DeltaRequestBuilder(next ?? firstUrl, _client.RequestAdapter).GetAsDeltaGetResponseAsync(cancellationToken: token);
                }
                catch (Exception e) when (GraphClients.IsDeltaExpired(e, out var status, out var code))
                {
                    throw new DeltaExpiredException(status, code, e);
                }
                catch (Exception e) when (!(e is OperationCanceledException && token.IsCancellationRequested))
                {
                    throw Unreadable(drive, e);
                }
                return new DeltaPage<DriveItem>(page?.Value ?? [], string.IsNullOrEmpty(page?.OdataNextLink) ? null : page.OdataNextLink, page?.OdataDeltaLink);
            },
            item => string.IsNullOrEmpty(item.Id) ? null : item.Id,
            () => new DocumentLibraryException(drive.Name!, $"Dokumentbiblioteket {drive.Name} kunde inte läsas: Microsoft Graph skickade samma sidlänk (@odata.nextLink) två gånger; läsningen skulle aldrig ta slut."),
            ct);
        return new DrivePages(all.Items, all.DeltaLink, all.Pages);
    }

    private async Task<UploadListing> ListingAsync(Drive drive, DrivePages pages, string mode, CancellationToken ct)
    {
        var folders = new Dictionary<string, string?>(StringComparer.Ordinal);
        var uploads = new List<Upload>();
        var removed = new List<string>();
        foreach (var item in pages.Items)
        {
            var name = item.Name ?? string.Empty;
            if (item.Folder is not null || item.Root is not null
                || !_extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)) || Upload.IsIgnoredName(name))
            {
                continue;
            }
            if (item.Deleted is not null)
            {
                _parents.TryRemove(item.Id!, out _);
                // A removed item may come without its folder; it is then named by its file name only.
                var where = await FolderOfAsync(drive, item, folders, ct, mayBeGone: true);
                if (where is null)
                {
                    removed.Add(name);
                }
                else if (GraphLibraryOptions.Contains(_folder, where))
                {
                    removed.Add(NameOf(drive, where, name));
                }
                continue;
            }
            if (item.File is null)
            {
                continue;
            }
            var folder = await FolderOfAsync(drive, item, folders, ct, mayBeGone: false);
            if (folder is null || !GraphLibraryOptions.Contains(_folder, folder))
            {
                continue;
            }
            if (item.ParentReference?.Id is { Length: > 0 } parentId)
            {
                _parents[item.Id!] = parentId;
            }
            var refusal = Upload.RefusalOf(name);
            if (refusal is not null)
            {
                _logger.LogWarning("Refused {Name} (item {ItemId}) in document library {Library}: not a plain file name", name, item.Id, drive.Name);
            }
            uploads.Add(new Upload(
                NameOf(drive, folder, name),
                name,
                item.Id!,
                item.Size ?? 0,
                item.LastModifiedDateTime?.UtcDateTime ?? DateTime.MinValue,
                EmailOf(item.LastModifiedBy) ?? EmailOf(item.CreatedBy),
                item.WebUrl,
                refusal) { ContentTag = string.IsNullOrEmpty(item.CTag) ? null : item.CTag });
        }
        var ordered = uploads.OrderBy(u => u.ModifiedUtc).ThenBy(u => u.Name, StringComparer.Ordinal).ToList();
        _logger.LogInformation(
            "Listed the {Mode} document library {Library}{Folder} through Microsoft Graph: {Uploads} new or changed workbook(s) ({Refused} refused), {Removed} removed, in {Pages} page(s)",
            mode, drive.Name, _folder.Length > 0 ? $" folder {_folder}" : string.Empty, ordered.Count, ordered.Count(u => u.Refusal is not null), removed.Count, pages.Pages);
        if (pages.DeltaLink is null)
        {
            _logger.LogWarning("Microsoft Graph gave no @odata.deltaLink for document library {Library}; the next run lists the whole library again", drive.Name);
        }
        return new UploadListing(ordered, pages.DeltaLink, removed);
    }

    /// <summary>
    /// The folder of an item inside the library ("" for its top), from <c>parentReference.path</c>
    /// (<c>/drives/{id}/root:/Folder/Sub</c>). Graph's delta may leave the path out; then the parent is
    /// asked for its own path, once per parent.
    /// </summary>
    private async Task<string?> FolderOfAsync(Drive drive, DriveItem item, Dictionary<string, string?> known, CancellationToken ct, bool mayBeGone)
    {
        if (FolderOfPath(item.ParentReference?.Path) is { } folder)
        {
            return folder;
        }
        if (item.ParentReference?.Id is not { Length: > 0 } parentId)
        {
            return null;
        }
        if (known.TryGetValue(parentId, out var cached))
        {
            return cached;
        }
        DriveItem? parent;
        try
        {
            parent = await _client.Drives[drive.Id].Items[parentId].GetAsync(c => c.QueryParameters.Select = ["id", "name", "root", "parentReference"], ct);
        }
        catch (ApiException e) when (mayBeGone && e.ResponseStatusCode == 404)
        {
            return known[parentId] = null;
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw Unreadable(drive, e);
        }
        var result = parent is null ? null
            : parent.Root is not null ? string.Empty
            : FolderOfPath(parent.ParentReference?.Path) is { } above ? (above.Length == 0 ? parent.Name : $"{above}/{parent.Name}")
            : null;
        return known[parentId] = result;
    }

    private static string? FolderOfPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        var at = path.IndexOf("root:", StringComparison.Ordinal);
        return at < 0 ? null : Uri.UnescapeDataString(path[(at + "root:".Length)..]).Trim('/');
    }

    private static string NameOf(Drive drive, string folder, string fileName) =>
        folder.Length == 0 ? $"{drive.Name}/{fileName}" : $"{drive.Name}/{folder}/{fileName}";

    /// <summary>SharePoint puts the user's e-mail among the identity's additional data; else the user principal name.</summary>
    private static string? EmailOf(IdentitySet? identities)
    {
        var data = identities?.User?.AdditionalData;
        if (data is null)
        {
            return null;
        }
        foreach (var key in new[] { "email", "userPrincipalName" })
        {
            var value = data.TryGetValue(key, out var raw) ? raw switch
            {
                string s => s,
                UntypedString u => u.GetValue(),
                _ => null,
            } : null;
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }
        return null;
    }

    private async Task<string> ParentIdAsync(Drive drive, Upload upload, CancellationToken ct)
    {
        var item = await _client.Drives[drive.Id].Items[upload.Id].GetAsync(c => c.QueryParameters.Select = ["id", "parentReference"], ct);
        return item?.ParentReference?.Id is { Length: > 0 } id
            ? _parents[upload.Id] = id
            : throw new DocumentLibraryException(drive.Name!, $"Microsoft Graph gav ingen mapp för filen {upload.Name}; resultatfilen skrevs inte.");
    }

    /// <summary>The configured library's drive, looked up once among the site's drives by name or id.</summary>
    private async Task<Drive> DriveAsync(CancellationToken ct)
    {
        await _driveLock.WaitAsync(ct);
        try
        {
            if (_drive is not null)
            {
                return _drive;
            }
            var wanted = _library.Library.Trim();
            var site = GraphClients.SiteTarget(_options);
            var drives = new List<Drive>();
            try
            {
                var siteId = !string.IsNullOrWhiteSpace(_options.SiteId)
                    ? _options.SiteId.Trim()
                    : await GraphClients.LookUpSiteIdAsync(_client, _options, ct)
                        ?? throw new DocumentLibraryException(wanted, $"Dokumentbiblioteket {wanted} kunde inte läsas: Microsoft Graph gav inget id för {site}.");
                var page = await _client.Sites[siteId].Drives.GetAsync(c => c.QueryParameters.Select = ["id", "name", "webUrl"], ct);
                var followed = new HashSet<string>(StringComparer.Ordinal);
                while (page is not null)
                {
                    drives.AddRange(page.Value ?? []);
                    if (string.IsNullOrEmpty(page.OdataNextLink) || !followed.Add(page.OdataNextLink))
                    {
                        break;
                    }
                    page = await _client.Sites[siteId].Drives.WithUrl(page.OdataNextLink).GetAsync(cancellationToken: ct);
                }
            }
            catch (Exception e) when (e is not DocumentLibraryException && !(e is OperationCanceledException && ct.IsCancellationRequested))
            {
                throw new DocumentLibraryException(wanted, $"Dokumentbiblioteket {wanted} kunde inte läsas: {GraphClients.Describe(e, _options, site, Permissions)}", e);
            }
            var drive = drives.FirstOrDefault(d => string.Equals(d.Id, wanted, StringComparison.Ordinal))
                ?? drives.FirstOrDefault(d => string.Equals(d.Name?.Trim(), wanted, StringComparison.OrdinalIgnoreCase));
            if (drive?.Id is null || string.IsNullOrWhiteSpace(drive.Name))
            {
                var existing = drives.Select(d => d.Name).Where(n => !string.IsNullOrWhiteSpace(n)).Order(StringComparer.OrdinalIgnoreCase).ToList();
                throw new DocumentLibraryException(wanted,
                    $"Dokumentbiblioteket \"{wanted}\" ({_setting}:Library) finns inte på {site}" +
                    (existing.Count > 0 ? $"; där finns {string.Join(", ", existing.Select(n => $"\"{n}\""))}." : "; där finns inga dokumentbibliotek."));
            }
            _logger.LogInformation("Document library {Library} ({Setting}) is the drive {DriveId}", drive.Name, _setting, drive.Id);
            return _drive = drive;
        }
        finally
        {
            _driveLock.Release();
        }
    }

    private DocumentLibraryException Unreadable(Drive drive, Exception e) =>
        new(drive.Name!, $"Dokumentbiblioteket {drive.Name} kunde inte läsas: {GraphClients.Describe(e, _options, $"dokumentbiblioteket {drive.Name}", Permissions)}", e);
}

/// <summary>A document library could not be listed, a file in it not downloaded, or a result not written; the message is Swedish.</summary>
public sealed class DocumentLibraryException(string library, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The library as configured or as SharePoint names it.</summary>
    public string Library { get; } = library;
}
