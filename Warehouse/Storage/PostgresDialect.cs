using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace NackaInsights.Warehouse.Storage;

public sealed class PostgresDialect : WarehouseDialect
{
    public static readonly PostgresDialect Instance = new();

    // Advisory lock keys: "NACKA" + 1 for refreshes, + 2 for migrations.
    private const long RefreshLockKey = 0x4E41434B41_01;
    private const long MigrationLockKey = 0x4E41434B41_02;

    private PostgresDialect()
    {
    }

    public override WarehouseProvider Provider => WarehouseProvider.Postgres;

    public override string ScriptFolder => "postgres";

    public override string ListViews => "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()";

    public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public override async Task<IAsyncDisposable?> TryAcquireRefreshLockAsync(DbConnection connection, CancellationToken ct)
    {
        if (!await ScalarTrueAsync(connection, "SELECT pg_try_advisory_lock(@Key)", new { Key = RefreshLockKey }, ct))
        {
            return null;
        }
        return new Releaser(async () =>
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await ScalarTrueAsync(connection, "SELECT pg_advisory_unlock(@Key)", new { Key = RefreshLockKey }, CancellationToken.None);
            }
        });
    }

    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) =>
        ScalarTrueAsync(connection, "SELECT pg_advisory_xact_lock(@Key) IS NULL", new { Key = MigrationLockKey }, ct, transaction);

    /// <summary>How many rows per 300 ANALYZE samples (and histogram buckets it keeps) inside a run: see <see cref="AnalyzeTables"/>.</summary>
    public const int RunStatisticsTarget = 10;

    /// <summary>
    /// ANALYZE may run in a transaction block, and samples the rows the transaction sees, its own uncommitted ones included.
    /// What the run's plans need is the tables' sizes and their keys' spread, not fine histograms: with a statistics
    /// target of <see cref="RunStatisticsTarget"/> (3,000 rows sampled, not 30,000) for the run's transaction only, ANALYZE
    /// of raw_business_case_value took 28 ms instead of 577 ms, of fct_benefit_realization 33 ms instead of 767 ms.
    /// Autovacuum takes the full statistics again once the run has committed. A run that bulk-loaded also has data checks
    /// that group and join hundreds of thousands of its rows (the object access view: 700,000 at scale 4): at the default
    /// work_mem of 4 MB their hashes spilled 80 MB to disk, so the run's transaction gets <see cref="RunWorkMem"/>, for
    /// its one connection. And the marts read the rows just loaded, which are in memory, a chunk of initiatives at a time:
    /// priced at the default random_page_cost of 4 (a disk's seek), an index lookup per version lost to a scan of all
    /// 390,000 amount cells per chunk of 500 initiatives (97 ms against 35 ms, sixteen times per query at scale 4), so
    /// the run's transaction prices a random read at <see cref="RunRandomPageCost"/>, as for data in memory or on SSD.
    /// </summary>
    public override string? AnalyzeTables(IReadOnlyList<string> tables) => tables.Count == 0 ? null
        : $"SET LOCAL default_statistics_target = {RunStatisticsTarget}; SET LOCAL work_mem = '{RunWorkMem}'; "
          + $"SET LOCAL random_page_cost = {RunRandomPageCost}; ANALYZE " + string.Join(", ", tables);

    /// <summary>The planner's price of a random page read inside a run that bulk-loaded: see <see cref="AnalyzeTables"/>.</summary>
    public const string RunRandomPageCost = "1.1";

    /// <summary>The memory a sort or hash of a run's transaction may take before it spills to disk: see <see cref="AnalyzeTables"/>.</summary>
    public const string RunWorkMem = "64MB";

    /// <summary>
    /// COPY in binary form, the rows encoded by <see cref="PostgresCopyBinary"/> and sent to the COPY's stream a buffer at
    /// a time. Npgsql's binary importer binds each value as a parameter (its converter resolved, its
    /// size measured, a state machine stepped); over 280,000 rows of the realisation's shape it took 0.37–0.66 s of the
    /// client's CPU where this takes 0.05–0.09 s, with the same bytes for the server to read (0.19–0.33 s either way), and
    /// on PostgreSQL a full refresh is bound by the two cores (issue 21). COPY's text form was tried between the two:
    /// 0.27–0.34 s of the client's CPU, but the server's parsing of the text took back what the client saved.
    /// A fault while writing cancels the COPY, so that none of its rows are kept.
    /// </summary>
    public override async Task BulkInsertAsync(DbConnection connection, DbTransaction transaction, BulkTable table, IReadOnlyList<object?[]> rows, int timeoutSeconds, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var npgsql = (NpgsqlConnection)connection;
        // Text goes as UTF-8 bytes, which the server reads in the connection's encoding: Npgsql's, unless the connection
        // string named another.
        if (npgsql.PostgresParameters.TryGetValue("client_encoding", out var encoding) && !string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The PostgreSQL connection's client encoding is {encoding}; the warehouse writes UTF-8: remove the encoding from the connection string.");
        }
        var columns = table.Columns.Select(c => c.Type).ToArray();
        var copy = $"COPY {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)";
        var stream = await npgsql.BeginRawBinaryCopyAsync(copy, ct);
        try
        {
            stream.WriteTimeout = stream.ReadTimeout = timeoutSeconds * 1000;
            using var binary = new PostgresCopyBinary(stream);
            for (var r = 0; r < rows.Count; r++)
            {
                if ((r & 1023) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }
                var row = rows[r];
                binary.StartRow(columns.Length);
                for (var i = 0; i < columns.Length; i++)
                {
                    WriteValue(binary, columns[i], row[i]);
                }
                if (binary.Full)
                {
                    await binary.SendAsync(ct);
                }
            }
            await binary.FinishAsync(ct);
        }
        catch
        {
            // Disposing the stream would complete the COPY with the rows sent so far. The fault that stopped the writing
            // is the one to report: a connection it broke cannot cancel, and the run fails on it either way.
            try
            {
                await stream.CancelAsync();
            }
            catch (Exception cancelling) when (cancelling is NpgsqlException or ObjectDisposedException or InvalidOperationException)
            {
            }
            throw;
        }
        // Completes the COPY: the server's answer, a broken key among it, comes here.
        await stream.DisposeAsync();
    }

    /// <summary>Writes a value as <see cref="WarehouseDialect.ToDb"/> converts it, without boxing it again.</summary>
    private static void WriteValue(PostgresCopyBinary binary, ColumnType type, object? value)
    {
        if (value is null or DBNull)
        {
            binary.WriteNull();
            return;
        }
        switch (type)
        {
            case ColumnType.Int32:
                binary.Write(value is int i ? i : Convert.ToInt32(value, CultureInfo.InvariantCulture));
                break;
            case ColumnType.Int64:
                binary.Write(value is long l ? l : Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ColumnType.Text:
                // As Npgsql's binary importer did: text is written from a string only, never as another type's text.
                binary.Write(value as string ?? throw new InvalidCastException($"A text column was given a {value.GetType().Name}, not a string."));
                break;
            case ColumnType.Decimal:
                binary.Write(value is decimal m ? m : Convert.ToDecimal(value, CultureInfo.InvariantCulture));
                break;
            case ColumnType.Ratio:
                binary.Write(value is double d ? d : Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case ColumnType.Date:
                binary.Write(value switch
                {
                    DateOnly date => date,
                    DateTime dateTime => DateOnly.FromDateTime(dateTime),
                    _ => throw new InvalidCastException($"A date column was given a {value.GetType().Name}."),
                });
                break;
            case ColumnType.TimestampUtc:
                binary.Write((DateTime)value);
                break;
            case ColumnType.Flag:
                binary.Write(value is bool b ? (short)(b ? 1 : 0) : Convert.ToInt16(value, CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }
}
