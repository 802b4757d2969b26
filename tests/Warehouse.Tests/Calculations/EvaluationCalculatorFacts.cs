using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Calculations;

public class EvaluationCalculatorFacts
{
    private const string InitiativeId = "DIG-2023-014";
    private static readonly DateOnly AssessedOn = new(2024, 3, 5);
    private static readonly EvaluationOptions Defaults = new();

    // The criteria in the contract's order: the four Nytta criteria, then the seven Genomförbarhet
    // criteria, the last of which is Regelefterlevnad.
    private static readonly string[] BenefitCodes = ["N1", "N2", "N3", "N4"];
    private static readonly string[] FeasibilityCodes = ["G1", "G2", "G3", "G4", "G5", "G6", "G7"];

    /// <summary>One complete assessment: four Nytta scores, then seven Genomförbarhet scores ending with Regelefterlevnad.</summary>
    private static List<(string CriterionCode, DateOnly AssessedOn, int Score)> Assessment(int[] benefit, int[] feasibility, DateOnly? on = null)
    {
        Assert.Equal(BenefitCodes.Length, benefit.Length);
        Assert.Equal(FeasibilityCodes.Length, feasibility.Length);
        var date = on ?? AssessedOn;
        return BenefitCodes.Zip(benefit).Concat(FeasibilityCodes.Zip(feasibility))
            .Select(s => (s.First, date, s.Second))
            .ToList();
    }

    private static decimal Mean(int[] scores) => (decimal)scores.Sum() / scores.Length;

    [Fact]
    public void Evaluate_DefaultsToTheContractsThresholdAndComplianceMinimum()
    {
        Assert.Equal(2.5m, Defaults.Threshold);
        Assert.Equal(3, Defaults.ComplianceMinimum);
    }

    // Benefit sums 9, 10 and 11 over four criteria are 2.25, 2.5 (exactly the threshold) and 2.75;
    // feasibility sums 17 and 18 over seven are 2.43 and 2.57, as 17.5 cannot be reached with whole scores.
    // Regelefterlevnad (the last feasibility score) is at least 3 throughout, so the gate passes.
    [Theory]
    [InlineData(new[] { 3, 2, 3, 2 }, new[] { 2, 2, 2, 3, 3, 3, 3 }, "Genomför")]
    [InlineData(new[] { 3, 3, 3, 2 }, new[] { 2, 2, 2, 3, 3, 3, 3 }, "Genomför")]
    [InlineData(new[] { 3, 2, 3, 2 }, new[] { 2, 2, 2, 2, 3, 3, 3 }, "Förbered")]
    [InlineData(new[] { 3, 3, 3, 2 }, new[] { 2, 2, 2, 2, 3, 3, 3 }, "Förbered")]
    [InlineData(new[] { 2, 2, 3, 2 }, new[] { 2, 2, 2, 3, 3, 3, 3 }, "Överväg")]
    [InlineData(new[] { 1, 4, 1, 3 }, new[] { 4, 4, 4, 4, 4, 4, 4 }, "Överväg")]
    [InlineData(new[] { 2, 2, 3, 2 }, new[] { 2, 2, 2, 2, 3, 3, 3 }, "Avvakta")]
    [InlineData(new[] { 1, 1, 1, 1 }, new[] { 1, 1, 1, 1, 1, 1, 3 }, "Avvakta")]
    [InlineData(new[] { 4, 4, 4, 4 }, new[] { 4, 4, 4, 4, 4, 4, 4 }, "Genomför")]
    public void Evaluate_ClassifiesByBothMeansAgainstTheThreshold(int[] benefit, int[] feasibility, string expected)
    {
        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, Assessment(benefit, feasibility), Defaults);

