namespace NackaInsights.Reports.Tests;

/// <summary>A table's column or measure as a visual names it: <c>Entity</c> and <c>Property</c> of a PBIR field.</summary>
internal sealed record ModelField(string Table, string Name, bool IsMeasure)
{
    public override string ToString() => $"{Table}[{Name}]{(IsMeasure ? " (measure)" : "")}";
}

/// <summary>The fields of the semantic model that the report may use.</summary>
internal static class ReportFields
{
    /// <summary>
    /// The known fields: for now the fixed names the model and the report agreed on (the visible columns and the
    /// measures of the model's name list), written out here. The one place to swap for the fields of the parsed TMDL model.
    /// </summary>
    public static IReadOnlySet<ModelField> Known() => AgreedNames;

    private static readonly IReadOnlySet<ModelField> AgreedNames = new HashSet<ModelField>(
        Columns(
            ("Initiativ", ["Initiativ-ID", "Namn", "Fas", "Verksamhet"]),
            ("Verksamhet", ["Verksamhet"]),
            ("År", ["År"]),
            ("Datum", ["Datum", "År", "Månad"]),
            ("Nyttokalkyl per år", ["Investering", "Förvaltningskostnad", "Finansiell nytta", "Omfördelningsnytta", "Förflyttning"]),
            ("Nyttorealisering", ["Nyttopost", "Nyttotyp"]),
            ("Bedömning", ["Nyttopoäng", "Genomförbarhetspoäng", "Prioriteringsklass"]),
            ("Projektstatus", ["Rapportdatum", "Status"]),
            ("Projektstatus per dag", ["Dag", "Status"]),
            ("Index per verksamhet", ["Indexvärde"]),
            ("Index kommun", ["Indexvärde"]),
            ("Körning", ["Körning", "Startad", "Status", "Meddelande"]),
            ("Fil", ["Filnamn", "Status", "Meddelande", "Källtyp"]),
            ("Problem", ["Källa", "Blad", "Cell", "Meddelande"]))
        .Concat(Measures(
            ("Nyttokalkyl per år", ["Kostnad totalt", "Ekonomisk nytta", "Nettonytta", "Nettonytta ackumulerad", "Ekonomisk nyttokvot", "Nyttokvot totalt"]),
            ("Nyttorealisering", ["Planerad nytta", "Realiserad nytta", "Avvikelse", "Realiseringsgrad"]),
            ("Initiativ", ["Antal initiativ"]),
            ("Projektstatus", ["Andel röda projekt"]),
            ("Index per verksamhet", ["Digitaliseringsindex"]),
            ("Index kommun", ["Digitaliseringsindex kommun"]),
            ("Körning", ["Senaste lyckade uppdatering"]))));

    private static IEnumerable<ModelField> Columns(params (string Table, string[] Names)[] tables) =>
        tables.SelectMany(t => t.Names.Select(n => new ModelField(t.Table, n, IsMeasure: false)));

    private static IEnumerable<ModelField> Measures(params (string Table, string[] Names)[] tables) =>
        tables.SelectMany(t => t.Names.Select(n => new ModelField(t.Table, n, IsMeasure: true)));
}
