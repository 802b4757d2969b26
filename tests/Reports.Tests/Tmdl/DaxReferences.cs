using System.Text;

namespace NackaInsights.Reports.Tests.Tmdl;

/// <summary>A reference in a DAX expression: <c>'Table'[Name]</c> or <c>Table[Name]</c> (Table set), or <c>[Name]</c> (a measure, or a column of a table variable such as <c>[@Status]</c>).</summary>
public sealed record DaxReference(string? Table, string Name)
{
    public override string ToString() => Table is null ? $"[{Name}]" : $"'{Table}'[{Name}]";
}

/// <summary>
/// The table, column and measure references of a DAX expression, found by a small tokenizer: string literals
/// (<c>"…"</c>, <c>""</c> inside), comments (<c>//</c>, <c>--</c>, <c>/* */</c>) are skipped; <c>'quoted table'</c>
/// (<c>''</c> inside), a bare identifier directly before <c>[</c>, and <c>[bracketed names]</c> (<c>]]</c> inside) are
/// read. A table named alone (<c>REMOVEFILTERS('År')</c>) is reported with an empty Name.
/// </summary>
public static class DaxReferences
{
    public static IReadOnlyList<DaxReference> Extract(string dax)
    {
        var references = new List<DaxReference>();
        var i = 0;
        while (i < dax.Length)
        {
            var c = dax[i];
            if (c == '"')
            {
                i = SkipString(dax, i);
            }
            else if (c == '/' && At(dax, i + 1) == '/' || c == '-' && At(dax, i + 1) == '-')
            {
                while (i < dax.Length && dax[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(dax, i + 1) == '*')
            {
                var end = dax.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? throw new FormatException("an unclosed /* comment") : end + 2;
            }
            else if (c == '\'')
            {
                var (table, after) = ReadDelimited(dax, i, '\'', '\'');
                if (At(dax, after) == '[')
                {
                    var (name, end) = ReadDelimited(dax, after, '[', ']');
                    references.Add(new DaxReference(table, name));
                    i = end;
                }
                else
                {
                    references.Add(new DaxReference(table, ""));
                    i = after;
                }
            }
            else if (c == '[')
            {
                var (name, end) = ReadDelimited(dax, i, '[', ']');
                references.Add(new DaxReference(null, name));
                i = end;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < dax.Length && (char.IsLetterOrDigit(dax[i]) || dax[i] is '_' or '.'))
                {
                    i++;
                }
                if (At(dax, i) == '[')
                {
                    var (name, end) = ReadDelimited(dax, i, '[', ']');
                    references.Add(new DaxReference(dax[start..i], name));
                    i = end;
                }
            }
            else
            {
                i++;
            }
        }
        return references;
    }

    private static char At(string text, int index) => index < text.Length ? text[index] : '\0';

    private static int SkipString(string dax, int start)
    {
        for (var i = start + 1; i < dax.Length; i++)
        {
            if (dax[i] == '"')
            {
                if (At(dax, i + 1) == '"')
                {
                    i++;
                    continue;
                }
                return i + 1;
            }
        }
        throw new FormatException("an unclosed string literal");
    }

    /// <summary>Text between an opening and a closing delimiter, the closing one doubled inside; the position after it.</summary>
    private static (string Text, int End) ReadDelimited(string dax, int start, char open, char close)
    {
        var text = new StringBuilder();
        for (var i = start + 1; i < dax.Length; i++)
        {
            if (dax[i] != close)
            {
                text.Append(dax[i]);
            }
            else if (At(dax, i + 1) == close)
            {
                text.Append(close);
                i++;
            }
            else
            {
                return (text.ToString(), i + 1);
            }
        }
        throw new FormatException($"an unclosed {open}");
    }
}
