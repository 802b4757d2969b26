using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace NackaInsights.Warehouse.Storage;

/// <summary>
/// A pbi_* view as <c>sql/views/&lt;name&gt;.sql</c> defines it: the view's query, in the SQL all three
/// databases accept, and the tables and views it reads (its FROM and JOIN names, parsed from that text).
/// Where one database must differ, <c>sql/views/&lt;database&gt;/&lt;name&gt;.sql</c> holds its whole query instead.
/// </summary>
public sealed class ViewDefinition
{
    private readonly IReadOnlyDictionary<string, string> _overrides;

    internal ViewDefinition(string name, string sql, IReadOnlyDictionary<string, string> overrides)
    {
        Name = name;
        Sql = sql;
        _overrides = overrides;
        Reads = ViewText.ReadNames(sql);
        Lookups = Header(sql, "lookups").ToHashSet(StringComparer.Ordinal);
        ScopeColumn = Header(sql, "scope").SingleOrDefault();
        if (Lookups.FirstOrDefault(l => !Reads.Contains(l)) is { } stray)
        {
            throw new InvalidOperationException($"{name} names {stray} a lookup, but does not read it.");
        }
    }

    public string Name { get; }

    /// <summary>The portable text, as in <c>sql/views/&lt;name&gt;.sql</c>.</summary>
    public string Sql { get; }

    /// <summary>The tables and views the query reads, in lower case.</summary>
    public IReadOnlySet<string> Reads { get; }

    /// <summary>
    /// The tables it reads only to look up a key a row table holds (a file's name, a phase's order), from the text's
    /// header line <c>-- lookups: a, b</c>: rows appended to them cannot change the view's rows, so the data checks
    /// count only their deletes and updates. What the text itself cannot tell.
    /// </summary>
    public IReadOnlySet<string> Lookups { get; }

    /// <summary>
    /// The column its rows share with the rows of its tables that make them, from the header line <c>-- scope: initiative_id</c>:
    /// a write of some initiatives' rows can change only those initiatives' rows of the view. Null: any row.
    /// </summary>
    public string? ScopeColumn { get; }

    /// <summary>The databases (script folders) that have a text of their own for this view.</summary>
    public IEnumerable<string> OverriddenFor => _overrides.Keys;

