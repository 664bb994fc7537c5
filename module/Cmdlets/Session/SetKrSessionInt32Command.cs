// Set-KrSessionInt32: stores an int32 under -Key in the current request's session.
using System;
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Set-KrSessionInt32: stores -Value under -Key (4 bytes, big-endian).</summary>
    [Cmdlet(VerbsCommon.Set, "KrSessionInt32")]
    public sealed class SetKrSessionInt32Command : KrRouteCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [KrScriptType(typeof(string))]
        public string Key { get; set; }

        /// <summary>The integer to store.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [KrScriptType(typeof(int))]
        public int Value { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                RequireContext().SetSessionInt32(Key, Value);
            }
            catch (Exception error)
            {
                ThrowFailure(error, "KrSetSessionFailed", Key);
            }
        }
    }
}
