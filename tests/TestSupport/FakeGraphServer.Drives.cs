using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace NackaInsights.TestSupport;

public sealed partial class FakeGraphServer
{
    /// <summary>The host name of download URLs: this server, under another name than the base URL's 127.0.0.1.</summary>
    public const string DownloadHost = "localhost";

    private const string DownloadPrefix = "/download/";

    /// <summary>
    /// Whether delta answers leave out <c>parentReference.path</c>, as SharePoint's drive delta does; a client
    /// then has to ask for the parent folder. Off by default: the path is given.
    /// </summary>
    public bool OmitParentPathsInDelta { get; set; }

    /// <summary>The document library with this name, created empty the first time.</summary>
    public FakeDrive Drive(string name)
    {
        lock (_gate)
        {
            if (!_drives.TryGetValue(name, out var drive))
            {
                drive = new FakeDrive(this, name);
                _drives[name] = drive;
                _drives[drive.Id] = drive;
            }
            return drive;
        }
    }

    /// <summary>One <c>PATCH …/items/{item-id}/listItem/fields</c> that was answered 200, with its body as sent.</summary>
    public sealed record FieldPatch(string Library, string ItemId, string ItemName, JsonObject Body);

    private readonly List<FieldPatch> _fieldPatches = [];

    /// <summary>The list item field updates applied so far, in order.</summary>
    public IReadOnlyList<FieldPatch> FieldPatches
    {
        get
        {
            lock (_gate)
            {
                return [.. _fieldPatches];
            }
        }
    }

    /// <summary>The requests that fetched a file's bytes (the download URL the content endpoint redirects to).</summary>
    public IReadOnlyList<LoggedRequest> Downloads => [.. Requests.Where(r => r.PathAndQuery.StartsWith(DownloadPrefix, StringComparison.Ordinal))];

    /// <summary>A file or folder of a document library.</summary>
    public sealed class FakeDriveItem
    {
        internal FakeDriveItem(string id, string name, FakeDriveItem? parent, bool isFolder)
        {
            Id = id;
            Name = name;
            Parent = parent;
            IsFolder = isFolder;
        }

        public string Id { get; }

        public string Name { get; }

        /// <summary>Null for the library's root.</summary>
        public FakeDriveItem? Parent { get; }

        public bool IsFolder { get; }

        public byte[] Bytes { get; internal set; } = [];

        /// <summary>Its list item's column values, as PATCHes left them (the library's own columns only).</summary>
        public JsonObject Fields { get; } = [];

        /// <summary>Bumped when its content changes, not its columns: what its <c>cTag</c> says.</summary>
        internal long ContentVersion { get; set; }

        public DateTimeOffset LastModified { get; internal set; }

        /// <summary>The e-mail of the user who last changed it; null when an application did.</summary>
        public string? ModifiedBy { get; internal set; }

        internal long Version { get; set; }

        /// <summary>The folder path inside the library, e.g. <c>Inkommande/2024</c>; empty for the root and its direct children's parent.</summary>
        public string FolderPath => Parent is null || Parent.Parent is null ? string.Empty
            : Parent.FolderPath.Length == 0 ? Parent.Name : $"{Parent.FolderPath}/{Parent.Name}";
    }

    /// <summary>One document library of the site: a tree of folders and files, each stamped with the version that last changed it.</summary>
    public sealed class FakeDrive
    {
        private readonly FakeGraphServer _server;
        internal readonly Dictionary<string, FakeDriveItem> Items = new(StringComparer.Ordinal);
        internal readonly Dictionary<string, (FakeDriveItem Item, long Version)> Deleted = new(StringComparer.Ordinal);

        internal FakeDrive(FakeGraphServer server, string name)
        {
            _server = server;
            Name = name;
            Root = new FakeDriveItem(NewItemId(), "root", null, isFolder: true);
        }

        public string Name { get; }

        /// <summary>A drive id as SharePoint makes them: <c>b!</c> and URL-safe base64.</summary>
        public string Id { get; } = "b!" + Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray())
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public FakeDriveItem Root { get; }

