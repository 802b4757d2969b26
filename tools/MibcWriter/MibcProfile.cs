using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text;

namespace NackaInsights.Tools.Mibc;

/// <summary>
/// A .mibc profile for crossgen2 (<c>--mibc</c>, the SDK's <c>PublishReadyToRunPgoFiles</c>): a plain assembly whose
/// global method <c>AssemblyDictionary</c> names, for each set of assemblies, a global method that lists its methods,
/// each as <c>ldtoken method; pop</c>. crossgen2 compiles every fully instantiated method such a profile lists (its
/// ReadyToRunRootProvider: "Profile triggered method"), so the composite image then holds instantiations it cannot see
/// from the code: the state-machine boxes of async methods, LINQ's iterators and the collections over value tuples,
/// the comparers the runtime makes by reflection.
/// </summary>
/// <remarks>
/// The .NET team's dotnet-pgo writes these from traces, but is not published as a package; the format is the two IL
/// methods above (dotnet/runtime, src/coreclr/tools/dotnet-pgo/MibcEmitter.cs, read by crossgen2's MIbcProfileParser),
/// which the runtime's own <see cref="PersistedAssemblyBuilder"/> writes. Without weights or block counts: the profile
/// only says what to compile, and the code is compiled as without one.
/// </remarks>
public static class MibcProfile
{
    /// <summary>What a list of names resolved to.</summary>
    public sealed record Resolution(List<MethodBase> Methods, List<string> RuntimeGenerated, List<(string Name, string Why)> Unresolved);

    public static Resolution Resolve(IEnumerable<string> names, MethodResolver resolver)
    {
        var resolution = new Resolution([], [], []);
        foreach (var name in names)
        {
            if (MethodResolver.IsRuntimeGenerated(name))
            {
                resolution.RuntimeGenerated.Add(name);
            }
            else if (resolver.Resolve(name) is var (method, why) && method is not null)
            {
                resolution.Methods.Add(method);
            }
            else
            {
                resolution.Unresolved.Add((name, why ?? ""));
            }
        }
        return resolution;
    }

