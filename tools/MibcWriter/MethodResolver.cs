using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace NackaInsights.Tools.Mibc;

/// <summary>
/// Finds the method a JIT name stands for (<c>Namespace.Type`1+Nested[System.__Canon,int]:Method[margs](params)</c>):
/// the type by its name in the given assemblies, instantiated as named (<c>System.__Canon</c> for the code shared by
/// reference types), then the method of that name whose parameters print as the name's do.
/// </summary>
public sealed partial class MethodResolver(IReadOnlyList<Assembly> assemblies)
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Type Canon = typeof(object).Assembly.GetType("System.__Canon", throwOnError: true)!;

    private readonly Dictionary<string, List<Type>> _types = [];

    /// <summary>
    /// Whether the runtime makes the method as it runs, so that no image can hold it: marshalling and instantiating stubs,
    /// reflection's invoke stubs, and the readers and writers Dapper emits (named after the type they map).
    /// </summary>
    public static bool IsRuntimeGenerated(string name) =>
        name.StartsWith("(dynamicClass)", StringComparison.Ordinal) || name.Contains(":IL_STUB", StringComparison.Ordinal) || DapperEmitted().IsMatch(name);

    [GeneratedRegex(@":(Deserialize|ParamInfo)[0-9a-f]{8}-[0-9a-f]{4}-")]
    private static partial Regex DapperEmitted();

    /// <summary>The method <paramref name="name"/> stands for, or why there is none.</summary>
    public (MethodBase? Method, string? Why) Resolve(string name)
    {
        try
        {
            var at = 0;
            var types = ParseTypes(name, ref at);
            if (types.Count == 0)
            {
                return (null, "type not found");
            }
            if (at >= name.Length || name[at] != ':')
            {
                return (null, "no method name");
            }
            at++;
            var start = at;
            // An interface's method implemented explicitly is named after the interface, brackets and all: IEnumerable<TSource[]>.GetEnumerator.
            var depth = 0;
            while (at < name.Length && !(depth == 0 && name[at] is '(' or '['))
            {
                depth += name[at] switch { '<' => 1, '>' => -1, _ => 0 };
                at++;
            }
            var method = name[start..at];
            Type[]? methodArguments = null;
            if (at < name.Length && name[at] == '[')
            {
                methodArguments = [.. ParseArguments(name, ref at)];
            }
            var parameters = name[at..];
            // An internal type's name (SR, <PrivateImplementationDetails>) is in several assemblies: the one with the method is meant.
            foreach (var type in types)
            {
                if (Find(type, method, methodArguments, parameters) is { } found)
                {
                    return (found, null);
                }
            }
            return (null, "no method with those parameters");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or TypeLoadException or NotSupportedException or InvalidOperationException)
        {
            // An enum argument prints as its underlying type (int), which the generic type's constraint may not take.
            return (null, e.Message);
        }
    }

    private static MethodBase? Find(Type type, string name, Type[]? arguments, string parameters)
    {
        IEnumerable<MethodBase> candidates = name is ".ctor" or ".cctor"
            ? type.GetConstructors(Declared).Where(c => c.Name == name)
            : type.GetMethods(Declared).Where(m => m.Name == name)
                .Select(m => (arguments, m.IsGenericMethodDefinition) switch
                {
                    (null, false) => m,
                    ({ } a, true) when m.GetGenericArguments().Length == a.Length => TryInstantiate(m, a),
                    _ => null,
                })
                .OfType<MethodBase>();
        return candidates.FirstOrDefault(c => Print(c) == parameters);
    }

    private static MethodInfo? TryInstantiate(MethodInfo method, Type[] arguments)
    {
        try
        {
            return method.MakeGenericMethod(arguments);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A method's parameters as the JIT prints them.</summary>
    public static string Print(MethodBase method) => "(" + string.Join(",", method.GetParameters().Select(p => Print(p.ParameterType))) + ")";

    /// <summary>A type as the JIT prints it: primitives by their IL names, enums as their underlying type, generics with their arguments in brackets.</summary>
    public static string Print(Type type)
    {
        if (type.IsByRef)
        {
            return "byref";
        }
        if (type.IsPointer || type.IsFunctionPointer)
        {
            return "ptr";
        }
        if (type.IsEnum)
        {
            return Print(Enum.GetUnderlyingType(type));
        }
        if (Primitive(type) is { } primitive)
        {
            return primitive;
        }
        if (type.IsArray)
        {
            return Print(type.GetElementType()!) + "[]";
        }
        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }
        var printed = new StringBuilder(type.GetGenericTypeDefinition().FullName);
        return printed.Append('[').AppendJoin(',', type.GetGenericArguments().Select(Print)).Append(']').ToString();
    }

    private static string? Primitive(Type type) => Type.GetTypeCode(type) switch
    {
        _ when type == typeof(nint) => "nint",
        _ when type == typeof(nuint) => "nuint",
        TypeCode.Boolean => "bool",
        TypeCode.Char => "char",
        TypeCode.SByte => "sbyte",
        TypeCode.Byte => "byte",
        TypeCode.Int16 => "short",
        TypeCode.UInt16 => "ushort",
        TypeCode.Int32 => "int",
        TypeCode.UInt32 => "uint",
        TypeCode.Int64 => "long",
        TypeCode.UInt64 => "ulong",
        TypeCode.Single => "float",
        TypeCode.Double => "double",
        _ => null,
    };

    private static Type? PrimitiveNamed(string name) => name switch
    {
        "bool" => typeof(bool), "char" => typeof(char), "byte" => typeof(byte), "sbyte" => typeof(sbyte), "short" => typeof(short),
        "ushort" => typeof(ushort), "int" => typeof(int), "uint" => typeof(uint), "long" => typeof(long), "ulong" => typeof(ulong),
        "float" => typeof(float), "double" => typeof(double), "nint" => typeof(nint), "nuint" => typeof(nuint),
        _ => null,
    };

    /// <summary>The types a name starting at <paramref name="at"/> may stand for (several only for a name more than one assembly uses).</summary>
    private List<Type> ParseTypes(string text, ref int at)
    {
        var start = at;
        while (at < text.Length && text[at] is not ('[' or ':' or ',' or ']' or '(' or ')'))
        {
            at++;
        }
        var name = text[start..at];
        List<Type> types = PrimitiveNamed(name) is { } primitive ? [primitive] : TypesNamed(name);
        if (at + 1 < text.Length && text[at] == '[' && text[at + 1] != ']')
        {
            var arguments = ParseArguments(text, ref at);
            types = [.. types.Where(t => t.IsGenericTypeDefinition).Select(t => t.MakeGenericType([.. arguments]))];
        }
        while (at + 1 < text.Length && text[at] == '[' && text[at + 1] == ']')
        {
            types = [.. types.Select(t => t.MakeArrayType())];
            at += 2;
        }
        return types;
    }

    private List<Type> ParseArguments(string text, ref int at)
    {
        at++;
        var arguments = new List<Type>();
        while (true)
        {
            var types = ParseTypes(text, ref at);
            arguments.Add(types.Count > 0 ? types[0] : throw new TypeLoadException($"A type in {text} is not in the assemblies given."));
            if (text[at] == ']')
            {
                at++;
                return arguments;
            }
            at++;
        }
    }

    private List<Type> TypesNamed(string name)
    {
        if (name == "System.__Canon")
        {
            return [Canon];
        }
        if (!_types.TryGetValue(name, out var types))
        {
            types = [];
            foreach (var assembly in assemblies)
            {
                if (assembly.GetType(name, throwOnError: false) is { } type)
                {
                    types.Add(type);
                }
            }
            _types[name] = types;
        }
        return types;
    }
}
