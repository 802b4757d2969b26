namespace NackaInsights.Warehouse.Model;

/// <summary>
/// An actuals workbook (nyttouppföljning) as read (actuals-workbook.md): what its sheet <c>Om</c> says,
/// and every non-blank data row of its sheet <c>Utfall</c>. Nothing here is judged yet: the
/// <see cref="Calculations.ActualsValidator"/> decides which rows are accepted.
/// </summary>
/// <param name="SheetName">The sheet <c>Utfall</c>, spelled as the workbook spells it.</param>
/// <param name="ObjectId">Om: <c>Förvaltningsobjekt</c>, when given.</param>
/// <param name="ReportedBy">Om: <c>Rapporterad av</c> (an e-mail address), when given.</param>
public sealed record ActualsUpload(
    string SheetName,
    string? ObjectId,
    string? ReportedBy,
    ActualsColumns Columns,
    IReadOnlyList<ActualRow> Rows);

/// <summary>The column letters of the sheet Utfall's header, so that every problem names its cell.</summary>
public sealed record ActualsColumns(
    string InitiativeId,
    string BenefitLine,
    string Type,
    string Year,
    string? Planned,
    string Value,
    string? Comment);

/// <summary>
/// One data row of the sheet Utfall. The texts are the cells as the workbook shows them, trimmed, and
/// null when the cell is empty. The parsed values are null when the text is empty or not understood.
/// </summary>
/// <param name="Row">The worksheet row number (1 is the header).</param>
public sealed record ActualRow(
    int Row,
    string? InitiativeId,
    string? BenefitLine,
    string? TypeText,
    string? YearText,
    string? PlannedText,
    string? ValueText,
    string? Comment)
{
    /// <summary>The year, when <see cref="YearText"/> is a whole number.</summary>
    public int? Year { get; init; }

    /// <summary>The realised value, when <see cref="ValueText"/> is a number (Swedish or invariant form, or a numeric cell).</summary>
    public decimal? Value { get; init; }

    /// <summary>An empty <c>Utfall</c> means "not reported": such a row is skipped, never read as 0.</summary>
    public bool IsReported => ValueText is not null;
}

/// <summary>What the warehouse knows that an actuals row is checked against, as of the run.</summary>
public sealed class ActualsCatalogue
{
    private readonly Dictionary<string, CatalogueInitiative> _initiatives;
    private readonly HashSet<string> _administrators;

    public ActualsCatalogue(IEnumerable<CatalogueInitiative> initiatives, IEnumerable<string> administrators)
    {
        // An initiative is one key whatever its letter case (KeyCase). Should a warehouse hold two spellings of one, the
        // first is taken rather than failing every run that judges actuals.
        _initiatives = new Dictionary<string, CatalogueInitiative>(KeyCase.Comparer);
        foreach (var initiative in initiatives)
        {
            _initiatives.TryAdd(initiative.InitiativeId.Trim(), initiative);
        }
        _administrators = new HashSet<string>(administrators.Select(a => a.Trim()).Where(a => a.Length > 0), StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<CatalogueInitiative> Initiatives => _initiatives.Values;

    public CatalogueInitiative? Find(string initiativeId) => _initiatives.GetValueOrDefault(initiativeId.Trim());

    public bool IsAdministrator(string email) => _administrators.Contains(email.Trim());
}

/// <summary>An initiative, its förvaltningsobjekt's objektsförvaltare, and its current business case's benefit lines.</summary>
/// <param name="FirstYear">The current business case's first year; null when it has none.</param>
/// <param name="BenefitLines">Empty when the initiative has no current business case.</param>
public sealed record CatalogueInitiative(
    string InitiativeId,
    string? ObjectId,
    string? ObjectManagerEmail,
    int? FirstYear,
    int? LastYear,
    IReadOnlyList<CatalogueLine> BenefitLines);

/// <summary>A benefit line of a current business case, named as the business case names it.</summary>
public sealed record CatalogueLine(string Name, BenefitType Type);

/// <summary>What became of one row of an actuals workbook.</summary>
public enum ActualRowStatus
{
    Accepted,
    Rejected,

    /// <summary><c>Utfall</c> was empty: skipped, neither loaded nor rejected.</summary>
    NotReported,
}

/// <summary>One row's outcome, with every reason it was rejected (each naming its cell).</summary>
/// <param name="Line">For an accepted row: the business case's line it reports on, as the business case names it.</param>
public sealed record ActualRowOutcome(ActualRow Row, ActualRowStatus Status, IReadOnlyList<SourceProblem> Problems, CatalogueLine? Line)
{
    /// <summary>The <c>Resultat</c> cell of the result workbook.</summary>
    public string ResultText => Status switch
    {
        ActualRowStatus.Accepted => "Inläst",
        ActualRowStatus.NotReported => "Inget utfall angivet",
        _ => string.Join(" ", Problems.Select(p => p.Message)),
    };
}

/// <summary>An actuals workbook's rows, judged.</summary>
/// <param name="FileProblems">Problems of the file as a whole (none when its rows were judged).</param>
public sealed record ActualsValidation(IReadOnlyList<ActualRowOutcome> Rows, IReadOnlyList<SourceProblem> FileProblems)
{
    public int Accepted => Rows.Count(r => r.Status == ActualRowStatus.Accepted);

    public int Rejected => Rows.Count(r => r.Status == ActualRowStatus.Rejected);

    public int NotReported => Rows.Count(r => r.Status == ActualRowStatus.NotReported);

    public IEnumerable<SourceProblem> Problems => FileProblems.Concat(Rows.SelectMany(r => r.Problems));
}