    /// <summary>Writes the profile of <paramref name="methods"/> to <paramref name="path"/>.</summary>
    public static void Write(IReadOnlyList<MethodBase> methods, string path)
    {
        var assembly = new PersistedAssemblyBuilder(new AssemblyName(Path.GetFileNameWithoutExtension(path)), typeof(object).Assembly);
        var module = assembly.DefineDynamicModule(Path.GetFileName(path));
        // crossgen2 reads a group only when every assembly its name lists is one it compiles: the defining one first.
        var groups = new SortedDictionary<string, List<MethodBase>>(StringComparer.Ordinal);
        foreach (var method in methods)
        {
            var key = GroupName(method);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = [];
            }
            group.Add(method);
        }
        var lists = new List<(string Name, MethodBuilder List)>();
        foreach (var (name, group) in groups)
        {
            var list = module.DefineGlobalMethod($"Assemblies_{(name.Length > 200 ? name[..200] : name)}_{lists.Count + 1}",
                MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes);
            var il = list.GetILGenerator();
            foreach (var method in group)
            {
                il.Emit(OpCodes.Ldtoken, method is ConstructorInfo c ? module.GetMethodMetadataToken(c) : module.GetMethodMetadataToken((MethodInfo)method));
                il.Emit(OpCodes.Pop);
            }
            il.Emit(OpCodes.Ret);
            lists.Add((name, list));
        }
        var dictionary = module.DefineGlobalMethod("AssemblyDictionary", MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes);
        var dil = dictionary.GetILGenerator();
        foreach (var (name, list) in lists)
        {
            dil.Emit(OpCodes.Ldstr, name);
            dil.Emit(OpCodes.Ldtoken, list);
            dil.Emit(OpCodes.Pop);
        }
        dil.Emit(OpCodes.Ret);
        module.CreateGlobalFunctions();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        assembly.Save(path);
    }

    /// <summary>The assemblies a method's code depends on: its type's, then its and its type's arguments', sorted, each followed by ';'.</summary>
    private static string GroupName(MethodBase method)
    {
        var defining = method.DeclaringType!.Assembly.GetName().Name!;
        var others = new SortedSet<string>(StringComparer.Ordinal);
        AddAssemblies(method.DeclaringType!, others);
        if (method.IsGenericMethod)
        {
            foreach (var argument in method.GetGenericArguments())
            {
                AddAssemblies(argument, others);
            }
        }
        others.Remove(defining);
        return defining + ";" + string.Concat(others.Select(o => o + ";"));
    }

    private static void AddAssemblies(Type type, SortedSet<string> assemblies)
    {
        if (type.IsPrimitive || type.FullName == "System.__Canon")
        {
            return;
        }
        if (type.HasElementType)
        {
            AddAssemblies(type.GetElementType()!, assemblies);
            return;
        }
        assemblies.Add(type.Assembly.GetName().Name!);
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                AddAssemblies(argument, assemblies);
            }
        }
    }

    /// <summary>
    /// The methods a profile lists, each as <c>Type[args]:Method[margs]</c>, by group name, read as crossgen2 reads
    /// them: what is written is what it will see.
    /// </summary>
    public static Dictionary<string, List<string>> Read(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var reader = pe.GetMetadataReader();
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var dictionary = reader.MethodDefinitions.Select(reader.GetMethodDefinition).Single(m => reader.GetString(m.Name) == "AssemblyDictionary");
        string? group = null;
        foreach (var (opcode, token) in Instructions(pe, dictionary))
        {
            if (opcode == ILOpCode.Ldstr)
            {
                group = reader.GetUserString(MetadataTokens.UserStringHandle(token));
            }
            else if (opcode == ILOpCode.Ldtoken && group is not null)
            {
                var list = reader.GetMethodDefinition(MetadataTokens.MethodDefinitionHandle(token));
                groups[group] = [.. Instructions(pe, list).Where(i => i.OpCode == ILOpCode.Ldtoken).Select(i => Describe(reader, MetadataTokens.EntityHandle(i.Token)))];
            }
        }
        return groups;
    }

    private static List<(ILOpCode OpCode, int Token)> Instructions(PEReader pe, MethodDefinition method)
    {
        var il = pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
        var instructions = new List<(ILOpCode, int)>();
        while (il.RemainingBytes > 0)
        {
            var opcode = (ILOpCode)il.ReadByte();
            switch (opcode)
            {
                case ILOpCode.Ldstr or ILOpCode.Ldtoken:
                    instructions.Add((opcode, il.ReadInt32()));
                    break;
                case ILOpCode.Pop or ILOpCode.Ret or ILOpCode.Nop:
                    break;
                default:
                    throw new InvalidDataException($"Unexpected opcode {opcode} in a profile's list.");
            }
        }
        return instructions;
    }

    private static string Describe(MetadataReader reader, EntityHandle handle)
    {
        var names = new NameProvider();
        switch (handle.Kind)
        {
            case HandleKind.MethodSpecification:
                var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                var arguments = specification.DecodeSignature(names, null);
                return Describe(reader, specification.Method) + "[" + string.Join(",", arguments) + "]";
            case HandleKind.MemberReference:
                var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                var parent = member.Parent.Kind switch
                {
                    HandleKind.TypeReference => names.GetTypeFromReference(reader, (TypeReferenceHandle)member.Parent, 0),
                    HandleKind.TypeSpecification => reader.GetTypeSpecification((TypeSpecificationHandle)member.Parent).DecodeSignature(names, null),
                    _ => member.Parent.Kind.ToString(),
                };
                return parent + ":" + reader.GetString(member.Name);
            default:
                return handle.Kind.ToString();
        }
    }

    /// <summary>Types by name, as the JIT prints them.</summary>
    private sealed class NameProvider : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.Boolean => "bool", PrimitiveTypeCode.Char => "char", PrimitiveTypeCode.SByte => "sbyte", PrimitiveTypeCode.Byte => "byte",
            PrimitiveTypeCode.Int16 => "short", PrimitiveTypeCode.UInt16 => "ushort", PrimitiveTypeCode.Int32 => "int", PrimitiveTypeCode.UInt32 => "uint",
            PrimitiveTypeCode.Int64 => "long", PrimitiveTypeCode.UInt64 => "ulong", PrimitiveTypeCode.Single => "float", PrimitiveTypeCode.Double => "double",
            PrimitiveTypeCode.IntPtr => "nint", PrimitiveTypeCode.UIntPtr => "nuint", PrimitiveTypeCode.String => "System.String",
            PrimitiveTypeCode.Object => "System.Object", PrimitiveTypeCode.Void => "void", _ => typeCode.ToString(),
        };

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            var name = reader.GetString(type.Name);
            return type.ResolutionScope.Kind == HandleKind.TypeReference
                ? GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, rawTypeKind) + "+" + name
                : Qualified(reader.GetString(type.Namespace), name);
        }

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeDefinition(handle);
            var name = reader.GetString(type.Name);
            return type.GetDeclaringType() is { IsNil: false } declaring
                ? GetTypeFromDefinition(reader, declaring, rawTypeKind) + "+" + name
                : Qualified(reader.GetString(type.Namespace), name);
        }

        private static string Qualified(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
            new StringBuilder(genericType).Append('[').AppendJoin(',', typeArguments).Append(']').ToString();

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";

        public string GetByReferenceType(string elementType) => "byref";

        public string GetPointerType(string elementType) => "ptr";

        public string GetFunctionPointerType(MethodSignature<string> signature) => "ptr";

        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;

        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

        public string GetPinnedType(string elementType) => elementType;
    }
}
