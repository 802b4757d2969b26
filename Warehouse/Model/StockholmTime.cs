namespace NackaInsights.Warehouse.Model;

/// <summary>
/// Swedish time, in which users read dates (lifecycle.md: calendar dates in Stockholm time). One place for the zone, which
/// Windows names otherwise; the warehouse and the edges convert through it.
/// </summary>
public static class StockholmTime
{
    public static TimeZoneInfo Zone { get; } = Find();

    /// <summary>A UTC time as Stockholm's wall clock shows it.</summary>
    public static DateTime FromUtc(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    /// <summary>The calendar date in Stockholm of a UTC time: 2023-12-31T23:30Z is 1 January 2024 there.</summary>
    public static DateOnly DateOf(DateTime utc) => DateOnly.FromDateTime(FromUtc(utc));

    private static TimeZoneInfo Find()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.FindSystemTimeZoneById("W. Europe Standard Time");
        }
    }
}
