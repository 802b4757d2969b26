using Microsoft.Extensions.Options;

namespace NackaInsights.Etl.Hosting;

/// <summary>The one way settings are bound: from their section, checked at start, and a wrong one stops the program naming it (exit 2).</summary>
public static class ValidatedOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to the configuration section <paramref name="section"/> and checks it at start:
    /// with <paramref name="validate"/> when the settings check themselves (each problem naming its setting), else
    /// with their data annotations. The bound value is also registered as a singleton, for the services that take
    /// their settings as they are.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IHostApplicationBuilder builder, string section, Func<T, IEnumerable<string>>? validate = null)
        where T : class
    {
        var options = builder.Services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        if (validate is null)
        {
            options.ValidateDataAnnotations();
        }
        else
        {
            builder.Services.AddSingleton<IValidateOptions<T>>(new SettingsValidation<T>(validate));
        }
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return options;
    }

    private sealed class SettingsValidation<T>(Func<T, IEnumerable<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var problems = validate(options).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
