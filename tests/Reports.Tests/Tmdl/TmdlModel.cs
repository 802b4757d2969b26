namespace NackaInsights.Reports.Tests.Tmdl;

public sealed record TmdlColumn(
    string Table, string Name, string? SourceColumn, string? DataType, bool IsHidden, bool IsKey,
    string? FormatString, string? SortByColumn, string? DataCategory, string? Description, TmdlNode Node);

public sealed record TmdlMeasure(string Table, string Name, string Expression, string? FormatString, string? Description, bool IsHidden, TmdlNode Node);

/// <summary>A partition: its kind (<c>m</c>), its mode (<c>import</c>) and its source expression (Power Query M).</summary>
public sealed record TmdlPartition(string Table, string Name, string Kind, string? Mode, string? Source, TmdlNode Node);

public sealed record TmdlTable(
    string Name, string? Description, bool IsHidden, string? DataCategory,
    IReadOnlyList<TmdlColumn> Columns, IReadOnlyList<TmdlMeasure> Measures, IReadOnlyList<TmdlPartition> Partitions, TmdlNode Node)
{
    public TmdlColumn? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    public TmdlMeasure? Measure(string name) => Measures.FirstOrDefault(m => m.Name == name);
}

/// <summary>A column as a relationship names it: <c>'Table'.'Column'</c>.</summary>
public sealed record TmdlColumnRef(string Table, string Column)
{
    public override string ToString() => $"'{Table}'[{Column}]";
}

public sealed record TmdlRelationship(
    string Name, TmdlColumnRef From, TmdlColumnRef To, string? CrossFilteringBehavior, bool IsActive,
    string? FromCardinality, string? ToCardinality, TmdlNode Node)
{
    /// <summary>
    /// How row-level security filters cross it: <c>oneDirection</c> (the default: from the one side to the many side)
    /// or <c>bothDirections</c>, whatever <see cref="CrossFilteringBehavior"/> says for ordinary filters.
    /// </summary>
    public string? SecurityFilteringBehavior => Node.Property("securityFilteringBehavior");

    /// <summary>Whether a security filter on the many side also filters the one side.</summary>
    public bool SecurityFiltersBothWays => SecurityFilteringBehavior == "bothDirections";
}

public sealed record TmdlTablePermission(string Role, string Table, string FilterExpression, TmdlNode Node);

public sealed record TmdlRole(string Name, string? Description, string? ModelPermission, IReadOnlyList<TmdlTablePermission> TablePermissions, TmdlNode Node);

public sealed record TmdlExpression(string Name, string Expression, string? Description, TmdlNode Node);

/// <summary>
/// A semantic model's <c>definition/</c> folder, parsed (every <c>*.tmdl</c> in it and below) and put together:
/// tables with columns, measures and partitions; relationships; roles; expressions (parameters); cultures;
/// the model and database objects. Fails (a <see cref="TmdlException"/>) on TMDL it does not understand and on a
/// definition that does not hang together: no database or model, a model <c>ref</c> to a missing object, a table
/// defined twice, a relationship column that is not <c>Table.Column</c>.
/// </summary>
public sealed class TmdlModel
{
    private TmdlModel()
    {
    }

    public required string Folder { get; init; }

    public required IReadOnlyDictionary<string, IReadOnlyList<TmdlNode>> Files { get; init; }

    public required TmdlNode Database { get; init; }

    public required TmdlNode Model { get; init; }

    public required IReadOnlyList<TmdlTable> Tables { get; init; }

    public required IReadOnlyList<TmdlRelationship> Relationships { get; init; }

    public required IReadOnlyList<TmdlRole> Roles { get; init; }

    public required IReadOnlyList<TmdlExpression> Expressions { get; init; }

    public required IReadOnlyList<TmdlNode> Cultures { get; init; }

    public IEnumerable<TmdlMeasure> Measures => Tables.SelectMany(t => t.Measures);

