namespace NackaInsights.Warehouse.Loading;

/// <summary>UTC now, to the millisecond: the precision every database keeps, so that all three show the same.</summary>
public static class Clock
{
    /// <summary>The time provider's UTC now, truncated to the millisecond.</summary>
    public static DateTime UtcNow(TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    /// <summary>The system's UTC now, to the millisecond.</summary>
    /// <remarks>Only the schema migrator, which takes no <see cref="TimeProvider"/> yet, still calls this.</remarks>
    public static DateTime UtcNow() => UtcNow(TimeProvider.System);
}
