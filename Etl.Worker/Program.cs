using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Hosting;

// This process is the program: what it compiles as it runs is recorded, and compiled ahead the next time (JitProfiles).
JitProfiles.ForThisProcess();
return await NackaInsightsCommandLine.InvokeAsync(args, Console.Out, Console.Error);
