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
    public IReadOnlyList<FolderFile> Files(string subfolder, IReadOnlyList<string> extensions) => List(subfolder, extensions).Files;

    /// <summary>
    /// A subfolder's files with one of <paramref name="extensions"/> (<see cref="Files"/>), and the names of the others
    /// that are not files the pipeline reads, for the operator's attention: Excel's lock files, result workbooks and
    /// their temporary files are neither.
    /// </summary>
    public FolderListing List(string subfolder, IReadOnlyList<string> extensions)
    {
        var directory = Path.Combine(Root, subfolder);
        if (!Directory.Exists(directory))
        {
            return new([], []);
        }
        // One listing for both: listed once for the files and again for the others, a scale-4 folder of 8,000 business
        // cases and their 8,000 result workbooks was read twice every run, a one-changed-workbook run's too. Decided on
        // the name first, so that only the files read are asked their size and time: a FileInfo per entry made .NET
        // lstat every file of the folder, result workbooks too (a scale-4 no-op: 35,225 lstat calls for 8,801 files, 4
        // a file read).
        var files = new List<FolderFile>();
        var ignored = new List<string>();
        var entries = new FileSystemEnumerable<(FolderFile? File, string? Ignored)>(directory,
            (ref FileSystemEntry e) => IsRead(e.FileName, extensions)
                ? (new FolderFile(e.ToFullPath(), e.FileName.ToString(), e.Length, e.LastWriteTimeUtc.UtcDateTime), null)
                : (null, Name(e.ToFullPath())),
            Listing)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && (IsRead(e.FileName, extensions) || IsOther(e.FileName, extensions)),
        };
        foreach (var (file, other) in entries)
        {
            if (file is not null)
            {
                files.Add(file);
            }
            else
            {
                ignored.Add(other!);
            }
        }
        // Names are unique in a folder, so the order is total and an unstable sort gives OrderBy's. List.Sort rather than
        // OrderBy: its comparer is precompiled, where LINQ's sorter over DateTime keys was compiled as every run began.
        files.Sort(static (a, b) => a.LastWriteTimeUtc != b.LastWriteTimeUtc
            ? a.LastWriteTimeUtc.CompareTo(b.LastWriteTimeUtc)
            : string.CompareOrdinal(a.FileName, b.FileName));
        return new(files, ignored);
    }

    /// <summary>As <c>DirectoryInfo.EnumerateFiles()</c> lists: every entry of the folder itself, hidden ones too.</summary>
    private static readonly EnumerationOptions Listing = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };

    private static bool IsRead(ReadOnlySpan<char> fileName, IReadOnlyList<string> extensions) =>
        HasExtension(fileName, extensions) && !Upload.IsIgnoredName(fileName.ToString());

    /// <summary>A file of another type than those read, that is neither a lock file nor a result workbook's temporary file.</summary>
    private static bool IsOther(ReadOnlySpan<char> fileName, IReadOnlyList<string> extensions) =>
        !HasExtension(fileName, extensions) && !Upload.IsIgnoredName(fileName.ToString()) && !fileName.EndsWith(".tmp", StringComparison.Ordinal);

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

/// <summary>One listing of a source folder's subfolder: the files the pipeline reads, and the names of the others.</summary>
/// <param name="Files">The files read, in processing order.</param>
/// <param name="Ignored">The names (below the source folder) of the files of other types, for the operator's attention.</param>
public sealed record FolderListing(IReadOnlyList<FolderFile> Files, IReadOnlyList<string> Ignored);
