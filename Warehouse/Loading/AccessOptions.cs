using System.ComponentModel.DataAnnotations;

namespace NackaInsights.Warehouse.Loading;

/// <summary>
/// Who may see which verksamhet in Power BI beyond the objektsförvaltare, whom the list Förvaltningsobjekt
/// names. Bound from the configuration section <c>AccessOptions</c>; the warehouse turns it into rows of
/// <c>pbi_sec_unit_access</c> with the source <c>Konfiguration</c>, which the Power BI role <c>Verksamhet</c>
/// filters on with <c>USERPRINCIPALNAME()</c>.
/// </summary>
public sealed class AccessOptions : IValidatableObject
{
    /// <summary>
    /// The longest user principal name the warehouse stores: SQL Server's key of unit and name stays within
    /// the 900 bytes a clustered index allows. Entra ID's own limit is far below it.
    /// </summary>
    public const int MaxNameLength = 250;

    /// <summary>
    /// From a unit (a verksamhet, as in <c>pbi_dim_unit</c>) to the user principal names (e-mail form) that
    /// may see it, e.g. <c>"Välfärd skola": ["rektor.ett@nacka.se"]</c>. Names are stored trimmed and in
    /// lower case. A unit the warehouse does not know is left out, with a warning, until it appears.
    /// </summary>
    public Dictionary<string, List<string>> Units { get; set; } = [];

    /// <summary>Each configured unit (trimmed) and user principal name (normalised), once.</summary>
    public IEnumerable<(string Unit, string UserPrincipalName)> Grants() =>
        Units
            .Where(u => !string.IsNullOrWhiteSpace(u.Key))
            .SelectMany(u => (u.Value ?? []).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => (Unit: u.Key.Trim(), UserPrincipalName: Normalize(n))))
            .Distinct();

    /// <summary>The one spelling the warehouse keeps: trimmed, lower case.</summary>
    public static string Normalize(string userPrincipalName) => userPrincipalName.Trim().ToLowerInvariant();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (unit, names) in Units)
        {
            if (string.IsNullOrWhiteSpace(unit))
            {
                yield return new ValidationResult("AccessOptions:Units names an empty unit.", [nameof(Units)]);
                continue;
            }
            var i = 0;
            foreach (var name in names ?? [])
            {
                var where = $"AccessOptions:Units:{unit}:{i++}";
                if (string.IsNullOrWhiteSpace(name))
                {
                    yield return new ValidationResult($"{where} is empty: name a user principal name, such as förnamn.efternamn@nacka.se.", [nameof(Units)]);
                }
                else if (Normalize(name) is var upn && (!upn.Contains('@', StringComparison.Ordinal) || upn.StartsWith('@') || upn.EndsWith('@') || upn.Any(char.IsWhiteSpace)))
                {
                    yield return new ValidationResult($"{where} ('{name}') is not a user principal name in e-mail form.", [nameof(Units)]);
                }
                else if (upn.Length > MaxNameLength)
                {
                    yield return new ValidationResult($"{where} is longer than {MaxNameLength} characters.", [nameof(Units)]);
                }
            }
        }
    }
}

/// <summary>The sources of <c>pbi_sec_unit_access</c>: why a person may see a unit.</summary>
public static class UnitAccessSources
{
    /// <summary>Named in <see cref="AccessOptions.Units"/>.</summary>
    public const string Configuration = "Konfiguration";

    /// <summary>
    /// Objektsförvaltare, in the list Förvaltningsobjekt, of an object of the unit or of an object that an initiative of
    /// the unit runs on: the role Objektsförvaltare filters Verksamhet too, and must not hide such an initiative.
    /// </summary>
    public const string ObjectManager = "Forvaltningsobjekt";

    public static readonly IReadOnlyList<string> All = [Configuration, ObjectManager];
}

/// <summary>
/// The sources of <c>pbi_sec_object_access</c>: why a person may see a förvaltningsobjekt under the Power BI role
/// <c>Verksamhet</c>. The view writes them as text; these are the values its data check accepts.
/// </summary>
public static class ObjectAccessSources
{
    /// <summary>The object belongs to a unit the person may see (<c>pbi_sec_unit_access</c>).</summary>
    public const string Unit = "Verksamhet";

    /// <summary>An initiative of a unit the person may see runs on the object.</summary>
    public const string Initiative = "Initiativ";

    /// <summary>The person is the object's objektsförvaltare.</summary>
    public const string Manager = "Objektsforvaltare";

    public static readonly IReadOnlyList<string> All = [Unit, Initiative, Manager];
}
