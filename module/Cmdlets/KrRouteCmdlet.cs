// The base of the compiled commands that routes call on every request (the current request), and the error records
// of every command of the module: a category that says what went wrong, and messages written for users
// (KrOperationException), never an internal kr_* name.
using System.IO;
using System.Reflection;

namespace KestrunRust.Cmdlets
{
    /// <summary>A cmdlet that runs inside a route script block.</summary>
    public abstract class KrRouteCmdlet : KrCmdlet
    {
        /// <summary>The request being served on this thread; throws KrNoRequestException outside a route.</summary>
        protected KrRequestContext RequireContext()
        {
            return KrRequestContext.RequireCurrent(MyInvocation.MyCommand.Name);
        }
    }

    /// <summary>Error records for the module's commands.</summary>
    public static class KrErrorRecords
    {
        /// <summary>The error record for <paramref name="error"/>: the exception unwrapped from invocation wrappers,
        /// a category that says what went wrong, and a message without internal names.</summary>
        public static ErrorRecord For(Exception error, string errorId, object target)
        {
            if (error == null)
            {
                throw new ArgumentNullException(nameof(error));
            }
            ErrorCategory? fromRecord = null;
            if (error is IContainsErrorRecord withRecord && withRecord.ErrorRecord != null)
            {
                fromRecord = withRecord.ErrorRecord.CategoryInfo.Category;
                if (target == null)
                {
                    target = withRecord.ErrorRecord.TargetObject;
                }
            }
            return Build(error, fromRecord, errorId, target);
        }

        private static ErrorRecord Build(Exception error, ErrorCategory? fromRecord, string errorId, object target)
        {
            Exception exception = error;
            while (exception.InnerException != null &&
                   (exception is MethodInvocationException || exception is GetValueInvocationException ||
                    exception is SetValueInvocationException || exception is TargetInvocationException))
            {
                exception = exception.InnerException;
            }
            ErrorCategory category = ErrorCategory.NotSpecified;
            if (exception is KrException kr)
            {
                if (!Enum.TryParse(kr.CategoryName, out category))
                {
                    category = ErrorCategory.NotSpecified;
                }
                exception = KrOperationException.ForUser(kr);
            }
            else if (exception is KrNoRequestException || exception is InvalidOperationException)
            {
                category = ErrorCategory.InvalidOperation;
            }
            else if (exception is KeyNotFoundException || exception is FileNotFoundException)
            {
                category = ErrorCategory.ObjectNotFound;
            }
            else if (exception is ArgumentException)
            {
                category = ErrorCategory.InvalidArgument;
            }
            else if (exception is FormatException)
            {
                category = ErrorCategory.InvalidData;
            }
            else if (exception is DllNotFoundException || exception is EntryPointNotFoundException)
            {
                category = ErrorCategory.NotInstalled;
            }
            else if (exception is RuntimeException && fromRecord.HasValue)
            {
                category = fromRecord.Value;
            }
            return new ErrorRecord(exception, errorId, category, target);
        }
    }
}
