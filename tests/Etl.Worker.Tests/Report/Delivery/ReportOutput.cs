namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>Where the browser tests keep their screenshots and PDFs for a person to look at: <c>TestResults/report/</c> in the test's output folder.</summary>
public static class ReportOutput
{
    public static string Folder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "report")).FullName;

    /// <summary>The path of <paramref name="name"/> in <see cref="Folder"/>, printed in the test's output once it is written.</summary>
    public static string File(string name) => Path.Combine(Folder, name);

    public static void Kept(string path) => TestContext.Current.TestOutputHelper?.WriteLine($"Kept {path}");
}
