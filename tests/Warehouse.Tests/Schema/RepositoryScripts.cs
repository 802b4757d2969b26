using System.Globalization;
using NackaInsights.TestSupport;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>A schema script as it lies in the repository's <c>sql/&lt;database&gt;/</c> folder.</summary>
public sealed record RepositoryScript(int Version, string Name, string Path)
{
    public byte[] ReadBytes() => File.ReadAllBytes(Path);

    public string ReadText() => File.ReadAllText(Path);
}

/// <summary>Reads the schema scripts from the working copy, not from the built assembly.</summary>
public static class RepositoryScripts
{
    public static string Root { get; } = RepositoryFolder.Root;

    /// <summary>The scripts of <c>sql/<paramref name="folder"/>/</c>, in version order.</summary>
    public static IReadOnlyList<RepositoryScript> In(string folder) =>
        Directory.EnumerateFiles(System.IO.Path.Combine(Root, "sql", folder), "*.sql")
            .Select(path =>
            {
                var name = System.IO.Path.GetFileName(path);
                var version = int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                return new RepositoryScript(version, name, path);
            })
            .OrderBy(s => s.Version)
            .ToList();

    /// <summary>
    /// The view texts of <c>sql/views/</c>, by their path below it: <c>&lt;name&gt;.sql</c>, and
    /// <c>&lt;database&gt;/&lt;name&gt;.sql</c> where a database has its own.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Views()
    {
        var folder = System.IO.Path.Combine(Root, "sql", "views");
        return Directory.EnumerateFiles(folder, "*.sql", SearchOption.AllDirectories)
            .ToDictionary(path => System.IO.Path.GetRelativePath(folder, path).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);
    }
}
