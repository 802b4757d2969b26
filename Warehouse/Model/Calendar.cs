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
        // By day number, not by adding a day to the date: the day after 9999-12-31 cannot be formed, so a loop that
        // stepped past the last day would throw there.
        var last = toYear < fromYear ? -1 : new DateOnly(toYear, 12, 31).DayNumber;
        for (var dayNumber = new DateOnly(fromYear, 1, 1).DayNumber; dayNumber <= last; dayNumber++)
        {
            var date = DateOnly.FromDayNumber(dayNumber);
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
