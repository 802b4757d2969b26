using System.Runtime.InteropServices;

namespace NackaInsights.Etl.Commands;

/// <summary>
/// Stop signals to a command: SIGTERM (systemd, <c>docker stop</c>), SIGINT (Ctrl+C) and SIGQUIT. The first cancels the
/// command's token and lets it end in order: a run stops, rolls back and records itself as cancelled, and the command
/// exits with its own code, 3 for a failed run (cli.md). System.CommandLine's own handling is not used: it waits two
/// seconds and then exits with 130 or 143 in the middle of the rollback, before the run is recorded. A second signal
/// is left to the runtime, which ends the process at once; the warehouse's transactions leave it as it was even then.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly TextWriter _stderr;
    private readonly CancellationTokenSource _cancel;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;

    public TerminationSignals(TextWriter stderr, CancellationToken ct)
    {
        _stderr = stderr;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    /// <summary>Cancelled by the first stop signal, or by the caller's token.</summary>
    public CancellationToken Token => _cancel.Token;

    private void OnSignal(PosixSignalContext context)
    {
        var name = context.Signal.ToString();
        if (Interlocked.Increment(ref _received) > 1)
        {
            _stderr.WriteLine($"{name} received again: stopping at once.");
            return;
        }
        context.Cancel = true;
        if (CommandHost.Interactive)
        {
            // On a line of its own, not at the end of the progress line.
            _stderr.Write("\r\x1b[2K");
        }
        _stderr.WriteLine($"{name} received: stopping. A run in progress is rolled back and publishes nothing; send it again to stop at once.");
        _cancel.Cancel();
    }

    public void Dispose()
    {
        _registrations.ForEach(r => r.Dispose());
        _cancel.Dispose();
    }
}
