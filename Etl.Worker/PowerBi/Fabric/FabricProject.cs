using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.PowerBi.Fabric;

/// <summary>One part of an item definition: its path inside the item, and its bytes (sent base64, <c>InlineBase64</c>).</summary>
public sealed record FabricPart(string Path, byte[] Payload);

/// <summary>The values of the model's parameters <c>Databastyp</c>, <c>Server</c> and <c>Database</c>; a null one is left as the file has it.</summary>
public sealed record ModelParameters(string Databastyp, string? Server, string Database)
{
    /// <summary>
    /// The parameters that point the model at the configured warehouse: SqlServer → <c>SQL Server</c> with
    /// <c>Data Source</c>/<c>Initial Catalog</c>; Postgres → <c>PostgreSQL</c> with <c>Host:Port</c>/<c>Database</c>;
    /// Sqlite → <c>SQLite (ODBC)</c> with the file's full path as <c>Database</c> (its Server is not used, so left alone).
    /// </summary>
    public static ModelParameters For(WarehouseOptions warehouse)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = warehouse.ConnectionString };
        string? Get(params string[] keys) =>
            keys.Select(k => builder.TryGetValue(k, out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null)
                .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
        string Need(string? value, string what) => value
            ?? throw new InvalidOperationException($"WarehouseOptions:ConnectionString names no {what}; the model's parameters cannot be set");
        return warehouse.Provider switch
        {
            WarehouseProvider.SqlServer => new ModelParameters("SQL Server",
                Need(Get("Data Source", "Server", "Address", "Addr", "Network Address"), "Data Source"),
                Need(Get("Initial Catalog", "Database"), "Initial Catalog")),
            WarehouseProvider.Postgres => new ModelParameters("PostgreSQL",
                $"{Need(Get("Host", "Server"), "Host")}:{Get("Port") ?? "5432"}",
                Need(Get("Database", "DB"), "Database")),
            _ => new ModelParameters("SQLite (ODBC)", null,
                Path.GetFullPath(Need(Get("Data Source", "DataSource", "Filename"), "Data Source"))),
        };
    }
}

/// <summary>
/// The Power BI project in <c>reports/</c> turned into the Fabric item definitions: the semantic model in format
/// <c>TMDL</c> (parts <c>definition.pbism</c> and <c>definition/**.tmdl</c>; https://learn.microsoft.com/rest/api/fabric/articles/item-management/definitions/semantic-model-definition)
/// and the report in format <c>PBIR</c> (parts <c>definition.pbir</c> and <c>definition/**</c>;
/// https://learn.microsoft.com/rest/api/fabric/articles/item-management/definitions/report-definition). Desktop's local
/// state (<c>.pbi/</c>, <c>*.abf</c>) and the git integration's <c>.platform</c> are not part of a definition.
/// </summary>
public sealed class FabricProject
{
    private FabricProject(string directory, string modelFolder, string reportFolder)
    {
        Directory = directory;
        ModelFolder = modelFolder;
        ReportFolder = reportFolder;
    }

    public string Directory { get; }

    /// <summary>The <c>*.SemanticModel</c> folder; its name without the suffix is the item's display name.</summary>
    public string ModelFolder { get; }

    public string ReportFolder { get; }

    public string ModelName => System.IO.Path.GetFileName(ModelFolder)[..^".SemanticModel".Length];

    public string ReportName => System.IO.Path.GetFileName(ReportFolder)[..^".Report".Length];

    /// <summary>The project in <paramref name="directory"/>: exactly one <c>*.SemanticModel</c> and one <c>*.Report</c> folder.</summary>
    /// <exception cref="InvalidOperationException">The folder is not such a project.</exception>
    public static FabricProject Open(string directory)
    {
        var full = System.IO.Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new InvalidOperationException($"The Power BI project folder does not exist: {full}");
        }
        string One(string suffix)
        {
            var found = System.IO.Directory.GetDirectories(full, "*" + suffix);
            return found.Length == 1 ? found[0]
                : throw new InvalidOperationException($"{full} must hold exactly one *{suffix} folder, not {found.Length}");
        }
        return new FabricProject(full, One(".SemanticModel"), One(".Report"));
    }

    /// <summary>The semantic model's parts, with the parameters in <c>definition/expressions.tmdl</c> set to <paramref name="parameters"/>.</summary>
    public IReadOnlyList<FabricPart> ModelParts(ModelParameters parameters) =>
        Parts(ModelFolder, "definition.pbism").Select(p => p.Path == "definition/expressions.tmdl"
            ? p with { Payload = Encoding.UTF8.GetBytes(SetParameters(Encoding.UTF8.GetString(p.Payload), parameters)) }
            : p).ToList();

    /// <summary>The report's parts, its <c>definition.pbir</c> referring to the semantic model <paramref name="semanticModelId"/>.</summary>
    public IReadOnlyList<FabricPart> ReportParts(string semanticModelId) =>
        Parts(ReportFolder, "definition.pbir").Select(p => p.Path == "definition.pbir"
            ? p with { Payload = ReferToModel(p.Payload, semanticModelId) }
            : p).ToList();

    /// <summary>
    /// Rewrites the values of <c>expression Databastyp/Server/Database = "..." meta [...]</c>, keeping everything else
    /// byte for byte. Done in the definition before upload rather than through the Power BI API's Update Parameters: the
    /// upload is then the whole truth, deterministic and testable, and needs no second API, scope or take-over.
    /// </summary>
    public static string SetParameters(string expressions, ModelParameters parameters)
    {
        foreach (var (name, value) in new[] { ("Databastyp", parameters.Databastyp), ("Server", parameters.Server), ("Database", parameters.Database) })
        {
            if (value is null)
            {
                continue;
            }
            var pattern = new Regex($@"^(expression {Regex.Escape(name)} = )""(?:[^""]|"""")*""( meta )", RegexOptions.Multiline);
            if (!pattern.IsMatch(expressions))
            {
                throw new InvalidOperationException($"definition/expressions.tmdl has no parameter {name} to set");
            }
            // An M text literal doubles its quotes; #( starts an escape, so it is written as one.
            var literal = "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal).Replace("#(", "#(#)(", StringComparison.Ordinal) + "\"";
            expressions = pattern.Replace(expressions, m => m.Groups[1].Value + literal + m.Groups[2].Value, 1);
        }
        return expressions;
    }

    /// <summary>
    /// The report's <c>datasetReference</c> as <c>byConnection</c> to the model by id: the Fabric REST API supports only
    /// byConnection references, not the project's <c>byPath</c> (report-definition, "Definition parts").
    /// </summary>
    public static byte[] ReferToModel(byte[] pbir, string semanticModelId)
    {
        var root = JsonNode.Parse(pbir)?.AsObject() ?? throw new InvalidOperationException("definition.pbir is not a JSON object");
        root["datasetReference"] = new JsonObject
        {
            ["byConnection"] = new JsonObject { ["connectionString"] = $"semanticmodelid={semanticModelId}" },
        };
        return Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The root file and every file under <c>definition/</c>, without Desktop's local state; paths with <c>/</c>.</summary>
    private static IEnumerable<FabricPart> Parts(string folder, string rootFile)
    {
        var files = new[] { System.IO.Path.Combine(folder, rootFile) }
            .Concat(System.IO.Directory.EnumerateFiles(System.IO.Path.Combine(folder, "definition"), "*", SearchOption.AllDirectories));
        foreach (var file in files)
        {
            var path = System.IO.Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (path.Split('/').Contains(".pbi") || path.EndsWith(".abf", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            yield return new FabricPart(path, File.ReadAllBytes(file));
        }
    }
}
