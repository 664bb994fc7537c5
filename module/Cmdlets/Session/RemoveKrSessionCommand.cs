// Remove-KrSession: removes -Key from the current request's session.
using System;
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Remove-KrSession: removes -Key and its value (an absent key is not an error).</summary>
    [Cmdlet(VerbsCommon.Remove, "KrSession")]
    public sealed class RemoveKrSessionCommand : KrRouteCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [KrScriptType(typeof(string))]
        public string Key { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                RequireContext().RemoveSession(Key);
            }
            catch (Exception error)
            {
                ThrowFailure(error, "KrRemoveSessionFailed", Key);
            }
        }
    }
}
