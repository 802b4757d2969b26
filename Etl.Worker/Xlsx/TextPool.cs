namespace NackaInsights.Etl.Xlsx;

/// <summary>
/// The short texts a reading thread has met, shared between the workbooks it reads: the same labels, headers, line names
/// and numbers recur in every business case, and each read held its own copy until its batch was loaded, through the
/// first-generation collections between (26 MB of the 762 MB a scale-1 full refresh allocated). Bounded in the length of
/// a text and in how many it keeps, so that a hostile workbook's many distinct texts only stop being shared; nothing is
/// ever evicted, the first met being the common ones. A text is equal whether pooled or not: nothing compares them by reference.
/// </summary>
internal static class TextPool
{
    /// <summary>The longest text pooled; longer ones are seldom repeated.</summary>
    public const int MaxLength = 48;

    /// <summary>How many texts a thread keeps: about 0.3 MB at most.</summary>
    public const int MaxCount = 4096;

    [ThreadStatic]
    private static Dictionary<string, string>? t_texts;

    /// <summary>The text of <paramref name="chars"/>: the thread's copy when it has one, else a new string, kept while there is room.</summary>
    public static string Get(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return "";
        }
        if (chars.Length > MaxLength)
        {
            return new string(chars);
        }
        var texts = t_texts ??= new Dictionary<string, string>(StringComparer.Ordinal);
        // Looked up by the characters themselves (.NET 9's alternate lookup): no string is made to find one.
        var lookup = texts.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars, out var text))
        {
            return text;
        }
        text = new string(chars);
        if (texts.Count < MaxCount)
        {
            texts.Add(text, text);
        }
        return text;
    }
}
