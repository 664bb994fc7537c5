// Maps KrStatus to exceptions carrying the native last-error message (kr_last_error_message); status names come
// from the library (kr_status_name).
using System;
using System.Runtime.InteropServices;

namespace KestrunRust
{
    /// <summary>A kr_* call failed. <see cref="Status"/> is the native status, <see cref="NativeMessage"/> the
    /// calling thread's last error message right after the call.</summary>
    public class KrException : Exception
    {
        public KrException(KrStatus status, string operation, string nativeMessage)
            : base(Format(status, operation, nativeMessage))
        {
            Status = status;
            Operation = operation;
            NativeMessage = nativeMessage ?? string.Empty;
        }

        public KrException(KrStatus status, string operation, string nativeMessage, Exception inner)
            : base(Format(status, operation, nativeMessage), inner)
        {
            Status = status;
            Operation = operation;
            NativeMessage = nativeMessage ?? string.Empty;
        }

        public KrStatus Status { get; }

        /// <summary>The native function or action that failed (e.g. "kr_server_start").</summary>
        public string Operation { get; }

        /// <summary>kr_last_error_message right after the failing call ("" when none).</summary>
        public string NativeMessage { get; }

        /// <summary>The name of the matching System.Management.Automation.ErrorCategory (kept as a string so this
        /// file does not depend on PowerShell).</summary>
        public string CategoryName
        {
            get { return KrError.CategoryOf(Status); }
        }

        /// <summary>KR_OK-style name of the status, as in the C header.</summary>
        public string StatusName
        {
            get { return KrError.StatusName(Status); }
        }

        private static string Format(KrStatus status, string operation, string nativeMessage)
        {
            string name = KrError.StatusName(status);
            if (string.IsNullOrEmpty(nativeMessage))
            {
                return string.Format("{0} failed with {1}.", operation, name);
            }
            return string.Format("{0} failed with {1}: {2}", operation, name, nativeMessage);
        }
    }

    /// <summary>Raised by the route commands when they run outside of a route callback (no current request)
    /// or after the request context they hold has ended.</summary>
    public class KrNoRequestException : InvalidOperationException
    {
        public KrNoRequestException(string message) : base(message)
        {
        }
    }

    public static class KrError
    {
        /// <summary>Throws a <see cref="KrException"/> when <paramref name="status"/> is not KR_OK.</summary>
        public static void Check(KrStatus status, string operation)
        {
            if (status != KrStatus.Ok)
            {
                throw new KrException(status, operation, LastErrorMessage());
            }
        }

        /// <summary>Throws a <see cref="KrException"/> naming the argument when <paramref name="status"/> is not KR_OK.</summary>
        public static void Check(KrStatus status, string operation, string argument)
        {
            if (status != KrStatus.Ok)
            {
                throw new KrException(status, operation + "('" + argument + "')", LastErrorMessage());
            }
        }

        /// <summary>This thread's last native error message ("" when none or when the library cannot say).</summary>
        public static string LastErrorMessage()
        {
            try
            {
                return KrUtf8.ReadStringNoThrow(KrFn.LastError) ?? string.Empty;
            }
            catch (Exception)
            {
                return string.Empty;
            }
        }

        /// <summary>The status's name as spelled in the C header ("KR_OK"), from the library (kr_status_name); "KrStatus(n)"
        /// for a value the library does not name.</summary>
        public static string StatusName(KrStatus status)
        {
            IntPtr name = IntPtr.Zero;
            try
            {
                name = KrNative.kr_status_name(status);
            }
            catch (DllNotFoundException)
            {
            }
            catch (EntryPointNotFoundException)
            {
            }
            if (name != IntPtr.Zero)
            {
                return Marshal.PtrToStringUTF8(name) ?? string.Empty;
            }
            return "KrStatus(" + ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";
        }

        /// <summary>Name of the System.Management.Automation.ErrorCategory that fits a status.</summary>
        public static string CategoryOf(KrStatus status)
        {
            switch (status)
            {
                case KrStatus.NotFound: return "ObjectNotFound";
                case KrStatus.NullArgument:
                case KrStatus.InvalidUtf8:
                case KrStatus.InvalidArgument: return "InvalidArgument";
                case KrStatus.InvalidHandle:
                case KrStatus.InvalidState:
                case KrStatus.NoSession: return "InvalidOperation";
                case KrStatus.BindFailed: return "ResourceUnavailable";
                case KrStatus.TlsError: return "SecurityError";
                case KrStatus.IoError: return "WriteError";
                case KrStatus.Timeout: return "OperationTimeout";
                default: return "NotSpecified";
            }
        }
    }
}
