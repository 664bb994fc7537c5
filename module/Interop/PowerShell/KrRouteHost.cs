// The PowerShell host of the route runspaces: what a route writes to the warning, verbose, debug and information streams
// (Write-Warning, Write-Verbose -Verbose, Write-Debug, Write-Information, Write-Host) reaches the server's log when it is
// written, whichever way the route was run (see KrRunspaceHost). The host is not interactive: a route that prompts
// (Read-Host, a confirmation) gets an error. Text written straight to the host (Out-Host, Out-Default) is dropped, as it
// was with no host at all: a route answers through its response, and the log gets the streams.
using System.Collections.ObjectModel;
using System.Management.Automation.Host;
using System.Security;

namespace KestrunRust
{
    /// <summary>The host of every route runspace of a server.</summary>
    public sealed class KrRouteHost : PSHost
    {
        private readonly Guid _instanceId = Guid.NewGuid();
        private readonly KrRouteHostUI _ui = new KrRouteHostUI();

        public override string Name => "Kestrun.Rust";

        public override Version Version => typeof(KrRouteHost).Assembly.GetName().Version ?? new Version(1, 0);

        public override Guid InstanceId => _instanceId;

        public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;

        public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;

        public override PSHostUserInterface UI => _ui;

        public override void EnterNestedPrompt()
        {
            throw NotInteractive("a nested prompt");
        }

        public override void ExitNestedPrompt()
        {
            throw NotInteractive("a nested prompt");
        }

        public override void NotifyBeginApplication()
        {
        }

        public override void NotifyEndApplication()
        {
        }

        /// <summary>`exit` in a route ends that route only, never the server.</summary>
        public override void SetShouldExit(int exitCode)
        {
        }

        internal static HostException NotInteractive(string what)
        {
            return new HostException("A route cannot ask for " + what + ": Kestrun.Rust runs routes without a console.",
                null, "KrRouteNotInteractive", ErrorCategory.NotImplemented);
        }
    }

    /// <summary>Forwards the informational streams to the server's log.</summary>
    internal sealed class KrRouteHostUI : PSHostUserInterface
    {
        public override PSHostRawUserInterface RawUI => null;

        public override void WriteWarningLine(string message)
        {
            KrLog.TryWrite(KrLogLevel.Warning, message);
        }

        public override void WriteVerboseLine(string message)
        {
            KrLog.TryWrite(KrLogLevel.Verbose, message);
        }

        public override void WriteDebugLine(string message)
        {
            KrLog.TryWrite(KrLogLevel.Debug, message);
        }

        /// <summary>Write-Information and Write-Host (whose text also comes through <see cref="WriteLine(string)"/>,
        /// dropped so that it is logged once).</summary>
        public override void WriteInformation(InformationRecord record)
        {
            if (record != null)
            {
                KrLog.TryWrite(KrLogLevel.Information, Convert.ToString(record.MessageData, CultureInfo.InvariantCulture));
            }
        }

        public override void Write(string value)
        {
        }

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value)
        {
        }

        public override void WriteLine(string value)
        {
        }

        /// <summary>Errors reach the log through the route's failure (KrRunspaceHost), not as host text.</summary>
        public override void WriteErrorLine(string value)
        {
        }

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            throw KrRouteHost.NotInteractive("input (" + (caption ?? message) + ")");
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            throw KrRouteHost.NotInteractive("a choice (" + (caption ?? message) + ")");
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
        {
            throw KrRouteHost.NotInteractive("a credential");
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
        {
            throw KrRouteHost.NotInteractive("a credential");
        }

        public override string ReadLine()
        {
            throw KrRouteHost.NotInteractive("input");
        }

        public override SecureString ReadLineAsSecureString()
        {
            throw KrRouteHost.NotInteractive("input");
        }
    }
}
