using System.ComponentModel.DataAnnotations;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Calculations;

/// <summary>The priority classes of an assessment (sharepoint-lists.md).</summary>
public static class PriorityClasses
{
    public const string Implement = "Genomför";
    public const string Prepare = "Förbered";
    public const string Consider = "Överväg";
    public const string Wait = "Avvakta";
    public const string FixCompliance = "Åtgärda regelefterlevnad";
    public const string Incomplete = "Ofullständig bedömning";

    public static readonly IReadOnlyList<string> All = [Implement, Prepare, Consider, Wait, FixCompliance, Incomplete];
}

/// <summary>The thresholds of the evaluation model. Bound from the configuration section <c>EvaluationOptions</c>.</summary>
public sealed class EvaluationOptions
{
    /// <summary>The score (1–4) both the benefit and the feasibility score are held against.</summary>
    [Range(typeof(decimal), "1", "4")]
    public decimal Threshold { get; set; } = 2.5m;

    /// <summary>The lowest Regelefterlevnad score that passes the compliance gate.</summary>
    [Range(1, 4)]
    public int ComplianceMinimum { get; set; } = 3;
}

/// <summary>An initiative's latest assessment, evaluated.</summary>
public sealed record Evaluation(
    string InitiativeId,
    DateOnly AssessedOn,
    decimal? BenefitScore,
    decimal? FeasibilityScore,
    bool? ComplianceOk,
    string PriorityClass,
    int CriteriaScored);

/// <summary>
/// The beredningsgrupp's evaluation model: from an initiative's latest assessment, the benefit score
/// (mean of the four Nytta criteria), the feasibility score (mean of the seven Genomförbarhet
/// criteria), the compliance gate (Regelefterlevnad ≥ 3) and the priority class.
/// </summary>
public static class EvaluationCalculator
{
    /// <param name="scores">
    /// One initiative's scores, of any assessment dates: criterion code, date, score. Of several scores of one
    /// criterion on one date the last given counts (the warehouse gives the item modified last). A code that is
    /// none of the eleven criteria is ignored: it neither makes a newer assessment nor counts as scored.
    /// </param>
    public static Evaluation Evaluate(string initiativeId, IEnumerable<(string CriterionCode, DateOnly AssessedOn, int Score)> scores, EvaluationOptions options)
    {
        var all = scores.Where(s => Criteria.All.Any(c => c.Code == s.CriterionCode)).ToList();
        if (all.Count == 0)
        {
            throw new ArgumentException("An evaluation needs at least one score of the model's criteria.", nameof(scores));
        }
        var latest = all.Max(s => s.AssessedOn);
        var assessment = all.Where(s => s.AssessedOn == latest)
            .GroupBy(s => s.CriterionCode)
            .ToDictionary(g => g.Key, g => g.Last().Score);

        bool? complianceOk = assessment.TryGetValue(Criteria.ComplianceCode, out var compliance) ? compliance >= options.ComplianceMinimum : null;
        if (Criteria.All.Any(c => !assessment.ContainsKey(c.Code)))
        {
            return new Evaluation(initiativeId, latest, null, null, complianceOk, PriorityClasses.Incomplete, assessment.Count);
        }

        decimal Mean(string group)
        {
            var inGroup = Criteria.All.Where(c => c.Group == group).Select(c => (decimal)assessment[c.Code]).ToList();
            return inGroup.Sum() / inGroup.Count;
        }
        var benefit = Mean(Criteria.BenefitGroup);
        var feasibility = Mean(Criteria.FeasibilityGroup);
        var priority = complianceOk == false
            ? PriorityClasses.FixCompliance
            : (benefit >= options.Threshold, feasibility >= options.Threshold) switch
            {
                (true, true) => PriorityClasses.Implement,
                (true, false) => PriorityClasses.Prepare,
                (false, true) => PriorityClasses.Consider,
                _ => PriorityClasses.Wait,
            };
        return new Evaluation(initiativeId, latest, benefit, feasibility, complianceOk, priority, assessment.Count);
    }
}
