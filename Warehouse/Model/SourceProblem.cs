namespace NackaInsights.Warehouse.Model;

/// <summary>
/// One problem found in a source: a file (with sheet and cell where known) or a list item.
/// The message is Swedish: it is what the objektsförvaltare or controller reads.
/// </summary>
public sealed record SourceProblem(string Source, string? Sheet, string? Cell, string Message)
{
    /// <summary>The list item the problem is in, for a problem of a SharePoint list.</summary>
    public string? ItemId { get; init; }

    /// <summary>
    /// Whether it only tells what the source should know, having rejected nothing: a key read in other letter case
    /// than it is stored with (<see cref="KeyCase"/>). A run with notices only has no rejections.
    /// </summary>
    public bool IsNotice { get; init; }

    public static SourceProblem ForItem(string list, string itemId, string message) => new(list, null, null, message) { ItemId = itemId };

    public static SourceProblem ForFile(string file, string message) => new(file, null, null, message);

    public static SourceProblem ForCell(string file, string sheet, string cell, string message) => new(file, sheet, cell, message);

    /// <summary>A cell of a file without sheets (a .csv): the sheet is null and the cell its A1 reference, row 1 the first line.</summary>
    public static SourceProblem ForCsvCell(string file, string cell, string message) => new(file, null, cell, message);

    public static SourceProblem ForSheet(string file, string sheet, string message) => new(file, sheet, null, message);

    /// <summary>Where in the source, as a user would write it: <c>Kostnader!C4</c>, <c>Kostnader</c>, <c>D7</c> (a .csv) or empty.</summary>
    public string Location => (Sheet, Cell) switch
    {
        (null, _) when ItemId is not null => $"objekt {ItemId}",
        // A file without sheets (a .csv): the cell alone, as a spreadsheet opening it shows it.
        (null, { } cell) => cell,
        (null, null) => "",
        (_, null) => Sheet,
        _ => $"{Sheet}!{Cell}",
    };

    public override string ToString() => Location.Length == 0 ? $"{Source}: {Message}" : $"{Source}: {Location}: {Message}";
}
