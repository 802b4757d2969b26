using System.Globalization;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using NackaInsights.Etl.Report;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Tests.Report.Content;

/// <summary>A clock stopped at one instant, so that days in a phase do not depend on when the tests run.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public static readonly DateTimeOffset ReportDay = new(2024, 6, 20, 10, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>A report as written, and as a browser parses it (AngleSharp): its figures by name.</summary>
public sealed class ReportPage
{
    private ReportPage(string html, IHtmlDocument document)
    {
        Html = html;
        Document = document;
        Figures = document.QuerySelectorAll("[data-figure]").ToList();
    }

    public string Html { get; }

    public IHtmlDocument Document { get; }

    public IReadOnlyList<IElement> Figures { get; }

    /// <summary>Everything a reader can see or copy: the text and every attribute value, entities decoded.</summary>
    public string AllText => string.Join("\n",
        Document.All.SelectMany(e => e.Attributes.Select(a => a.Value)).Append(Document.DocumentElement.TextContent));

    public static async Task<ReportPage> WriteAsync(WarehouseDatabase database, ReportRequest request, DateTimeOffset? now = null)
    {
        using var output = new StringWriter();
        await FollowUpReport.WriteHtmlAsync(database, request, output, new FixedTime(now ?? FixedTime.ReportDay), TestContext.Current.CancellationToken);
        var html = output.ToString();
        return new ReportPage(html, new HtmlParser().ParseDocument(html));
    }

    public IElement Figure(string name) =>
        Figures.SingleOrDefault(f => f.GetAttribute("data-figure") == name) ?? throw new Xunit.Sdk.XunitException($"The report has no figure {name}.");

    public bool Has(string name) => Figures.Any(f => f.GetAttribute("data-figure") == name);

    /// <summary>A figure's machine-readable value; null where it is empty.</summary>
    public decimal? Value(string name) => ParseValue(Figure(name).GetAttribute("data-value"));

    public string Text(string name) => Figure(name).TextContent;

    public static decimal? ParseValue(string? value) =>
        string.IsNullOrEmpty(value) ? null : decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
}
