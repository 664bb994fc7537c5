// The base of every compiled command of the module: a step whose failure becomes the command's terminating error,
// built by KrErrorRecords (module/Cmdlets/KrRouteCmdlet.cs) with a category that says what went wrong and a message
// without internal kr_* names; the FullyQualifiedErrorId is '<error id>,<implementing type>', as for every cmdlet.

namespace KestrunRust.Cmdlets
{
    /// <summary>A command of the module.</summary>
    public abstract class KrCmdlet : PSCmdlet
    {
        /// <summary>True when <paramref name="parameterName"/> was given (the script commands' $PSBoundParameters.ContainsKey).</summary>
        protected bool IsBound(string parameterName)
        {
            return MyInvocation.BoundParameters.ContainsKey(parameterName);
        }

        /// <summary>Stops the command with the error record a user should see for <paramref name="error"/>.</summary>
        protected void ThrowFailure(Exception error, string errorId, object target)
        {
            ThrowTerminatingError(KrErrorRecords.For(error, errorId, target));
        }

        /// <summary>True for an exception that is the command's failure; false for the pipeline being stopped
        /// (Ctrl+C), which no script catch block sees either.</summary>
        protected static bool IsFailure(Exception error)
        {
            return !(error is PipelineStoppedException);
        }

        /// <summary>Runs <paramref name="step"/> and returns its result; when it throws, the command stops with the
        /// error <paramref name="errorId"/> (target: <paramref name="target"/>, else the failure's own).</summary>
        protected T RunStep<T>(string errorId, object target, Func<T> step)
        {
            try
            {
                return step();
            }
            catch (Exception error) when (IsFailure(error))
            {
                ThrowFailure(error, errorId, target);
                throw;
            }
        }

        /// <summary>Runs <paramref name="step"/>; when it throws, the command stops with the error <paramref name="errorId"/>.</summary>
        protected void RunStep(string errorId, object target, Action step)
        {
            RunStep<object>(errorId, target, () =>
            {
                step();
                return null;
            });
        }
    }
}