    public TmdlTable Table(string name) =>
        Tables.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"The model has no table '{name}'.");

    public TmdlTable? FindTable(string name) => Tables.FirstOrDefault(t => t.Name == name);

    /// <summary>The annotations of the model (root-level ones in model.tmdl included), by name.</summary>
    public IReadOnlyDictionary<string, string> ModelAnnotations =>
        Model.ChildrenOf("annotation").ToDictionary(a => a.Name!, a => a.Expression!, StringComparer.Ordinal);

    public static TmdlModel Load(string definitionFolder)
    {
        if (!Directory.Exists(definitionFolder))
        {
            throw new DirectoryNotFoundException(definitionFolder);
        }
        var files = Directory.EnumerateFiles(definitionFolder, "*.tmdl", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetRelativePath(definitionFolder, f).Replace('\\', '/'), TmdlParser.ParseFile, StringComparer.Ordinal);
        var roots = files.Values.SelectMany(n => n).ToList();

        var database = Single(roots, "database", definitionFolder);
        var model = Single(roots, "model", definitionFolder);
        // The model's own children may sit in its block or at the root of any file.
        var all = roots.Where(n => n.Keyword is not "database" and not "model").Concat(model.Children).ToList();

        var tables = all.Where(n => n.Keyword == "table").Select(ToTable).ToList();
        Unique(tables.Select(t => (t.Name, t.Node)), "table");
        var relationships = all.Where(n => n.Keyword == "relationship").Select(ToRelationship).ToList();
        Unique(relationships.Select(r => (r.Name, r.Node)), "relationship");
        var roles = all.Where(n => n.Keyword == "role").Select(ToRole).ToList();
        Unique(roles.Select(r => (r.Name, r.Node)), "role");
        var expressions = all.Where(n => n.Keyword == "expression").Select(e => new TmdlExpression(e.Name!, e.Expression!, e.Description, e)).ToList();
        Unique(expressions.Select(e => (e.Name, e.Node)), "expression");
        var cultures = all.Where(n => n.Keyword == "cultureInfo").ToList();

        foreach (var reference in model.ChildrenOf("ref"))
        {
            var exists = reference.RefKind switch
            {
                "table" => tables.Any(t => t.Name == reference.Name),
                "cultureInfo" => cultures.Any(c => c.Name == reference.Name),
                "role" => roles.Any(r => r.Name == reference.Name),
                "expression" => expressions.Any(e => e.Name == reference.Name),
                _ => false,
            };
            if (!exists)
            {
                throw new TmdlException(reference.File, reference.Line, $"ref {reference.RefKind} {reference.Name}: no such {reference.RefKind} in the definition");
            }
        }

        return new TmdlModel
        {
            Folder = definitionFolder,
            Files = files,
            Database = database,
            Model = model,
            Tables = tables,
            Relationships = relationships,
            Roles = roles,
            Expressions = expressions,
            Cultures = cultures,
        };
    }

    private static TmdlNode Single(List<TmdlNode> roots, string keyword, string folder)
    {
        var found = roots.Where(n => n.Keyword == keyword).ToList();
        return found.Count switch
        {
            1 => found[0],
            0 => throw new TmdlException(folder, 0, $"no '{keyword}' object in the definition"),
            _ => throw new TmdlException(found[1].File, found[1].Line, $"a second '{keyword}' object"),
        };
    }

    private static void Unique(IEnumerable<(string Name, TmdlNode Node)> objects, string what)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, node) in objects)
        {
            if (!seen.Add(name))
            {
                throw new TmdlException(node.File, node.Line, $"the {what} '{name}' is defined twice (names are case-insensitive)");
            }
        }
    }

    private static TmdlTable ToTable(TmdlNode table)
    {
        var name = table.Name!;
        var columns = table.ChildrenOf("column").Select(c => new TmdlColumn(
            name, c.Name!, c.Property("sourceColumn"), c.Property("dataType"), c.Has("isHidden"), c.Has("isKey"),
            c.Property("formatString"), Unquote(c.Property("sortByColumn")), c.Property("dataCategory"), c.Description, c)).ToList();
        var measures = table.ChildrenOf("measure").Select(m => new TmdlMeasure(
            name, m.Name!, m.Expression!, m.Property("formatString"), m.Description, m.Has("isHidden"), m)).ToList();
        var partitions = table.ChildrenOf("partition").Select(p => new TmdlPartition(
            name, p.Name!, p.Expression!, p.Property("mode"), p.ExpressionProperties.GetValueOrDefault("source"), p)).ToList();
        Unique(columns.Select(c => (c.Name, c.Node)).Concat(measures.Select(m => (m.Name, m.Node))), $"column or measure of '{name}'");
        return new TmdlTable(name, table.Description, table.Has("isHidden"), table.Property("dataCategory"), columns, measures, partitions, table);
    }

    private static TmdlRelationship ToRelationship(TmdlNode r) => new(
        r.Name!,
        ColumnRef(r, "fromColumn"),
        ColumnRef(r, "toColumn"),
        r.Property("crossFilteringBehavior"),
        r.Property("isActive") is not "false",
        r.Property("fromCardinality"),
        r.Property("toCardinality"),
        r);

    private static TmdlRole ToRole(TmdlNode role) => new(
        role.Name!,
        role.Description,
        role.Property("modelPermission"),
        role.ChildrenOf("tablePermission").Select(p => new TmdlTablePermission(role.Name!, p.Name!, p.Expression!, p)).ToList(),
        role);

    /// <summary><c>Table.Column</c>, either part bare or in single quotes.</summary>
    private static TmdlColumnRef ColumnRef(TmdlNode relationship, string property)
    {
        var text = relationship.Property(property)
            ?? throw new TmdlException(relationship.File, relationship.Line, $"{relationship} has no {property}");
        TmdlException Fail(string message) => new(relationship.File, relationship.Line, $"{property}: {message}");
        var (table, afterTable) = TmdlParser.ReadName(text, 0, Fail, stopAtDot: true);
        if (afterTable >= text.Length || text[afterTable] != '.')
        {
            throw Fail($"'{text}' is not Table.Column");
        }
        var (column, end) = TmdlParser.ReadName(text, afterTable + 1, Fail, stopAtDot: true);
        if (end != text.Length)
        {
            throw Fail($"'{text}' is not Table.Column");
        }
        return new TmdlColumnRef(table, column);
    }

    private static string? Unquote(string? name) =>
        name is { Length: > 1 } && name[0] == '\'' && name[^1] == '\'' ? name[1..^1].Replace("''", "'", StringComparison.Ordinal) : name;
}
