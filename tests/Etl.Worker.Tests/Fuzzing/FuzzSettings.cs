using System.Globalization;

namespace NackaInsights.Etl.Tests.Fuzzing;

/// <summary>
/// The fuzzing run's seed and size. CI uses the fixed defaults; before a release a longer run is one command:
/// <c>NACKA_FUZZ_CASES=100000 NACKA_FUZZ_SEED=123 dotnet test tests/Etl.Worker.Tests --filter "FullyQualifiedName~Fuzzing"</c>.
/// One failing case is reproduced alone with <c>NACKA_FUZZ_CASE=&lt;number&gt;</c> and the same seed.
/// </summary>
public static class FuzzSettings
{
    /// <summary>The seed every case derives from (<c>NACKA_FUZZ_SEED</c>; default 13, the issue).</summary>
    public static int Seed => Read("NACKA_FUZZ_SEED") ?? 13;

    /// <summary>Reader-level cases per kind of source (<c>NACKA_FUZZ_CASES</c>).</summary>
    public static int Cases(int ciDefault) => Read("NACKA_FUZZ_CASES") ?? ciDefault;

    /// <summary>Mutants taken into real runs (<c>NACKA_FUZZ_RUN_MUTANTS</c>; by default a tenth of the cases, at least the CI default).</summary>
    public static int RunMutants(int ciDefault) => Read("NACKA_FUZZ_RUN_MUTANTS") ?? Math.Max(ciDefault, (Read("NACKA_FUZZ_CASES") ?? 0) / 10);

    /// <summary>The one case to run (<c>NACKA_FUZZ_CASE</c>), to reproduce a failure.</summary>
    public static int? OnlyCase => Read("NACKA_FUZZ_CASE");

    /// <summary>The one real run to repeat whole (<c>NACKA_FUZZ_RUN</c>), with all its mutants.</summary>
    public static int? OnlyRun => Read("NACKA_FUZZ_RUN");

    /// <summary>The case numbers to run: all of them, or the one asked for.</summary>
    public static IEnumerable<int> CaseNumbers(int ciDefault) => OnlyCase is { } only ? [only] : Enumerable.Range(0, Cases(ciDefault));

    /// <summary>A case's own random source: the same seed and number give the same mutant on any machine.</summary>
    public static Random ForCase(string harness, int number) =>
        new(unchecked(Seed * 1_000_003 + number * 7_919 + StableHash(harness)));

    /// <summary>The command that runs one case again.</summary>
    public static string Reproduce(string factsClass, int number) =>
        $"NACKA_FUZZ_SEED={Seed} NACKA_FUZZ_CASE={number} dotnet test tests/Etl.Worker.Tests --filter \"FullyQualifiedName~{factsClass}\"";

    /// <summary>
    /// With <c>NACKA_FUZZ_TRACE=path</c>, each case's description is appended to that file before it runs: a case that
    /// hangs or kills the process is then the file's last line.
    /// </summary>
    public static void Trace(string description)
    {
        if (Environment.GetEnvironmentVariable("NACKA_FUZZ_TRACE") is { Length: > 0 } path)
        {
            File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {description}\n");
        }
    }

    private static int StableHash(string text)
    {
        // string.GetHashCode is randomised per process; a case must be the same in every run.
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked(hash * 31 + c);
        }
        return hash;
    }

    private static int? Read(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
