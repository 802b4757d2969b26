namespace NackaInsights.Reports.Tests.Tmdl;

/// <summary>
/// One TMDL object as written: its keyword (<c>table</c>, <c>column</c>, …), its name, the expression after
/// <c>=</c> (a measure's DAX, a partition's kind, an annotation's value), its <c>///</c> description, its
/// <c>name: value</c> properties, its flags (<c>isHidden</c>), its expression properties (<c>source =</c>) and
/// its child objects. For <c>ref table X</c> the keyword is <c>ref</c> and <see cref="RefKind"/> is <c>table</c>.
/// </summary>
public sealed class TmdlNode(string keyword, string? name, string file, int line)
{
    public string Keyword { get; } = keyword;

    public string? Name { get; } = name;

    public string? RefKind { get; init; }

    public string? Expression { get; internal set; }

    public string? Description { get; internal set; }

    public string File { get; } = file;

    public int Line { get; } = line;

    public Dictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> ExpressionProperties { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Flags { get; } = new(StringComparer.Ordinal);

    public List<TmdlNode> Children { get; } = [];

    public string? Property(string name) => Properties.GetValueOrDefault(name);

    public bool Has(string flag) => Flags.Contains(flag);

    public IEnumerable<TmdlNode> ChildrenOf(string keyword) => Children.Where(c => c.Keyword == keyword);

    public string Where => $"{Path.GetFileName(File)}:{Line}";

    public override string ToString() => Name is null ? Keyword : $"{Keyword} {Name}";
}

/// <summary>TMDL that the parser does not understand, with the file and line.</summary>
public sealed class TmdlException(string file, int line, string message)
    : Exception($"{Path.GetFileName(file)}:{line}: {message}")
{
    public string File { get; } = file;

    public int Line { get; } = line;
}
