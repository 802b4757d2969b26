using System.Text.RegularExpressions;
using NackaInsights.Reports.Tests.Tmdl;

namespace NackaInsights.Reports.Tests;

/// <summary>The semantic model as text: it parses, has the agreed names, formats and descriptions, its relationships form a star and its roles hold.</summary>
public sealed partial class SemanticModelFacts
{
    private static TmdlModel Model => ModelNames.Model;

    [Fact]
    public void EveryTmdlFile_Parses_AndTheDefinitionHasItsFiles()
    {
        var files = Directory.EnumerateFiles(ModelNames.Definition, "*.tmdl", SearchOption.AllDirectories).ToList();
        foreach (var file in files)
        {
            Assert.NotEmpty(TmdlParser.ParseFile(file));
        }

        Assert.Equal(files.Count, Model.Files.Count);
        foreach (var expected in new[] { "database.tmdl", "model.tmdl", "relationships.tmdl", "expressions.tmdl", "cultures/sv-SE.tmdl",
                     "roles/Ledning.tmdl", "roles/Verksamhet.tmdl", "roles/Objektsförvaltare.tmdl" })
        {
            Assert.True(Model.Files.ContainsKey(expected), $"definition/{expected} is missing");
        }
        Assert.All(Model.Tables, t => Assert.True(Model.Files.ContainsKey($"tables/{t.Name}.tmdl"), $"table '{t.Name}' is not in tables/{t.Name}.tmdl"));
    }

