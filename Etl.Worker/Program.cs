using NackaInsights.Etl.Commands;

return await NackaInsightsCommandLine.InvokeAsync(args, Console.Out, Console.Error);
