using NackaInsights.Tools.Mibc;

// nacka-mibc write <assemblies folder> <methods list> <output .mibc>
// nacka-mibc merge <methods list> <JIT summary>...
return args switch
{
    ["write", var folder, var list, var output] => Write(folder, list, output),
    ["merge", var list, .. var summaries] when summaries.Length > 0 => Merge(list, summaries),
    _ => Usage(),
};

static int Write(string folder, string list, string output)
{
    var names = File.ReadAllLines(list).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
    var resolver = new MethodResolver(AssemblyFolder.Load(folder));
    var profile = MibcProfile.Resolve(names, resolver);
    MibcProfile.Write(profile.Methods, output);
    // Build output: what no longer resolves is a list grown stale (a method renamed or gone), worth a new recording.
    Console.WriteLine($"nacka-mibc: {profile.Methods.Count} of {names.Count} methods written to {output}; " +
        $"{profile.RuntimeGenerated.Count} generated at run time (never precompiled), {profile.Unresolved.Count} not found in {folder}");
    foreach (var (name, why) in profile.Unresolved.Take(20))
    {
        Console.WriteLine($"  not found: {name} ({why})");
    }
    return 0;
}

static int Merge(string list, string[] summaries)
{
    var names = MethodList.Merge(File.Exists(list) ? File.ReadAllLines(list) : [], summaries.SelectMany(File.ReadAllLines));
    File.WriteAllLines(list, [MethodList.Header, .. names]);
    Console.WriteLine($"nacka-mibc: {names.Count} methods in {list}");
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: nacka-mibc write <assemblies folder> <methods list> <output .mibc>");
    Console.Error.WriteLine("       nacka-mibc merge <methods list> <JIT summary (DOTNET_JitStdOutFile)>...");
    return 2;
}
