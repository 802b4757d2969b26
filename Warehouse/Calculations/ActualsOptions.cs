namespace NackaInsights.Warehouse.Calculations;

/// <summary>Who may report benefit actuals beyond each object's objektsförvaltare. Bound from the configuration section <c>ActualsOptions</c>.</summary>
public sealed class ActualsOptions
{
    /// <summary>E-mail addresses of those who may report actuals for any förvaltningsobjekt.</summary>
    public List<string> Administrators { get; set; } = [];
}
