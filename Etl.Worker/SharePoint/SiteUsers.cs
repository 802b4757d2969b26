using System.Globalization;
using System.Text.Json;

namespace NackaInsights.Etl.SharePoint;

/// <summary>One person of a site's hidden user information list: what a person column's <c>LookupId</c> points at.</summary>
public sealed record SiteUser(string Id, string? Email, string? Title);

/// <summary>
/// The site's user information list (<c>User Information List</c>, fields <c>EMail</c> and <c>Title</c>), by item id: read
/// once per run, when a person column is read, and kept by id.
/// </summary>
public sealed class SiteUsers
{
    /// <summary>The hidden list's title, as Graph finds it and as the offline form names its file.</summary>
    public const string ListTitle = "User Information List";

    private readonly Dictionary<string, SiteUser> _byId;

    public SiteUsers(IEnumerable<SiteUser> users)
    {
        _byId = new Dictionary<string, SiteUser>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            _byId[user.Id] = user;
        }
    }

    public static SiteUsers None { get; } = new([]);

    public int Count => _byId.Count;

    /// <summary>The person with a lookup id (as Graph gives it: a number or its text), or null when the list has none such.</summary>
    public SiteUser? Find(string lookupId) => _byId.GetValueOrDefault(Normalise(lookupId));

    /// <summary>The user information list's items, as <see cref="ListJson"/> parses a page of them.</summary>
    public static SiteUsers FromItems(IEnumerable<ListItemData> items) =>
        new(items.Where(i => !i.Removed).Select(i => new SiteUser(Normalise(i.Id), Field(i.Fields, "EMail"), Field(i.Fields, "Title"))));

    private static string Normalise(string id) =>
        long.TryParse(id.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n.ToString(CultureInfo.InvariantCulture) : id.Trim();

    private static string? Field(JsonElement fields, string name) =>
        fields.ValueKind == JsonValueKind.Object && fields.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
            ? v.GetString()!.Trim()
            : null;
}
