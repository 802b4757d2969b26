namespace NackaInsights.Warehouse.Loading;

/// <summary>What the pre-filled actuals workbook of one förvaltningsobjekt holds (<c>template actuals --object ID</c>).</summary>
/// <param name="ObjectName">Null when the object is only known from its initiatives, not from the list Forvaltningsobjekt.</param>
/// <param name="Rows">One per initiative of the object, current benefit line and year: by initiative, line row order, year.</param>
public sealed record ActualsTemplateData(string ObjectId, string? ObjectName, string? ManagerEmail, IReadOnlyList<ActualsTemplateRow> Rows);

/// <summary>One row of the sheet Utfall as the template writes it.</summary>
/// <param name="Planned">The business case's value; 0 for an empty cell.</param>
/// <param name="BenefitType">The Swedish label: Finansiell, Omfördelning or Förflyttning.</param>
/// <param name="Reported">The current reported value, when there is one.</param>
public sealed record ActualsTemplateRow(
    string InitiativeId,
    string? InitiativeName,
    string BenefitLine,
    string BenefitType,
    int Year,
    decimal Planned,
    decimal? Reported,
    string? Comment);
