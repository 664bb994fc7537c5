// Set-KrSessionString: stores a string under -Key in the current request's session.
using System;
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Set-KrSessionString: stores -Value (UTF-8) under -Key; '' is a value.</summary>
    [Cmdlet(VerbsCommon.Set, "KrSessionString")]
    public sealed class SetKrSessionStringCommand : KrRouteCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [KrScriptType(typeof(string))]
        public string Key { get; set; }

        /// <summary>The string to store.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [AllowEmptyString]
        [KrScriptType(typeof(string))]
        public string Value { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                RequireContext().SetSessionString(Key, Value);
            }
            catch (Exception error)
            {
                ThrowFailure(error, "KrSetSessionFailed", Key);
            }
        }
    }
}
