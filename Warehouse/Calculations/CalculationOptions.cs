using System.ComponentModel.DataAnnotations;

namespace NackaInsights.Warehouse.Calculations;

/// <summary>Parameters of the precomputed facts. Bound from the configuration section <c>CalculationOptions</c>.</summary>
public sealed class CalculationOptions
{
    /// <summary>The real discount rate of the net present value, as a fraction (0.03 is 3 %).</summary>
    [Range(typeof(decimal), "0", "1")]
    public decimal DiscountRate { get; set; } = 0.03m;
}
