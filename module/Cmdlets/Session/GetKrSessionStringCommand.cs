// Get-KrSessionString: the string stored under -Key in the current request's session, or $null.
using System;
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Get-KrSessionString: the string stored under -Key (UTF-8), or $null when absent.</summary>
    [Cmdlet(VerbsCommon.Get, "KrSessionString")]
    [OutputType(typeof(string))]
    public sealed class GetKrSessionStringCommand : KrRouteCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [KrScriptType(typeof(string))]
        public string Key { get; set; }

        protected override void ProcessRecord()
        {
            string value;
            try
            {
                value = RequireContext().GetSessionString(Key);
            }
            catch (Exception error)
            {
                ThrowFailure(error, "KrGetSessionFailed", Key);
                return;
            }
            WriteObject(value);
        }
    }
}
