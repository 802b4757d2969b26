using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// Microsoft's Power BI project schemas, read from <see cref="ReportsFolder.Schemas"/> and never from the network: a
/// <c>$schema</c> or <c>$ref</c> URL under <see cref="Prefix"/> maps onto that folder (path for path), anything else is an error.
/// </summary>
internal sealed class PowerBiSchemas
{
    public const string Prefix = "https://developer.microsoft.com/json-schemas/";

    private readonly string _folder;
    private readonly BuildOptions _build;
    private readonly ConcurrentDictionary<string, JsonSchema> _loaded = new(StringComparer.Ordinal);

    public PowerBiSchemas(string folder)
    {
        _folder = folder;
        var registry = new SchemaRegistry { Fetch = (uri, _) => Load(uri) };
        _build = new BuildOptions { SchemaRegistry = registry };
    }

    public static PowerBiSchemas Copied { get; } = new(ReportsFolder.Schemas);

    /// <summary>The file that a schema URL maps onto, or null when the URL is not one of Microsoft's schema URLs.</summary>
    public string? FileOf(Uri uri)
    {
        var url = uri.GetLeftPart(UriPartial.Path);
        if (!url.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var relative = url[Prefix.Length..];
        var path = Path.GetFullPath(Path.Combine(_folder, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (!path.StartsWith(Path.GetFullPath(_folder), StringComparison.Ordinal))
        {
            return null;
        }
        // The embedded schemas are published as schema-embedded.json but name themselves schema.embedded.json in $id.
        if (!File.Exists(path) && path.EndsWith("schema.embedded.json", StringComparison.Ordinal))
        {
            path = path[..^"schema.embedded.json".Length] + "schema-embedded.json";
        }
        return path;
    }

    /// <summary>The schema that a URL names, with its references resolved through the same folder.</summary>
    public JsonSchema Get(string url)
    {
        var uri = new Uri(url);
        return Load(uri) ?? throw new InvalidOperationException(
            $"No copy of schema {url}: copy it (and what it references) from ../shared/powerbi-schemas into {_folder}.");
    }

    /// <summary>Validates a JSON document against the schema that its own <c>$schema</c> names; the errors, empty when valid.</summary>
    public IReadOnlyList<string> Validate(JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object
            || !document.TryGetProperty("$schema", out var named)
            || named.ValueKind != JsonValueKind.String)
        {
            return ["names no $schema"];
        }
        var url = named.GetString()!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || FileOf(uri) is not { } file || !File.Exists(file))
        {
            return [$"names $schema {url}, which has no copy under {_folder}"];
        }
        var result = Get(url).Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        if (result.IsValid)
        {
            return [];
        }
        var errors = new List<string>();
        Failures(result, errors);
        return errors.Count > 0 ? errors.Distinct().ToList() : ["does not validate against " + url];
    }

    /// <summary>The errors of the failing nodes only: a branch that fails inside a passing <c>oneOf</c>/<c>anyOf</c> is no error.</summary>
    private static void Failures(EvaluationResults node, List<string> errors)
    {
        if (node.IsValid)
        {
            return;
        }
        foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
        {
            errors.Add($"{node.InstanceLocation} ({node.EvaluationPath}): {keyword}: {message}");
        }
        foreach (var child in node.Details ?? [])
        {
            Failures(child, errors);
        }
    }

    private JsonSchema? Load(Uri uri)
    {
        if (FileOf(uri) is not { } file || !File.Exists(file))
        {
            return null;
        }
        return _loaded.GetOrAdd(file, f => JsonSchema.FromFile(f, _build, uri));
    }
}
