using System.CommandLine;
using System.Globalization;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Commands;

/// <summary>
/// <c>sources check [--source-dir DIR]</c>: the first command an operator runs against a new site. It reads the configured
/// site's lists and libraries (or an offline folder) as a run would, writes nothing, and says what it found and what to do next.
/// </summary>
internal static class SourcesCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var sourceDir = new Option<string?>("--source-dir") { Description = "Check an offline source folder (lists/, business-cases/, actuals/, index/) instead of the configured site." };
        var verbose = new Option<bool>("--verbose") { Description = "Log every request to standard error." };
        var check = new Command(
            "check",
            "Read the configured SharePoint site (or an offline folder) through the column mapping, and print what a run would make of it. Writes nothing.")
        {
            sourceDir, verbose,
        };
        check.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(sourceDir);
            if (dir is not null && !Directory.Exists(dir))
            {
                throw new UsageException($"The source folder '{dir}' does not exist.");
            }
            using var host = CommandHost.Build(new Dictionary<string, string?>(), parse.GetValue(verbose));
            var graph = host.Services.GetRequiredService<GraphOptions>();
            var sourcesCheck = new SourcesCheck(graph, host.Services.GetRequiredService<InputLimits>(), TimeProvider.System);
            SourcesCheckReport report;
            if (dir is not null)
            {
                var folder = new SourceFolder(dir);
                report = await sourcesCheck.CheckAsync($"the source folder {folder.Root}", RunSources.FromFolder(folder, host.Services.GetServices<IUploadReader>()), ct);
            }
            else
            {
                if (!graph.Enabled)
                {
                    throw new UsageException(
                        "sources check needs --source-dir DIR, or the SharePoint site configured in the section GraphOptions " +
                        "(Enabled, TenantId, ClientId, Authentication, SiteHostname and SitePath or SiteId); see docs/operator-guide.md.");
                }
                using var sources = host.Services.GetRequiredService<GraphSources>().Create(lists: true, SourceKind.All.ToArray());
                report = await sourcesCheck.CheckAsync(sources.Sources.Lists?.RunDescription ?? "the configured site", sources.Sources, ct);
            }
            await SourcesCheckWriter.WriteAsync(stdout, report, dir);
            return SourcesCheckWriter.ExitCode(report);
        });
        return new Command("sources", "Check the sources a run reads.") { check };
    }
}

/// <summary>Prints a <see cref="SourcesCheckReport"/> for the operator, ending with the next step.</summary>
internal static class SourcesCheckWriter
{
    /// <summary>3 when a list or library could not be read (a run would fail), 1 when items would be rejected, else 0.</summary>
    public static int ExitCode(SourcesCheckReport report) =>
        report.AnyUnreadable ? ExitCodes.Failed
        : report.ItemsRejected > 0 ? ExitCodes.Rejections
        : ExitCodes.Success;