    private static IEnumerable<string> Header(string sql, string key) =>
        sql.ReplaceLineEndings("\n").Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith($"-- {key}:", StringComparison.OrdinalIgnoreCase))
            .SelectMany(l => l[(key.Length + 4)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(n => n.ToLowerInvariant());

    /// <summary>The query this database receives: its own text where it has one, else the portable one.</summary>
    public string SqlFor(WarehouseDialect dialect) => _overrides.GetValueOrDefault(dialect.ScriptFolder) ?? Sql;

    /// <summary>The statement that creates the view: the file's text, comments included, after <c>CREATE VIEW name AS</c>.</summary>
    public string CreateStatement(WarehouseDialect dialect) =>
        $"CREATE VIEW {dialect.ObjectName(Name)} AS\n{ViewText.WithoutFinalSemicolon(SqlFor(dialect))}";
}

/// <summary>
/// The pbi_* views, one text each in <c>sql/views/</c>, embedded in the assembly like the schema scripts. The
/// migrator drops them before the versioned scripts run and creates them from here afterwards, so a view's
/// current definition lives in one file, and a fresh and an upgraded warehouse end with the same views.
/// </summary>
public sealed class ViewCatalog
{
    private const string Folder = "sql/views/";

    private readonly Dictionary<string, ViewDefinition> _byName;

    public ViewCatalog(IEnumerable<ViewDefinition> views)
    {
        _byName = views.ToDictionary(v => v.Name, StringComparer.OrdinalIgnoreCase);
        Views = InDependencyOrder(_byName);
    }

    /// <summary>The views embedded in this assembly.</summary>
    public static ViewCatalog Embedded { get; } = Load(typeof(ViewCatalog).Assembly);

    /// <summary>Every view, each after the views it reads: the order to create them in (drop in reverse).</summary>
    public IReadOnlyList<ViewDefinition> Views { get; }

    public ViewDefinition this[string name] => _byName[name];

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>
    /// What the migrator sends to create the views and let Power BI's reader role read them, one batch per
    /// statement, in order. Also what the SQL Server tests parse.
    /// </summary>
    public IEnumerable<string> CreateBatches(WarehouseDialect dialect)
    {
        foreach (var view in Views)
        {
            yield return view.CreateStatement(dialect);
            if (dialect.GrantReader(dialect.ObjectName(view.Name)) is { } grant)
            {
                yield return grant;
            }
        }
    }

    /// <summary>The checksum of what <see cref="CreateBatches"/> sends to this database: it changes with any view's text.</summary>
    public string Checksum(WarehouseDialect dialect) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n;\n", CreateBatches(dialect)).ReplaceLineEndings("\n"))));

    private static ViewCatalog Load(Assembly assembly)
    {
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .ToList();
        // sql/views/<name>.sql is the view; sql/views/<database>/<name>.sql that database's own text of it.
        var overrides = names.Select(n => n[Folder.Length..].Split('/'))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => Path.GetFileNameWithoutExtension(parts[1]), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.ToDictionary(parts => parts[0], parts => Read(assembly, $"{Folder}{parts[0]}/{parts[1]}"), StringComparer.Ordinal), StringComparer.OrdinalIgnoreCase);
        var views = names.Where(n => !n[Folder.Length..].Contains('/', StringComparison.Ordinal))
            .Select(n =>
            {
                var name = Path.GetFileNameWithoutExtension(n[Folder.Length..]);
                return new ViewDefinition(name, Read(assembly, n), overrides.GetValueOrDefault(name) ?? new Dictionary<string, string>());
            })
            .ToList();
        var orphans = overrides.Keys.Where(o => !views.Any(v => string.Equals(v.Name, o, StringComparison.OrdinalIgnoreCase))).ToList();
        if (orphans.Count > 0)
        {
            throw new InvalidOperationException($"{Folder} has a database's own text of {string.Join(", ", orphans)}, but no {Folder}<name>.sql of it.");
        }
        return new ViewCatalog(views);
    }

    private static List<ViewDefinition> InDependencyOrder(Dictionary<string, ViewDefinition> views)
    {
        var ordered = new List<ViewDefinition>();
        var state = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase); // false: visiting, true: placed
        foreach (var view in views.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            Visit(view, []);
        }
        return ordered;

        void Visit(ViewDefinition view, List<string> path)
        {
            if (state.TryGetValue(view.Name, out var placed))
            {
                if (!placed)
                {
                    throw new InvalidOperationException($"The views read each other in a circle: {string.Join(" → ", path.Append(view.Name))}.");
                }
                return;
            }
            state[view.Name] = false;
            foreach (var read in view.Reads.Order(StringComparer.Ordinal))
            {
                if (views.TryGetValue(read, out var other))
                {
                    Visit(other, [.. path, view.Name]);
                }
            }
            state[view.Name] = true;
            ordered.Add(view);
        }
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>Just enough of SQL's lexis to find the names a query reads: comments and literals are skipped whole.</summary>
internal static class ViewText
{
    private static readonly HashSet<string> NotAnAlias = new(StringComparer.OrdinalIgnoreCase)
    {
        "WHERE", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "ON", "USING", "GROUP", "ORDER", "HAVING",
        "UNION", "EXCEPT", "INTERSECT", "LIMIT", "OFFSET", "FETCH", "WINDOW",
    };

    /// <summary>
    /// The names after FROM and JOIN (and after the commas of a FROM list), the last part of a qualified name,
    /// in lower case. A FROM inside a function's parentheses (<c>EXTRACT(YEAR FROM d)</c>) is not a table's.
    /// </summary>
    public static IReadOnlySet<string> ReadNames(string sql)
    {
        var tokens = Tokens(sql).ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var parens = new Stack<bool>(); // per open parenthesis: does a query start inside it?
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token == "(")
            {
                parens.Push(i + 1 < tokens.Count && Is(tokens[i + 1], "SELECT"));
                continue;
            }
            if (token == ")")
            {
                parens.TryPop(out _);
                continue;
            }
            var inQuery = parens.Count == 0 || parens.Peek();
            if (!inQuery || !(Is(token, "FROM") || Is(token, "JOIN")))
            {
                continue;
            }
            // FROM a x, b y: each name, its qualifier dropped, and its alias skipped.
            var j = i + 1;
            while (j < tokens.Count && IsName(tokens[j]))
            {
                while (j + 2 < tokens.Count && tokens[j + 1] == "." && IsName(tokens[j + 2]))
                {
                    j += 2;
                }
                names.Add(tokens[j].ToLowerInvariant());
                j++;
                if (j < tokens.Count && Is(tokens[j], "AS"))
                {
                    j++;
                }
                if (j < tokens.Count && IsName(tokens[j]) && !NotAnAlias.Contains(tokens[j]))
                {
                    j++;
                }
                if (!Is(token, "FROM") || j >= tokens.Count || tokens[j] != ",")
                {
                    break;
                }
                j++;
            }
            i = j - 1;
        }
        return names;
    }

    /// <summary>The text without the semicolon that ends it, if any: a file may end its query as one runs it by hand.</summary>
    public static string WithoutFinalSemicolon(string sql)
    {
        var end = sql.TrimEnd();
        return end.EndsWith(';') ? end[..^1].TrimEnd() : end;
    }

    private static bool Is(string token, string keyword) => string.Equals(token, keyword, StringComparison.OrdinalIgnoreCase);

    private static bool IsName(string token) => token.Length > 0 && (char.IsLetter(token[0]) || token[0] == '_');

    /// <summary>Words (quoted identifiers unquoted) and single punctuation characters; comments, literals and numbers are left out.</summary>
    private static IEnumerable<string> Tokens(string sql)
    {
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(sql, i + 1, '-'))
            {
                i = sql.IndexOf('\n', i) is var eol and >= 0 ? eol + 1 : sql.Length;
            }
            else if (c == '/' && At(sql, i + 1, '*'))
            {
                i = sql.IndexOf("*/", i + 2, StringComparison.Ordinal) is var close and >= 0 ? close + 2 : sql.Length;
            }
            else if (c == '\'')
            {
                i = AfterQuoted(sql, i, '\'');
            }
            else if (c is '"' or '[' or '`')
            {
                var closing = c == '[' ? ']' : c;
                var end = AfterQuoted(sql, i, closing);
                yield return sql[(i + 1)..Math.Max(i + 1, end - 1)].Replace($"{closing}{closing}", closing.ToString(), StringComparison.Ordinal);
                i = end;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }
                yield return sql[start..i];
            }
            else if (char.IsDigit(c))
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '.'))
                {
                    i++;
                }
            }
            else
            {
                yield return c.ToString();
                i++;
            }
        }
    }

    private static bool At(string sql, int index, char c) => index < sql.Length && sql[index] == c;

    /// <summary>The index after a quoted run that opens at <paramref name="start"/>; a doubled closing character is part of it.</summary>
    private static int AfterQuoted(string sql, int start, char closing)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (sql[i] == closing)
            {
                if (At(sql, i + 1, closing))
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.Length;
    }
}