        /// <summary>The library's columns beyond SharePoint's own, as <c>/list/columns</c> gives their definitions.</summary>
        internal List<JsonObject> Columns { get; } = [];

        /// <summary>
        /// Adds the status columns of sharepoint-lists.md, as an administrator would: <c>Inlasningsstatus</c>, a choice of
        /// <paramref name="choices"/> (the contract's four unless given), and <c>Inlasningsmeddelande</c>, a note.
        /// </summary>
        public FakeDrive WithStatusColumns(params string[] choices)
        {
            lock (_server._gate)
            {
                Columns.Add(new JsonObject
                {
                    ["id"] = Guid.NewGuid().ToString(), ["name"] = "Inlasningsstatus", ["displayName"] = "Inläsningsstatus",
                    ["choice"] = new JsonObject
                    {
                        ["allowTextEntry"] = false, ["displayAs"] = "dropDownMenu",
                        ["choices"] = new JsonArray([.. (choices.Length > 0 ? choices : ["Inläst", "Delvis inläst", "Avvisad", "Oförändrad"]).Select(c => (JsonNode)c)]),
                    },
                });
                Columns.Add(new JsonObject
                {
                    ["id"] = Guid.NewGuid().ToString(), ["name"] = "Inlasningsmeddelande", ["displayName"] = "Inläsningsmeddelande",
                    ["text"] = new JsonObject { ["allowMultipleLines"] = true, ["linesForEditing"] = 6, ["maxLength"] = 63999 },
                });
            }
            return this;
        }

