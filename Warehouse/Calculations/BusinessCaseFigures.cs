namespace NackaInsights.Warehouse.Calculations;

/// <summary>
/// One year of a business case, as defined in the contract (business-case-workbook.md):
/// costs negative, benefits positive, <c>*Acc</c> running sums from the first year.
/// Ratios are unrounded; rounding is presentation.
/// </summary>
public sealed record BusinessCaseYear(
    int Year,
    decimal Investment,
    decimal OperatingCost,
    decimal CostTotal,
    decimal InvestmentAcc,
    decimal OperatingCostAcc,
    decimal CostTotalAcc,
    decimal FinancialBenefit,
    decimal RedistributionBenefit,
    decimal EconomicBenefit,
    decimal EconomicBenefitAcc,
    decimal NetBenefit,
    decimal NetBenefitAcc,
    decimal? EconomicBenefitRatio,
    decimal MovementScore,
    decimal? BenefitRatioTotal);

/// <summary>The whole horizon of one business case.</summary>
public sealed record BusinessCaseSummary(
    int? FirstYear,
    int? LastYear,
    decimal CostTotal,
    decimal EconomicBenefitTotal,
    decimal NetBenefitTotal,
    int? PaybackYear,
    decimal NetPresentValue,
    decimal DiscountRate);

public sealed record BusinessCaseFigures(IReadOnlyList<BusinessCaseYear> Years, BusinessCaseSummary Summary);
