using NackaInsights.TestSupport;

[assembly: AssemblyFixture(typeof(PostgresCluster))]
