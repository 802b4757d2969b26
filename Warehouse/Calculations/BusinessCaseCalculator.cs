using NackaInsights.Warehouse.Model;

namespace NackaInsights.Warehouse.Calculations;

/// <summary>
/// The figures of a business case, exactly as the contract defines them. Plain arithmetic in
/// <see cref="decimal"/>, so that Nacka's reference case comes out to the krona.
/// </summary>
public static class BusinessCaseCalculator
{
    /// <summary>The highest movement score a year can have.</summary>
    public const decimal MovementScoreCap = 10m;

    /// <summary>One line's amount for one year, in the calculator's terms.</summary>
    public readonly record struct LineAmount(string Kind, int Year, decimal Value);

    public static BusinessCaseFigures Calculate(BusinessCase businessCase, decimal discountRate)
    {
        var amounts = new List<LineAmount>();
        foreach (var cost in businessCase.Costs)
        {
            amounts.AddRange(cost.Values.Select(v => new LineAmount(Labels.Of(cost.Category), v.Year, v.Value)));
        }
        foreach (var benefit in businessCase.Benefits)
        {
            amounts.AddRange(benefit.Values.Select(v => new LineAmount(Labels.Of(benefit.Type), v.Year, v.Value)));
        }
        return Calculate(businessCase.Years, amounts, discountRate);
    }

    /// <summary>
    /// Computes the figures over <paramref name="years"/> (the union of both sheets' years) from
    /// line amounts keyed by the contract's labels (<c>Investering</c>, <c>Förvaltning</c>,
    /// <c>Finansiell</c>, <c>Omfördelning</c>, <c>Förflyttning</c>). Costs are given as positive
    /// amounts and reported negative.
    /// </summary>
    public static BusinessCaseFigures Calculate(IEnumerable<int> years, IEnumerable<LineAmount> amounts, decimal discountRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(discountRate, -1m);

        var sums = new Dictionary<(string Kind, int Year), decimal>();
        foreach (var a in amounts)
        {
            sums[(a.Kind, a.Year)] = sums.GetValueOrDefault((a.Kind, a.Year)) + a.Value;
        }
        decimal Sum(string kind, int year) => sums.GetValueOrDefault((kind, year));

        var horizon = years.Distinct().Order().ToList();
        var result = new List<BusinessCaseYear>(horizon.Count);
        decimal investmentAcc = 0, operatingAcc = 0, costAcc = 0, benefitAcc = 0, netAcc = 0;
        int? payback = null;

        foreach (var year in horizon)
        {
            var investment = -Sum(Labels.Investment, year);
            var operating = -Sum(Labels.Operating, year);
            var costTotal = investment + operating;
            var financial = Sum(Labels.Financial, year);
            var redistribution = Sum(Labels.Redistribution, year);
            var economic = financial + redistribution;
            var net = economic + costTotal;
            var movement = Math.Min(Sum(Labels.Movement, year), MovementScoreCap);
            decimal? ratio = costTotal == 0 ? null : 10m * economic / Math.Abs(costTotal);

            investmentAcc += investment;
            operatingAcc += operating;
            costAcc += costTotal;
            benefitAcc += economic;
            netAcc += net;
            if (payback is null && netAcc >= 0)
            {
                payback = year;
            }

            result.Add(new BusinessCaseYear(
                year, investment, operating, costTotal, investmentAcc, operatingAcc, costAcc,
                financial, redistribution, economic, benefitAcc, net, netAcc,
                ratio, movement, ratio + movement));
        }

        var summary = new BusinessCaseSummary(
            horizon.Count > 0 ? horizon[0] : null,
            horizon.Count > 0 ? horizon[^1] : null,
            costAcc,
            benefitAcc,
            netAcc,
            payback,
            NetPresentValue(result.Select(y => (y.Year, y.NetBenefit)), discountRate),
            discountRate);
        return new BusinessCaseFigures(result, summary);
    }

    /// <summary>
    /// The net present value of yearly net benefits, discounted to the first year:
    /// the sum of net / (1 + r)^(year − first year).
    /// </summary>
    public static decimal NetPresentValue(IEnumerable<(int Year, decimal NetBenefit)> years, decimal discountRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(discountRate, -1m);
        var ordered = years.OrderBy(y => y.Year).ToList();
        if (ordered.Count == 0)
        {
            return 0m;
        }
        decimal npv = 0, discount = 1;
        var previous = ordered[0].Year;
        foreach (var (year, net) in ordered)
        {
            for (; previous < year; previous++)
            {
                discount *= 1m + discountRate;
            }
            npv += net / discount;
        }
        return npv;
    }
}