        /// <summary>A column a person sets by hand; a PATCH of it, as a user's edit would, changes the item's eTag and not its cTag.</summary>
        public FakeDrive WithColumn(string name)
        {
            lock (_server._gate)
            {
                Columns.Add(new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["name"] = name, ["displayName"] = name, ["text"] = new JsonObject() });
            }
            return this;
        }

        /// <summary>A person sets a column of a file in the browser: its columns change, its content does not.</summary>
        public void EditColumn(FakeDriveItem item, string name, string value)
        {
            lock (_server._gate)
            {
                item.Fields[name] = value;
                item.ModifiedBy = "anna.svensson@nacka.se";
                item.LastModified = DateTimeOffset.UtcNow;
                item.Version = ++_server._version;
            }
        }

        /// <summary>The folder at <paramref name="path"/> ('/'-separated; empty for the root), created with its parents as needed.</summary>
        public FakeDriveItem Folder(string path)
        {
            lock (_server._gate)
            {
                var folder = Root;
                foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
                {
                    var existing = Children(folder).FirstOrDefault(i => i.IsFolder && i.Name.Equals(part, StringComparison.OrdinalIgnoreCase));
                    if (existing is null)
                    {
                        existing = new FakeDriveItem(NewItemId(), part, folder, isFolder: true) { LastModified = DateTimeOffset.UtcNow, Version = ++_server._version };
                        Items[existing.Id] = existing;
                    }
                    folder = existing;
                }
                return folder;
            }
        }

        /// <summary>
        /// Adds a file named <paramref name="name"/> (taken as it is, whatever it holds) to the folder at
        /// <paramref name="folder"/>, or changes the one of that name, keeping its id.
        /// </summary>
        public FakeDriveItem File(string folder, string name, byte[] bytes, string? modifiedBy = "anna.svensson@nacka.se", DateTimeOffset? lastModified = null)
        {
            lock (_server._gate)
            {
                return Write(Folder(folder), name, bytes, modifiedBy, lastModified ?? DateTimeOffset.UtcNow).Item;
            }
        }

        /// <summary>The file of that name in that folder, if any.</summary>
        public FakeDriveItem? Find(string folder, string name)
        {
            lock (_server._gate)
            {
                return Children(Folder(folder)).FirstOrDefault(i => !i.IsFolder && i.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            }
        }

        /// <summary>Every file, in no particular order.</summary>
        public IReadOnlyList<FakeDriveItem> Files
        {
            get
            {
                lock (_server._gate)
                {
                    return [.. Items.Values.Where(i => !i.IsFolder)];
                }
            }
        }

        public FakeDrive Delete(FakeDriveItem item)
        {
            lock (_server._gate)
            {
                if (Items.Remove(item.Id))
                {
                    Deleted[item.Id] = (item, ++_server._version);
                }
            }
            return this;
        }

        internal (FakeDriveItem Item, bool Created) Write(FakeDriveItem parent, string name, byte[] bytes, string? modifiedBy, DateTimeOffset lastModified)
        {
            var item = Children(parent).FirstOrDefault(i => !i.IsFolder && i.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            var created = item is null;
            if (item is null)
            {
                item = new FakeDriveItem(NewItemId(), name, parent, isFolder: false);
                Items[item.Id] = item;
            }
            item.Bytes = bytes;
            item.ModifiedBy = modifiedBy;
            item.LastModified = lastModified;
            item.Version = ++_server._version;
            item.ContentVersion = item.Version;
            return (item, created);
        }

        internal IEnumerable<FakeDriveItem> Children(FakeDriveItem folder) => Items.Values.Where(i => i.Parent == folder);

        internal JsonObject Json() => new()
        {
            ["id"] = Id,
            ["name"] = Name,
            ["driveType"] = "documentLibrary",
            ["webUrl"] = $"https://{Hostname}{SitePath}/{Uri.EscapeDataString(Name)}",
        };

        internal JsonObject ItemJson(FakeDriveItem item, bool withPath)
        {
            var webUrl = $"https://{Hostname}{SitePath}/{Uri.EscapeDataString(Name)}";
            if (item.Parent is null)
            {
                return new JsonObject
                {
                    ["id"] = item.Id,
                    ["name"] = "root",
                    ["webUrl"] = webUrl,
                    ["root"] = new JsonObject(),
                    ["folder"] = new JsonObject { ["childCount"] = Children(item).Count() },
                    ["parentReference"] = new JsonObject { ["driveId"] = Id, ["driveType"] = "documentLibrary" },
                };
            }
            var folder = item.FolderPath;
            var path = string.Join('/', new[] { folder, item.Name }.Where(p => p.Length > 0).SelectMany(p => p.Split('/')).Select(Uri.EscapeDataString));
            var parent = new JsonObject { ["driveId"] = Id, ["driveType"] = "documentLibrary", ["id"] = item.Parent.Id };
            if (withPath)
            {
                parent["path"] = $"/drives/{Id}/root:" + (folder.Length > 0 ? "/" + folder : string.Empty);
            }
            var json = new JsonObject
            {
                ["id"] = item.Id,
                ["name"] = item.Name,
                ["createdDateTime"] = item.LastModified.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["lastModifiedDateTime"] = item.LastModified.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["webUrl"] = $"{webUrl}/{path}",
                ["parentReference"] = parent,
                ["createdBy"] = Identity(item.ModifiedBy),
                ["lastModifiedBy"] = Identity(item.ModifiedBy),
            };
            if (item.IsFolder)
            {
                json["size"] = 0;
                json["folder"] = new JsonObject { ["childCount"] = Children(item).Count() };
            }
            else
            {
                json["size"] = item.Bytes.LongLength;
                json["file"] = new JsonObject { ["mimeType"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" };
                // SharePoint's forms: the eTag changes with anything, the cTag only with the content (a folder has none).
                json["cTag"] = $"\"c:{{{item.Id}}},{item.ContentVersion}\"";
            }
            json["eTag"] = $"\"{{{item.Id}}},{item.Version}\"";
            return json;
        }

        internal JsonObject DeletedJson(FakeDriveItem item, bool withPath)
        {
            var json = ItemJson(item, withPath);
            foreach (var gone in new[] { "file", "folder", "size", "webUrl", "createdBy", "lastModifiedBy", "createdDateTime", "cTag", "eTag" })
            {
                json.Remove(gone);
            }
            json["deleted"] = new JsonObject { ["state"] = "deleted" };
            return json;
        }

        private static string NewItemId() => "01" + Guid.NewGuid().ToString("N").ToUpperInvariant()[..32];

        private static JsonObject Identity(string? email) => email is null
            ? new JsonObject { ["application"] = new JsonObject { ["id"] = "00000000-0000-0000-0000-000000000002", ["displayName"] = "NackaInsights" } }
            : new JsonObject { ["user"] = new JsonObject { ["email"] = email, ["id"] = Guid.NewGuid().ToString(), ["displayName"] = email.Split('@')[0] } };
    }

    /// <summary>A download URL's answer: the bytes, to anyone who has the URL, as SharePoint's pre-authenticated URLs do.</summary>
    private Reply AnswerDownload(HttpRequest request, string target)
    {
        lock (_gate)
        {
            if (ScriptedFault(target) is { } fault)
            {
                return fault;
            }
            var parts = (request.Path.Value ?? string.Empty)[DownloadPrefix.Length..].Split('/');
            return parts is [var driveId, var itemId] && _drives.TryGetValue(driveId, out var drive) && drive.Items.TryGetValue(itemId, out var item) && !item.IsFolder
                ? new Reply(HttpStatusCode.OK, null) { Bytes = item.Bytes }
                : Error(HttpStatusCode.NotFound, "itemNotFound", "The download URL is not known.");
        }
    }

    /// <summary>Everything under <c>/drives/</c>; <paramref name="rest"/> is the path after it.</summary>
    private Reply AnswerDrive(HttpRequest request, string rest, byte[] content)
    {
        var parts = rest.Split('/');
        if (!_drives.TryGetValue(parts[0], out var drive) || drive.Id != parts[0])
        {
            return Error(HttpStatusCode.NotFound, "itemNotFound", $"Drive '{parts[0]}' does not exist.");
        }
        if (HttpMethods.IsPut(request.Method))
        {
            // {drive}/items/{parent-id}:/{name}:/content
            var path = rest[(parts[0].Length + 1)..];
            if (!path.StartsWith("items/", StringComparison.Ordinal) || !path.EndsWith(":/content", StringComparison.Ordinal) || path.IndexOf(":/", StringComparison.Ordinal) is var colon && colon < 0)
            {
                return Error(HttpStatusCode.BadRequest, "BadRequest", $"Unsupported upload {rest}.");
            }
            var parentId = path["items/".Length..colon];
            var name = path[(colon + 2)..^":/content".Length];
            var parent = parentId == drive.Root.Id ? drive.Root : drive.Items.GetValueOrDefault(parentId);
            if (parent is null || !parent.IsFolder)
            {
                return Error(HttpStatusCode.NotFound, "itemNotFound", $"Folder '{parentId}' does not exist.");
            }
            if (name.Length == 0 || name.IndexOfAny(['/', '\\', ':', '*', '?', '"', '<', '>', '|']) >= 0)
            {
                return Error(HttpStatusCode.BadRequest, "invalidRequest", $"The name '{name}' is not valid.");
            }
            var behaviour = request.Query["@microsoft.graph.conflictBehavior"].ToString();
            if (behaviour.Equals("fail", StringComparison.OrdinalIgnoreCase) && drive.Children(parent).Any(i => i.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                return Error(HttpStatusCode.Conflict, "nameAlreadyExists", $"The item '{name}' already exists.");
            }
            var (item, created) = drive.Write(parent, name, content, modifiedBy: null, DateTimeOffset.UtcNow);
            return new Reply(created ? HttpStatusCode.Created : HttpStatusCode.OK, drive.ItemJson(item, withPath: true));
        }
        if (HttpMethods.IsPatch(request.Method) && parts is [_, "items", var patched, "listItem", "fields"])
        {
            return PatchFields(drive, patched, content);
        }
        if (HttpMethods.IsDelete(request.Method))
        {
            return DeleteByPath(drive, rest[(parts[0].Length + 1)..]);
        }
        if (!HttpMethods.IsGet(request.Method))
        {
            return Error(HttpStatusCode.BadRequest, "BadRequest", $"Unsupported request {request.Method} {rest}.");
        }
        if (parts is [_, "list", "columns"])
        {
            // SharePoint's own columns of a library, then the ones added to it.
            var columns = new JsonArray(
                new JsonObject { ["id"] = "fa564e0f-0c70-4ab9-b863-0177e6ddd247", ["name"] = "Title", ["displayName"] = "Rubrik", ["text"] = new JsonObject() },
                new JsonObject { ["id"] = "8553196d-ec8d-4564-9861-3dbe931050c8", ["name"] = "FileLeafRef", ["displayName"] = "Namn", ["text"] = new JsonObject() });
            foreach (var column in drive.Columns)
            {
                columns.Add(column.DeepClone());
            }
            return new Reply(HttpStatusCode.OK, new JsonObject { ["value"] = columns });
        }
        if (parts is [_, "root", "delta" or "delta()"])
        {
            return DriveDelta(drive, request.Query["token"].ToString());
        }
        if (parts is [_, "items", _] or [_, "items", _, "content"])
        {
            var itemId = parts[2];
            var item = itemId == drive.Root.Id ? drive.Root : drive.Items.GetValueOrDefault(itemId);
            if (item is null)
            {
                return Error(HttpStatusCode.NotFound, "itemNotFound", $"Item '{itemId}' does not exist.");
            }
            if (parts.Length == 3)
            {
                return new Reply(HttpStatusCode.OK, drive.ItemJson(item, withPath: true));
            }
            if (item.IsFolder)
            {
                return Error(HttpStatusCode.BadRequest, "invalidRequest", "A folder has no content.");
            }
            var download = $"http://{DownloadHost}:{new Uri(BaseUrl).Port}{DownloadPrefix}{Uri.EscapeDataString(drive.Id)}/{item.Id}?tempauth={Guid.NewGuid():N}";
            return new Reply(HttpStatusCode.Found, null) { Location = download, Bytes = [] };
        }
        return Error(HttpStatusCode.BadRequest, "BadRequest", $"Unsupported path {rest}.");
    }

    /// <summary>
    /// <c>PATCH {drive}/items/{item-id}/listItem/fields</c>: as SharePoint, a field the library has no column for is
    /// refused (400), a choice column takes only its choices, and the update changes the item's eTag and last-modified
    /// time (so that it is listed by the next delta) but not its cTag.
    /// </summary>
    private Reply PatchFields(FakeDrive drive, string itemId, byte[] content)
    {
        if (!drive.Items.TryGetValue(itemId, out var item) || item.IsFolder)
        {
            return Error(HttpStatusCode.NotFound, "itemNotFound", $"Item '{itemId}' does not exist.");
        }
        JsonObject body;
        try
        {
            body = JsonNode.Parse(content)?.AsObject() ?? throw new System.Text.Json.JsonException("null");
        }
        catch (System.Text.Json.JsonException)
        {
            return Error(HttpStatusCode.BadRequest, "invalidRequest", "The body is not a JSON object.");
        }
        foreach (var (name, value) in body)
        {
            var column = drive.Columns.FirstOrDefault(c => c["name"]?.GetValue<string>() == name);
            if (column is null)
            {
                return Error(HttpStatusCode.BadRequest, "invalidRequest", $"Field '{name}' is not recognized");
            }
            if (column["choice"]?["choices"] is JsonArray choices && !choices.Any(c => c?.GetValue<string>() == value?.GetValue<string>()))
            {
                return Error(HttpStatusCode.BadRequest, "invalidRequest", $"The value of '{name}' is not one of its choices.");
            }
        }
        foreach (var (name, value) in body)
        {
            item.Fields[name] = value?.DeepClone();
        }
        item.ModifiedBy = null;
        item.LastModified = DateTimeOffset.UtcNow;
        item.Version = ++_version;
        _fieldPatches.Add(new FieldPatch(drive.Name, item.Id, item.Name, (JsonObject)body.DeepClone()));
        return new Reply(HttpStatusCode.OK, (JsonObject)item.Fields.DeepClone());
    }

    /// <summary><c>DELETE {drive}/items/{parent-id}:/{name}:</c>: 204, or 404 when there is no such file.</summary>
    private Reply DeleteByPath(FakeDrive drive, string path)
    {
        var colon = path.IndexOf(":/", StringComparison.Ordinal);
        if (!path.StartsWith("items/", StringComparison.Ordinal) || colon < 0 || !path.EndsWith(':'))
        {
            return Error(HttpStatusCode.BadRequest, "BadRequest", $"Unsupported delete {path}.");
        }
        var parentId = path["items/".Length..colon];
        var name = path[(colon + 2)..^1];
        var parent = parentId == drive.Root.Id ? drive.Root : drive.Items.GetValueOrDefault(parentId);
        var item = parent is null ? null : drive.Children(parent).FirstOrDefault(i => !i.IsFolder && i.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (item is null)
        {
            return Error(HttpStatusCode.NotFound, "itemNotFound", $"The resource '{name}' could not be found.");
        }
        drive.Items.Remove(item.Id);
        drive.Deleted[item.Id] = (item, ++_version);
        return new Reply(HttpStatusCode.NoContent, null) { Bytes = [] };
    }

    private Reply DriveDelta(FakeDrive drive, string token)
    {
        var withPath = !OmitParentPathsInDelta;
        if (token.Length == 0)
        {
            var all = new List<JsonObject> { drive.ItemJson(drive.Root, withPath) };
            all.AddRange(drive.Items.Values.OrderBy(i => i.Version).Select(i => drive.ItemJson(i, withPath)));
            return EnumerateDrive(drive, all, NewDriveDeltaToken(drive));
        }
        if (token == "latest")
        {
            return EnumerateDrive(drive, [], NewDriveDeltaToken(drive));
        }
        if (!_cursors.TryGetValue(token, out var cursor) || cursor.Drive != drive)
        {
            return Error(HttpStatusCode.Gone, "resyncChangesApplyDifferences", "The token is not known.");
        }
        if (cursor.Expired is { } expired)
        {
            return Error(expired.Status, expired.Code, "The delta token has expired.");
        }
        if (cursor.Kind == CursorKind.Page)
        {
            return EnumerateDrive(drive, cursor.Pending, cursor.FinalDeltaToken);
        }
        var changed = drive.Items.Values.Where(i => i.Version > cursor.Version).Select(i => (Json: drive.ItemJson(i, withPath), i.Version));
        var deleted = drive.Deleted.Values.Where(d => d.Version > cursor.Version).Select(d => (Json: drive.DeletedJson(d.Item, withPath), d.Version));
        return EnumerateDrive(drive, [.. changed.Concat(deleted).OrderBy(c => c.Version).Select(c => c.Json)], NewDriveDeltaToken(drive));
    }

    private Reply EnumerateDrive(FakeDrive drive, List<JsonObject> items, string? finalDeltaToken)
    {
        var body = new JsonObject { ["value"] = new JsonArray([.. items.Take(PageSize).Select(i => i.DeepClone())]) };
        var deltaUrl = $"{BaseUrl}/drives/{Uri.EscapeDataString(drive.Id)}/root/delta";
        if (items.Count > PageSize)
        {
            var token = NewToken();
            _cursors[token] = new Cursor(CursorKind.Page, null, false) { Drive = drive, Pending = items.Skip(PageSize).ToList(), FinalDeltaToken = finalDeltaToken };
            body["@odata.nextLink"] = $"{deltaUrl}?token={token}";
        }
        else if (finalDeltaToken is not null)
        {
            body["@odata.deltaLink"] = $"{deltaUrl}?token={finalDeltaToken}";
        }
        return new Reply(HttpStatusCode.OK, body);
    }

    private string NewDriveDeltaToken(FakeDrive drive)
    {
        var token = NewToken();
        _cursors[token] = new Cursor(CursorKind.Delta, null, false) { Drive = drive, Version = _version };
        return token;
    }
}
