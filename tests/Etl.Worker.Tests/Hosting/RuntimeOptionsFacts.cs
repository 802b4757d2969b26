using System.Text.Json;

namespace NackaInsights.Etl.Tests.Hosting;

/// <summary>
/// The runtime settings the program is built with: <c>nacka-insights.runtimeconfig.json</c> beside these tests, the
/// file the command-line facts run the program with (<see cref="Commands.CliRunner"/>).
/// </summary>
public sealed class RuntimeOptionsFacts
{
    private static JsonElement ConfigProperties()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "nacka-insights.runtimeconfig.json")));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void TheProgram_InvokesByReflectionWithoutEmittingStubs() =>
        Assert.True(ConfigProperties().GetProperty("Switch.System.Reflection.ForceInterpretedInvoke").GetBoolean());

    [Fact]
    public void TheProgram_ResolvesServicesWithoutEmittingCode() =>
        Assert.True(ConfigProperties().GetProperty("Microsoft.Extensions.DependencyInjection.DisableDynamicEngine").GetBoolean());

    [Fact]
    public void TheProgram_KeepsItsWorkstationCollectorAndShortCallCountingDelay()
    {
        var properties = ConfigProperties();
        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(20, properties.GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());
    }
}
