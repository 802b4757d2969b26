using System.Data.Common;
using System.Globalization;
using Dapper;

namespace NackaInsights.Etl.Report;

/// <summary>
/// One row of a report query, by column position, converting what each provider returns: SQLite gives long, double
/// and ISO text where PostgreSQL gives int, numeric and timestamps and SQL Server its own types.
/// </summary>
internal sealed class ReportRow(object?[] values)
{
    public bool IsNull(int i) => values[i] is null or DBNull;

    public string? String(int i) => IsNull(i) ? null : Convert.ToString(values[i], CultureInfo.InvariantCulture);

    public string Text(int i) => String(i) ?? "";

    public decimal? Decimal(int i) => IsNull(i) ? null : Convert.ToDecimal(values[i], CultureInfo.InvariantCulture);

    public long? Long(int i) => IsNull(i) ? null : Convert.ToInt64(values[i], CultureInfo.InvariantCulture);

    public DateTime? DateTime(int i) => values[i] switch
    {
        null or DBNull => null,
        System.DateTime d => d,
        DateTimeOffset d => d.UtcDateTime,
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        string s when System.DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
        _ => null,
    };

    public DateOnly? Date(int i) => DateTime(i) is { } d ? DateOnly.FromDateTime(d) : null;

    public static async Task<List<ReportRow>> QueryAsync(DbConnection connection, string sql, DynamicParameters parameters, CancellationToken ct)
    {
        var rows = new List<ReportRow>();
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            var values = new object?[reader.FieldCount];
            reader.GetValues(values!);
            rows.Add(new ReportRow(values));
        }
        return rows;
    }
}
