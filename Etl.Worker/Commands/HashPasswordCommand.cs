using System.CommandLine;
using System.Text;
using NackaInsights.Etl.Service.Dashboard;

namespace NackaInsights.Etl.Commands;

/// <summary>
/// <c>hash-password</c>: reads a dashboard user's password from standard input, never from an argument (which
/// would stay in the shell's history), and prints its hash for <c>DashboardOptions:Users:N:PasswordHash</c>.
/// </summary>
internal static class HashPasswordCommand
{
    public const string Name = "hash-password";

    public static Command Create(TextWriter stdout, TextWriter stderr) => Create(stdout, stderr, stdin: null);

    /// <param name="stdin">Where the password is read from; the console when null, without echo on a terminal.</param>
    public static Command Create(TextWriter stdout, TextWriter stderr, TextReader? stdin)
    {
        var command = new Command(
            Name,
            "Read a dashboard password from standard input and print its hash for DashboardOptions:Users:N:PasswordHash.");
        command.SetAction(async (_, ct) =>
        {
            var password = stdin is null && !Console.IsInputRedirected
                ? ReadFromTerminal(stderr)
                : await (stdin ?? Console.In).ReadLineAsync(ct);
            if (string.IsNullOrEmpty(password))
            {
                throw new UsageException("No password was given: type it when asked, or pipe it in on one line (e.g. from a password manager).");
            }
            var hash = PasswordHasher.Hash(password);
            await stdout.WriteLineAsync(hash);
            await stderr.WriteLineAsync("Put the hash above in the configuration of the dashboard user, e.g. in appsettings.json under");
            await stderr.WriteLineAsync("DashboardOptions:Users, or as the environment variable (single-quoted in a shell, for the '$'):");
            await stderr.WriteLineAsync($"  DashboardOptions__Users__0__UserName=<name>");
            await stderr.WriteLineAsync($"  DashboardOptions__Users__0__PasswordHash='{hash}'");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Asks twice without echo, so that a typing mistake does not lock the user out.</summary>
    private static string ReadFromTerminal(TextWriter stderr)
    {
        stderr.Write("Password: ");
        var first = ReadHidden();
        stderr.Write("Again: ");
        var second = ReadHidden();
        if (first != second)
        {
            throw new UsageException("The two passwords differ; nothing was hashed.");
        }
        return first;

        string ReadHidden()
        {
            var text = new StringBuilder();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    stderr.WriteLine();
                    return text.ToString();
                }
                if (key.Key == ConsoleKey.Backspace)
                {
                    if (text.Length > 0)
                    {
                        text.Length--;
                    }
                }
                else if (!char.IsControl(key.KeyChar))
                {
                    text.Append(key.KeyChar);
                }
            }
        }
    }
}
