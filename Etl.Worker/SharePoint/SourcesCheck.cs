using System.Text.Json;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.SharePoint;

/// <summary>An item that a run would reject, and why (the parser's Swedish reasons, naming field and column).</summary>
public sealed record ItemRejection(string ItemId, IReadOnlyList<string> Reasons);

/// <summary>A choice value met in a list that neither the mapping nor the contract knows, and how many items carry it.</summary>
public sealed record UnknownChoiceValue(string Field, string Column, string Value, int Items);

/// <summary>One field of a list as <c>sources check</c> found it: the column it reads, that column's kind, and how many items carry a value.</summary>
/// <param name="Kind">The column's kind from its definition, or what its values look like when the source has no definitions; null when no item has it.</param>
public sealed record FieldCheck(ListField Field, string? Column, string? Kind, int ItemsWithValue);

/// <summary>What <c>sources check</c> found of one list.</summary>
public sealed record ListCheck(string ListName, string SharePointList)
{
    /// <summary>Why the list (or its column definitions, or the site's user list) could not be read; null when it could.</summary>
    public string? Unreadable { get; init; }

    /// <summary>Whether the source has the list at all (an offline folder may lack one).</summary>
    public bool Missing { get; init; }

    /// <summary>Whether the source described the list's columns (Graph always; the offline form with <c>.columns.json</c>).</summary>
    public bool HasDefinitions { get; init; }

    public IReadOnlyList<FieldCheck> Fields { get; init; } = [];

    /// <summary>What cannot work as configured (<see cref="ListMapping.Problems"/>).</summary>
    public IReadOnlyList<string> MappingProblems { get; init; } = [];

    public int ItemsRead { get; init; }

    public int ItemsRejected { get; init; }

    /// <summary>A few of the rejected items, the first ones read.</summary>
    public IReadOnlyList<ItemRejection> Examples { get; init; } = [];

    public IReadOnlyList<UnknownChoiceValue> UnknownChoices { get; init; } = [];

    /// <summary>How many people the site's user information list holds, when a person column made it be read; else null.</summary>
    public int? SiteUsers { get; init; }
}

/// <summary>What <c>sources check</c> found of one source of uploads (a document library or a folder).</summary>
/// <param name="Uploads">How many files of the kind it holds now; null when it could not be listed.</param>
public sealed record UploadSourceCheck(string Kind, string Source, int? Uploads)
{
    public string? Unreadable { get; init; }

    /// <summary>Whether each processed upload gets its status on the file (the library has both status columns); null when the source cannot have columns.</summary>
    public bool? HasStatusColumns { get; init; }
}

/// <summary>What <c>sources check</c> found: every list and every source of uploads.</summary>
public sealed record SourcesCheckReport(string Source, IReadOnlyList<ListCheck> Lists, IReadOnlyList<UploadSourceCheck> Uploads)
{
    public bool AnyUnreadable => Lists.Any(l => l.Unreadable is not null) || Uploads.Any(u => u.Unreadable is not null);

    public int ItemsRejected => Lists.Sum(l => l.ItemsRejected);
}

/// <summary>
/// <c>nacka-insights sources check</c>: reads the lists and lists the document libraries of a configured site (or an offline
/// folder) as a run would, through the configured mapping, and says what it found, writing nothing: each field with the
/// column it reads and that column's kind, what could not be mapped, choice values that map to nothing, and a few items
/// a run would reject, with the same reasons a run gives.
/// </summary>
public sealed class SourcesCheck(GraphOptions graph, InputLimits limits, TimeProvider time)
{
    /// <summary>How many rejected items are shown per list.</summary>
    public const int Examples = 5;

    /// <summary>Checks the lists of <paramref name="sources"/> and its uploads. Only cancellation throws: whatever cannot be read is reported.</summary>
    public async Task<SourcesCheckReport> CheckAsync(string description, RunSources sources, CancellationToken ct)
    {
        var lists = new List<ListCheck>();
        // Keys by item id of the lists read so far (objects first, then initiatives), for the lookups of the lists after them.
        var keys = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        if (sources.Lists is { } listSource)
        {
            SiteUsers? users = null;
            foreach (var listName in ListNames.All)
            {
                var check = await CheckListAsync(listSource, listName, keys, () => users, u => users = u, ct);
                lists.Add(check);
            }
        }
        var uploads = new List<UploadSourceCheck>();
        foreach (var upload in sources.Uploads)
        {
            uploads.Add(await CheckUploadsAsync(upload, ct));
        }
        return new SourcesCheckReport(description, lists, uploads);
    }

