using System.IO.Enumeration;
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
    public IReadOnlyList<FolderFile> Workbooks(string subfolder) => Files(subfolder, WorkbookExtensions);

    /// <summary>The workbooks the pipeline reads: <c>.xlsx</c>.</summary>
    public static readonly IReadOnlyList<string> WorkbookExtensions = [".xlsx"];

    /// <summary>
    /// The files of a subfolder with one of <paramref name="extensions"/>, in processing order: by last-modified
    /// time, then name. Excel's lock files (<c>~$…</c>) and result workbooks are left out.
    /// </summary>
    public IReadOnlyList<FolderFile> Files(string subfolder, IReadOnlyList<string> extensions)
    {
        var directory = Path.Combine(Root, subfolder);
        if (!Directory.Exists(directory))
        {
            return [];
        }
        // Decided on the name first, so that only the files read are asked their size and time: a FileInfo per entry
        // made .NET lstat every file of the folder, result workbooks too (a scale-4 no-op: 35,225 lstat calls for
        // 8,801 files over this listing and Ignored's, 4 a file read).
        return new FileSystemEnumerable<FolderFile>(directory,
                (ref FileSystemEntry e) => new FolderFile(e.ToFullPath(), e.FileName.ToString(), e.Length, e.LastWriteTimeUtc.UtcDateTime), Listing)
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && IsRead(e.FileName, extensions),
            }
            .OrderBy(f => f.LastWriteTimeUtc)
            .ThenBy(f => f.FileName, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Files of a subfolder that are not files the pipeline reads (by default: workbooks), for the operator's attention.</summary>
    public IReadOnlyList<string> Ignored(string subfolder, IReadOnlyList<string>? extensions = null)
    {
        var directory = Path.Combine(Root, subfolder);
        if (!Directory.Exists(directory))
        {
            return [];
        }
        // One listing: a file is read when it has one of the extensions and no ignored name (Files), so the others not
        // ignored are those of another extension. Listing the folder twice more (once sorted) took 92 of the 1,219 ms
        // of CPU a traced no-op at scale 1 used (4,000 files: the business cases and their result workbooks). Names
        // only: nothing here asks a file its size or time, so no file is stat'ed.
        var read = extensions ?? WorkbookExtensions;
        return new FileSystemEnumerable<string>(directory, (ref FileSystemEntry e) => Name(e.ToFullPath()), Listing)
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) =>
                    !e.IsDirectory && !HasExtension(e.FileName, read) && !Upload.IsIgnoredName(e.FileName.ToString()) && !e.FileName.EndsWith(".tmp", StringComparison.Ordinal),
            }
            .ToList();
    }

    /// <summary>As <c>DirectoryInfo.EnumerateFiles()</c> lists: every entry of the folder itself, hidden ones too.</summary>
    private static readonly EnumerationOptions Listing = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };

    private static bool IsRead(ReadOnlySpan<char> fileName, IReadOnlyList<string> extensions) =>
        HasExtension(fileName, extensions) && !Upload.IsIgnoredName(fileName.ToString());

    /// <summary>Whether the name's extension (as <see cref="Path.GetExtension(ReadOnlySpan{char})"/> gives it) is one of them, in any letter case.</summary>
    private static bool HasExtension(ReadOnlySpan<char> fileName, IReadOnlyList<string> extensions)
    {
        var extension = Path.GetExtension(fileName);
        foreach (var e in extensions)
        {
            if (extension.Equals(e, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A file's name across runs: its path below the source folder, with '/'.</summary>
    public string Name(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace('\\', '/');
}

/// <summary>A file of a source folder the pipeline reads, with its size and modification time as listed.</summary>
public sealed record FolderFile(string FullName, string FileName, long Length, DateTime LastWriteTimeUtc);
