namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// Boxed values shared between rows: a row waiting in the <see cref="RowBuffer"/> holds its values as objects until the
/// buffer is written, and each boxed number lived through first-generation collections on the way. A row number, a
/// year or a column index is one of a few thousand values, boxed once for every row and every run.
/// </summary>
internal static class Boxes
{
    /// <summary>Past every year and sheet row a business case workbook holds (its limits keep rows far below).</summary>
    private const int Shared = 4096;

    private static readonly object[] Small = [.. Enumerable.Range(0, Shared).Select(i => (object)i)];

    /// <summary><paramref name="value"/> boxed: the shared box below <see cref="Shared"/>, a new one above it or below 0.</summary>
    public static object Of(int value) => (uint)value < Shared ? Small[value] : value;
}
