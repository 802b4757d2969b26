using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;

namespace NackaInsights.Warehouse.Storage;

/// <summary>
/// Dates through Dapper, the same on all three databases: PostgreSQL gives <see cref="DateOnly"/>,
/// SQL Server <see cref="DateTime"/>, and SQLite the ISO text it stores.
/// </summary>
internal sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            SqlMapper.AddTypeHandler(new DateOnlyHandler());
        }
    }

    public override DateOnly Parse(object value) => value switch
    {
        DateOnly d => d,
        DateTime dt => DateOnly.FromDateTime(dt),
        string s => DateOnly.FromDateTime(DateTime.Parse(s, CultureInfo.InvariantCulture)),
        _ => throw new InvalidCastException($"Not a date: {value}"),
    };

    public override void SetValue(IDbDataParameter parameter, DateOnly value)
    {
        if (parameter is SqliteParameter)
        {
            parameter.Value = value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        else if (parameter is Microsoft.Data.SqlClient.SqlParameter)
        {
            parameter.DbType = DbType.Date;
            parameter.Value = value.ToDateTime(TimeOnly.MinValue);
        }
        else
        {
            parameter.Value = value;
        }
    }
}
