using System.Globalization;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Runs;

/// <summary>Timestamps read back as the databases return them.</summary>
public sealed class ColumnsFacts
{
    [Theory]
    [InlineData("2026-12-05 00:56:38.234")]
    [InlineData("2024-02-29 23:59:59.999")]
    [InlineData("0001-01-01 00:00:00.000")]
    [InlineData("9999-12-31 23:59:59.999")]
    public void AStoredTimestamp_IsReadDigitByDigit_AsTheExactParserReadsIt(string text)
    {
        var expected = DateTime.SpecifyKind(DateTime.ParseExact(text, SqliteDialect.TimestampFormat, CultureInfo.InvariantCulture), DateTimeKind.Utc);

        Assert.True(Columns.TryParseStored(text, out var read));
        Assert.Equal(expected, read);
        Assert.Equal(DateTimeKind.Utc, read.Kind);
        Assert.Equal(expected, Columns.ReadTimestamp(text));
    }

    [Theory]
    [InlineData("2023-02-29 12:00:00.000")]
    [InlineData("2026-13-01 12:00:00.000")]
    [InlineData("2026-12-05 24:00:00.000")]
    [InlineData("2026-12-05 00:60:00.000")]
    [InlineData("2026-12-05T00:56:38.234")]
    [InlineData("2026-12-05 00:56:38.23")]
    [InlineData("2026-12-05 00:56:38.2345")]
    [InlineData("2026-1२-05 00:56:38.234")]
    [InlineData("")]
    public void AnythingElse_IsLeftToTheParsersAfterIt(string text)
    {
        Assert.False(Columns.TryParseStored(text, out _));
    }

    [Fact]
    public void ATimestampInAnotherFormat_IsStillRead()
    {
        Assert.Equal(new DateTime(2026, 12, 5, 0, 56, 38, DateTimeKind.Utc), Columns.ReadTimestamp("2026-12-05T00:56:38"));
        Assert.Equal(DateTimeKind.Utc, Columns.ReadTimestamp("2026-12-05T00:56:38").Kind);
    }
}
