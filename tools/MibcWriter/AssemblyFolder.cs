using System.Reflection;

namespace NackaInsights.Tools.Mibc;

/// <summary>The assemblies a list's names are resolved in: the runtime's own, and a build's others.</summary>
public static class AssemblyFolder
{
    /// <summary>
    /// Every assembly of the tool's frameworks (loaded by name: a self-contained build's folder holds copies of them,
    /// which must not be loaded a second time), and every other assembly in <paramref name="folder"/>.
    /// </summary>
    public static IReadOnlyList<Assembly> Load(string folder)
    {
        var framework = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        AppDomain.CurrentDomain.AssemblyResolve += (_, e) =>
        {
            var path = Path.Combine(folder, new AssemblyName(e.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        };
        var assemblies = new List<Assembly>();
        foreach (var name in framework.Order(StringComparer.Ordinal))
        {
            TryAdd(assemblies, () => Assembly.Load(name));
        }
        foreach (var path in Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal))
        {
            if (!framework.Contains(Path.GetFileNameWithoutExtension(path)))
            {
                TryAdd(assemblies, () => Assembly.LoadFrom(path));
            }
        }
        return assemblies;
    }

    private static void TryAdd(List<Assembly> assemblies, Func<Assembly> load)
    {
        try
        {
            assemblies.Add(load());
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            // Native libraries and facades that do not load: none of them defines a method the JIT compiled.
        }
    }
}
