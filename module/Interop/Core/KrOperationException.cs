// What a PowerShell user reads when an engine call fails: "<Operation> failed: <the library's message>", without the
// status name (KR_*) that KrException's own Message carries for diagnostics. KestrunRust.Cmdlets.KrErrorRecords puts it in
// the ErrorRecords of the commands; the original KrException is its InnerException.
using System;
using System.Globalization;

namespace KestrunRust
{
    /// <summary>A <see cref="KrException"/> whose <see cref="Message"/> is written for users: the operation (a
    /// description such as "adding the route 'GET /d'", capitalized) and the native message. Status, Operation,
    /// NativeMessage and CategoryName are those of the wrapped exception.</summary>
    public sealed class KrOperationException : KrException
    {
        private readonly string _message;

        public KrOperationException(KrException error)
            : base((error ?? throw new ArgumentNullException(nameof(error))).Status, error.Operation, error.NativeMessage, error)
        {
            _message = UserMessage(error.Status, error.Operation, error.NativeMessage);
        }

        public override string Message
        {
            get { return _message; }
        }

        /// <summary>The exception to show a user: <paramref name="error"/> itself when it already is one.</summary>
        public static KrException ForUser(KrException error)
        {
            if (error == null)
            {
                throw new ArgumentNullException(nameof(error));
            }
            return error as KrOperationException ?? new KrOperationException(error);
        }

        /// <summary>"Adding the route 'GET /d' failed: route GET /d overlaps the existing route for /d".</summary>
        public static string UserMessage(KrStatus status, string operation, string nativeMessage)
        {
            string op = string.IsNullOrEmpty(operation)
                ? "The operation"
                : char.ToUpper(operation[0], CultureInfo.InvariantCulture) + operation.Substring(1);
            string detail = string.IsNullOrEmpty(nativeMessage) ? Describe(status) + "." : nativeMessage;
            return op + " failed: " + detail;
        }

        /// <summary>A few words on a status, for failures the library gave no message for.</summary>
        public static string Describe(KrStatus status)
        {
            switch (status)
            {
                case KrStatus.NotFound: return "not found";
                case KrStatus.NullArgument: return "a required value is missing";
                case KrStatus.InvalidUtf8: return "a text is not valid UTF-8";
                case KrStatus.InvalidArgument: return "invalid argument";
                case KrStatus.InvalidHandle: return "the object is no longer valid";
                case KrStatus.InvalidState: return "not possible in the current state";
                case KrStatus.BindFailed: return "an address could not be bound";
                case KrStatus.TlsError: return "TLS error";
                case KrStatus.IoError: return "I/O error";
                case KrStatus.NoSession: return "the server has no sessions (Add-KrSession)";
                case KrStatus.Timeout: return "timed out";
                case KrStatus.Panic:
                case KrStatus.Internal: return "internal error of the engine";
                default: return "error " + ((int)status).ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Checks of native statuses whose operation text names an argument: the text is formatted only when
    /// the call failed (hot paths such as header reads do not pay for it).</summary>
    public static class KrOperation
    {
        /// <summary>Throws a <see cref="KrException"/> when <paramref name="status"/> is not KR_OK, with the
        /// operation <paramref name="format"/> ("reading the request header '{0}'") formatted with
        /// <paramref name="argument"/>.</summary>
        public static void Check(KrStatus status, string format, string argument)
        {
            if (status != KrStatus.Ok)
            {
                KrError.Check(status, string.Format(CultureInfo.InvariantCulture, format, argument ?? string.Empty));
            }
        }

        /// <summary>"127.0.0.1:8080", "[::1]:8080".</summary>
        public static string Address(string address, int port)
        {
            string host = address != null && address.IndexOf(':') >= 0 && !address.StartsWith("[", StringComparison.Ordinal)
                ? "[" + address + "]"
                : address;
            return host + ":" + port.ToString(CultureInfo.InvariantCulture);
        }
    }
}