    public static async Task WriteAsync(TextWriter output, SourcesCheckReport report, string? sourceDir)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"Checked {report.Source}. Nothing was written.");
        foreach (var list in report.Lists)
        {
            WriteList(w, list);
        }
        if (report.Uploads.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Uploads");
            foreach (var upload in report.Uploads)
            {
                WriteUploads(w, upload);
            }
        }
        w.WriteLine();
        WriteSummary(w, report, sourceDir);
        await output.WriteAsync(w.ToString());
    }

    private static void WriteList(StringWriter w, ListCheck list)
    {
        w.WriteLine();
        var title = list.SharePointList.Equals(list.ListName, StringComparison.OrdinalIgnoreCase) ? $"List {list.ListName}" : $"List {list.ListName} (SharePoint list \"{list.SharePointList}\")";
        if (list.Missing)
        {
            w.WriteLine($"{title}: not in the source; a run leaves what the warehouse holds of it as it is.");
            return;
        }
        if (list.Unreadable is { } why)
        {
            w.WriteLine($"{title}: COULD NOT BE READ. {why}");
            return;
        }
        w.WriteLine($"{title}: {Items(list.ItemsRead)}, {(list.ItemsRejected == 0 ? "none would be rejected" : $"{list.ItemsRejected} would be rejected")}" +
            (list.HasDefinitions ? "" : " (no column definitions: kinds are guessed from the values)"));
        var rows = list.Fields.Select(f => (Field: f.Field.Name + (f.Field.IsRequired ? " *" : ""), Column: f.Column ?? "(none)", Kind: f.Kind ?? "-", Items: f.ItemsWithValue.ToString(CultureInfo.InvariantCulture))).ToList();
        var widths = (Field: Math.Max(5, rows.Max(r => r.Field.Length)), Column: Math.Max(6, rows.Max(r => r.Column.Length)), Kind: Math.Max(4, rows.Max(r => r.Kind.Length)));
        w.WriteLine($"  {"field".PadRight(widths.Field)}  {"column".PadRight(widths.Column)}  {"kind".PadRight(widths.Kind)}  items with a value");
        foreach (var row in rows)
        {
            w.WriteLine($"  {row.Field.PadRight(widths.Field)}  {row.Column.PadRight(widths.Column)}  {row.Kind.PadRight(widths.Kind)}  {row.Items}");
        }
        if (list.MappingProblems.Count > 0)
        {
            w.WriteLine("  Could not be mapped:");
            foreach (var problem in list.MappingProblems)
            {
                w.WriteLine($"    {problem}");
            }
        }
        // Graph leaves an empty column out of an item, so a column no item has may be empty or may not exist: said as such.
        var empty = list.Fields.Where(f => f.Column is not null && f.ItemsWithValue == 0 && list.ItemsRead > 0 && !list.HasDefinitions).ToList();
        if (empty.Count > 0)
        {
            w.WriteLine("  No item gives a value:");
            foreach (var f in empty)
            {
                w.WriteLine($"    {f.Field.Name} (column {f.Column}): empty in every item, or the list keeps it in another column; map that with {GraphOptions.Section}:Lists:{list.ListName}:Columns:{f.Field.Name}");
            }
        }
        if (list.UnknownChoices.Count > 0)
        {
            w.WriteLine("  Choice values that map to nothing:");
            foreach (var choice in list.UnknownChoices)
            {
                var field = ListFields.Find(list.ListName, choice.Field);
                var column = choice.Column.Equals(choice.Field, StringComparison.OrdinalIgnoreCase) ? "" : $" (column {choice.Column})";
                w.WriteLine($"    {choice.Field}{column}: \"{choice.Value}\" in {Items(choice.Items)}; map it with " +
                    $"{GraphOptions.Section}:Lists:{list.ListName}:Choices:{choice.Field}:{choice.Value} = one of {string.Join(", ", field?.Choices ?? [])}");
            }
        }
        if (list.Examples.Count > 0)
        {
            w.WriteLine(list.Examples.Count < list.ItemsRejected ? $"  Would be rejected (the first {list.Examples.Count}):" : "  Would be rejected:");
            foreach (var example in list.Examples)
            {
                w.WriteLine($"    item {example.ItemId}: {string.Join(" ", example.Reasons)}");
            }
        }
        if (list.SiteUsers is { } users)
        {
            w.WriteLine($"  The site's user information list: {users} {(users == 1 ? "person" : "people")}.");
        }
    }

    private static void WriteUploads(StringWriter w, UploadSourceCheck upload)
    {
        var kind = upload.Kind switch
        {
            SourceKind.BusinessCase => "Business cases",
            SourceKind.Actuals => "Actuals",
            SourceKind.Index => "Survey exports",
            _ => upload.Kind,
        };
        if (upload.Unreadable is { } why)
        {
            w.WriteLine($"  {kind}, {upload.Source}: COULD NOT BE READ. {why}");
            return;
        }
        var status = upload.HasStatusColumns switch
        {
            true => "; each upload gets its status on the file (Inlasningsstatus, Inlasningsmeddelande)",
            false => "; no status columns (add Inlasningsstatus and Inlasningsmeddelande to show each upload's status in the library)",
            null => "",
        };
        w.WriteLine($"  {kind}, {upload.Source}: {upload.Uploads} file(s){status}");
    }

    private static void WriteSummary(StringWriter w, SourcesCheckReport report, string? sourceDir)
    {
        var unreadable = report.Lists.Where(l => l.Unreadable is not null).Select(l => $"the list {l.ListName}")
            .Concat(report.Uploads.Where(u => u.Unreadable is not null).Select(u => u.Source)).ToList();
        var rejectedLists = report.Lists.Count(l => l.ItemsRejected > 0);
        var unmapped = report.Lists.Sum(l => l.MappingProblems.Count + l.UnknownChoices.Count);
        if (unreadable.Count > 0)
        {
            w.WriteLine($"Could not read {string.Join(", ", unreadable)}: a run would fail.");
            w.WriteLine("Next: mend what the messages above name (the app's permission to the site, the list's title in GraphOptions:Lists:<list>:List, the site), then run `nacka-insights sources check` again.");
            return;
        }
        if (report.ItemsRejected > 0 || unmapped > 0)
        {
            w.WriteLine(report.ItemsRejected > 0
                ? $"{Items(report.ItemsRejected)} in {rejectedLists} list(s) would be rejected; a run loads the rest."
                : "No item would be rejected, but some of the configuration does not fit the site.");
            w.WriteLine("Next: map the columns and choice values named above in GraphOptions:Lists (docs/operator-guide.md, \"Lists as your site has them\"), " +
                "or mend the items in SharePoint; then run `nacka-insights sources check` again.");
            return;
        }
        w.WriteLine("Everything maps: a run would reject nothing.");
        w.WriteLine(sourceDir is null
            ? "Next: `nacka-insights refresh` loads the site once; the service's jobs keep it loaded."
            : $"Next: `nacka-insights refresh --source-dir {sourceDir}` loads the folder.");
    }

    private static string Items(int count) => count == 1 ? "1 item" : $"{count} items";
}
