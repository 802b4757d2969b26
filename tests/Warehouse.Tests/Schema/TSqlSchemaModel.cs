using Microsoft.SqlServer.TransactSql.ScriptDom;
using SqlServerDialect = NackaInsights.Warehouse.Storage.SqlServerDialect;

namespace NackaInsights.Warehouse.Tests.Schema;

/// <summary>A syntax error in a T-SQL script, at its line and column in the script file.</summary>
public sealed record TSqlParseProblem(string Script, int Line, int Column, string Message)
{
    public override string ToString() => $"{Script}({Line},{Column}): {Message}";
}

/// <summary>One batch as <see cref="SqlServerDialect.SplitBatches"/> cuts it, as ScriptDom reads it.</summary>
public sealed record TSqlParsedBatch(string Script, int Line, int Column, string Text, TSqlScript? Fragment)
{
    public IEnumerable<TSqlStatement> Statements => Fragment?.Batches.SelectMany(b => b.Statements) ?? [];

    /// <summary>The script line of a line of the batch.</summary>
    public int LineOf(int batchLine) => Line + batchLine - 1;

    /// <summary>The script column of a column of the batch: only its first line may start mid-line.</summary>
    public int ColumnOf(int batchLine, int batchColumn) => batchLine == 1 ? Column + batchColumn - 1 : batchColumn;
}

public sealed record TSqlParseResult(IReadOnlyList<TSqlParsedBatch> Batches, IReadOnlyList<TSqlParseProblem> Problems);

/// <summary>A permission granted on an object (null: on the database) to a principal; names lower-case, without <c>dbo.</c>.</summary>
public sealed record TSqlGrant(string Permission, string? Object, string Principal);

/// <summary>
/// The schema that a series of T-SQL scripts leaves behind, worked out from ScriptDom's syntax
/// trees, since SQL Server itself cannot run here: tables and their columns, views and their
/// output columns in order, roles and grants. Names are lower-case and without the <c>dbo.</c>
/// schema. Whatever the model cannot follow (an unnamed view column, dynamic SQL, sp_rename,
/// another schema) makes it throw rather than guess.
/// </summary>
public sealed class TSqlSchemaModel
{
    private readonly Dictionary<string, List<string>> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _views = new(StringComparer.Ordinal);
    private readonly HashSet<string> _roles = new(StringComparer.Ordinal);
    private readonly HashSet<TSqlGrant> _grants = [];

