using System.Text;
using System.Text.RegularExpressions;

namespace NackaInsights.Reports.Tests.Tmdl;

/// <summary>
/// A strict parser for the TMDL this project writes (Microsoft's Tabular Model Definition Language): objects
/// nest by one tab of indentation per level; an object is <c>keyword name</c>, optionally followed by
/// <c>= expression</c>; its properties (<c>name: value</c>), flags (<c>isHidden</c>) and child objects sit one
/// level deeper; a multi-line expression starts after a bare <c>=</c> and its lines sit two levels below the line
/// that opened it (or between <c>```</c> fences); <c>///</c> lines describe the object that follows.
/// Anything else fails with the file and line: an unknown keyword, property or flag, a property where the object
/// has none of that name, spaces in indentation, a level skipped, a description with no object after it.
/// </summary>
public static partial class TmdlParser
{
    private enum Expr { None, Optional, Required }

    private sealed record Kind(
        string Keyword,
        bool Named,
        Expr Expression,
        string[] Properties,
        string[] Flags,
        string[] ExpressionProperties,
        string[] Children);

    private static readonly string[] NoNames = [];

    private static readonly string[] ModelChildren = ["table", "relationship", "role", "cultureInfo", "expression", "annotation", "ref"];

    private static readonly Dictionary<string, Kind> Kinds = new Kind[]
    {
        new("database", false, Expr.None, ["compatibilityLevel", "compatibilityMode"], NoNames, NoNames, ["annotation"]),
        new("model", true, Expr.None,
            ["culture", "defaultPowerBIDataSourceVersion", "sourceQueryCulture", "collation", "defaultMode", "defaultDataView"],
            ["discourageImplicitMeasures"], NoNames, ["dataAccessOptions", .. ModelChildren]),
        new("dataAccessOptions", false, Expr.None, NoNames, ["legacyRedirects", "returnErrorValuesAsNull", "fastCombine"], NoNames, NoNames),
        new("table", true, Expr.None, ["lineageTag", "sourceLineageTag", "dataCategory"], ["isHidden", "isPrivate"], NoNames,
            ["column", "measure", "partition", "hierarchy", "annotation", "extendedProperty"]),
        new("column", true, Expr.None,
            ["dataType", "sourceColumn", "formatString", "lineageTag", "sourceLineageTag", "summarizeBy", "sortByColumn", "dataCategory", "displayFolder"],
            ["isHidden", "isKey", "isNullable", "isNameInferred", "isDataTypeInferred"], NoNames, ["annotation", "extendedProperty"]),
        new("measure", true, Expr.Required, ["formatString", "lineageTag", "displayFolder"], ["isHidden"], NoNames, ["annotation"]),
        new("partition", true, Expr.Required, ["mode", "queryGroup"], NoNames, ["source"], ["annotation"]),
        new("hierarchy", true, Expr.None, ["lineageTag"], ["isHidden"], NoNames, ["level", "annotation"]),
        new("level", true, Expr.None, ["lineageTag", "column"], NoNames, NoNames, ["annotation"]),
        new("relationship", true, Expr.None,
            ["fromColumn", "toColumn", "crossFilteringBehavior", "fromCardinality", "toCardinality", "isActive",
             "securityFilteringBehavior", "joinOnDateBehavior", "relyOnReferentialIntegrity"],
            NoNames, NoNames, ["annotation"]),
        new("role", true, Expr.None, ["modelPermission"], NoNames, NoNames, ["tablePermission", "member", "annotation"]),
        new("tablePermission", true, Expr.Required, ["metadataPermission"], NoNames, NoNames, ["annotation"]),
        new("member", true, Expr.None, ["memberType", "identityProvider"], NoNames, NoNames, NoNames),
        new("cultureInfo", true, Expr.None, NoNames, NoNames, NoNames, ["linguisticMetadata", "annotation"]),
        new("linguisticMetadata", false, Expr.Required, ["contentType"], NoNames, NoNames, NoNames),
        new("expression", true, Expr.Required, ["lineageTag", "queryGroup"], NoNames, NoNames, ["annotation"]),
        new("annotation", true, Expr.Required, NoNames, NoNames, NoNames, NoNames),
        // JSON that Power BI reads, as a what-if parameter's ParameterMetadata on its column.
        new("extendedProperty", true, Expr.Required, NoNames, NoNames, NoNames, NoNames),
    }.ToDictionary(k => k.Keyword, StringComparer.Ordinal);

