namespace NackaInsights.Warehouse.Model;

/// <summary>
/// A maturity survey export (index-survey.md) as read and judged row by row: every non-blank data row,
/// each with the problems that reject it (none for a row that loads).
/// </summary>
/// <param name="SheetName">The sheet <c>Index</c> as the workbook spells it; null for a <c>.csv</c>, whose problems name the cell alone (<c>D7</c>).</param>
public sealed record SurveyUpload(string? SheetName, IReadOnlyList<SurveyRow> Rows)
{
    public int Accepted => Rows.Count(r => r.IsAccepted);

    public int Rejected => Rows.Count(r => !r.IsAccepted);

    public IEnumerable<SourceProblem> Problems => Rows.SelectMany(r => r.Problems);
}

/// <summary>
/// One data row of a survey export. The texts are the cells as the file shows them, trimmed, and null
/// when empty; the parsed values are null when the text is empty or not understood.
/// </summary>
/// <param name="Row">The row number as a spreadsheet shows it (1 is the first line or row of the file).</param>
public sealed record SurveyRow(int Row, string? YearText, string? Unit, string? Dimension, string? PercentText, string? RespondentsText)
{
    public int? Year { get; init; }

    /// <summary>The unit's result for the dimension, 0–100.</summary>
    public decimal? Percent { get; init; }

    /// <summary><c>Antal svar</c>, when given.</summary>
    public int? Respondents { get; init; }

    /// <summary>The A1 reference of the row's <c>Procent</c> cell, for tracing the value back to its source.</summary>
    public string PercentCell { get; init; } = "";

    /// <summary>The A1 reference of the row's <c>Verksamhet</c> cell, which a problem of the unit's spelling names.</summary>
    public string UnitCell { get; init; } = "";

    /// <summary>Why the row is rejected, each naming its cell; empty for a row that loads.</summary>
    public IReadOnlyList<SourceProblem> Problems { get; init; } = [];

    public bool IsAccepted => Problems.Count == 0;
}