    private TSqlSchemaModel()
    {
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Tables => _tables.ToDictionary(t => t.Key, t => (IReadOnlyList<string>)t.Value, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Views => _views.ToDictionary(v => v.Key, v => (IReadOnlyList<string>)v.Value, StringComparer.Ordinal);

    public IReadOnlySet<string> Roles => _roles;

    public IReadOnlySet<TSqlGrant> Grants => _grants;

    /// <summary>Cuts a script into batches as the migrator does, and parses each as SQL Server 2022 would.</summary>
    public static TSqlParseResult Parse(string scriptName, string text)
    {
        var batches = new List<TSqlParsedBatch>();
        var problems = new List<TSqlParseProblem>();
        var searchFrom = 0;
        foreach (var batchText in SqlServerDialect.Instance.SplitBatches(text))
        {
            var start = text.IndexOf(batchText, searchFrom, StringComparison.Ordinal);
            searchFrom = start + batchText.Length;
            var line = 1 + text.AsSpan(0, start).Count('\n');
            var column = start - (start == 0 ? -1 : text.LastIndexOf('\n', start - 1));
            var batch = new TSqlParsedBatch(scriptName, line, column, batchText, null);

            var fragment = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(batchText), out var errors);
            problems.AddRange(errors.Select(e => new TSqlParseProblem(scriptName, batch.LineOf(e.Line), batch.ColumnOf(e.Line, e.Column), e.Message)));
            if (fragment is TSqlScript script)
            {
                batch = batch with { Fragment = script };
                foreach (var extra in script.Batches.Skip(1))
                {
                    problems.Add(new TSqlParseProblem(scriptName, batch.LineOf(extra.StartLine), batch.ColumnOf(extra.StartLine, extra.StartColumn),
                        "SQL Server's tools start a new batch at this statement, after a GO line that SplitBatches does not cut at: the migrator would send both batches as one."));
                }
            }
            batches.Add(batch);
        }
        return new TSqlParseResult(batches, problems);
    }

    /// <summary>The schema left by <paramref name="scripts"/>, applied in the order given.</summary>
    public static TSqlSchemaModel Build(IEnumerable<(string Name, string Text)> scripts)
    {
        var model = new TSqlSchemaModel();
        foreach (var (name, text) in scripts)
        {
            var parsed = Parse(name, text);
            if (parsed.Problems.Count > 0)
            {
                throw new InvalidOperationException($"{name} does not parse:{Environment.NewLine}{string.Join(Environment.NewLine, parsed.Problems)}");
            }
            foreach (var batch in parsed.Batches)
            {
                foreach (var statement in batch.Statements)
                {
                    model.Apply(statement, batch, guarded: false);
                }
            }
        }
        return model;
    }

    private void Apply(TSqlStatement statement, TSqlParsedBatch batch, bool guarded)
    {
        string Where(TSqlFragment fragment) => $"{batch.Script}({batch.LineOf(fragment.StartLine)})";

        switch (statement)
        {
            case IfStatement conditional:
                // A guarded CREATE (IF OBJECT_ID(...) IS NULL) may meet an object that exists already.
                Apply(conditional.ThenStatement, batch, guarded: true);
                if (conditional.ElseStatement is not null)
                {
                    Apply(conditional.ElseStatement, batch, guarded: true);
                }
                break;

            case BeginEndBlockStatement block:
                foreach (var inner in block.StatementList.Statements)
                {
                    Apply(inner, batch, guarded);
                }
                break;

            case TryCatchStatement attempt:
                foreach (var inner in attempt.TryStatements.Statements)
                {
                    Apply(inner, batch, guarded: true);
                }
                break;

            // Temporary tables end with the migrator's session.
            case CreateTableStatement { SchemaObjectName: var temporary } when IsTemporary(temporary):
            case AlterTableStatement { SchemaObjectName: var altered } when IsTemporary(altered):
            case DropTableStatement { Objects: var dropped } when dropped.All(IsTemporary):
                break;

            case SelectStatement { Into: not null } select:
                throw new NotSupportedException($"{Where(select)}: SELECT INTO creates a table the model cannot read the columns of. Use CREATE TABLE and INSERT.");

            case CreateTableStatement create:
            {
                var table = NameOf(create.SchemaObjectName, Where(create));
                if (create.Definition is null)
                {
                    throw new NotSupportedException($"{Where(create)}: CREATE TABLE {table} has no column list the model can read.");
                }
                if (_tables.ContainsKey(table) || _views.ContainsKey(table))
                {
                    if (guarded)
                    {
                        break;
                    }
                    throw new InvalidOperationException($"{Where(create)}: CREATE TABLE {table}, but {table} exists already.");
                }
                var columns = new List<string>();
                foreach (var column in create.Definition.ColumnDefinitions)
                {
                    AddColumn(columns, column.ColumnIdentifier.Value, $"{Where(column)}: table {table}");
                }
                _tables[table] = columns;
                break;
            }

            case AlterTableAddTableElementStatement add:
            {
                var table = NameOf(add.SchemaObjectName, Where(add));
                var columns = TableColumns(table, Where(add));
                foreach (var column in add.Definition.ColumnDefinitions)
                {
                    AddColumn(columns, column.ColumnIdentifier.Value, $"{Where(column)}: ALTER TABLE {table} ADD");
                }
                break;
            }

            case AlterTableDropTableElementStatement drop:
            {
                var table = NameOf(drop.SchemaObjectName, Where(drop));
                var columns = TableColumns(table, Where(drop));
                foreach (var element in drop.AlterTableDropTableElements.Where(e => e.TableElementType == TableElementType.Column))
                {
                    var column = element.Name.Value.ToLowerInvariant();
                    if (!columns.Remove(column) && !element.IsIfExists)
                    {
                        throw new InvalidOperationException($"{Where(element)}: ALTER TABLE {table} DROP COLUMN {column}, but {table} has no such column.");
                    }
                }
                break;
            }

            case DropTableStatement drop:
                Drop(_tables, drop, "TABLE", Where(drop));
                break;

            case DropViewStatement drop:
                Drop(_views, drop, "VIEW", Where(drop));
                break;

            case ViewStatementBody view:
            {
                var name = NameOf(view.SchemaObjectName, Where(view));
                var exists = _views.ContainsKey(name);
                if (view is CreateViewStatement && (exists || _tables.ContainsKey(name)))
                {
                    throw new InvalidOperationException($"{Where(view)}: CREATE VIEW {name}, but {name} exists already.");
                }
                if (view is AlterViewStatement && !exists)
                {
                    throw new InvalidOperationException($"{Where(view)}: ALTER VIEW {name}, but there is no such view.");
                }
                var columns = new List<string>();
                var names = view.Columns.Count > 0
                    ? view.Columns.Select(c => (c.Value, (TSqlFragment)c))
                    : OutputColumns(view.SelectStatement.QueryExpression).Select(e => (ColumnNameOf(e, name, Where(e)), (TSqlFragment)e));
                foreach (var (column, fragment) in names)
                {
                    AddColumn(columns, column, $"{Where(fragment)}: view {name}");
                }
                // ALTER and CREATE OR ALTER keep the view's permissions; CREATE starts without any.
                _views[name] = columns;
                break;
            }

            case CreateRoleStatement role:
                _roles.Add(role.Name.Value.ToLowerInvariant());
                break;

            case GrantStatement grant:
                foreach (var permission in GrantsOf(grant, Where(grant)))
                {
                    _grants.Add(permission);
                }
                break;

            case RevokeStatement revoke:
                foreach (var permission in GrantsOf(revoke, Where(revoke)))
                {
                    _grants.Remove(permission);
                }
                break;

            case ExecuteStatement execute:
                switch (execute.ExecuteSpecification.ExecutableEntity)
                {
                    case ExecutableStringList:
                        throw new NotSupportedException($"{Where(execute)}: dynamic SQL; the model cannot see what it creates. Write the statement itself.");
                    case ExecutableProcedureReference { ProcedureReference.ProcedureReference.Name.BaseIdentifier.Value: var procedure }
                        when procedure.Equals("sp_rename", StringComparison.OrdinalIgnoreCase):
                        throw new NotSupportedException($"{Where(execute)}: sp_rename; the model cannot follow renames.");
                }
                break;
        }
    }

    private static bool IsTemporary(SchemaObjectName name) => name.BaseIdentifier.Value.StartsWith('#');

    private List<string> TableColumns(string table, string where) =>
        _tables.TryGetValue(table, out var columns) ? columns : throw new InvalidOperationException($"{where}: ALTER TABLE {table}, but there is no such table.");

    private void Drop(Dictionary<string, List<string>> objects, DropObjectsStatement drop, string kind, string where)
    {
        foreach (var objectName in drop.Objects)
        {
            var name = NameOf(objectName, where);
            if (!objects.Remove(name) && !drop.IsIfExists)
            {
                throw new InvalidOperationException($"{where}: DROP {kind} {name}, but there is no such {kind.ToLowerInvariant()}.");
            }
            _grants.RemoveWhere(g => g.Object == name);
        }
    }

    private static void AddColumn(List<string> columns, string column, string where)
    {
        var name = column.ToLowerInvariant();
        if (columns.Contains(name))
        {
            throw new InvalidOperationException($"{where}: column {name} twice.");
        }
        columns.Add(name);
    }

    private static IEnumerable<SelectElement> OutputColumns(QueryExpression query) => query switch
    {
        QuerySpecification specification => specification.SelectElements,
        // A UNION's columns are named by its first query.
        BinaryQueryExpression binary => OutputColumns(binary.FirstQueryExpression),
        QueryParenthesisExpression parenthesis => OutputColumns(parenthesis.QueryExpression),
        _ => throw new NotSupportedException($"Cannot read the output columns of a {query.GetType().Name} at line {query.StartLine}."),
    };

    private static string ColumnNameOf(SelectElement element, string view, string where) => element switch
    {
        SelectScalarExpression { ColumnName: { } alias } => alias.Value,
        SelectScalarExpression { Expression: ColumnReferenceExpression { ColumnType: ColumnType.Regular, MultiPartIdentifier: { } identifier } } => identifier.Identifiers[^1].Value,
        _ => throw new NotSupportedException($"{where}: view {view} has a column the model cannot name: '{TextOf(element)}'. Give it an alias (and list every column instead of *)."),
    };

    private static IEnumerable<TSqlGrant> GrantsOf(SecurityStatement statement, string where)
    {
        var target = statement.SecurityTargetObject is { } securable ? NameOf(securable, where) : null;
        return from permission in statement.Permissions
               from principal in statement.Principals
               select new TSqlGrant(
                   string.Join(' ', permission.Identifiers.Select(i => i.Value.ToUpperInvariant())),
                   target,
                   principal.PrincipalType == PrincipalType.Public ? "public" : principal.Identifier.Value.ToLowerInvariant());
    }

    private static string NameOf(SecurityTargetObject target, string where)
    {
        var identifiers = target.ObjectName.MultiPartIdentifier.Identifiers;
        var name = Unqualified(identifiers.Count > 1 ? identifiers[^2].Value : null, identifiers[^1].Value, identifiers.Count > 2, where);
        return target.ObjectKind is SecurityObjectKind.NotSpecified or SecurityObjectKind.Object
            ? name
            : $"{target.ObjectKind.ToString().ToLowerInvariant()}::{name}";
    }

    private static string NameOf(SchemaObjectName name, string where) =>
        Unqualified(name.SchemaIdentifier?.Value, name.BaseIdentifier.Value, name.DatabaseIdentifier is not null || name.ServerIdentifier is not null, where);

    private static string Unqualified(string? schema, string name, bool otherDatabase, string where)
    {
        if (otherDatabase || (schema is not null && !schema.Equals("dbo", StringComparison.OrdinalIgnoreCase)))
        {
            throw new NotSupportedException($"{where}: {schema}.{name} is outside the dbo schema of this database.");
        }
        return name.ToLowerInvariant();
    }

    private static string TextOf(TSqlFragment fragment) =>
        string.Concat(fragment.ScriptTokenStream.Skip(fragment.FirstTokenIndex).Take(fragment.LastTokenIndex - fragment.FirstTokenIndex + 1).Select(t => t.Text));
}