    /// <summary>What a file may hold at its root: the model's own objects, the database and the model.</summary>
    private static readonly Kind Root = new("(file)", false, Expr.None, NoNames, NoNames, NoNames, ["database", "model", .. ModelChildren]);

    private static readonly string[] RefKinds = ["table", "cultureInfo", "role", "expression", "perspective"];

    [GeneratedRegex(@"^(?<key>[A-Za-z][A-Za-z0-9]*):(?:[ \t]+(?<value>.*))?$")]
    private static partial Regex PropertyLine();

    [GeneratedRegex(@"^(?<key>[A-Za-z][A-Za-z0-9]*)[ \t]*=(?<rest>.*)$")]
    private static partial Regex ExpressionPropertyLine();

    /// <summary>Parses one file's text into its root objects.</summary>
    public static IReadOnlyList<TmdlNode> Parse(string text, string file)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length > 0 && lines[0].StartsWith('\uFEFF'))
        {
            lines[0] = lines[0][1..];
        }
        var reader = new Reader(lines, file);
        var root = new TmdlNode("(file)", null, file, 1);
        reader.ParseBlock(root, Root, 0);
        return root.Children;
    }

    public static IReadOnlyList<TmdlNode> ParseFile(string path) => Parse(File.ReadAllText(path, Encoding.UTF8), path);

    /// <summary>
    /// A name as TMDL writes it: bare (letters, digits, <c>_</c>, <c>-</c>, <c>.</c> up to white space, <c>=</c> or
    /// <c>:</c>), or in single quotes with <c>''</c> for a quote. Returns the name and the position after it.
    /// </summary>
    internal static (string Name, int End) ReadName(string text, int start, Func<string, Exception> fail, bool stopAtDot = false)
    {
        if (start >= text.Length)
        {
            throw fail("a name is missing");
        }
        if (text[start] == '\'')
        {
            var name = new StringBuilder();
            for (var i = start + 1; i < text.Length; i++)
            {
                if (text[i] != '\'')
                {
                    name.Append(text[i]);
                }
                else if (i + 1 < text.Length && text[i + 1] == '\'')
                {
                    name.Append('\'');
                    i++;
                }
                else
                {
                    if (name.Length == 0)
                    {
                        throw fail("an empty name");
                    }
                    return (name.ToString(), i + 1);
                }
            }
            throw fail($"the quoted name {text[start..]} has no closing quote");
        }
        var end = start;
        while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] is '_' || text[end] is '-' || (!stopAtDot && text[end] is '.')))
        {
            end++;
        }
        if (end == start)
        {
            throw fail($"'{text[start]}' cannot start a name (quote names that hold spaces or symbols)");
        }
        return (text[start..end], end);
    }

    private sealed class Reader(string[] lines, string file)
    {
        private int _index;

        private TmdlException Fail(string message, int? line = null) => new(file, line ?? _index + 1, message);

        /// <summary>The number of leading tabs; spaces before the content are an error.</summary>
        private int Indentation(string line)
        {
            var tabs = 0;
            while (tabs < line.Length && line[tabs] == '\t')
            {
                tabs++;
            }
            if (tabs < line.Length && line[tabs] == ' ')
            {
                throw Fail("indentation must be tabs, not spaces");
            }
            return tabs;
        }

        public void ParseBlock(TmdlNode parent, Kind kind, int depth)
        {
            string? description = null;
            var descriptionLine = 0;
            while (_index < lines.Length)
            {
                var line = lines[_index];
                if (string.IsNullOrWhiteSpace(line))
                {
                    _index++;
                    continue;
                }
                var indent = Indentation(line);
                if (indent < depth)
                {
                    break;
                }
                if (indent > depth)
                {
                    throw Fail($"indented {indent} tabs where {depth} were expected (under {parent})");
                }
                var content = line[indent..].TrimEnd();
                if (content.StartsWith("///", StringComparison.Ordinal))
                {
                    var text = content[3..].Trim();
                    description = description is null ? text : description + "\n" + text;
                    descriptionLine = descriptionLine == 0 ? _index + 1 : descriptionLine;
                    _index++;
                    continue;
                }
                if (ParseMember(parent, kind, depth, content, description is not null))
                {
                    continue;
                }
                var child = ParseObject(parent, kind, depth, content);
                child.Description = description;
                description = null;
                descriptionLine = 0;
            }
            if (description is not null)
            {
                throw Fail("a /// description with no object after it", descriptionLine);
            }
        }

        /// <summary>A property, a flag or an expression property of the object being read; false when the line declares an object.</summary>
        private bool ParseMember(TmdlNode parent, Kind kind, int depth, string content, bool described)
        {
            var property = PropertyLine().Match(content);
            if (property.Success)
            {
                var key = property.Groups["key"].Value;
                if (!kind.Properties.Contains(key))
                {
                    throw Fail($"{parent} has no property '{key}'");
                }
                if (described)
                {
                    throw Fail($"a /// description before the property '{key}'");
                }
                var value = property.Groups["value"].Value.Trim();
                if (value.Length == 0)
                {
                    throw Fail($"the property '{key}' has no value");
                }
                if (!parent.Properties.TryAdd(key, value))
                {
                    throw Fail($"{parent} sets '{key}' twice");
                }
                _index++;
                return true;
            }
            if (kind.Flags.Contains(content))
            {
                if (described)
                {
                    throw Fail($"a /// description before the flag '{content}'");
                }
                if (!parent.Flags.Add(content))
                {
                    throw Fail($"{parent} sets '{content}' twice");
                }
                _index++;
                return true;
            }
            var expressionProperty = ExpressionPropertyLine().Match(content);
            if (expressionProperty.Success && kind.ExpressionProperties.Contains(expressionProperty.Groups["key"].Value))
            {
                var key = expressionProperty.Groups["key"].Value;
                if (described)
                {
                    throw Fail($"a /// description before the property '{key}'");
                }
                var declaredAt = _index;
                _index++;
                var expression = ReadExpression(expressionProperty.Groups["rest"].Value, depth, declaredAt)
                    ?? throw Fail($"the expression '{key}' is empty", declaredAt + 1);
                if (!parent.ExpressionProperties.TryAdd(key, expression))
                {
                    throw Fail($"{parent} sets '{key}' twice", declaredAt + 1);
                }
                return true;
            }
            return false;
        }

        private TmdlNode ParseObject(TmdlNode parent, Kind kind, int depth, string content)
        {
            var space = content.IndexOfAny([' ', '\t', '=']);
            var keyword = space < 0 ? content : content[..space];
            if (!kind.Children.Contains(keyword))
            {
                throw Kinds.ContainsKey(keyword) || keyword == "ref"
                    ? Fail($"'{keyword}' cannot stand under {parent}")
                    : Fail($"'{keyword}' is not a keyword, property or flag that {parent} may hold");
            }
            var declaredAt = _index;
            var position = space < 0 ? content.Length : space;
            position = SkipBlanks(content, position);

            if (keyword == "ref")
            {
                var (refKind, afterKind) = ReadName(content, position, m => Fail(m));
                if (!RefKinds.Contains(refKind))
                {
                    throw Fail($"'ref {refKind}' is not a reference this parser knows");
                }
                var (refName, afterName) = ReadName(content, SkipBlanks(content, afterKind), m => Fail(m));
                if (SkipBlanks(content, afterName) != content.Length)
                {
                    throw Fail($"unexpected text after ref {refKind} {refName}: {content[afterName..].Trim()}");
                }
                var reference = new TmdlNode("ref", refName, file, declaredAt + 1) { RefKind = refKind };
                Attach(parent, reference);
                _index++;
                return reference;
            }

            var objectKind = Kinds[keyword];
            string? name = null;
            if (objectKind.Named)
            {
                (name, position) = ReadName(content, position, m => Fail(m));
                position = SkipBlanks(content, position);
            }
            var node = new TmdlNode(keyword, name, file, declaredAt + 1);
            _index++;
            if (position < content.Length && content[position] == '=')
            {
                if (objectKind.Expression == Expr.None)
                {
                    throw Fail($"{node} takes no '= expression'", declaredAt + 1);
                }
                node.Expression = ReadExpression(content[(position + 1)..], depth, declaredAt)
                    ?? throw Fail($"the expression of {node} is empty", declaredAt + 1);
            }
            else if (position < content.Length)
            {
                throw Fail($"unexpected text after {node}: {content[position..]}", declaredAt + 1);
            }
            else if (objectKind.Expression == Expr.Required)
            {
                throw Fail($"{node} needs '= expression'", declaredAt + 1);
            }
            Attach(parent, node);
            ParseBlock(node, objectKind, depth + 1);
            return node;
        }

        /// <summary>Root-level annotations and refs of model.tmdl belong to the model, as Power BI Desktop writes them.</summary>
        private void Attach(TmdlNode parent, TmdlNode child)
        {
            var owner = parent;
            if (parent.Keyword == "(file)" && child.Keyword is "annotation" or "ref")
            {
                owner = parent.Children.LastOrDefault(c => c.Keyword == "model")
                    ?? throw Fail($"{child} at the root of a file with no model", child.Line);
            }
            if (child.Name is not null && owner.Children.Any(c => c.Keyword == child.Keyword && c.RefKind == child.RefKind && c.Name == child.Name))
            {
                throw Fail($"{owner} holds {child} twice", child.Line);
            }
            owner.Children.Add(child);
        }

        /// <summary>
        /// The expression after '=': the rest of the line; or, when the line ends at '=', the following lines
        /// indented at least two levels below the declaring line (blank lines included); or a ``` fenced block.
        /// </summary>
        private string? ReadExpression(string rest, int depth, int declaredAt)
        {
            rest = rest.Trim();
            if (rest == "```")
            {
                var fenced = new List<string>();
                while (true)
                {
                    if (_index >= lines.Length)
                    {
                        throw Fail("a ``` block is not closed", declaredAt + 1);
                    }
                    var line = lines[_index++];
                    if (line.Trim() == "```")
                    {
                        break;
                    }
                    fenced.Add(line);
                }
                return Dedent(fenced);
            }
            if (rest.Length > 0)
            {
                return rest;
            }
            var block = new List<string>();
            while (_index < lines.Length)
            {
                var line = lines[_index];
                if (!string.IsNullOrWhiteSpace(line))
                {
                    var tabs = 0;
                    while (tabs < line.Length && line[tabs] == '\t')
                    {
                        tabs++;
                    }
                    if (tabs <= depth + 1)
                    {
                        if (tabs < line.Length && line[tabs] == ' ')
                        {
                            throw Fail("an expression line must be indented with tabs, two levels below its declaration");
                        }
                        break;
                    }
                    if (tabs < depth + 2)
                    {
                        throw Fail("an expression line must be indented two levels below its declaration");
                    }
                    block.Add(line[(depth + 2)..]);
                }
                else
                {
                    block.Add("");
                }
                _index++;
            }
            while (block.Count > 0 && block[^1].Length == 0)
            {
                // Trailing blank lines separate objects: give them back to the block reader.
                block.RemoveAt(block.Count - 1);
                _index--;
            }
            return block.Count == 0 ? null : string.Join('\n', block).TrimEnd();
        }

        private static string? Dedent(List<string> lines)
        {
            var content = lines.Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
            if (content.Count == 0)
            {
                return null;
            }
            var common = content.Min(l => l.TakeWhile(c => c == '\t').Count());
            return string.Join('\n', lines.Select(l => l.Length >= common ? l[common..] : l.TrimStart('\t'))).Trim('\n').TrimEnd();
        }

        private static int SkipBlanks(string text, int position)
        {
            while (position < text.Length && text[position] is ' ' or '\t')
            {
                position++;
            }
            return position;
        }
    }
}