        Assert.Equal(expected, evaluation.PriorityClass);
        Assert.Equal(Mean(benefit), evaluation.BenefitScore);
        Assert.Equal(Mean(feasibility), evaluation.FeasibilityScore);
        Assert.True(evaluation.ComplianceOk);
        Assert.Equal(11, evaluation.CriteriaScored);
        Assert.Equal(InitiativeId, evaluation.InitiativeId);
        Assert.Equal(AssessedOn, evaluation.AssessedOn);
    }

    [Fact]
    public void Evaluate_GivesGenomfor_WhenBenefitIsExactlyTheThreshold()
    {
        int[] benefit = [3, 2, 3, 2];
        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, Assessment(benefit, [2, 2, 2, 3, 3, 3, 3]), Defaults);

        Assert.Equal(2.5m, evaluation.BenefitScore);
        Assert.Equal(18m / 7m, evaluation.FeasibilityScore);
        Assert.Equal(PriorityClasses.Implement, evaluation.PriorityClass);
    }

    [Fact]
    public void Evaluate_PassesTheComplianceGate_WhenRegelefterlevnadIsThree()
    {
        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, Assessment([4, 4, 4, 4], [4, 4, 4, 4, 4, 4, 3]), Defaults);

        Assert.True(evaluation.ComplianceOk);
        Assert.Equal(PriorityClasses.Implement, evaluation.PriorityClass);
    }

    [Fact]
    public void Evaluate_GivesAtgardaRegelefterlevnad_WhenRegelefterlevnadIsTwoEvenWithHighScores()
    {
        int[] benefit = [4, 4, 4, 4];
        int[] feasibility = [4, 4, 4, 4, 4, 4, 2];

        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, Assessment(benefit, feasibility), Defaults);

        Assert.False(evaluation.ComplianceOk);
        Assert.Equal("Åtgärda regelefterlevnad", evaluation.PriorityClass);
        // The gate decides the class; the scores are still those of the assessment.
        Assert.Equal(Mean(benefit), evaluation.BenefitScore);
        Assert.Equal(Mean(feasibility), evaluation.FeasibilityScore);
    }

    [Fact]
    public void Evaluate_GivesAtgardaRegelefterlevnad_RatherThanAvvakta_WhenTheGateFailsAndBothScoresAreLow()
    {
        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, Assessment([1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]), Defaults);

        Assert.False(evaluation.ComplianceOk);
        Assert.Equal(PriorityClasses.FixCompliance, evaluation.PriorityClass);
    }

    [Theory]
    [InlineData(3, 3, true)]
    [InlineData(3, 2, false)]
    [InlineData(4, 4, true)]
    [InlineData(4, 3, false)]
    [InlineData(2, 2, true)]
    [InlineData(2, 1, false)]
    public void Evaluate_HoldsRegelefterlevnadAgainstTheConfiguredComplianceMinimum(int minimum, int regelefterlevnad, bool passes)
    {
        var options = new EvaluationOptions { ComplianceMinimum = minimum };

        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, Assessment([4, 4, 4, 4], [4, 4, 4, 4, 4, 4, regelefterlevnad]), options);

        Assert.Equal(passes, evaluation.ComplianceOk);
        Assert.Equal(passes ? PriorityClasses.Implement : PriorityClasses.FixCompliance, evaluation.PriorityClass);
    }

    // With a threshold of 3.0: benefit 12/4 = 3.0 reaches it and 11/4 = 2.75 does not; feasibility
    // 21/7 = 3.0 reaches it and 20/7 ≈ 2.86 does not. All four would be Genomför at the default 2.5.
    [Theory]
    [InlineData(new[] { 3, 3, 3, 3 }, new[] { 3, 3, 3, 3, 3, 3, 3 }, "Genomför")]
    [InlineData(new[] { 3, 3, 3, 3 }, new[] { 2, 3, 3, 3, 3, 3, 3 }, "Förbered")]
    [InlineData(new[] { 2, 3, 3, 3 }, new[] { 3, 3, 3, 3, 3, 3, 3 }, "Överväg")]
    [InlineData(new[] { 2, 3, 3, 3 }, new[] { 2, 3, 3, 3, 3, 3, 3 }, "Avvakta")]
    public void Evaluate_HoldsBothScoresAgainstAConfiguredThreshold(int[] benefit, int[] feasibility, string expected)
    {
        var options = new EvaluationOptions { Threshold = 3.0m };

        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, Assessment(benefit, feasibility), options);

        Assert.Equal(expected, evaluation.PriorityClass);
        Assert.Equal(Mean(benefit), evaluation.BenefitScore);
        Assert.Equal(Mean(feasibility), evaluation.FeasibilityScore);
        Assert.Equal(PriorityClasses.Implement, EvaluationCalculator.Evaluate(InitiativeId, Assessment(benefit, feasibility), Defaults).PriorityClass);
    }

    [Theory]
    [InlineData("N1")]
    [InlineData("N2")]
    [InlineData("N3")]
    [InlineData("N4")]
    [InlineData("G1")]
    [InlineData("G2")]
    [InlineData("G3")]
    [InlineData("G4")]
    [InlineData("G5")]
    [InlineData("G6")]
    [InlineData("G7")]
    public void Evaluate_GivesOfullstandigBedomningWithoutScores_WhenAnyOneCriterionIsMissing(string missing)
    {
        var scores = Assessment([4, 4, 4, 4], [4, 4, 4, 4, 4, 4, 2]);
        scores.RemoveAll(s => s.CriterionCode == missing);

        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, scores, Defaults);

        Assert.Equal("Ofullständig bedömning", evaluation.PriorityClass);
        Assert.Null(evaluation.BenefitScore);
        Assert.Null(evaluation.FeasibilityScore);
        Assert.Equal(10, evaluation.CriteriaScored);
        Assert.Equal(AssessedOn, evaluation.AssessedOn);
        // Regelefterlevnad is 2 here: the compliance is reported whenever it was scored, and the
        // incomplete assessment is still not classed by the gate.
        Assert.Equal(missing == "G7" ? null : false, evaluation.ComplianceOk);
    }

    [Fact]
    public void Evaluate_ReportsPassingCompliance_OfAnIncompleteAssessment()
    {
        var scores = new List<(string, DateOnly, int)> { ("G7", AssessedOn, 3), ("N1", AssessedOn, 4) };

        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, scores, Defaults);

        Assert.Equal(PriorityClasses.Incomplete, evaluation.PriorityClass);
        Assert.True(evaluation.ComplianceOk);
        Assert.Equal(2, evaluation.CriteriaScored);
    }

    [Fact]
    public void Evaluate_UsesOnlyTheLatestAssessmentDate_SoAnOlderCompleteAssessmentDoesNotFillANewerIncompleteOne()
    {
        var older = new DateOnly(2024, 1, 10);
        var newer = new DateOnly(2024, 3, 5);
        var scores = Assessment([4, 4, 4, 4], [4, 4, 4, 4, 4, 4, 4], older);
        scores.AddRange(new[] { ("N1", newer, 1), ("N2", newer, 2), ("G7", newer, 2) });

        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, scores, Defaults);

        Assert.Equal(newer, evaluation.AssessedOn);
        Assert.Equal(PriorityClasses.Incomplete, evaluation.PriorityClass);
        Assert.Equal(3, evaluation.CriteriaScored);
        Assert.False(evaluation.ComplianceOk);
        Assert.Null(evaluation.BenefitScore);
    }

    [Fact]
    public void Evaluate_IgnoresOlderScores_WhenTheLatestAssessmentIsComplete_WhateverTheOrderTheyAreGivenIn()
    {
        int[] benefit = [2, 2, 2, 2];
        int[] feasibility = [3, 3, 3, 3, 3, 3, 3];
        var scores = Assessment(benefit, feasibility, new DateOnly(2024, 3, 5));
        // An older assessment, given after the newer one, that would have made the initiative Genomför.
        scores.AddRange(Assessment([4, 4, 4, 4], [4, 4, 4, 4, 4, 4, 4], new DateOnly(2023, 11, 20)));

        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, scores, Defaults);

        Assert.Equal(new DateOnly(2024, 3, 5), evaluation.AssessedOn);
        Assert.Equal(Mean(benefit), evaluation.BenefitScore);
        Assert.Equal(Mean(feasibility), evaluation.FeasibilityScore);
        Assert.Equal(PriorityClasses.Consider, evaluation.PriorityClass);
        Assert.Equal(11, evaluation.CriteriaScored);
    }

    // The warehouse hands over one score per criterion and date, the item modified last; should a
    // caller give several, the one given last is the assessment's, and the criterion counts once.
    [Fact]
    public void Evaluate_TakesTheLastGivenScore_WhenACriterionIsScoredTwiceOnTheSameDate()
    {
        var scores = Assessment([2, 2, 2, 2], [3, 3, 3, 3, 3, 3, 3]);
        scores.Add(("N1", AssessedOn, 4));
        scores.Add(("G7", AssessedOn, 1));
        scores.Add(("G7", AssessedOn, 3));

        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, scores, Defaults);

        Assert.Equal(Mean([4, 2, 2, 2]), evaluation.BenefitScore);
        Assert.Equal(Mean([3, 3, 3, 3, 3, 3, 3]), evaluation.FeasibilityScore);
        Assert.True(evaluation.ComplianceOk);
        Assert.Equal(11, evaluation.CriteriaScored);
        Assert.Equal(PriorityClasses.Implement, evaluation.PriorityClass);
    }

    [Fact]
    public void Evaluate_CountsOnlyTheModelsCriteria_WhenGivenACodeItDoesNotKnow()
    {
        var scores = Assessment([4, 4, 4, 4], [4, 4, 4, 4, 4, 4, 4]);
        scores.RemoveAll(s => s.CriterionCode == "N4");
        scores.Add(("N5", AssessedOn, 4));
        // A score of an unknown criterion on a later date is no newer assessment either.
        scores.Add(("X1", AssessedOn.AddDays(1), 4));

        var evaluation = EvaluationCalculator.Evaluate(InitiativeId, scores, Defaults);

        Assert.Equal(AssessedOn, evaluation.AssessedOn);
        Assert.Equal(PriorityClasses.Incomplete, evaluation.PriorityClass);
        Assert.Equal(10, evaluation.CriteriaScored);
    }

    [Fact]
    public void Evaluate_Refuses_WhenThereIsNoScoreOfTheModelsCriteria()
    {
        Assert.Throws<ArgumentException>(() => EvaluationCalculator.Evaluate(InitiativeId, [], Defaults));
        Assert.Throws<ArgumentException>(() => EvaluationCalculator.Evaluate(InitiativeId, [("X1", AssessedOn, 3)], Defaults));
    }

    [Theory]
    [InlineData("Kostnadsbesparing / tidsbesparing", "N1")]
    [InlineData("Kostnadsbesparing/tidsbesparing", "N1")]
    [InlineData("kostnadsbesparing /tidsbesparing", "N1")]
    [InlineData("Förbättrad kvalitet / användarupplevelse", "N2")]
    [InlineData("FÖRBÄTTRAD KVALITET/ANVÄNDARUPPLEVELSE", "N2")]
    [InlineData("Tvingande / lagkrav", "N3")]
    [InlineData("tvingande/ lagkrav", "N3")]
    [InlineData("Följer styrdokument", "N4")]
    [InlineData("  följer  styrdokument ", "N4")]
    [InlineData("Tillgänglig kompetens", "G1")]
    [InlineData("Stöd från ledningen", "G2")]
    [InlineData("Projektets komplexitet", "G3")]
    [InlineData("Finansiering", "G4")]
    [InlineData("Objektsförvaltning", "G5")]
    [InlineData("Tekniskt stöd och arkitektur", "G6")]
    [InlineData("Regelefterlevnad (juridik, dataskydd, infosäk)", "G7")]
    [InlineData("regelefterlevnad (Juridik, Dataskydd, Infosäk)", "G7")]
    [InlineData("Regelefterlevnad", "G7")]
    [InlineData("REGELEFTERLEVNAD", "G7")]
    [InlineData("N1", "N1")]
    [InlineData("g7", "G7")]
    [InlineData(" G3 ", "G3")]
    public void TryFind_MatchesTheListsSpellings(string text, string code)
    {
        Assert.True(Criteria.TryFind(text, out var criterion), $"\"{text}\" should be found");
        Assert.Equal(code, criterion.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Kostnadsbesparing")]
    [InlineData("Tidsbesparing / kostnadsbesparing")]
    [InlineData("Regelefterlevnad (juridik)")]
    [InlineData("N5")]
    [InlineData("G0")]
    [InlineData("Nytta")]
    public void TryFind_FindsNothing_ForTextThatIsNoCriterion(string text)
    {
        Assert.False(Criteria.TryFind(text, out _));
    }

    [Fact]
    public void Criteria_AreTheContractsElevenInTheirGroups()
    {
        Assert.Equal(BenefitCodes, Criteria.All.Where(c => c.Group == "Nytta").Select(c => c.Code));
        Assert.Equal(FeasibilityCodes, Criteria.All.Where(c => c.Group == "Genomförbarhet").Select(c => c.Code));
        Assert.Equal("G7", Criteria.ComplianceCode);
        Assert.StartsWith("Regelefterlevnad", Criteria.All.Single(c => c.Code == Criteria.ComplianceCode).Name);
    }
}
