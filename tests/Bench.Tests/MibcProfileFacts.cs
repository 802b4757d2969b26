using NackaInsights.TestSupport;
using NackaInsights.Tools.Mibc;

namespace NackaInsights.Bench.Tests;

/// <summary>
/// The profile the precompiled install hands to crossgen2 (tools/MibcWriter): the JIT's names resolved against a build,
/// written as crossgen2 reads a .mibc, and read back the same way. Whether crossgen2 then precompiles them is measured
/// in the benchmark (docs/performance.md), not here.
/// </summary>
public sealed class MibcProfileFacts : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nacka-mibc-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>This test's own folder: the program's assemblies beside the framework's, as a build's output.</summary>
    private static readonly MethodResolver Resolver = new(AssemblyFolder.Load(AppContext.BaseDirectory));

    private static string GroupOf(params Type[] types) =>
        string.Concat(types.Select(t => t.Assembly.GetName().Name + ";"));

    [Fact]
    public void Each_method_is_listed_under_the_assemblies_its_code_depends_on_and_reads_back_as_named()
    {
        string[] names =
        [
            // Made by reflection (ArraySortHelper, EqualityComparer.Default): no code names them for crossgen2 to see.
            "System.Collections.Generic.GenericArraySortHelper`1[int]:Sort(System.Span`1[int],System.Collections.Generic.IComparer`1[int])",
            "System.Collections.Generic.GenericEqualityComparer`1[long]:.ctor()",
            // Over a value tuple of a reference type: the code shared by every reference type, System.__Canon.
            "System.Collections.Generic.HashSet`1[System.ValueTuple`2[System.__Canon,int]]:AddIfNotPresent(System.ValueTuple`2[System.__Canon,int],byref)",
            // A generic method, and a collection of one of the program's own value types.
            "System.Linq.Enumerable:Sum[System.TimeSpan,double,double](System.Collections.Generic.IEnumerable`1[System.TimeSpan],System.Func`2[System.TimeSpan,double])",
            "System.Collections.Generic.List`1[NackaInsights.Etl.Xlsx.XlsxCell]:Add(NackaInsights.Etl.Xlsx.XlsxCell)",
        ];
        var resolved = MibcProfile.Resolve(names, Resolver);
        Assert.Empty(resolved.Unresolved);
        var path = Path.Combine(_folder, "test.mibc");

        MibcProfile.Write(resolved.Methods, path);

        var groups = MibcProfile.Read(path);
        var cell = typeof(NackaInsights.Etl.Xlsx.XlsxWorkbook).Assembly;
        var coreLib = typeof(object).Assembly.GetName().Name + ";";
        Assert.Contains("System.Collections.Generic.GenericArraySortHelper`1[int]:Sort", groups[coreLib]);
        Assert.Contains("System.Collections.Generic.GenericEqualityComparer`1[long]:.ctor", groups[coreLib]);
        Assert.Contains("System.Collections.Generic.HashSet`1[System.ValueTuple`2[System.__Canon,int]]:AddIfNotPresent",
            groups[GroupOf(typeof(HashSet<>)) + (typeof(HashSet<>).Assembly == typeof(object).Assembly ? "" : coreLib)]);
        Assert.Contains("System.Linq.Enumerable:Sum[System.TimeSpan,double,double]", groups[GroupOf(typeof(Enumerable)) + coreLib]);
        Assert.Contains("System.Collections.Generic.List`1[NackaInsights.Etl.Xlsx.XlsxCell]:Add", groups[coreLib + cell.GetName().Name + ";"]);
        Assert.Equal(names.Length, groups.Values.Sum(g => g.Count));
    }

    [Fact]
    public void What_the_runtime_generates_is_left_out_and_a_name_no_longer_in_the_build_is_reported()
    {
        string[] names =
        [
            "(dynamicClass):IL_STUB_PInvoke(SQLitePCL.sqlite3)",
            "<>f__AnonymousType1`3[long,System.Object,System.String]:ParamInfo23982eab-cd23-449a-a1fd-4458323ff125(System.Data.IDbCommand,System.Object)",
            "NackaInsights.Warehouse.Runs.OwedResults+OwedRow:Deserialize130dbbc3-9e1c-47ee-9672-6465f13bc9bd(System.Data.Common.DbDataReader)",
            "NackaInsights.Etl.Xlsx.NoSuchReader:Read()",
            "NackaInsights.Etl.Xlsx.XlsxWorkbook:NoSuchMethod(int)",
        ];

        var resolved = MibcProfile.Resolve(names, Resolver);

        Assert.Empty(resolved.Methods);
        Assert.Equal(names[..3], resolved.RuntimeGenerated);
        Assert.Equal([("NackaInsights.Etl.Xlsx.NoSuchReader:Read()", "type not found"), ("NackaInsights.Etl.Xlsx.XlsxWorkbook:NoSuchMethod(int)", "no method with those parameters")],
            resolved.Unresolved);
    }

    [Fact]
    public void Merging_keeps_each_name_once_in_order_without_the_tier_and_sizes_or_what_the_runtime_generates()
    {
        string[] existing = [MethodList.Header, "System.Linq.Enumerable:Max(System.Collections.Generic.IEnumerable`1[int])"];
        string[] summary =
        [
            "   1: JIT compiled System.Threading.Thread:GetThreadStaticsBase() [FullOpts, IL size=18, code size=36]",
            "   2: JIT compiled (dynamicClass):IL_STUB_PInvoke(SQLitePCL.sqlite3) [FullOpts, IL size=40, code size=100]",
            "   3: JIT compiled System.Linq.Enumerable:Max(System.Collections.Generic.IEnumerable`1[int]) [FullOpts, IL size=7, code size=20]",
            "   4: JIT compiled System.Collections.Generic.GenericArraySortHelper`1[int]:.ctor() [FullOpts, IL size=7, code size=5]",
            "not a line of the summary",
        ];

        var merged = MethodList.Merge(existing, summary);

        Assert.Equal(
        [
            "System.Collections.Generic.GenericArraySortHelper`1[int]:.ctor()",
            "System.Linq.Enumerable:Max(System.Collections.Generic.IEnumerable`1[int])",
            "System.Threading.Thread:GetThreadStaticsBase()",
        ], merged);
    }

    [Fact]
    public void The_list_the_precompiled_install_uses_still_names_methods_of_this_build()
    {
        // Renaming or removing code leaves some names behind (an async method's state machine is numbered by the compiler):
        // those are only compiled by the JIT again. Most gone means the list wants recording anew (docs/performance.md).
        var list = Path.Combine(RepositoryFolder.Root, "Etl.Worker", "Properties", "PublishProfiles", "Precompiled.methods.txt");
        var names = File.ReadAllLines(list).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        var resolved = MibcProfile.Resolve(names, Resolver);

        Assert.True(names.Count > 100, $"{list} names {names.Count} methods");
        Assert.Empty(resolved.RuntimeGenerated);
        Assert.True(resolved.Methods.Count >= names.Count * 8 / 10,
            $"Only {resolved.Methods.Count} of the {names.Count} methods of {list} are in this build; record the list anew. Not found, first 10: " +
            string.Join("; ", resolved.Unresolved.Take(10).Select(u => $"{u.Name} ({u.Why})")));
    }
}
