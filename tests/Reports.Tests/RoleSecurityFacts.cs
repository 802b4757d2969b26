using System.Text.RegularExpressions;
using NackaInsights.Reports.Tests.Tmdl;

namespace NackaInsights.Reports.Tests;

/// <summary>
/// The roles' reach, derived from the TMDL: each restricted role's table permissions, then the active relationships
/// in the direction security filters take (<see cref="RoleFilters"/>). Every table is filtered in each restricted role
/// unless it is one of the few municipality-wide tables, which hold no unit's, person's or file's data.
/// </summary>
public sealed class RoleSecurityFacts
{
    private static TmdlModel Model => ModelNames.Model;

    [Fact]
    public void EveryTable_IsFilteredInEachRestrictedRole_OrIsMunicipalityWide()
    {
        var problems = new List<string>();
        foreach (var role in RoleFilters.RestrictedRoles)
        {
            var reached = RoleFilters.Reach(Model, role);
            problems.AddRange(Model.Tables.Select(t => t.Name)
                .Where(t => !reached.ContainsKey(t) && !RoleFilters.MunicipalityWide.ContainsKey(t))
                .Select(t => $"role {role} leaves '{t}' unfiltered"));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [InlineData("Verksamhet")]
    [InlineData("Objektsförvaltare")]
    public void Känslighet_IsFilteredThroughInitiativ_LikeTheBusinessCaseItBelongsTo(string role)
    {
        var reached = RoleFilters.Reach(Model, role);

        Assert.Equal("from 'Initiativ' through 'Känslighet → Initiativ'", reached["Känslighet"]);
        Assert.Equal("from 'Initiativ' through 'Nyttokalkyl → Initiativ'", reached["Nyttokalkyl"]);
    }

    [Fact]
    public void TheMunicipalityWideTables_AreNoRolesFilterTarget_SoTheListSaysWhatTheRolesDo()
    {
        // A listed table that a role filters after all means the list (and the docs) no longer tell the truth.
        var problems = new List<string>();
        foreach (var role in RoleFilters.RestrictedRoles)
        {
            var reached = RoleFilters.Reach(Model, role);
            problems.AddRange(RoleFilters.MunicipalityWide.Keys.Where(reached.ContainsKey).Select(t => $"role {role} filters '{t}' ({reached[t]})"));
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.All(RoleFilters.MunicipalityWide.Values, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
    }

    [Fact]
    public void TheReadme_ListsTheSameMunicipalityWideTables()
    {
        var readme = File.ReadAllText(Path.Combine(ReportsFolder.Root, "README.md"));
        var start = readme.IndexOf("**Municipality-wide tables**", StringComparison.Ordinal);
        Assert.True(start >= 0, "reports/README.md has no **Municipality-wide tables** list");
        var rows = readme[start..].Split('\n').Skip(1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2);

        var listed = rows.SelectMany(r => Regex.Matches(r.Split('|')[1], "`([^`]+)`").Select(m => m.Groups[1].Value));

        Assert.Equal(RoleFilters.MunicipalityWide.Keys.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Objektsforvaltare_FiltersEveryTableThatVerksamhetFilters_ThroughPermissionsOnTheSameTablesAtLeast()
    {
        // A person in both roles sees, per table, the union of the two: where Objektsförvaltare left a table
        // unfiltered, the union would show it whole. The rows themselves are compared over the demo warehouse.
        var verksamhet = RoleFilters.Reach(Model, "Verksamhet");
        var forvaltare = RoleFilters.Reach(Model, "Objektsförvaltare");

        Assert.Equal(verksamhet.Keys.Order(StringComparer.Ordinal), forvaltare.Keys.Order(StringComparer.Ordinal));
        var permitted = Model.Roles.Single(r => r.Name == "Verksamhet").TablePermissions.Select(p => p.Table);
        Assert.Superset(permitted.ToHashSet(), Model.Roles.Single(r => r.Name == "Objektsförvaltare").TablePermissions.Select(p => p.Table).ToHashSet());
    }

    [Fact]
    public void NoTablePermission_ReadsATableThatItsOwnTableFilters()
    {
        // A permission on T that reads R, while T's filter reaches R, is circular: Power BI refuses it.
        var problems = new List<string>();
        foreach (var role in Model.Roles)
        {
            var edges = Model.Relationships.Select(SecurityEdge.Of).ToList();
            foreach (var permission in role.TablePermissions)
            {
                var reachedFromIt = RoleFilters.Reach([permission.Table], edges);
                problems.AddRange(DaxReferences.Extract(permission.FilterExpression)
                    .Select(r => r.Table).OfType<string>().Distinct()
                    .Where(t => t != permission.Table && reachedFromIt.ContainsKey(t))
                    .Select(t => $"role {role.Name}: the permission on '{permission.Table}' reads '{t}', which it filters ({reachedFromIt[t]})"));
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Reach_FollowsActiveRelationshipsFromTheOneSide_AndBackOnlyWhereSecurityFiltersBothWays()
    {
        SecurityEdge[] edges =
        [
            new("F → D", "F", "D", IsActive: true, BothWays: false),
            new("G → D", "G", "D", IsActive: false, BothWays: false),
            new("F → Tid", "F", "Tid", IsActive: true, BothWays: false),
            new("Brygga → D", "Brygga", "D", IsActive: true, BothWays: false),
            new("Brygga → Mål", "Brygga", "Mål", IsActive: true, BothWays: true),
            new("H → F", "H", "F", IsActive: true, BothWays: false),
        ];

        var reached = RoleFilters.Reach(["D"], edges);

        // D filters F and Brygga (one side to many), F filters H; Brygga filters Mål back only because security says so;
        // the inactive G → D carries nothing, and F → Tid is never crossed from the many side.
        Assert.Equal(["Brygga", "D", "F", "H", "Mål"], reached.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("table permission", reached["D"]);
        Assert.Equal("from 'F' through 'H → F'", reached["H"]);
        Assert.Equal(["Brygga", "D", "F", "H"], RoleFilters.Reach(["D"], edges.Select(e => e with { BothWays = false })).Keys.Order(StringComparer.Ordinal));
    }
}
