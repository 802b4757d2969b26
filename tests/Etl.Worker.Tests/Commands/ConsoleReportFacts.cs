using NackaInsights.Etl.Commands;

namespace NackaInsights.Etl.Tests.Commands;

/// <summary>The demo summary's line on the lifecycle's lead times.</summary>
public sealed class ConsoleReportFacts
{
    [Fact]
    public void WithNoDecisionYet_TheLineSaysSo()
    {
        Assert.Equal("Lead times (the median, from pbi_fct_initiative_lifecycle): no initiative has reached a decision yet.",
            ConsoleReport.LeadTimesLine([], []));
    }

    [Fact]
    public void TheMedianOfAnOddCountIsTheMiddleDay_AndOfAnEvenCountTheMeanOfTheTwoMiddleDays_InSwedishFigures()
    {
        Assert.Equal(
            "Lead times (the median, from pbi_fct_initiative_lifecycle): idea to decision 188 days (3 initiatives) · decision to förvaltning 1 136,5 days (4 initiatives).",
            ConsoleReport.LeadTimesLine([300, 55, 188], [45, 2_000, 1_200, 1_073]));
    }

    [Fact]
    public void WithDecisionsButNoneInForvaltningAfterIt_TheLineSaysSo()
    {
        Assert.Equal(
            "Lead times (the median, from pbi_fct_initiative_lifecycle): idea to decision 12 days (1 initiative) · no initiative has reached förvaltning after its decision yet.",
            ConsoleReport.LeadTimesLine([12], []));
    }
}
