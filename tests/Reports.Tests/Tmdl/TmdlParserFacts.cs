namespace NackaInsights.Reports.Tests.Tmdl;

/// <summary>The TMDL parser reads the constructs the project uses, and fails, naming the line, on what it does not understand.</summary>
public sealed class TmdlParserFacts
{
    private const string Sample = """
        /// Försäljning per dag.
        /// Andra raden.
        table 'Sälj ''A'''
        	isHidden
        	dataCategory: Time

        	/// Summan.
        	measure Summa =
        			VAR x = SUM('Sälj ''A'''[Belopp])

        			RETURN x
        		formatString: #,0 "kr"

        	measure 'En rad' = [Summa] * 2

        	column Belopp
        		dataType: decimal
        		isHidden
        		sourceColumn: amount_sek

        		annotation Note = ja

        	partition 'Sälj ''A''' = m
        		mode: import
        		source =
        				let
        				    Källa = Sql.Database(Server, Database)
        				in
        				    Källa

        	partition Två = m
        		mode: import
        		source = ```
        				let x = 1
        				in x
        				```

        """;

    [Fact]
    public void Parse_ReadsObjectsPropertiesFlagsDescriptionsAndExpressions()
    {
        var roots = TmdlParser.Parse(Sample, "sample.tmdl");

        var table = Assert.Single(roots);
        Assert.Equal("table", table.Keyword);
        Assert.Equal("Sälj 'A'", table.Name);
        Assert.Equal("Försäljning per dag.\nAndra raden.", table.Description);
        Assert.True(table.Has("isHidden"));
        Assert.Equal("Time", table.Property("dataCategory"));

        var measures = table.ChildrenOf("measure").ToList();
        Assert.Equal("VAR x = SUM('Sälj ''A'''[Belopp])\n\nRETURN x", measures[0].Expression);
        Assert.Equal("Summan.", measures[0].Description);
        Assert.Equal("#,0 \"kr\"", measures[0].Property("formatString"));
        Assert.Equal("[Summa] * 2", measures[1].Expression);

        var column = Assert.Single(table.ChildrenOf("column"));
        Assert.Equal("amount_sek", column.Property("sourceColumn"));
        Assert.Equal("ja", Assert.Single(column.ChildrenOf("annotation")).Expression);

        var partitions = table.ChildrenOf("partition").ToList();
        Assert.Equal("m", partitions[0].Expression);
        Assert.Equal("let\n    Källa = Sql.Database(Server, Database)\nin\n    Källa", partitions[0].ExpressionProperties["source"]);
        Assert.Equal("let x = 1\nin x", partitions[1].ExpressionProperties["source"]);
    }

    [Fact]
    public void Parse_ReadsAMeasureTable_DisplayFoldersAndACalculatedPartition()
    {
        const string text = "table 'Mått'\n\n\tmeasure 'Antal' = COUNTROWS('T')\n\t\tformatString: 0\n\t\tdisplayFolder: Initiativ\n\n" +
            "\tcolumn Placeholder\n\t\tdataType: string\n\t\tisHidden\n\t\tisNameInferred\n\t\tisDataTypeInferred\n\t\tsummarizeBy: none\n\t\tsourceColumn: [Placeholder]\n\n" +
            "\tpartition 'Mått' = calculated\n\t\tmode: import\n\t\tsource = Row(\"Placeholder\", BLANK())\n";

        var table = Assert.Single(TmdlParser.Parse(text, "Mått.tmdl"));

        Assert.Equal("Initiativ", table.ChildrenOf("measure").Single().Property("displayFolder"));
        Assert.Equal("[Placeholder]", table.ChildrenOf("column").Single().Property("sourceColumn"));
        var partition = table.ChildrenOf("partition").Single();
        Assert.Equal(("calculated", "import", "Row(\"Placeholder\", BLANK())"), (partition.Expression, partition.Property("mode"), partition.ExpressionProperties["source"]));
    }

