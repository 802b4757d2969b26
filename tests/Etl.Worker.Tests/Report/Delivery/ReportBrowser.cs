using Microsoft.Playwright;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>
/// The system Chromium driven by Playwright (its bundled driver, <see cref="BrowserTypeLaunchOptions.ExecutablePath"/>
/// at <see cref="SystemChromium"/>; no browser is downloaded). Opens one report file with every other request recorded
/// and failed, and every console error and uncaught page error recorded.
/// </summary>
public sealed class ReportBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ReportBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<ReportBrowser> LaunchAsync()
    {
        var chromium = SystemChromium.Require();
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                // As root (containers, CI) Chromium will not start with its sandbox; elsewhere it keeps it, as ChromiumPdfPrinter does.
                ChromiumSandbox = !Environment.IsPrivilegedProcess,
            });
            return new ReportBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Opens <paramref name="file"/> in a fresh context <paramref name="width"/> pixels wide, and waits until it has loaded.</summary>
    public async Task<OpenedReport> OpenAsync(string file, int width, int height = 900)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            // No service worker may answer in the page's stead, unseen by the route below.
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        var page = await context.NewPageAsync();
        var url = new Uri(Path.GetFullPath(file)).AbsoluteUri;
        var opened = new OpenedReport(context, page, url);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                opened.ConsoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => opened.ConsoleErrors.Add($"uncaught: {error}");
        page.Request += (_, request) =>
        {
            if (request.Url != url && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                opened.Requests.Add($"{request.Method} {request.Url}");
            }
        };
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url == url)
            {
                await route.ContinueAsync();
            }
            else
            {
                await route.AbortAsync("blockedbyclient");
            }
        });
        var response = await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        Assert.True(response is null || response.Ok, $"{url} did not load: {response?.Status}");
        return opened;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>A report opened in the browser: its page, and what it asked for or complained of.</summary>
public sealed class OpenedReport(IBrowserContext context, IPage page, string url) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public string Url { get; } = url;

    /// <summary>Console errors and uncaught errors, as the page gave them.</summary>
    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Every request the page made other than for the file itself; each was failed.</summary>
    public List<string> Requests { get; } = [];

    public ValueTask DisposeAsync() => context.DisposeAsync();
}
