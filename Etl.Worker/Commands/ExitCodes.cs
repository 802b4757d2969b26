
namespace NackaInsights.Etl.Commands;

/// <summary>The exit codes of cli.md.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Rejections = 1;
    public const int Usage = 2;
    public const int Failed = 3;
}

/// <summary>Bad usage, told to the operator in plain words; exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