    [Fact]
    public void Parse_ReadsAWhatIfParameter_ItsColumnsParameterMetadataAndItsSeries()
    {
        // As Power BI Desktop writes a numeric range parameter: the column's extended property marks it as one.
        const string text = "table 'Tröskel'\n\n\tcolumn 'Tröskel'\n\t\tdataType: int64\n\t\tformatString: 0\n\t\tsummarizeBy: none\n\t\tsourceColumn: [Value]\n\n" +
            "\t\textendedProperty ParameterMetadata =\n\t\t\t\t{\n\t\t\t\t  \"version\": 0\n\t\t\t\t}\n\n" +
            "\t\tannotation SummarizationSetBy = User\n\n" +
            "\tpartition 'Tröskel' = calculated\n\t\tmode: import\n\t\tsource = GENERATESERIES(0, 365, 5)\n";

        var table = Assert.Single(TmdlParser.Parse(text, "Tröskel.tmdl"));

        var column = table.ChildrenOf("column").Single();
        Assert.Equal("{\n  \"version\": 0\n}", Assert.Single(column.ChildrenOf("extendedProperty"), p => p.Name == "ParameterMetadata").Expression);
        Assert.Equal("User", Assert.Single(column.ChildrenOf("annotation")).Expression);
        Assert.Equal("GENERATESERIES(0, 365, 5)", table.ChildrenOf("partition").Single().ExpressionProperties["source"]);
    }

    [Fact]
    public void Parse_GivesRootAnnotationsAndRefsOfModelTmdlToTheModel()
    {
        var roots = TmdlParser.Parse("model Model\n\tculture: sv-SE\n\tdiscourageImplicitMeasures\n\nannotation A = 0\n\nref table 'Nyttokalkyl per år'\nref cultureInfo sv-SE\n", "model.tmdl");

        var model = Assert.Single(roots);
        Assert.True(model.Has("discourageImplicitMeasures"));
        Assert.Equal("0", Assert.Single(model.ChildrenOf("annotation")).Expression);
        Assert.Equal(["table:Nyttokalkyl per år", "cultureInfo:sv-SE"], model.ChildrenOf("ref").Select(r => $"{r.RefKind}:{r.Name}"));
    }

