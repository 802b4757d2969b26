namespace NackaInsights.Warehouse.Model;

/// <summary>The choice values of the list Initiativ's Fas column, in lifecycle order.</summary>
public static class Phases
{
    public const string Idea = "Idé";
    public const string Preparation = "Beredning";
    public const string Decided = "Beslutad";
    public const string Project = "Projekt";
    public const string Operation = "Förvaltning";
    public const string Closed = "Avslutad";
    public const string Rejected = "Avslagen";

    public static readonly IReadOnlyList<string> All = [Idea, Preparation, Decided, Project, Operation, Closed, Rejected];
}

/// <summary>The choice values of the list Projektstatus's Status column.</summary>
public static class ProjectStatuses
{
    public const string Green = "Grön";
    public const string Yellow = "Gul";
    public const string Red = "Röd";

    public static readonly IReadOnlyList<string> All = [Green, Yellow, Red];
}

/// <summary>Where a list item came from, for tracing: the list, the item's id and when it was last modified.</summary>
public sealed record ListItemOrigin(string ListName, string ItemId, DateTime LastModifiedUtc)
{
    /// <summary>
    /// When the item was created (Graph's <c>createdDateTime</c>), where the source says: for the list Initiativ, when the
    /// initiative was registered. Null where the source does not give it.
    /// </summary>
    public DateTime? CreatedUtc { get; init; }

    /// <summary>
    /// What the item's reading depended on beyond its raw fields (the list's column mapping, a person's e-mail, a
    /// looked-up key), or null when nothing did: part of what says whether the item changed since it was last landed, so
    /// that a changed mapping or person is taken in though the item's fields did not change.
    /// </summary>
    public string? Resolution { get; init; }
}

/// <summary>An item of the list Initiativ, validated.</summary>
public sealed record InitiativeItem(
    ListItemOrigin Origin,
    string InitiativeId,
    string? Name,
    string? Unit,
    string? Phase,
    string? InitiativeType,
    string? NeedType,
    string? ObjectId,
    string? OwnerEmail,
    IReadOnlyList<string> GoalCodes,
    string? Hypothesis,
    DateOnly? DecisionDate);

/// <summary>An item of the list Bedomningar: one criterion's score in one assessment, validated.</summary>
public sealed record AssessmentItem(ListItemOrigin Origin, string InitiativeId, string CriterionCode, int Score, DateOnly AssessedOn, string? Comment);

/// <summary>An item of the list Projektstatus: one status report, validated.</summary>
public sealed record StatusItem(ListItemOrigin Origin, string InitiativeId, DateOnly ReportDate, string Status, decimal? PercentComplete, decimal? BudgetSpentSek, string? Comment);

/// <summary>An item of the list Forvaltningsobjekt, validated.</summary>
public sealed record ObjectItem(ListItemOrigin Origin, string ObjectId, string Name, string? ManagerEmail, string? Unit);

/// <summary>
/// One item of a list as read: its raw content for the landing table and, unless it was removed or
/// rejected, the validated item. <see cref="Problems"/> say why a rejected item was skipped.
/// </summary>
public sealed record ListItemChange(
    string ItemId,
    DateTime? LastModifiedUtc,
    string FieldsJson,
    bool Removed,
    object? Item,
    IReadOnlyList<SourceProblem> Problems)
{
    public bool Rejected => !Removed && Item is null;

    /// <summary>
    /// The item's <c>createdDateTime</c> as read, where it has one: part of what says whether the item changed since it was
    /// last landed, so that a creation time given for the first time (an export that begins to carry it) is staged.
    /// </summary>
    public DateTime? CreatedUtc { get; init; }

    /// <summary>
    /// What the item's reading depended on beyond its raw fields (the list's column mapping, a person's e-mail, a
    /// looked-up key), or null when nothing did: part of what says whether the item changed since it was last landed, so
    /// that a changed mapping or person is taken in though the item's fields did not change.
    /// </summary>
    public string? Resolution { get; init; }
}
