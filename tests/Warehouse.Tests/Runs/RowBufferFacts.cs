using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Tests.Runs;

/// <summary>The rows a run holds before it writes them, and how an undone staging gives its own back.</summary>
public sealed class RowBufferFacts
{
    [Fact]
    public void ForgettingAMark_DropsTheRowsAddedSince_OfEveryTable()
    {
        var buffer = new RowBuffer();
        buffer.Add(WarehouseTables.EtlProblem, 1L);
        var mark = buffer.Marked();
        buffer.Add(WarehouseTables.EtlProblem, 2L);
        buffer.Add(WarehouseTables.RawSurveyRow, 3L);

        buffer.Forget(mark);

        Assert.Equal(1, buffer.Count);
        Assert.Equal(new Dictionary<Storage.BulkTable, int> { [WarehouseTables.EtlProblem] = 1, [WarehouseTables.RawSurveyRow] = 0 }, buffer.Marked().Rows);
    }

    [Fact]
    public void TheBuffer_IsFull_AtTheThreshold()
    {
        var buffer = new RowBuffer();
        for (var i = 0; i < RowBuffer.FlushThreshold - 1; i++)
        {
            buffer.Add(WarehouseTables.EtlProblem, i);
        }
        Assert.False(buffer.IsFull);

        buffer.Add(WarehouseTables.EtlProblem, -1);

        Assert.True(buffer.IsFull);
    }

    [Fact]
    public void TheBuffer_HoldsATable_OnlyWhileItHasRowsOfIt()
    {
        var buffer = new RowBuffer();
        var problems = new HashSet<string>(["etl_problem"]);
        Assert.False(buffer.Holds(problems));

        var mark = buffer.Marked();
        buffer.Add(WarehouseTables.EtlProblem, 1L);
        buffer.Add(WarehouseTables.RawSurveyRow, 2L);
        Assert.True(buffer.Holds(problems));
        Assert.False(buffer.Holds(new HashSet<string>(["raw_actual_row"])));

        buffer.Forget(mark);
        Assert.False(buffer.Holds(problems));
    }
}