    [Theory]
    [InlineData("table T\n\tcolum X\n\t\tdataType: string\n", 2, "'colum' is not a keyword")]
    [InlineData("table T\n\tcolumn X\n\t\tdataTyp: string\n", 3, "has no property 'dataTyp'")]
    [InlineData("table T\n\tcolumn X\n\t\tisHiden\n", 3, "'isHiden' is not a keyword")]
    [InlineData("table T\n    column X\n", 2, "indentation must be tabs")]
    [InlineData("table T\n\t\tcolumn X\n", 2, "indented 2 tabs where 1 were expected")]
    [InlineData("table T\n\tcolumn X\n\t\tsourceColumn: x\n\t\tsourceColumn: y\n", 4, "sets 'sourceColumn' twice")]
    [InlineData("table T\n\tmeasure M\n\t\tformatString: 0\n", 2, "needs '= expression'")]
    [InlineData("table T\n\tmeasure M =\n\t\tformatString: 0\n", 2, "is empty")]
    [InlineData("table T\n\tcolumn X = 1\n", 2, "takes no '= expression'")]
    [InlineData("table T\n\t/// nothing follows\n", 2, "description with no object")]
    [InlineData("table T\n\t/// a property follows\n\tisHidden\n", 3, "description before the flag")]
    [InlineData("table 'T\n", 1, "no closing quote")]
    [InlineData("table T extra\n", 1, "unexpected text after table T")]
    [InlineData("role R\n\tcolumn X\n", 2, "'column' cannot stand under role R")]
    [InlineData("ref table T\n", 1, "root of a file with no model")]
    [InlineData("table T\n\tpartition P = m\n\t\tsource = ```\n\t\t\t\tlet\n", 3, "``` block is not closed")]
    [InlineData("table T\n\tcolumn X\n\tcolumn X\n", 3, "holds column X twice")]
    public void Parse_RejectsWhatItDoesNotUnderstand_NamingTheLine(string text, int line, string message)
    {
        var error = Assert.Throws<TmdlException>(() => TmdlParser.Parse(text, "bad.tmdl"));

        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RejectsAModelThatRefersToAMissingTable()
    {
        using var dir = new NackaInsights.TestSupport.TempDirectory("tmdl");
        File.WriteAllText(Path.Combine(dir.Path, "database.tmdl"), "database\n\tcompatibilityLevel: 1567\n");
        File.WriteAllText(Path.Combine(dir.Path, "model.tmdl"), "model Model\n\tculture: sv-SE\n\nref table Saknas\n");

        var error = Assert.Throws<TmdlException>(() => TmdlModel.Load(dir.Path));

        Assert.Contains("ref table Saknas: no such table", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReadsARelationshipsFilterDirections_AndWhetherItIsActive()
    {
        using var dir = new NackaInsights.TestSupport.TempDirectory("tmdl");
        File.WriteAllText(Path.Combine(dir.Path, "database.tmdl"), "database\n");
        File.WriteAllText(Path.Combine(dir.Path, "model.tmdl"), "model Model\n");
        File.WriteAllText(Path.Combine(dir.Path, "relationships.tmdl"),
            "relationship Båda\n\tcrossFilteringBehavior: bothDirections\n\tsecurityFilteringBehavior: bothDirections\n\tfromColumn: A.x\n\ttoColumn: B.x\n\n" +
            "relationship Enkel\n\tcrossFilteringBehavior: bothDirections\n\tisActive: false\n\tfromColumn: A.y\n\ttoColumn: C.y\n");

        var relationships = TmdlModel.Load(dir.Path).Relationships.ToDictionary(r => r.Name);

        Assert.True(relationships["Båda"].SecurityFiltersBothWays);
        Assert.True(relationships["Båda"].IsActive);
        // Cross-filtering both ways says nothing of security filters, which then keep to one direction.
        Assert.Equal("bothDirections", relationships["Enkel"].CrossFilteringBehavior);
        Assert.Null(relationships["Enkel"].SecurityFilteringBehavior);
        Assert.False(relationships["Enkel"].SecurityFiltersBothWays);
        Assert.False(relationships["Enkel"].IsActive);
    }

    [Fact]
    public void Load_RejectsARelationshipColumnThatIsNotTableDotColumn()
    {
        using var dir = new NackaInsights.TestSupport.TempDirectory("tmdl");
        File.WriteAllText(Path.Combine(dir.Path, "database.tmdl"), "database\n");
        File.WriteAllText(Path.Combine(dir.Path, "model.tmdl"), "model Model\n");
        File.WriteAllText(Path.Combine(dir.Path, "relationships.tmdl"), "relationship R\n\tfromColumn: 'A B'\n\ttoColumn: C.D\n");

        var error = Assert.Throws<TmdlException>(() => TmdlModel.Load(dir.Path));

        Assert.Contains("fromColumn: ''A B'' is not Table.Column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DaxReferences_SkipStringsAndComments_AndReadQualifiedAndBareReferences()
    {
        var dax = "CALCULATE([Summa], 'Sälj ''A'''[Belopp] > 0, Tabell[Kol]]umn] = \"[inte]\", REMOVEFILTERS('År')) // [inte heller]\n/* 'X'[Y] */ + [@Status]";

        var references = DaxReferences.Extract(dax).Select(r => r.ToString());

        Assert.Equal(["[Summa]", "'Sälj 'A''[Belopp]", "'Tabell'[Kol]umn]", "'År'[]", "[@Status]"], references);
    }
}
