using NackaInsights.Etl.Report.Pdf;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>
/// What the PDF printer makes of a Chromium that misbehaves, shown with small stand-in programs (shell scripts given as
/// <see cref="ReportOptions.ChromiumPath"/>): no PDF, something that is not a PDF, a Chromium that hangs. Each is a plain
/// error that quotes what Chromium said, and leaves no file where the PDF was asked for. The real Chromium is the
/// command's and the browser facts'.
/// </summary>
public sealed class ChromiumPdfPrinterFacts : IDisposable
{
    private readonly TempDirectory _dir = new("nacka-pdf");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AChromiumThatFails_IsAPlainError_QuotingItsStandardError_AndLeavesNoPdf()
    {
        var chromium = StandIn("echo 'Fatal: cannot open display' >&2; exit 21");
        var (html, pdf) = Files();

        var error = await Assert.ThrowsAsync<PdfPrintException>(() => Printer(chromium).PrintAsync(html, pdf, Ct));

        Assert.Contains("did not print", error.Message);
        Assert.Contains("exit code 21", error.Message);
        Assert.Contains("Fatal: cannot open display", error.Message);
        Assert.Equal(["rapport.html"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WhatIsNotAPdf_IsNotTakenForOne()
    {
        // Writes where it was told to print, and succeeds: but what it wrote is an error page, not a PDF.
        var chromium = StandIn("""for a in "$@"; do case "$a" in --print-to-pdf=*) printf '<html>Fel</html>' > "${a#--print-to-pdf=}";; esac; done; exit 0""");
        var (html, pdf) = Files();

        var error = await Assert.ThrowsAsync<PdfPrintException>(() => Printer(chromium).PrintAsync(html, pdf, Ct));

        Assert.Contains("did not print", error.Message);
        Assert.Equal(["rapport.html"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AChromiumThatHangs_IsStopped_AfterTheTimeout_AndSaysWhichSetting()
    {
        var chromium = StandIn("echo 'waiting for the page' >&2; exec sleep 600");
        var (html, pdf) = Files();

        var error = await Assert.ThrowsAsync<PdfPrintException>(() => Printer(chromium, timeoutSeconds: 5).PrintAsync(html, pdf, Ct));

        Assert.Contains("did not finish printing within 5 s", error.Message);
        Assert.Contains("Report:PdfTimeoutSeconds", error.Message);
        Assert.Contains("waiting for the page", error.Message);
        Assert.False(File.Exists(pdf));
    }

    [Fact]
    public async Task APdf_IsMovedIntoPlace_AndChromiumIsAskedForAHeadlessPrintWithoutHeaderOrFooter()
    {
        // Records its arguments and writes a minimal PDF where it was told.
        var arguments = _dir.File("bin/arguments.txt");
        var chromium = StandIn(
            $$"""printf '%s\n' "$@" > '{{arguments}}'; for a in "$@"; do case "$a" in --print-to-pdf=*) printf '%%PDF-1.4\n%%%%EOF\n' > "${a#--print-to-pdf=}";; esac; done""");
        var (html, pdf) = Files();

        await Printer(chromium).PrintAsync(html, pdf, Ct);

        Assert.True(PdfFile.StartsAsAPdf(pdf));
        var given = await File.ReadAllLinesAsync(arguments, Ct);
        Assert.Contains("--headless", given);
        Assert.Contains("--no-pdf-header-footer", given);
        Assert.Equal(new Uri(html).AbsoluteUri, given[^1]);
        // Printed under a temporary name beside the PDF, and moved: nothing else is left in the folder.
        Assert.Single(given, a => a.StartsWith("--print-to-pdf=" + _dir.Path, StringComparison.Ordinal) && !a.EndsWith("rapport.pdf", StringComparison.Ordinal));
        Assert.Equal(["rapport.html", "rapport.pdf"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Order());
    }

    private (string Html, string Pdf) Files()
    {
        var html = _dir.File("rapport.html");
        File.WriteAllText(html, "<!DOCTYPE html><html lang=\"sv\"><body><section id=\"oversikt\"></section></body></html>");
        return (html, _dir.File("rapport.pdf"));
    }

    private static ChromiumPdfPrinter Printer(string chromium, int timeoutSeconds = 60) =>
        new(new ReportOptions { ChromiumPath = chromium, PdfTimeoutSeconds = timeoutSeconds });

    private string StandIn(string script)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "The stand-in Chromium is a shell script.");
        var path = _dir.File("bin/chromium");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }
}
