// Get-KrSessionByte: the bytes stored under -Key in the current request's session, as one byte[], or nothing.
using System;
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Get-KrSessionByte: the bytes stored under -Key as one byte[] (not unrolled), or nothing when absent.</summary>
    [Cmdlet(VerbsCommon.Get, "KrSessionByte")]
    [OutputType(typeof(byte[]))]
    public sealed class GetKrSessionByteCommand : KrRouteCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [KrScriptType(typeof(string))]
        public string Key { get; set; }

        protected override void ProcessRecord()
        {
            byte[] bytes;
            try
            {
                bytes = RequireContext().GetSessionBytes(Key);
            }
            catch (Exception error)
            {
                ThrowFailure(error, "KrGetSessionFailed", Key);
                return;
            }
            if (bytes != null)
            {
                // One byte[] object, not one pipeline object per byte.
                WriteObject(bytes, false);
            }
        }
    }
}
