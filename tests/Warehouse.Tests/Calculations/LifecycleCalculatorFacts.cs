using System.Globalization;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Calculations;

/// <summary>Each column of lifecycle.md from histories built by hand; the days are counted on a calendar.</summary>
public sealed class LifecycleCalculatorFacts
{
    private const string Id = "DIG-2023-014";

    private static DateOnly D(string date) => DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static LifecycleVersion V(int no, string from, string? phase, string? decision = null, bool current = false) =>
        new(no, D(from), phase, decision is null ? null : D(decision), current);

    private static DateTime Utc(string time) => DateTime.Parse(time, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>Idé 10 Jan, Beredning 1 Feb, Beslutad 15 Mar, Projekt 1 Apr, Förvaltning 1 Oct 2023.</summary>
    private static readonly LifecycleVersion[] StraightPath =
    [
        V(1, "2023-01-10", Phases.Idea),
        V(2, "2023-02-01", Phases.Preparation),
        V(3, "2023-03-15", Phases.Decided),
        V(4, "2023-04-01", Phases.Project),
        V(5, "2023-10-01", Phases.Operation, current: true),
    ];

    [Fact]
    public void AStraightPath_EntersEachPhaseOnce_AndCountsTheDaysBetween()
    {
        var row = LifecycleCalculator.Calculate(Id, StraightPath, createdAtUtc: null);

        Assert.Equal(new InitiativeLifecycle(Id, D("2023-01-10"),
            D("2023-02-01"), D("2023-03-15"), D("2023-04-01"), D("2023-10-01"), null, null,
            D("2023-03-15"),
            // 10 Jan → 15 Mar: 21 + 28 + 15; 15 Mar → 1 Apr: 17; 1 Apr → 1 Oct: 30 + 31 + 30 + 31 + 31 + 30; 10 Jan → 1 Oct: their sum.
            64, 17, 183, 264,
            Phases.Operation, D("2023-10-01"), 4, false), row);
    }

    [Fact]
    public void TheVersions_AreTakenInTheirOrder_WhateverOrderTheyComeIn()
    {
        Assert.Equal(LifecycleCalculator.Calculate(Id, StraightPath, null), LifecycleCalculator.Calculate(Id, Enumerable.Reverse(StraightPath), null));
    }

    [Fact]
    public void ASkippedPhase_LeavesItsDateEmpty_AndTheLeadTimesThatNeedIt()
    {
        // An urgent legal requirement: from Idé straight to Projekt, never decided in the list.
        var row = LifecycleCalculator.Calculate(Id, [V(1, "2023-01-10", Phases.Idea), V(2, "2023-02-01", Phases.Project), V(3, "2023-06-01", Phases.Operation, current: true)], null);

        Assert.Null(row.EnteredBeredningOn);
        Assert.Null(row.EnteredBeslutadOn);
        Assert.Equal(D("2023-02-01"), row.EnteredProjektOn);
        Assert.Null(row.DecidedOn);
        Assert.Null(row.DaysToDecision);
        Assert.Null(row.DaysDecisionToProject);
        Assert.Equal(120, row.DaysProjectToForvaltning); // 1 Feb → 1 Jun: 27 + 31 + 30 + 31 + 1
        Assert.Equal(142, row.DaysToForvaltning); // 10 Jan → 1 Jun
        Assert.Equal(2, row.PhaseChanges);
        Assert.False(row.WentBack);
    }

    [Fact]
    public void AReturnToAnEarlierPhase_WentBack_KeepsTheFirstEntries_AndTheCurrentStretchStartsAtTheReturn()
    {
        // A project paused into Beredning, then the version renewed there (another owner) without a change of phase.
        var row = LifecycleCalculator.Calculate(Id,
        [
            .. StraightPath[..4],
            V(5, "2023-08-01", Phases.Preparation),
            V(6, "2023-09-15", Phases.Preparation, current: true),
        ], null);

        Assert.True(row.WentBack);
        Assert.Equal(D("2023-02-01"), row.EnteredBeredningOn);
        Assert.Equal(Phases.Preparation, row.CurrentPhase);
        Assert.Equal(D("2023-08-01"), row.CurrentPhaseSince);
        Assert.Equal(4, row.PhaseChanges);
        Assert.Null(row.EnteredForvaltningOn);
        Assert.Null(row.DaysProjectToForvaltning);
    }

    [Fact]
    public void ARejectedInitiative_EndsInAvslagen_WhichIsNotGoingBack()
    {
        var row = LifecycleCalculator.Calculate(Id, [V(1, "2023-01-10", Phases.Idea), V(2, "2023-02-01", Phases.Preparation), V(3, "2023-05-02", Phases.Rejected, current: true)], null);

        Assert.Equal(D("2023-05-02"), row.EnteredAvslagenOn);
        Assert.Equal(Phases.Rejected, row.CurrentPhase);
        Assert.Equal(D("2023-05-02"), row.CurrentPhaseSince);
        Assert.Null(row.DecidedOn);
        Assert.Null(row.DaysToDecision);
        Assert.False(row.WentBack);
        Assert.Equal(2, row.PhaseChanges);
    }

    [Fact]
    public void AnInitiativeRemovedFromTheList_StandsInThePhaseOfItsLastVersion()
    {
        // Every version closed: no current one.
        var row = LifecycleCalculator.Calculate(Id, [V(1, "2023-01-10", Phases.Idea), V(2, "2023-02-01", Phases.Project), V(3, "2023-03-01", Phases.Project)], null);

        Assert.Equal(Phases.Project, row.CurrentPhase);
        Assert.Equal(D("2023-02-01"), row.CurrentPhaseSince);
        Assert.Equal(1, row.PhaseChanges);
    }

    [Fact]
    public void AnInitiativeRemovedFromTheList_ThatABusinessCaseKeeps_HasNoPhase_AsTheDimensionShowsIt()
    {
        // The register continues it as one version from its business case, which names no phase.
        var row = LifecycleCalculator.Calculate(Id, [V(1, "2023-01-10", Phases.Idea), V(2, "2023-02-01", Phases.Project), V(3, "2023-03-01", null, current: true)], null);

        Assert.Null(row.CurrentPhase);
        Assert.Null(row.CurrentPhaseSince);
        Assert.Equal(1, row.PhaseChanges);
        Assert.Equal(D("2023-02-01"), row.EnteredProjektOn);
    }

    [Fact]
    public void Beslutsdatum_OfTheCurrentVersion_IsTheDecision_BeforeTheEntryIntoBeslutad()
    {
        var versions = StraightPath.Select(v => v.IsCurrent ? v with { DecisionDate = D("2023-03-10") } : v);

        var row = LifecycleCalculator.Calculate(Id, versions, null);

        Assert.Equal(D("2023-03-10"), row.DecidedOn);
        Assert.Equal(59, row.DaysToDecision); // 10 Jan → 10 Mar
        Assert.Equal(22, row.DaysDecisionToProject); // 10 Mar → 1 Apr
    }

    [Fact]
    public void Beslutsdatum_OfAnEarlierVersionOnly_IsNotTheDecision()
    {
        // The date was set, then cleared: the current version says nothing, so the entry into Beslutad stands.
        var versions = StraightPath.Select(v => v.VersionNo == 3 ? v with { DecisionDate = D("2023-03-10") } : v);

        Assert.Equal(D("2023-03-15"), LifecycleCalculator.Calculate(Id, versions, null).DecidedOn);
    }

    [Fact]
    public void CreatedDateTime_IsTheRegistration_WhereTheListGivesIt()
    {
        var row = LifecycleCalculator.Calculate(Id, StraightPath, Utc("2022-12-01T09:00:00Z"));

        Assert.Equal(D("2022-12-01"), row.RegisteredOn);
        Assert.Equal(104, row.DaysToDecision); // 1 Dec 2022 → 15 Mar 2023: 30 + 31 + 28 + 15
        Assert.Equal(304, row.DaysToForvaltning);
    }

    [Fact]
    public void WithoutCreatedDateTime_TheFirstVersionsStart_IsTheRegistration()
    {
        Assert.Equal(D("2023-01-10"), LifecycleCalculator.Calculate(Id, StraightPath, null).RegisteredOn);
    }

    [Theory]
    [InlineData("2023-12-31T23:30:00Z", "2024-01-01")] // winter time, UTC+1: New Year's Day in Stockholm
    [InlineData("2023-12-31T22:30:00Z", "2023-12-31")]
    [InlineData("2024-06-30T22:30:00Z", "2024-07-01")] // summer time, UTC+2
    [InlineData("2024-06-30T21:30:00Z", "2024-06-30")]
    public void CreatedDateTime_IsTakenAsACalendarDateInStockholm(string created, string registered)
    {
        Assert.Equal(D(registered), LifecycleCalculator.Calculate(Id, [V(1, "2024-07-15", Phases.Idea, current: true)], Utc(created)).RegisteredOn);
    }

    [Fact]
    public void AChangeAcrossNewYearInStockholm_CountsFromTheStockholmDate()
    {
        // Created late on New Year's Eve in UTC, which is already 2024 in Stockholm; decided 2 May 2024.
        var row = LifecycleCalculator.Calculate(Id, [V(1, "2024-01-01", Phases.Idea), V(2, "2024-05-02", Phases.Decided, current: true)], Utc("2023-12-31T23:30:00Z"));

        Assert.Equal(D("2024-01-01"), row.RegisteredOn);
        Assert.Equal(122, row.DaysToDecision); // 1 Jan → 2 May 2024, a leap year: 30 + 29 + 31 + 30 + 2
    }

    [Fact]
    public void ALaterDateBeforeAnEarlierOne_LeavesTheLeadTimeEmpty()
    {
        // Beslutsdatum typed before the item was created; the project and förvaltning follow in order.
        var versions = StraightPath.Select(v => v.IsCurrent ? v with { DecisionDate = D("2022-11-30") } : v);

        var row = LifecycleCalculator.Calculate(Id, versions, Utc("2022-12-01T09:00:00Z"));

        Assert.Equal(D("2022-11-30"), row.DecidedOn);
        Assert.Null(row.DaysToDecision);
        Assert.Equal(122, row.DaysDecisionToProject); // 30 Nov 2022 → 1 Apr 2023
        Assert.Equal(183, row.DaysProjectToForvaltning);
        Assert.Equal(304, row.DaysToForvaltning);
    }

    [Fact]
    public void AForvaltningEnteredBeforeTheProject_LeavesThatLeadTimeEmpty()
    {
        // Förvaltning first, then a project to replace the system: the lead time from project to förvaltning is not negative.
        var row = LifecycleCalculator.Calculate(Id, [V(1, "2023-01-10", Phases.Operation), V(2, "2023-06-01", Phases.Project, current: true)], null);

        Assert.Null(row.DaysProjectToForvaltning);
        Assert.Equal(0, row.DaysToForvaltning);
        Assert.True(row.WentBack);
    }

    [Fact]
    public void AVersionWithoutAPhase_IsPassedOver_NeitherAChangeNorABreakInTheStretch()
    {
        var row = LifecycleCalculator.Calculate(Id, [V(1, "2023-01-10", Phases.Idea), V(2, "2023-02-01", null), V(3, "2023-03-01", Phases.Idea, current: true)], null);

        Assert.Equal(0, row.PhaseChanges);
        Assert.Equal(D("2023-01-10"), row.CurrentPhaseSince);
        Assert.False(row.WentBack);
    }

    [Fact]
    public void APhaseTheProcessDoesNotName_IsAChange_ButNeitherBackNorForth()
    {
        Assert.Null(LifecycleCalculator.OrderOf("Pausad"));
        // Into and out of it, onwards: not back.
        var onwards = LifecycleCalculator.Calculate(Id, [V(1, "2023-01-10", Phases.Idea), V(2, "2023-02-01", "Pausad"), V(3, "2023-03-01", Phases.Preparation, current: true)], null);
        // The named phases on either side of it: from Projekt to Beredning is back.
        var back = LifecycleCalculator.Calculate(Id, [V(1, "2023-01-10", Phases.Project), V(2, "2023-02-01", "Pausad"), V(3, "2023-03-01", Phases.Preparation, current: true)], null);
        // Standing in it: its own stretch.
        var standing = LifecycleCalculator.Calculate(Id, [V(1, "2023-01-10", Phases.Idea), V(2, "2023-02-01", "Pausad"), V(3, "2023-03-01", "Pausad", current: true)], null);

        Assert.Equal(2, onwards.PhaseChanges);
        Assert.False(onwards.WentBack);
        Assert.True(back.WentBack);
        Assert.Equal(("Pausad", D("2023-02-01"), 1, false), (standing.CurrentPhase, standing.CurrentPhaseSince, standing.PhaseChanges, standing.WentBack));
    }

    [Fact]
    public void ThePhaseOrder_IsThatOfDimPhase()
    {
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], Phases.All.Select(p => LifecycleCalculator.OrderOf(p)!.Value));
        Assert.Equal(1, LifecycleCalculator.OrderOf("Idé"));
        Assert.Equal(7, LifecycleCalculator.OrderOf("Avslagen"));
        Assert.Null(LifecycleCalculator.OrderOf(null));
    }

    [Fact]
    public void AnInitiativeWithoutVersions_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => LifecycleCalculator.Calculate(Id, [], null));
    }
}
