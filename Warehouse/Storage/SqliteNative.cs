using System.Runtime.InteropServices;
using SQLitePCL;

namespace NackaInsights.Warehouse.Storage;

/// <summary>
/// SQLite's bind and column functions, called straight into the library SQLitePCLRaw loaded, for the bulk inserts
/// (<see cref="SqliteDialect.BulkInsertAsync"/>) and the raw reader (<see cref="SqliteRawReader"/>). A full refresh at
/// scale 1 makes about 4.8 million binds and 4.7 million column reads (counted with uprobes on the library). Through
/// SQLitePCLRaw each is an interface call and a P/Invoke that takes and releases the statement's SafeHandle and moves the
/// thread out of and back into the runtime's cooperative mode; here each is a function pointer called with
/// <see cref="SuppressGCTransitionAttribute"/>, which these functions allow: they return at once, take no lock another
/// thread could hold for long, and never call back into .NET. Stepping, resetting and preparing, which may do I/O or wait
/// on a lock, still go through SQLitePCLRaw. Measured in a console program (8 values a row, 300,000 rows): 61 ns a bind
/// through SQLitePCLRaw, 36 ns here.
/// </summary>
/// <remarks>
/// The statement's handle is taken from its SafeHandle without counting a reference (<see cref="SafeHandle.DangerousGetHandle"/>):
/// its owner (the insert or the reader) holds the SafeHandle and disposes it only after its last call. The library is the one SQLitePCLRaw's provider
/// resolves for <c>e_sqlite3</c>, found the same way (<see cref="NativeLibrary.TryLoad(string, System.Reflection.Assembly, DllImportSearchPath?, out nint)"/>
/// for its assembly), and confirmed to be the same loaded copy (<see cref="SameLibrary"/>). Where it cannot be confirmed (another provider, a platform that loads the library otherwise),
/// <see cref="Direct"/> is false and every call goes through SQLitePCLRaw as before.
/// </remarks>
internal static unsafe class SqliteNative
{
    // SQLITE_TRANSIENT: SQLite copies the bytes before the bind returns, as SQLitePCLRaw's binds ask.
    private static readonly nint Transient = -1;

    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, long, int> s_bindInt64;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, double, int> s_bindDouble;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int> s_bindNull;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*, int, nint, int> s_bindText;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int> s_columnType;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, long> s_columnInt64;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, double> s_columnDouble;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*> s_columnBlob;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int> s_columnBytes;

    /// <summary>Whether the calls go straight into the library; false when it could not be confirmed to be SQLitePCLRaw's.</summary>
    public static bool Direct { get; }

    static SqliteNative()
    {
        try
        {
            Batteries_V2.Init();
            var provider = raw.GetNativeLibraryName();
            if (!NativeLibrary.TryLoad(provider, typeof(SQLite3Provider_e_sqlite3).Assembly, null, out var library)
                || !NativeLibrary.TryGetExport(library, "sqlite3_bind_int64", out var bindInt64)
                || !NativeLibrary.TryGetExport(library, "sqlite3_bind_double", out var bindDouble)
                || !NativeLibrary.TryGetExport(library, "sqlite3_bind_null", out var bindNull)
                || !NativeLibrary.TryGetExport(library, "sqlite3_bind_text", out var bindText)
                || !NativeLibrary.TryGetExport(library, "sqlite3_column_type", out var columnType)
                || !NativeLibrary.TryGetExport(library, "sqlite3_column_int64", out var columnInt64)
                || !NativeLibrary.TryGetExport(library, "sqlite3_column_double", out var columnDouble)
                || !NativeLibrary.TryGetExport(library, "sqlite3_column_blob", out var columnBlob)
                || !NativeLibrary.TryGetExport(library, "sqlite3_column_bytes", out var columnBytes)
                || !NativeLibrary.TryGetExport(library, "sqlite3_libversion", out var libversion)
                || !SameLibrary((delegate* unmanaged[Cdecl]<byte*>)libversion))
            {
                return;
            }
            s_bindInt64 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, long, int>)bindInt64;
            s_bindDouble = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, double, int>)bindDouble;
            s_bindNull = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int>)bindNull;
            s_bindText = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*, int, nint, int>)bindText;
            s_columnType = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int>)columnType;
            s_columnInt64 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, long>)columnInt64;
            s_columnDouble = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, double>)columnDouble;
            s_columnBlob = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*>)columnBlob;
            s_columnBytes = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int>)columnBytes;
            Direct = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or InvalidOperationException)
        {
            // Through SQLitePCLRaw, as before.
        }
    }

    /// <summary>
    /// Whether the library found is the loaded copy SQLitePCLRaw calls: its version text is the same static string, at the
    /// same address, that SQLitePCLRaw's <c>sqlite3_libversion</c> points into.
    /// </summary>
    private static bool SameLibrary(delegate* unmanaged[Cdecl]<byte*> libversion)
    {
        var theirs = raw.sqlite3_libversion();
        fixed (byte* version = theirs)
        {
            return version is not null && version == libversion();
        }
    }

    public static int BindInt64(sqlite3_stmt statement, int index, long value) =>
        Direct ? s_bindInt64(statement.DangerousGetHandle(), index, value) : raw.sqlite3_bind_int64(statement, index, value);

    public static int BindDouble(sqlite3_stmt statement, int index, double value) =>
        Direct ? s_bindDouble(statement.DangerousGetHandle(), index, value) : raw.sqlite3_bind_double(statement, index, value);

    public static int BindNull(sqlite3_stmt statement, int index) =>
        Direct ? s_bindNull(statement.DangerousGetHandle(), index) : raw.sqlite3_bind_null(statement, index);

    /// <summary>Binds UTF-8 text; empty text is bound as empty text, not NULL, as SQLitePCLRaw binds it.</summary>
    public static int BindText(sqlite3_stmt statement, int index, ReadOnlySpan<byte> utf8)
    {
        if (!Direct)
        {
            return raw.sqlite3_bind_text(statement, index, utf8);
        }
        // A pointer to an empty span may be null, which SQLite binds as NULL.
        byte empty = 0;
        fixed (byte* bytes = utf8)
        {
            return s_bindText(statement.DangerousGetHandle(), index, utf8.IsEmpty ? &empty : bytes, utf8.Length, Transient);
        }
    }

    public static int ColumnType(sqlite3_stmt statement, int column) =>
        Direct ? s_columnType(statement.DangerousGetHandle(), column) : raw.sqlite3_column_type(statement, column);

    public static long ColumnInt64(sqlite3_stmt statement, int column) =>
        Direct ? s_columnInt64(statement.DangerousGetHandle(), column) : raw.sqlite3_column_int64(statement, column);

    public static double ColumnDouble(sqlite3_stmt statement, int column) =>
        Direct ? s_columnDouble(statement.DangerousGetHandle(), column) : raw.sqlite3_column_double(statement, column);

    /// <summary>A value's bytes (text as UTF-8), valid until the statement steps, resets or is read otherwise; empty for none.</summary>
    public static ReadOnlySpan<byte> ColumnBlob(sqlite3_stmt statement, int column)
    {
        if (!Direct)
        {
            return raw.sqlite3_column_blob(statement, column);
        }
        // The pointer first, then the length, as SQLite's documentation orders the two calls.
        var handle = statement.DangerousGetHandle();
        var bytes = s_columnBlob(handle, column);
        return bytes is null ? [] : new ReadOnlySpan<byte>(bytes, s_columnBytes(handle, column));
    }
}
