using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Pipeline;

/// <summary>
/// The offline form of the sources (cli.md): <c>business-cases/</c>, <c>actuals/</c>, <c>lists/</c> and
/// <c>index/</c> below one folder. Any part may be missing.
/// </summary>
public sealed class SourceFolder(string root)
{
    public const string BusinessCases = "business-cases";
    public const string Actuals = "actuals";
    public const string Lists = "lists";
    public const string Index = "index";

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>
    /// The workbooks of a subfolder in processing order: by last-modified time, then name. Excel's
    /// lock files (<c>~$…</c>) and result workbooks are left out.
    /// </summary>
    public IReadOnlyList<FileInfo> Workbooks(string subfolder) => Files(subfolder, WorkbookExtensions);

    /// <summary>The workbooks the pipeline reads: <c>.xlsx</c>.</summary>
    public static readonly IReadOnlyList<string> WorkbookExtensions = [".xlsx"];

    /// <summary>
    /// The files of a subfolder with one of <paramref name="extensions"/>, in processing order: by last-modified
    /// time, then name. Excel's lock files (<c>~$…</c>) and result workbooks are left out.
    /// </summary>
    public IReadOnlyList<FileInfo> Files(string subfolder, IReadOnlyList<string> extensions)
    {
        var directory = new DirectoryInfo(Path.Combine(Root, subfolder));
        if (!directory.Exists)
        {
            return [];
        }
        return directory.EnumerateFiles("*", SearchOption.TopDirectoryOnly)
            .Where(f => extensions.Contains(f.Extension, StringComparer.OrdinalIgnoreCase) && !Upload.IsIgnoredName(f.Name))
            .OrderBy(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Files of a subfolder that are not files the pipeline reads (by default: workbooks), for the operator's attention.</summary>
    public IReadOnlyList<string> Ignored(string subfolder, IReadOnlyList<string>? extensions = null)
    {
        var directory = new DirectoryInfo(Path.Combine(Root, subfolder));
        if (!directory.Exists)
        {
            return [];
        }
        // One listing: a file is read when it has one of the extensions and no ignored name (Files), so the others not
        // ignored are those of another extension. Listing the folder twice more (once sorted) took 92 of the 1,219 ms
        // of CPU a traced no-op at scale 1 used (4,000 files: the business cases and their result workbooks).
        var read = extensions ?? WorkbookExtensions;
        return directory.EnumerateFiles()
            .Where(f => !read.Contains(f.Extension, StringComparer.OrdinalIgnoreCase) && !Upload.IsIgnoredName(f.Name) && !f.Name.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => Name(f))
            .ToList();
    }

    /// <summary>A file's name across runs: its path below the source folder, with '/'.</summary>
    public string Name(FileInfo file) => Path.GetRelativePath(Root, file.FullName).Replace('\\', '/');
}
