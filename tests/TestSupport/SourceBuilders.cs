using System.Security.Cryptography;
using System.Text;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.TestSupport;

/// <summary>The source files a test stages, built once for every test project: fingerprints and listed files of each kind.</summary>
public static class SourceBuilders
{
    /// <summary>When the test's files were listed, unless a test says otherwise.</summary>
    public static readonly DateTime Listed = new(2024, 6, 1, 8, 0, 0, DateTimeKind.Utc);

    /// <summary>A SHA-256 fingerprint, lower-case hex, as the run records a file's: of <paramref name="text"/>, standing for the file's content.</summary>
    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>A listed file of <paramref name="kind"/>, its content standing as <paramref name="content"/> (its name unless given).</summary>
    public static SourceFile File(string kind, string name, string? content = null, DateTime? listed = null) =>
        new(kind, name, Sha(content ?? name), 1_000, listed ?? Listed);

    /// <summary>A listed business case workbook.</summary>
    public static SourceFile BusinessCaseFile(string name, string? content = null) => File(SourceKind.BusinessCase, name, content);

    /// <summary>A listed actuals workbook.</summary>
    public static SourceFile ActualsFile(string name, string? content = null) => File(SourceKind.Actuals, name, content);

    /// <summary>A listed survey export.</summary>
    public static SourceFile SurveyFile(string name, string? content = null) => File(SourceKind.Index, name, content);
}
