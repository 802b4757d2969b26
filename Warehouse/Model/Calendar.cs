using System.Globalization;

namespace NackaInsights.Warehouse.Model;

/// <summary>One day of the date dimension, with the Swedish names Power BI shows.</summary>
public sealed record CalendarDay(DateOnly Date, int Year, int Quarter, int Month, string MonthNameSv, int IsoWeek, int DayOfWeek, string DayOfWeekSv);

public static class Calendar
{
    private static readonly CultureInfo Swedish = CultureInfo.GetCultureInfo("sv-SE");

    /// <summary>Every day from 1 January of <paramref name="fromYear"/> to 31 December of <paramref name="toYear"/>.</summary>
    public static IEnumerable<CalendarDay> Days(int fromYear, int toYear)
    {
        for (var date = new DateOnly(fromYear, 1, 1); date.Year <= toYear; date = date.AddDays(1))
        {
            var dateTime = date.ToDateTime(TimeOnly.MinValue);
            var isoDay = date.DayOfWeek == System.DayOfWeek.Sunday ? 7 : (int)date.DayOfWeek;
            yield return new CalendarDay(
                date,
                date.Year,
                (date.Month - 1) / 3 + 1,
                date.Month,
                Swedish.DateTimeFormat.GetMonthName(date.Month),
                ISOWeek.GetWeekOfYear(dateTime),
                isoDay,
                Swedish.DateTimeFormat.GetDayName(date.DayOfWeek));
        }
    }
}
