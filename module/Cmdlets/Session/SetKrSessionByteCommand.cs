// Set-KrSessionByte: stores a byte array under -Key in the current request's session.
using System;
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Set-KrSessionByte: stores -Value (may be empty) under -Key as is.</summary>
    [Cmdlet(VerbsCommon.Set, "KrSessionByte")]
    public sealed class SetKrSessionByteCommand : KrRouteCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [KrScriptType(typeof(string))]
        public string Key { get; set; }

        /// <summary>The bytes to store (may be empty).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [AllowEmptyCollection]
        [KrScriptType(typeof(byte[]))]
        public byte[] Value { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                RequireContext().SetSessionBytes(Key, Value);
            }
            catch (Exception error)
            {
                ThrowFailure(error, "KrSetSessionFailed", Key);
            }
        }
    }
}
