namespace NackaInsights.Etl.Pipeline;

/// <summary>Which processed uploads get a result workbook (<c>&lt;namn&gt;.resultat.xlsx</c>) beside them.</summary>
public enum ResultWorkbookPolicy
{
    /// <summary>
    /// <see cref="WithProblems"/> where the library shows each upload's status in its columns (the status already says
    /// <c>Inläst</c>), <see cref="Always"/> where it does not (folders, libraries without the columns: the workbook is
    /// then the only feedback beside the upload).
    /// </summary>
    Auto,

    /// <summary>Every processed upload, as actuals-workbook.md has it.</summary>
    Always,

    /// <summary>Only uploads that were rejected or partly loaded, or have notes; a stale workbook beside a clean upload is removed.</summary>
    WithProblems,
}

/// <summary>Bound from the configuration section <c>ResultWorkbookOptions</c>; checked at start.</summary>
public sealed class ResultWorkbookOptions
{
    public const string Section = "ResultWorkbookOptions";

    /// <summary>Which uploads get a result workbook; <see cref="ResultWorkbookPolicy.Auto"/> by default.</summary>
    public ResultWorkbookPolicy When { get; set; } = ResultWorkbookPolicy.Auto;

    /// <summary>The settings' problems, each naming its setting; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate() => Enum.IsDefined(When)
        ? []
        : [$"{Section}:When must be Auto, Always or WithProblems, not \"{When}\""];

    /// <summary>Whether an upload gets a result workbook, given whether its source shows statuses and whether it had problems.</summary>
    public bool Writes(bool statusColumns, bool hasProblems) => When switch
    {
        ResultWorkbookPolicy.Always => true,
        ResultWorkbookPolicy.WithProblems => hasProblems,
        _ => !statusColumns || hasProblems,
    };
}