    private async Task<ListCheck> CheckListAsync(
        IListSource source, string listName, Dictionary<string, Dictionary<string, string>> keys, Func<SiteUsers?> knownUsers, Action<SiteUsers> keepUsers, CancellationToken ct)
    {
        var check = new ListCheck(listName, graph.SharePointList(listName));
        if (!source.Has(listName))
        {
            return check with { Missing = true };
        }
        IReadOnlyList<ListColumn>? columns;
        IReadOnlyList<ListItemData> items;
        ListMapping mapping;
        SiteUsers users;
        try
        {
            columns = await source.ColumnsAsync(listName, ct);
            mapping = ListMapping.Create(listName, graph.ListOptions(listName), columns);
            // Without definitions a person column shows only in the items: the user list is then read when the source has one.
            if (mapping.HasPersonColumns || columns is null)
            {
                users = knownUsers() ?? await source.UsersAsync(ct);
                keepUsers(users);
            }
            else
            {
                users = SiteUsers.None;
            }
            items = (await source.ReadAsync(listName, deltaLink: null, ct)).Items.Where(i => !i.Removed).ToList();
        }
        catch (ListUnreadableException e)
        {
            return check with { Unreadable = e.Message };
        }

        var unknown = new Dictionary<(string Field, string Column, string Value), HashSet<string>>();
        var itemId = "";
        var context = new ListItemContext
        {
            Mapping = mapping,
            Users = users,
            LookUpKey = (list, id) => keys.TryGetValue(list, out var byId) ? byId.GetValueOrDefault(id) : null,
            UnknownChoice = (field, column, value) =>
            {
                var key = (field, column, value.Trim());
                if (!unknown.TryGetValue(key, out var ids))
                {
                    unknown[key] = ids = [];
                }
                ids.Add(itemId);
            },
        };
        var now = time.GetUtcNow().UtcDateTime;
        var rejected = 0;
        var examples = new List<ItemRejection>();
        var ownKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            itemId = item.Id;
            var change = ListItemParser.Parse(listName, item, now, limits, context);
            if (change.Rejected)
            {
                rejected++;
                if (examples.Count < Examples)
                {
                    examples.Add(new ItemRejection(item.Id, change.Problems.Select(p => p.Message).ToList()));
                }
            }
            else if (KeyOf(change.Item) is { } key)
            {
                ownKeys[item.Id] = key;
            }
        }
        keys[listName] = ownKeys;

        return check with
        {
            HasDefinitions = columns is not null,
            Fields = [.. mapping.Fields.Select(f => FieldOf(f, items))],
            MappingProblems = mapping.Problems,
            ItemsRead = items.Count,
            ItemsRejected = rejected,
            Examples = examples,
            UnknownChoices = [.. unknown.Select(u => new UnknownChoiceValue(u.Key.Field, u.Key.Column, u.Key.Value, u.Value.Count)).OrderBy(u => u.Field).ThenByDescending(u => u.Items)],
            SiteUsers = ReferenceEquals(users, SiteUsers.None) ? null : users.Count,
        };
    }

    private static string? KeyOf(object? item) => item switch
    {
        ObjectItem o => o.ObjectId,
        InitiativeItem i => i.InitiativeId,
        _ => null,
    };

    /// <summary>A field's column, its kind (by definition, else by the values seen) and how many items give it a value.</summary>
    private static FieldCheck FieldOf(MappedField field, IReadOnlyList<ListItemData> items)
    {
        if (field.Column is null)
        {
            return new FieldCheck(field.Field, null, null, 0);
        }
        var seen = 0;
        string? shape = null;
        foreach (var item in items)
        {
            if (ValueOf(item.Fields, field.Column) is { } value)
            {
                seen++;
                shape ??= value.Shape;
            }
        }
        return new FieldCheck(field.Field, field.Column, field.Definition?.Describe() ?? shape, seen);
    }

    /// <summary>The value an item gives a column, as Graph names it (the column itself, or <c>&lt;Column&gt;LookupId</c>), and what it looks like.</summary>
    private static (JsonElement Value, string Shape)? ValueOf(JsonElement fields, string column)
    {
        if (fields.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (fields.TryGetProperty(column, out var value) && !IsEmpty(value))
        {
            return (value, value.ValueKind switch
            {
                JsonValueKind.Array when value.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("LookupId", out _)) => "person or lookup (multi)",
                JsonValueKind.Array => "multi-choice",
                JsonValueKind.Number => "number",
                JsonValueKind.True or JsonValueKind.False => "boolean",
                JsonValueKind.Object => "object",
                _ => "text",
            });
        }
        if (fields.TryGetProperty(column + "LookupId", out var lookup) && !IsEmpty(lookup))
        {
            return (lookup, "person or lookup");
        }
        return null;
    }

    private static bool IsEmpty(JsonElement value) =>
        value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined
        || (value.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetString()))
        || (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0);

    private static async Task<UploadSourceCheck> CheckUploadsAsync(IUploadSource source, CancellationToken ct)
    {
        var where = source.RunDescription ?? source.ToString() ?? source.Kind;
        try
        {
            var listing = await source.ListAsync(deltaLink: null, ct);
            // Only a document library can have the status columns; a folder's uploads are answered by result workbooks alone.
            bool? status = source is GraphLibrarySource ? await source.HasStatusColumnsAsync(ct) : null;
            return new UploadSourceCheck(source.Kind, where, listing.Uploads.Count) { HasStatusColumns = status };
        }
        catch (Exception e) when (e is DocumentLibraryException or IOException or UnauthorizedAccessException)
        {
            return new UploadSourceCheck(source.Kind, where, null) { Unreadable = e.Message };
        }
    }
}
