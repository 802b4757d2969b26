using BenchmarkDotNet.Running;
using NackaInsights.Bench;

// dotnet run -c Release --project bench -- [--scale 1] [--seed 42] [--out DIR] [--repeat 3] [--writer generator|openpyxl] [--install precompiled|framework]   the whole-process benchmark
// (--initiatives N: a small municipality of N initiatives instead of the scale, to try the benchmark out; results-iN-seedS.*)
// dotnet run -c Release --project bench -- generate --out DIR [--scale 1] [--seed 42]   only the source folder (DIR/data-s1-seed42 is what a benchmark run with --out DIR reuses)
// dotnet run -c Release --project bench -- report [--scale 1] [--seed 42] [--out DIR] [--writer …]  the table again from the last run's figures
// dotnet run -c Release --project bench -- micro [BenchmarkDotNet options]        the micro benchmarks
if (args.Length > 0 && args[0] == "micro")
{
    // Every benchmark unless a --filter picks some (BenchmarkDotNet would otherwise ask on the console).
    var options = args[1..];
    BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run(options.Contains("--filter") ? options : [.. options, "--filter", "*"]);
    return 0;
}

var generateOnly = args.Length > 0 && args[0] == "generate";
var reportOnly = args.Length > 0 && args[0] == "report";
var rest = generateOnly || reportOnly ? args[1..] : args;
int scale = 1, seed = 42;
string? outDir = null;
var skipPostgres = false;
var skipPeer = false;
var repeat = 3;
int? initiatives = null;
var writer = MacroBenchmark.GeneratorWriter;
var install = MacroBenchmark.PrecompiledInstall;
string? jitMethods = null;
for (var i = 0; i < rest.Length; i++)
{
    switch (rest[i])
    {
        case "--scale" when i + 1 < rest.Length:
            scale = int.Parse(rest[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--seed" when i + 1 < rest.Length:
            seed = int.Parse(rest[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--out" when i + 1 < rest.Length:
            outDir = rest[++i];
            break;
        case "--repeat" when i + 1 < rest.Length:
            repeat = int.Parse(rest[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--writer" when i + 1 < rest.Length && rest[i + 1] is MacroBenchmark.GeneratorWriter or MacroBenchmark.OpenpyxlWriter:
            writer = rest[++i];
            break;
        case "--install" when i + 1 < rest.Length && rest[i + 1] is MacroBenchmark.PrecompiledInstall or MacroBenchmark.FrameworkInstall:
            install = rest[++i];
            break;
        case "--initiatives" when i + 1 < rest.Length:
            initiatives = int.Parse(rest[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--no-postgres":
            skipPostgres = true;
            break;
        case "--no-peer":
            skipPeer = true;
            break;
        case "--record-jit-methods" when i + 1 < rest.Length:
            jitMethods = Path.GetFullPath(rest[++i]);
            break;
        default:
            Console.Error.WriteLine($"Unknown option '{rest[i]}'. Usage: [generate|report] [--scale N] [--seed S] [--out DIR] [--repeat N] [--writer generator|openpyxl] [--install precompiled|framework] [--initiatives N] [--no-postgres] [--no-peer] [--record-jit-methods LIST] | micro [BenchmarkDotNet options]");
            return 2;
    }
}
if (scale < 1 || repeat < 1 || initiatives < 1)
{
    Console.Error.WriteLine("--scale, --repeat and --initiatives must be 1 or more.");
    return 2;
}

if (generateOnly)
{
    var dir = Path.GetFullPath(outDir ?? $"bench-data-s{scale}-seed{seed}");
    var started = System.Diagnostics.Stopwatch.StartNew();
    var summary = MunicipalityGenerator.Write(dir, seed, scale);
    // Marked complete as the benchmark marks what it generates, so that a run with --out the parent folder reuses it.
    File.WriteAllText(Path.Combine(dir, MacroBenchmark.CompleteMarker), System.Text.Json.JsonSerializer.Serialize(summary));
    Console.WriteLine($"Wrote {dir} in {started.Elapsed.TotalSeconds:0.0} s: {summary}");
    return 0;
}

if (reportOnly)
{
    return MacroBenchmark.Report(Path.GetFullPath(outDir ?? "bench-results"), scale, seed, writer, initiatives, install);
}

if (jitMethods is null)
{
    return await MacroBenchmark.RunAsync(Path.GetFullPath(outDir ?? "bench-results"), scale, seed, skipPostgres, skipPeer, repeat, writer, initiatives, install);
}
// What each refresh still had the JIT compile, merged into the list the Precompiled profile precompiles
// (Etl.Worker/Properties/PublishProfiles/Precompiled.methods.txt). The JIT's summary costs the runs a little: the
// timings of a recording are not the benchmark's.
var summaries = Directory.CreateTempSubdirectory("nacka-jit-").FullName;
MacroBenchmark.JitSummaries = summaries;
try
{
    var exit = await MacroBenchmark.RunAsync(Path.GetFullPath(outDir ?? "bench-results"), scale, seed, skipPostgres, skipPeer, repeat, writer, initiatives, install);
    var lines = Directory.GetFiles(summaries).Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines);
    var names = NackaInsights.Tools.Mibc.MethodList.Merge(File.Exists(jitMethods) ? File.ReadAllLines(jitMethods) : [], lines);
    File.WriteAllLines(jitMethods, [NackaInsights.Tools.Mibc.MethodList.Header, .. names]);
    Console.WriteLine($"{names.Count} methods in {jitMethods}");
    return exit;
}
finally
{
    Directory.Delete(summaries, recursive: true);
}
