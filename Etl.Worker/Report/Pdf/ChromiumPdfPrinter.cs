using System.Diagnostics;
using System.Text;

namespace NackaInsights.Etl.Report.Pdf;

/// <summary>There is no Chromium to print with: none configured that exists, none on the PATH. Bad usage (exit 2).</summary>
public sealed class ChromiumNotFoundException(string message) : Exception(message);

/// <summary>Chromium ran but gave no PDF: it failed, timed out, or wrote something that is not a PDF.</summary>
public sealed class PdfPrintException(string message) : Exception(message);

/// <summary>
/// Prints an HTML file to an A4 PDF with a headless Chromium run as a process (<c>--print-to-pdf</c>). A process, not a
/// DevTools client: one page printed once needs nothing more, and Chromium's own command line is stable across versions.
/// The page size, margins and page breaks come from the report's print CSS (<c>@page { size: A4 }</c>).
/// </summary>
public sealed class ChromiumPdfPrinter(ReportOptions options)
{
    /// <summary>The program names looked for on the PATH when no <see cref="ReportOptions.ChromiumPath"/> is set: Debian's first.</summary>
    public static readonly IReadOnlyList<string> ProgramNames = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    /// <summary>How much of Chromium's standard error a failure quotes: its last lines, where the reason is.</summary>
    private const int StderrExcerpt = 2_000;

    /// <summary>The Chromium to print with: the configured one, else the first of <see cref="ProgramNames"/> on the PATH.</summary>
    /// <exception cref="ChromiumNotFoundException">There is none; the message says what was looked for and how to set one.</exception>
    public string FindChromium()
    {
        if (!string.IsNullOrWhiteSpace(options.ChromiumPath))
        {
            var configured = options.ChromiumPath.Trim();
            if (File.Exists(configured))
            {
                return Path.GetFullPath(configured);
            }
            // A configured path that is wrong is a mistake to name, not a reason to print with some other browser.
            throw new ChromiumNotFoundException(
                $"No Chromium at {configured} ({ReportOptions.Section}:{nameof(ReportOptions.ChromiumPath)}); install Debian's package 'chromium' " +
                "or set the setting (environment variable Report__ChromiumPath) to the Chromium or Chrome program.");
        }
        if (FindOnPath(ProgramNames) is { } found)
        {
            return found;
        }
        throw new ChromiumNotFoundException(
            $"No Chromium found to print the PDF: none of {string.Join(", ", ProgramNames)} is on the PATH. Install Debian's package 'chromium' " +
            $"(apt-get install chromium), or set {ReportOptions.Section}:{nameof(ReportOptions.ChromiumPath)} (environment variable Report__ChromiumPath) " +
            "to the Chromium or Chrome program.");
    }

    /// <summary>
    /// Prints <paramref name="htmlFile"/> to <paramref name="pdfFile"/>, written whole or not at all (a temporary file
    /// beside it, moved into place once Chromium has written a PDF).
    /// </summary>
    /// <exception cref="ChromiumNotFoundException">There is no Chromium.</exception>
    /// <exception cref="PdfPrintException">Chromium failed, timed out or wrote no PDF; the message quotes its standard error.</exception>
    public async Task PrintAsync(string htmlFile, string pdfFile, CancellationToken ct)
    {
        var chromium = FindChromium();
        var html = Path.GetFullPath(htmlFile);
        var pdf = Path.GetFullPath(pdfFile);
        var temporary = Path.Combine(Path.GetDirectoryName(pdf)!, $".{Path.GetFileName(pdf)}.{Guid.NewGuid():N}.tmp");
        // A profile of its own: never the user's, and two prints at once do not share (and lock) one.
        var profile = Directory.CreateTempSubdirectory("nacka-chromium-");
        try
        {
            var start = new ProcessStartInfo(chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in Arguments(new Uri(html).AbsoluteUri, temporary, profile.FullName))
            {
                start.ArgumentList.Add(argument);
            }
            var (exitCode, stderr) = await RunAsync(start, TimeSpan.FromSeconds(options.PdfTimeoutSeconds), ct);
            if (!IsPdf(temporary))
            {
                throw new PdfPrintException(
                    $"Chromium ({chromium}) did not print {html} to a PDF (exit code {exitCode})" +
                    (stderr.Length == 0 ? "." : $": {Excerpt(stderr)}"));
            }
            File.Move(temporary, pdf, overwrite: true);
        }
        finally
        {
            TryDelete(temporary);
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A Chromium child still closing its profile; a temporary folder is no reason to fail the print.
            }
        }
    }

    /// <summary>The command line: headless, printed to PDF without the browser's own header and footer, nothing fetched.</summary>
    internal static IReadOnlyList<string> Arguments(string url, string pdfFile, string profile)
    {
        var arguments = new List<string>
        {
            // The new headless mode, the only one Chromium 132 and later have in the browser itself.
            "--headless",
            "--disable-gpu",
            "--no-pdf-header-footer",
            $"--print-to-pdf={pdfFile}",
            $"--user-data-dir={profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            // The report makes no request; neither should the browser behind it (updates, field trials, safe browsing).
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        };
        if (Environment.IsPrivilegedProcess)
        {
            // Chromium refuses to start as root with its sandbox ("Running as root without --no-sandbox is not supported"),
            // which is how containers and CI run. What it opens is our own file, escaped, with no script and no request,
            // so it is let run without it there; as any other user the sandbox stays on.
            arguments.Add("--no-sandbox");
        }
        arguments.Add(url);
        return arguments;
    }

    private static async Task<(int ExitCode, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan timeout, CancellationToken ct)
    {
        using var process = new Process { StartInfo = start };
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (stderr)
                {
                    stderr.AppendLine(line);
                }
            }
        };
        // Read and dropped: a full pipe would stop Chromium.
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PdfPrintException($"Chromium ({start.FileName}) could not be started: {e.Message}");
        }
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended on its own in the meantime.
            }
            ct.ThrowIfCancellationRequested();
            throw new PdfPrintException(
                $"Chromium ({start.FileName}) did not finish printing within {timeout.TotalSeconds:0} s " +
                $"({ReportOptions.Section}:{nameof(ReportOptions.PdfTimeoutSeconds)}) and was stopped." +
                (stderr.Length == 0 ? "" : $" It said: {Excerpt(stderr.ToString())}"));
        }
        // The asynchronous readers may still hold the last lines; WaitForExit() without a timeout drains them.
        process.WaitForExit();
        lock (stderr)
        {
            return (process.ExitCode, stderr.ToString());
        }
    }

    /// <summary>Whether <paramref name="path"/> exists and starts as every PDF does.</summary>
    internal static bool IsPdf(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        Span<byte> head = stackalloc byte[5];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual("%PDF-"u8);
    }

    private static string Excerpt(string stderr)
    {
        var text = stderr.Trim();
        return text.Length <= StderrExcerpt ? text : "…" + text[^StderrExcerpt..];
    }

    private static string? FindOnPath(IEnumerable<string> names)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var extensions = OperatingSystem.IsWindows() ? new[] { ".exe", "" } : [""];
        foreach (var name in names)
        {
            foreach (var directory in directories)
            {
                foreach (var extension in extensions)
                {
                    var candidate = Path.Combine(directory, name + extension);
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind in the output folder, named as a temporary; nothing reads it.
        }
    }
}