    [Fact]
    public void DefinitionPbism_IsAtAVersionThatUsesTmdl()
    {
        using var pbism = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(ReportsFolder.Root, "NackaInsights.SemanticModel", "definition.pbism")));

        var version = Version.Parse(pbism.RootElement.GetProperty("version").GetString()!);

        Assert.True(version.Major >= 4, $"definition.pbism version {version}: TMDL (the definition/ folder) needs 4.0 or later");
        Assert.False(File.Exists(Path.Combine(ReportsFolder.Root, "NackaInsights.SemanticModel", "model.bim")), "model.bim and definition/ both present");
    }

    [Fact]
    public void Model_IsSwedish_DiscouragesImplicitMeasures_AndHasAutoDateTimeOff()
    {
        Assert.Equal("sv-SE", Model.Model.Property("culture"));
        Assert.True(Model.Model.Has("discourageImplicitMeasures"));
        Assert.Equal("0", Model.ModelAnnotations.GetValueOrDefault("__PBI_TimeIntelligenceEnabled"));
        Assert.Equal(["sv-SE"], Model.Cultures.Select(c => c.Name));
        Assert.Equal(Model.Tables.Select(t => t.Name).Order(), Model.Model.ChildrenOf("ref").Where(r => r.RefKind == "table").Select(r => r.Name!).Order());
        Assert.DoesNotContain(Model.Tables, t => t.Name.StartsWith("LocalDateTable", StringComparison.Ordinal) || t.Name.StartsWith("DateTableTemplate", StringComparison.Ordinal));
    }

    [Fact]
    public void Tables_AreOnePerAgreedView_InImportMode_ReadThroughTheSharedQuery()
    {
        Assert.Equal(ModelNames.TableViews.Keys.Order(), ViewTables.Select(t => t.Name).Order());
        foreach (var table in ViewTables)
        {
            var partition = Assert.Single(table.Partitions);
            Assert.Equal("m", partition.Kind);
            Assert.Equal("import", partition.Mode);
            // Which source and navigation each Databastyp gives is SourceQueryFacts'.
            Assert.Equal(ModelNames.TableViews[table.Name], SourceView(partition));
        }
    }

    /// <summary>Every table but the measure table and the what-if parameters reads a view.</summary>
    internal static IEnumerable<TmdlTable> ViewTables => Model.Tables.Where(t => t.Name != ModelNames.MeasureTable && !ModelNames.Parameters.Any(p => p.Table == t.Name));

    [Fact]
    public void TheWhatIfParameters_AreAsPowerBiDesktopMakesThem_ASeriesThatHoldsTheDefault_ReadByAMeasureInMått()
    {
        Assert.NotEmpty(ModelNames.Parameters);
        foreach (var (name, measure, defaultValue) in ModelNames.Parameters)
        {
            var table = Model.Table(name);
            var column = Assert.Single(table.Columns);
            Assert.Equal((name, "[Value]", "int64", false), (column.Name, column.SourceColumn, column.DataType, column.IsHidden));
            // The extended property is what makes Power BI show the parameter as a single-value slider.
            Assert.Contains(column.Node.ChildrenOf("extendedProperty"), p => p.Name == "ParameterMetadata" && p.Expression!.Contains("\"version\": 0", StringComparison.Ordinal));
            var partition = Assert.Single(table.Partitions);
            Assert.Equal(("calculated", "import"), (partition.Kind, partition.Mode));
            var series = GenerateSeries().Match(partition.Source!);
            Assert.True(series.Success, $"'{name}' is not GENERATESERIES(from, to, step): {partition.Source}");
            var (from, to, step) = (long.Parse(series.Groups["from"].Value), long.Parse(series.Groups["to"].Value), long.Parse(series.Groups["step"].Value));
            Assert.True(defaultValue >= from && defaultValue <= to && (defaultValue - from) % step == 0, $"'{name}': the default {defaultValue} is no value of {partition.Source}");
            Assert.Equal($"SELECTEDVALUE('{name}'[{name}], {defaultValue})", Model.Table(ModelNames.MeasureTable).Measure(measure)!.Expression);
        }
    }

    [GeneratedRegex(@"^GENERATESERIES\((?<from>\d+), (?<to>\d+), (?<step>\d+)\)$")]
    private static partial Regex GenerateSeries();

    [Fact]
    public void Mått_HoldsEveryMeasureInADisplayFolder_WithOneHiddenColumn_FromACalculatedPartition()
    {
        var table = Model.Table(ModelNames.MeasureTable);

        var column = Assert.Single(table.Columns);
        Assert.True(column.IsHidden, $"'{table.Name}'[{column.Name}] is visible");
        var partition = Assert.Single(table.Partitions);
        Assert.Equal("calculated", partition.Kind);
        Assert.Equal("import", partition.Mode);
        Assert.Contains($"\"{column.Name}\"", partition.Source, StringComparison.Ordinal);
        Assert.Equal($"[{column.Name}]", column.SourceColumn);
        var elsewhere = ViewTables.SelectMany(t => t.Measures).Select(m => $"'{m.Table}'[{m.Name}]").ToList();
        Assert.True(elsewhere.Count == 0, "Measures outside Mått: " + string.Join(", ", elsewhere));
        var unfoldered = table.Measures.Where(m => string.IsNullOrWhiteSpace(m.Node.Property("displayFolder"))).Select(m => m.Name).ToList();
        Assert.True(unfoldered.Count == 0, "Measures in no display folder: " + string.Join(", ", unfoldered));
    }

    [Fact]
    public void Databastyp_ServerAndDatabase_AreRequiredTextParameters_BesideTheSharedQuery()
    {
        Assert.Equal(["Database", "Databastyp", "Server", SourceQuery.Name], Model.Expressions.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.All(Model.Expressions, e => Assert.False(string.IsNullOrWhiteSpace(e.Description), $"expression {e.Name} has no description"));
        foreach (var name in new[] { "Server", "Database" })
        {
            Assert.Matches(@"^""[^""]+"" meta \[IsParameterQuery=true, Type=""Text"", IsParameterQueryRequired=true\]$", Model.Expressions.Single(e => e.Name == name).Expression);
        }
        // A list-of-values parameter as Power BI Desktop writes it; its values are SourceQueryFacts'.
        Assert.Matches(@"^""SQL Server"" meta \[IsParameterQuery=true, List=\{[^}]+\}, DefaultValue=""SQL Server"", Type=""Text"", IsParameterQueryRequired=true\]$",
            Model.Expressions.Single(e => e.Name == "Databastyp").Expression);
        Assert.All(Model.Expressions.Where(e => e.Name != SourceQuery.Name), e => Assert.Equal("Text", Annotation(e.Node, "PBI_ResultType")));
        // Power BI Desktop's query order names every query: the parameters and the shared query first.
        Assert.StartsWith("[\"Databastyp\",\"Server\",\"Database\",\"Vy\",", Model.ModelAnnotations["PBI_QueryOrder"], StringComparison.Ordinal);
    }

    internal static string? Annotation(TmdlNode node, string name) => node.ChildrenOf("annotation").FirstOrDefault(a => a.Name == name)?.Expression;

    [Fact]
    public void EveryTableAndMeasure_HasASwedishDescription()
    {
        var missing = Model.Tables.Where(t => string.IsNullOrWhiteSpace(t.Description)).Select(t => $"table '{t.Name}'")
            .Concat(Model.Measures.Where(m => string.IsNullOrWhiteSpace(m.Description)).Select(m => $"measure '{m.Table}'[{m.Name}]"))
            .ToList();

        Assert.True(missing.Count == 0, "No /// description: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheAgreedColumnsAndMeasures_Exist_Visible_WithTheirFormats()
    {
        foreach (var (table, column, source) in ModelNames.VisibleColumns)
        {
            var found = Model.Table(table).Column(column);
            Assert.True(found is not null, $"'{table}'[{column}] is missing");
            Assert.Equal(source, found.SourceColumn);
            Assert.False(found.IsHidden, $"'{table}'[{column}] is hidden");
        }
        foreach (var (folder, measure, format) in ModelNames.Measures)
        {
            var found = Model.Table(ModelNames.MeasureTable).Measure(measure);
            Assert.True(found is not null, $"measure '{ModelNames.MeasureTable}'[{measure}] is missing");
            Assert.Equal(format, found.FormatString);
            Assert.Equal(folder, found.Node.Property("displayFolder"));
            Assert.False(found.IsHidden);
        }
        Assert.Equal(ModelNames.Measures.Select(m => m.Measure).Order(), Model.Measures.Select(m => m.Name).Order());
        Assert.Equal("month", Model.Table("Datum").Column("Månad")!.SortByColumn is { } sort ? Model.Table("Datum").Column(sort)!.SourceColumn : null);
    }

    [Fact]
    public void EveryDaxVariable_IsAnAsciiIdentifier()
    {
        var expressions = Model.Measures.Select(m => ($"measure [{m.Name}]", m.Expression))
            .Concat(Model.Roles.SelectMany(r => r.TablePermissions).Select(p => ($"role {p.Role}, table '{p.Table}'", p.FilterExpression)));

        var bad = expressions.SelectMany(e => NonAsciiVariables(e.Item2).Select(v => $"{e.Item1}: VAR {v}")).ToList();

        Assert.True(bad.Count == 0, "DAX variables outside [A-Za-z0-9_] (the documented identifier set): " + string.Join(", ", bad));
        Assert.Equal(["SistaÅr"], NonAsciiVariables("VAR SistaÅr = MAX('År'[År]) VAR Ok_1 = 2 RETURN SistaÅr")); // the check finds one
    }

    /// <summary>The names a DAX expression declares with VAR that are not plain ASCII letters, digits and underscores.</summary>
    internal static IEnumerable<string> NonAsciiVariables(string dax) =>
        VarDeclaration().Matches(dax).Select(m => m.Groups["name"].Value).Where(n => !AsciiIdentifier().IsMatch(n));

    [GeneratedRegex(@"\bVAR\s+(?<name>[^\s=]+)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex VarDeclaration();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex AsciiIdentifier();

    [Theory]
    [InlineData("Initiativ")]
    [InlineData("Initiativhistorik")]
    [InlineData("Projektstatus per dag")]
    public void Fas_SortsByTheViewsPhaseOrder_AHiddenWholeNumber(string table)
    {
        var fas = Model.Table(table).Column("Fas")!;

        Assert.Equal("phase_order", fas.SortByColumn);
        var order = Model.Table(table).Column("phase_order")!;
        Assert.Equal(("phase_order", "int64", true), (order.SourceColumn, order.DataType, order.IsHidden));
    }

    [Fact]
    public void Känslighet_IsAFactOfTheCurrentBusinessCase_RelatedToInitiativ_WithItsKeysHidden()
    {
        var table = Model.Table("Känslighet");

        // Like every business case table: many-to-one to Initiativ, single direction, so that the roles' filters reach it.
        var relationship = Assert.Single(Model.Relationships, r => r.From.Table == "Känslighet");
        Assert.Equal(("initiative_id", "Initiativ", "Initiativ-ID", true, "oneDirection"), (relationship.From.Column, relationship.To.Table, relationship.To.Column, relationship.IsActive, relationship.CrossFilteringBehavior ?? "oneDirection"));
        Assert.DoesNotContain(Model.Relationships, r => r.To.Table == "Känslighet");
        Assert.All(new[] { "initiative_id", "line_no", "swing_rank", "bc_version_id", "run_id", "file_id" }, c => Assert.True(table.Column(c)!.IsHidden, $"'Känslighet'[{c}] is visible"));
        Assert.All(new[] { "line_no", "swing_rank" }, c => Assert.Equal("int64", table.Column(c)!.DataType));
        // A line's name repeats across initiatives with other ranks, which sortByColumn refuses at refresh: the tornado
        // sorts by its swing measure instead (ReportDefinitionFacts).
        Assert.Null(table.Column("Post")!.SortByColumn);
        Assert.All(new[] { "Lägsta", "Högsta" }, c => Assert.Equal(("double", "#,0.## \"%\""), (table.Column(c)!.DataType, table.Column(c)!.FormatString)));
        Assert.All(table.Columns.Where(c => !c.IsHidden), c => Assert.False(string.IsNullOrWhiteSpace(c.Description), $"'Känslighet'[{c.Name}] has no description"));
    }

    [Fact]
    public void TheRangeMeasures_ReadTheRangeColumnsOfNyttokalkyl_AndTheTornadoMeasures_ReadKänslighet()
    {
        var measures = Model.Table(ModelNames.MeasureTable);
        DaxReference[] Refs(string measure) => [.. DaxReferences.Extract(measures.Measure(measure)!.Expression)];

        Assert.Contains(new DaxReference("Nyttokalkyl", "Nuvärde"), Refs("Nettonuvärde förväntat"));
        Assert.Contains(new DaxReference("Nyttokalkyl", "Nuvärde pessimistiskt"), Refs("Nettonuvärde pessimistiskt"));
        Assert.Contains(new DaxReference("Nyttokalkyl", "Nuvärde optimistiskt"), Refs("Nettonuvärde optimistiskt"));
        Assert.Equal([new DaxReference(null, "Nettonuvärde pessimistiskt"), new DaxReference(null, "Nettonuvärde optimistiskt")], Refs("Nettonuvärde intervall"));
        Assert.Contains(new DaxReference("Känslighet", "Nuvärde vid lägsta"), Refs("Avvikelse vid lägsta"));
        Assert.Contains(new DaxReference("Känslighet", "Nuvärde vid högsta"), Refs("Avvikelse vid högsta"));
        Assert.Contains(new DaxReference("Känslighet", "Svängning"), Refs("Svängning i nettonuvärde"));
        // Each deviation is taken from the expected case's own net present value.
        Assert.All(new[] { "Avvikelse vid lägsta", "Avvikelse vid högsta" }, m => Assert.Contains(new DaxReference("Nyttokalkyl", "Nuvärde"), Refs(m)));
    }

    [Fact]
    public void MeasureNames_AreUniqueInTheModel_AndNeverAColumnName()
    {
        var measures = Model.Measures.Select(m => m.Name).ToList();
        Assert.Equal(measures.Count, measures.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var clashes = Model.Tables.SelectMany(t => t.Columns.Where(c => measures.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).Select(c => $"'{t.Name}'[{c.Name}]")).ToList();
        Assert.True(clashes.Count == 0, "Columns named as a measure: " + string.Join(", ", clashes));
    }

    [Fact]
    public void KeysAndTechnicalColumns_AreHidden_AndHiddenColumnsKeepTheViewsName()
    {
        // The Power BI service's ids are the only names an operator has for a workspace and a semantic model.
        string[] visibleKeys =
        [
            "Initiativ'[Initiativ-ID", "Körning'[Körning", "Utfall utan matchning'[Initiativ-ID",
            "Uppdateringar av Power BI'[Arbetsyta", "Uppdateringar av Power BI'[Semantisk modell",
        ];
        var technical = new Regex("(_id|_sha256)$|^(sort_order|is_[a-z]+|line_row|benefit_line_key|day_of_week|month|user_principal_name)$");
        var visibleTechnical = Model.Tables.SelectMany(t => t.Columns)
            .Where(c => !c.IsHidden && technical.IsMatch(c.SourceColumn!) && !visibleKeys.Contains($"{c.Table}'[{c.Name}"))
            .Select(c => $"'{c.Table}'[{c.Name}] ← {c.SourceColumn}")
            .ToList();
        Assert.True(visibleTechnical.Count == 0, "Visible keys or technical columns: " + string.Join(", ", visibleTechnical));

        // Relationship keys on the many side are hidden, except where a key is itself what users pick by, and the
        // initiative id of an unmatched actual: as reported, it may name no initiative of the register.
        // The dates of an inactive (role-playing) relationship are what users read: only active keys count.
        var visibleForeignKeys = Model.Relationships.Where(r => r.IsActive).Select(r => Model.Table(r.From.Table).Column(r.From.Column)!)
            .Where(c => !c.IsHidden && c.SourceColumn is not ("unit" or "report_date" or "snapshot_date"))
            .Where(c => !(c.Table == "Utfall utan matchning" && c.Name == "Initiativ-ID"))
            .Select(c => $"'{c.Table}'[{c.Name}]").ToList();
        Assert.True(visibleForeignKeys.Count == 0, "Visible foreign keys: " + string.Join(", ", visibleForeignKeys));

        var renamedHidden = ViewTables.SelectMany(t => t.Columns).Where(c => c.IsHidden && c.Name != c.SourceColumn).Select(c => $"'{c.Table}'[{c.Name}]").ToList();
        Assert.True(renamedHidden.Count == 0, "Hidden columns are named as the view's column: " + string.Join(", ", renamedHidden));
        Assert.True(Model.Table("Behörighet verksamhet").IsHidden);
        Assert.True(Model.Table("Behörighet objekt").IsHidden);
    }

    [Fact]
    public void Formats_AreKronorForMoney_OneDecimalForRatios_PercentForRealisation()
    {
        var money = Model.Tables.SelectMany(t => t.Columns).Where(c => c.SourceColumn!.EndsWith("_sek", StringComparison.Ordinal) || c.SourceColumn is "planned_value" or "actual_value" or "variance_value" or "planned_acc_value" or "actual_acc_value").ToList();
        Assert.NotEmpty(money);
        Assert.All(money, c => Assert.True(c.FormatString == ModelNames.Money && c.DataType == "decimal", $"'{c.Table}'[{c.Name}]: {c.DataType} {c.FormatString}"));
        var ratios = Model.Tables.SelectMany(t => t.Columns).Where(c => c.SourceColumn is "economic_benefit_ratio" or "benefit_ratio_total" or "movement_score" or "index_value").ToList();
        Assert.All(ratios, c => Assert.Equal(ModelNames.Ratio, c.FormatString));
        Assert.Equal(ModelNames.Percent, Model.Table(ModelNames.MeasureTable).Measure("Realiseringsgrad")!.FormatString);
        // A realisation over 100 % is shown as such: the measure is a plain quotient, never capped.
        Assert.DoesNotMatch(@"\b(MIN|MAX)\s*\(\s*1\b", Model.Table(ModelNames.MeasureTable).Measure("Realiseringsgrad")!.Expression);
        Assert.All(Model.Tables.SelectMany(t => t.Columns), c => Assert.Contains(c.DataType, new[] { "string", "int64", "double", "decimal", "dateTime", "boolean" }));
    }

    [Fact]
    public void Datum_IsTheMarkedDateTable()
    {
        var datum = Model.Table("Datum");

        Assert.Equal("Time", datum.DataCategory);
        var key = Assert.Single(datum.Columns, c => c.IsKey);
        Assert.Equal(("Datum", "dateTime", "date"), (key.Name, key.DataType, key.SourceColumn));
        Assert.Equal(["Datum"], Model.Tables.Where(t => t.DataCategory == "Time").Select(t => t.Name));
    }

    [Fact]
    public void Relationships_JoinExistingColumnsOfTheSameType_ManyToOne_SingleDirectionButTheGoalBridge_AllActive()
    {
        Assert.NotEmpty(Model.Relationships);
        foreach (var r in Model.Relationships)
        {
            var from = Model.FindTable(r.From.Table)?.Column(r.From.Column);
            var to = Model.FindTable(r.To.Table)?.Column(r.To.Column);
            Assert.True(from is not null, $"{r.Name}: {r.From} does not exist");
            Assert.True(to is not null, $"{r.Name}: {r.To} does not exist");
            Assert.Equal(from.DataType, to.DataType);
            Assert.True(to.IsKey, $"{r.Name}: {r.To} is not its table's key (isKey)");
            Assert.True(r.CrossFilteringBehavior is null or "oneDirection" || (r.CrossFilteringBehavior == "bothDirections" && r.Name == GoalBridge),
                $"{r.Name}: {r.CrossFilteringBehavior}");
            Assert.True(r.FromCardinality is null or "many" && r.ToCardinality is null or "one", $"{r.Name}: not many-to-one");
            Assert.True(r.IsActive || Activated.Contains((r.From.ToString(), r.To.ToString())), $"{r.Name} is inactive and no measure activates it");
            Assert.NotEqual(r.From.Table, r.To.Table);
        }
        var keys = Model.Tables.Select(t => (t.Name, Keys: t.Columns.Count(c => c.IsKey))).Where(t => t.Keys > 1).ToList();
        Assert.Empty(keys);
    }

    /// <summary>The relationships that measures activate with <c>USERELATIONSHIP('Many'[Column], 'One'[Column])</c>: (many side, one side).</summary>
    private static HashSet<(string Many, string One)> Activated =>
        Model.Measures.SelectMany(m => UseRelationship().Matches(m.Expression))
            .Select(m => ($"'{m.Groups["t1"].Value}'[{m.Groups["c1"].Value}]", $"'{m.Groups["t2"].Value}'[{m.Groups["c2"].Value}]"))
            .ToHashSet();

    [GeneratedRegex(@"USERELATIONSHIP\(\s*'(?<t1>[^']+)'\[(?<c1>[^\]]+)\],\s*'(?<t2>[^']+)'\[(?<c2>[^\]]+)\]\s*\)")]
    private static partial Regex UseRelationship();

    [Fact]
    public void EveryInactiveRelationship_IsOneAMeasureActivates_AndLeadsToATableNoRoleFilters()
    {
        var inactive = Model.Relationships.Where(r => !r.IsActive).ToList();
        Assert.NotEmpty(inactive);

        // Every USERELATIONSHIP names a relationship of the model, many side first, and every inactive one is used.
        Assert.All(Activated, a => Assert.True(Model.Relationships.Any(r => (r.From.ToString(), r.To.ToString()) == a), $"USERELATIONSHIP{a}: no such relationship"));
        Assert.All(inactive, r => Assert.Contains((r.From.ToString(), r.To.ToString()), Activated));
        // USERELATIONSHIP fails on a relationship whose one side row-level security filters (the DAX reference says
        // so): Datum is municipality-wide, which keeps the roles and these measures compatible.
        Assert.All(inactive, r => Assert.True(RoleFilters.MunicipalityWide.ContainsKey(r.To.Table), $"{r.Name} leads to '{r.To.Table}', which a role filters"));
        // A role-playing date is one relationship per date column, each to Datum.
        Assert.All(inactive, r => Assert.Equal(("Datum", "Datum", "dateTime"), (r.To.Table, r.To.Column, Model.Table(r.From.Table).Column(r.From.Column)!.DataType)));
    }

    /// <summary>
    /// The one relationship that filters both ways: a bridge filters its dimension only if the bridge→dimension leg runs
    /// both ways, so that a strategic goal (one side of the bridge) selects the initiatives of the bridge rows it keeps.
    /// </summary>
    private const string GoalBridge = "Initiativ och mål → Initiativ";

    [Fact]
    public void AStrategicGoal_FiltersItsInitiatives_AndTheirFacts_ThroughTheBridge()
    {
        var reached = FilteredBy("Strategiskt mål");

        Assert.Contains("Initiativ och mål", reached);
        Assert.Contains("Initiativ", reached);
        Assert.Contains("Nyttorealisering", reached);
        Assert.Contains("Projektstatus per dag", reached);
        // Only the bridge leg runs both ways: a goal does not select units or years, which reach initiatives only one way.
        Assert.DoesNotContain("Verksamhet", reached);
        Assert.DoesNotContain("År", reached);
    }

    /// <summary>The tables a filter on <paramref name="table"/> reaches: one side to many side, and back along a relationship that filters both ways.</summary>
    private static HashSet<string> FilteredBy(string table)
    {
        var reached = new HashSet<string> { table };
        var queue = new Queue<string>([table]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var r in Model.Relationships.Where(r => r.IsActive))
            {
                var next = r.To.Table == current ? r.From.Table
                    : r.From.Table == current && r.CrossFilteringBehavior == "bothDirections" ? r.To.Table
                    : null;
                if (next is not null && reached.Add(next))
                {
                    queue.Enqueue(next);
                }
            }
        }
        return reached;
    }

    [Fact]
    public void Relationships_FormAStarWithNoAmbiguousPaths()
    {
        // Only active relationships filter; an inactive one filters only inside the measure that activates it.
        var problems = PathProblems(Model.Tables.Select(t => t.Name), Model.Relationships.Where(r => r.IsActive).Select(r => (r.From.Table, r.To.Table, r.CrossFilteringBehavior == "bothDirections")));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var edges = Model.Relationships.GroupBy(r => r.From.Table).ToDictionary(g => g.Key, g => g.Select(r => r.To.Table).ToList());

        // The Behörighet tables feed the role filters only; Förvaltningsobjekt must not also lead to Verksamhet.
        Assert.DoesNotContain(Model.Relationships, r => r.From.Table.StartsWith("Behörighet ", StringComparison.Ordinal) || r.To.Table.StartsWith("Behörighet ", StringComparison.Ordinal));
        Assert.DoesNotContain(Model.Relationships, r => r.From.Table == "Förvaltningsobjekt");
        // Every fact and bridge reaches a dimension.
        var facts = ModelNames.TableViews.Where(v => v.Value.StartsWith("pbi_fct_", StringComparison.Ordinal) || v.Value.StartsWith("pbi_bridge_", StringComparison.Ordinal)).Select(v => v.Key);
        Assert.All(facts, f => Assert.True(edges.ContainsKey(f), $"'{f}' relates to nothing"));
    }

    [Fact]
    public void PathCheck_FindsAmbiguousPathsCyclesAndTwoTimePaths()
    {
        Assert.Empty(PathProblems(["F", "A", "B", "År"], [("F", "A", false), ("F", "År", false), ("A", "B", false)]));
        Assert.Contains("2 paths from 'F' to 'B'", PathProblems(["F", "A", "B"], [("F", "A", false), ("F", "B", false), ("A", "B", false)]));
        Assert.Contains(PathProblems(["A", "B"], [("A", "B", false), ("B", "A", false)]), p => p.StartsWith("a cycle", StringComparison.Ordinal));
        Assert.Contains("'F' reaches both Datum and År: two time paths", PathProblems(["F", "Datum", "År"], [("F", "Datum", false), ("F", "År", false)]));
        // A relationship both ways is walked both ways, but never straight back along itself: a bridge is no cycle,
        // while a second route that it opens is ambiguous.
        Assert.Empty(PathProblems(["Bro", "A", "Mål"], [("Bro", "A", true), ("Bro", "Mål", false)]));
        Assert.Contains("2 paths from 'F' to 'Mål'", PathProblems(["F", "A", "Bro", "Mål"], [("F", "A", false), ("Bro", "A", true), ("Bro", "Mål", false), ("F", "Mål", false)]));
    }

    /// <summary>
    /// Walks every path along the filter direction (from the many side to the one side, and also from the one side to
    /// the many side of a relationship that filters both ways) from every table: more than one path between two tables
    /// is ambiguous, a path back to where it came from is a cycle (going straight back along the relationship just
    /// walked is not), and a table that reaches both Datum and År has two time paths.
    /// </summary>
    internal static List<string> PathProblems(IEnumerable<string> tables, IEnumerable<(string From, string To, bool BothWays)> relationships)
    {
        var list = relationships.ToList();
        var edges = list.Select((r, i) => (r.From, r.To, Id: i))
            .Concat(list.Select((r, i) => (From: r.To, To: r.From, Id: i)).Where(e => list[e.Id].BothWays))
            .GroupBy(e => e.From)
            .ToDictionary(g => g.Key, g => g.Select(e => (e.To, e.Id)).ToList());
        var problems = new List<string>();
        foreach (var start in tables)
        {
            var paths = new Dictionary<string, int>();
            void Walk(string table, List<string> seen, int? cameBy)
            {
                foreach (var (next, id) in edges.GetValueOrDefault(table) ?? [])
                {
                    if (id == cameBy)
                    {
                        continue;
                    }
                    if (seen.Contains(next))
                    {
                        problems.Add($"a cycle: {string.Join(" → ", seen)} → {next}");
                        continue;
                    }
                    paths[next] = paths.GetValueOrDefault(next) + 1;
                    Walk(next, [.. seen, next], id);
                }
            }
            Walk(start, [start], null);
            problems.AddRange(paths.Where(p => p.Value > 1).Select(p => $"{p.Value} paths from '{start}' to '{p.Key}'"));
            if (paths.ContainsKey("Datum") && paths.ContainsKey("År"))
            {
                problems.Add($"'{start}' reaches both Datum and År: two time paths");
            }
        }
        return problems.Distinct().ToList();
    }

    [Fact]
    public void Roles_Ledning_SeesEverything_Verksamhet_AndObjektsforvaltare_FilterDimensionsOnTheUser()
    {
        Assert.Equal(["Ledning", "Objektsförvaltare", "Verksamhet"], Model.Roles.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.All(Model.Roles, r =>
        {
            Assert.Equal("read", r.ModelPermission);
            Assert.False(string.IsNullOrWhiteSpace(r.Description));
        });
        Assert.Empty(Model.Roles.Single(r => r.Name == "Ledning").TablePermissions);

        var verksamhet = Model.Roles.Single(r => r.Name == "Verksamhet").TablePermissions.ToDictionary(p => p.Table);
        Assert.Contains("USERPRINCIPALNAME()", verksamhet["Verksamhet"].FilterExpression, StringComparison.Ordinal);
        Assert.Contains(DaxReferences.Extract(verksamhet["Verksamhet"].FilterExpression), r => r.Table == "Behörighet verksamhet");
        Assert.Contains("USERPRINCIPALNAME()", verksamhet["Behörighet verksamhet"].FilterExpression, StringComparison.Ordinal);

        // What else each role filters, and the rows as Power BI would show them, are RoleSecurityFacts' and RoleWarehouseFacts'.
        var forvaltare = Model.Roles.Single(r => r.Name == "Objektsförvaltare").TablePermissions.ToDictionary(p => p.Table);
        Assert.Contains(new DaxReference("Förvaltningsobjekt", "Objektsförvaltare"), DaxReferences.Extract(forvaltare["Förvaltningsobjekt"].FilterExpression));
        Assert.Equal("manager_email", Model.Table("Förvaltningsobjekt").Column("Objektsförvaltare")!.SourceColumn);
        Assert.Contains("USERPRINCIPALNAME()", forvaltare["Förvaltningsobjekt"].FilterExpression, StringComparison.Ordinal);
        // Initiatives follow the object through Initiativ → Förvaltningsobjekt.
        Assert.Contains(Model.Relationships, r => r.From.Table == "Initiativ" && r.To.Table == "Förvaltningsobjekt");
    }

    [Fact]
    public void EveryRoleFilter_ReferencesExistingTablesAndColumns_OnDimensionsAccessAndRunTables()
    {
        var problems = new List<string>();
        foreach (var permission in Model.Roles.SelectMany(r => r.TablePermissions))
        {
            var where = $"role {permission.Role}, table '{permission.Table}'";
            if (Model.FindTable(permission.Table) is null)
            {
                problems.Add($"{where}: no such table");
                continue;
            }
            // Facts follow their dimensions through the relationships; the access tables and the run tables (own
            // uploads, successful runs, or nothing), which no dimension reaches, are filtered on their own.
            if (!ModelNames.TableViews[permission.Table].StartsWith("pbi_dim_", StringComparison.Ordinal)
                && !ModelNames.TableViews[permission.Table].StartsWith("pbi_sec_", StringComparison.Ordinal)
                && !ModelNames.TableViews[permission.Table].StartsWith("pbi_etl_", StringComparison.Ordinal))
            {
                problems.Add($"{where}: filters a table that is not a dimension, an access table or a run table");
            }
            problems.AddRange(Unresolved(permission.FilterExpression, permission.Table).Select(p => $"{where}: {p}"));
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void EveryMeasure_ReferencesOnlyExistingTablesColumnsAndMeasures()
    {
        var problems = Model.Measures.SelectMany(m => Unresolved(m.Expression, m.Table).Select(p => $"'{m.Table}'[{m.Name}]: {p}")).ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.All(Model.Measures, m => Assert.NotEmpty(DaxReferences.Extract(m.Expression)));
    }

    /// <summary>
    /// References that name nothing: <c>'T'[X]</c> needs table T with a column or measure X; <c>'T'</c> alone needs
    /// table T; <c>[X]</c> needs a measure X (or, as <c>[@X]</c>, a column the expression itself adds with "@X").
    /// </summary>
    internal static IEnumerable<string> Unresolved(string dax, string homeTable)
    {
        foreach (var reference in DaxReferences.Extract(dax))
        {
            if (reference.Table is null)
            {
                if (reference.Name.StartsWith('@'))
                {
                    if (!dax.Contains($"\"{reference.Name}\"", StringComparison.Ordinal))
                    {
                        yield return $"{reference}: no such column added by the expression";
                    }
                }
                else if (!Model.Measures.Any(m => m.Name == reference.Name))
                {
                    yield return $"{reference}: no such measure";
                }
                continue;
            }
            var table = Model.FindTable(reference.Table);
            if (table is null)
            {
                yield return $"{reference}: no such table";
            }
            else if (reference.Name.Length > 0 && table.Column(reference.Name) is null && table.Measure(reference.Name) is null)
            {
                yield return $"{reference}: no such column or measure in '{table.Name}'";
            }
        }
    }

    [GeneratedRegex(@"(?<![\w.])Vy\(\s*""(?<view>[^""]+)""\s*\)")]
    private static partial Regex VyCall();

    /// <summary>The view a partition's M reads through the shared query: <c>Vy("pbi_…")</c>, once.</summary>
    internal static string? SourceView(TmdlPartition partition) =>
        partition.Source is { } source && VyCall().Matches(source) is { Count: 1 } matches ? matches[0].Groups["view"].Value : null;
}
