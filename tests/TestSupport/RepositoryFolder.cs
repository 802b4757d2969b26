namespace NackaInsights.TestSupport;

/// <summary>The working copy the tests run in: what they read as it lies in the repository, not as it was built.</summary>
public static class RepositoryFolder
{
    private const string SolutionFile = "NackaInsights.sln";

    /// <summary>The folder that holds NackaInsights.sln, the nearest above the test's own output folder.</summary>
    public static string Root => Find() ?? throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds {SolutionFile}.");

    /// <summary>The same, or null outside a working copy.</summary>
    public static string? Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }
        return null;
    }
}
