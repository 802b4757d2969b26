namespace NackaInsights.Warehouse.Loading;

/// <summary>UTC now, to the millisecond: the precision every database keeps, so that all three show the same.</summary>
public static class Clock
{
    public static DateTime UtcNow()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }
}
