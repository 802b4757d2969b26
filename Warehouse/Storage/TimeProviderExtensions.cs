namespace NackaInsights.Warehouse.Storage;

/// <summary>Time as the warehouse stores it.</summary>
public static class TimeProviderExtensions
{
    /// <summary>UTC now, to the millisecond: the precision every database keeps, so that all three show the same.</summary>
    public static DateTime UtcNowToTheMillisecond(this TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }
}
