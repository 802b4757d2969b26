namespace NackaInsights.Reports.Tests;

/// <summary>A table's column or measure as a visual names it: <c>Entity</c> and <c>Property</c> of a PBIR field.</summary>
internal sealed record ModelField(string Table, string Name, bool IsMeasure)
{
    public override string ToString() => $"{Table}[{Name}]{(IsMeasure ? " (measure)" : "")}";
}

/// <summary>The fields of the semantic model that the report may use: its visible columns and its measures, as parsed from the TMDL.</summary>
internal static class ReportFields
{
    public static IReadOnlySet<ModelField> Known() => Fields.Value;

    private static readonly Lazy<IReadOnlySet<ModelField>> Fields = new(() => ModelNames.Model.Tables
        .SelectMany(t => t.Columns.Where(c => !c.IsHidden).Select(c => new ModelField(t.Name, c.Name, IsMeasure: false))
            .Concat(t.Measures.Select(m => new ModelField(t.Name, m.Name, IsMeasure: true))))
        .ToHashSet());
}
