// Clear-KrSession: removes every key from the current request's session.
using System;
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Clear-KrSession: removes every key of the session (e.g. on logout).</summary>
    [Cmdlet(VerbsCommon.Clear, "KrSession")]
    public sealed class ClearKrSessionCommand : KrRouteCmdlet
    {
        protected override void ProcessRecord()
        {
            try
            {
                RequireContext().ClearSession();
            }
            catch (Exception error)
            {
                ThrowFailure(error, "KrClearSessionFailed", null);
            }
        }
    }
}
