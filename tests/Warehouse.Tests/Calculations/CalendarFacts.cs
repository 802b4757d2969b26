using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Tests.Calculations;

public class CalendarFacts
{
    [Fact]
    public void Days_CoverWholeYears_IncludingLeapDays()
    {
        var days = Calendar.Days(2023, 2024).ToList();

        Assert.Equal(365 + 366, days.Count);
        Assert.Equal(new DateOnly(2023, 1, 1), days[0].Date);
        Assert.Equal(new DateOnly(2024, 12, 31), days[^1].Date);
        Assert.Contains(days, d => d.Date == new DateOnly(2024, 2, 29));
    }

    [Fact]
    public void Days_CarrySwedishNamesIsoWeeksAndQuarters()
    {
        var day = Calendar.Days(2021, 2021).Single(d => d.Date == new DateOnly(2021, 1, 3));

        // 3 January 2021 is a Sunday in ISO week 53 of 2020.
        Assert.Equal(53, day.IsoWeek);
        Assert.Equal("söndag", day.DayOfWeekSv);
        Assert.Equal(7, day.DayOfWeek);
        Assert.Equal("januari", day.MonthNameSv);
        Assert.Equal(1, day.Quarter);
        Assert.Equal(4, Calendar.Days(2021, 2021).Single(d => d.Date == new DateOnly(2021, 10, 1)).Quarter);
    }

    [Fact]
    public void Days_EndOnTheLastDayADateCanHold_WithoutOverflowing()
    {
        var days = Calendar.Days(9998, 9999).ToList();

        Assert.Equal(365 + 365, days.Count);
        Assert.Equal(new DateOnly(9999, 12, 31), days[^1].Date);
        Assert.Equal(DateOnly.MaxValue, days[^1].Date);
    }
}
