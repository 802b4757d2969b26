using System.CommandLine;

namespace NackaInsights.Etl.Commands;

/// <summary><c>template business-case|actuals</c>: the workbook templates, one subcommand each.</summary>
internal static class TemplateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr) =>
        new("template", "Write a workbook template.") { TemplateBusinessCaseCommand.Create(stdout, stderr), TemplateActualsCommand.Create(stdout, stderr) };
}
