// Get-KrSessionInt32: the int32 stored under -Key in the current request's session, or $null.
using System;
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Get-KrSessionInt32: the int32 stored under -Key (4 bytes, big-endian), or $null when absent.</summary>
    [Cmdlet(VerbsCommon.Get, "KrSessionInt32")]
    [OutputType(typeof(int))]
    public sealed class GetKrSessionInt32Command : KrRouteCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [KrScriptType(typeof(string))]
        public string Key { get; set; }

        protected override void ProcessRecord()
        {
            int? value;
            try
            {
                value = RequireContext().GetSessionInt32(Key);
            }
            catch (Exception error)
            {
                ThrowFailure(error, "KrGetSessionFailed", Key);
                return;
            }
            // A boxed int, or null (written as $null, as the method call of the script command did).
            WriteObject(value);
        }
    }
}
