// The session commands: Get-KrSessionByte / -Int32 / -String, Set-KrSessionByte / -Int32 / -String,
// Remove-KrSession, Clear-KrSession and Reset-KrSessionId. Each is one call to the current request's session
// (KrRequestContext); the base runs it, writes its result after it (an error of a later command in the pipeline is
// not this command's), and turns a failure into the command's error record (KrGetSessionFailed / KrSetSessionFailed /
// KrRemoveSessionFailed / KrClearSessionFailed / KrResetSessionIdFailed, the key as target).

namespace KestrunRust.Cmdlets
{
    /// <summary>A command over the current request's session: one call, one error id.</summary>
    public abstract class KrSessionCmdlet : KrRouteCmdlet
    {
        /// <summary>What <see cref="Run"/> returns when the command writes nothing.</summary>
        protected static readonly object NoOutput = new object();

        private readonly string _errorId;

        /// <param name="errorId">The error id of the command's errors.</param>
        protected KrSessionCmdlet(string errorId)
        {
            _errorId = errorId;
        }

        /// <summary>The target of the command's error records (the key; null for the whole session).</summary>
        protected virtual object ErrorTarget
        {
            get { return null; }
        }

        /// <summary>Does the command's work on <paramref name="context"/>'s session; returns the object to write
        /// (null is written as $null), or <see cref="NoOutput"/>.</summary>
        protected abstract object Run(KrRequestContext context);

        protected override void ProcessRecord()
        {
            object output;
            try
            {
                output = Run(RequireContext());
            }
            catch (Exception error)
            {
                ThrowFailure(error, _errorId, ErrorTarget);
                return;
            }
            if (!ReferenceEquals(output, NoOutput))
            {
                // One object: a byte[] is not unrolled, a null int is $null (as the script commands wrote them).
                WriteObject(output);
            }
        }
    }

    /// <summary>A command over one key of the session (the getters and Remove-KrSession). The setters declare
    /// -Key themselves, before -Value: PowerShell lists a command's own parameters before its base class's (in
    /// Get-Command, help and tab completion), and -Key comes first.</summary>
    public abstract class KrSessionKeyCmdlet : KrSessionCmdlet
    {
        protected KrSessionKeyCmdlet(string errorId) : base(errorId)
        {
        }

        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Key { get; set; }

        protected override object ErrorTarget => Key;
    }

    /// <summary>A getter of the value stored under -Key: nothing or $null when the key is absent.</summary>
    public abstract class KrSessionGetCmdlet : KrSessionKeyCmdlet
    {
        protected KrSessionGetCmdlet() : base("KrGetSessionFailed")
        {
        }
    }

    /// <summary>A setter of the value stored under its -Key.</summary>
    public abstract class KrSessionSetCmdlet : KrSessionCmdlet
    {
        protected KrSessionSetCmdlet() : base("KrSetSessionFailed")
        {
        }
    }

    /// <summary>Get-KrSessionByte: the bytes stored under -Key as one byte[] (not unrolled), or nothing when absent.</summary>
    [Cmdlet(VerbsCommon.Get, "KrSessionByte"), OutputType(typeof(byte[]))]
    public sealed class GetKrSessionByteCommand : KrSessionGetCmdlet
    {
        protected override object Run(KrRequestContext context)
        {
            return (object)context.GetSessionBytes(Key) ?? NoOutput;
        }
    }

    /// <summary>Get-KrSessionInt32: the int32 stored under -Key (4 bytes, big-endian), or $null when absent.</summary>
    [Cmdlet(VerbsCommon.Get, "KrSessionInt32"), OutputType(typeof(int))]
    public sealed class GetKrSessionInt32Command : KrSessionGetCmdlet
    {
        protected override object Run(KrRequestContext context)
        {
            return context.GetSessionInt32(Key);
        }
    }

    /// <summary>Get-KrSessionString: the string stored under -Key (UTF-8), or $null when absent.</summary>
    [Cmdlet(VerbsCommon.Get, "KrSessionString"), OutputType(typeof(string))]
    public sealed class GetKrSessionStringCommand : KrSessionGetCmdlet
    {
        protected override object Run(KrRequestContext context)
        {
            return context.GetSessionString(Key);
        }
    }

    /// <summary>Set-KrSessionByte: stores -Value (may be empty) under -Key as is.</summary>
    [Cmdlet(VerbsCommon.Set, "KrSessionByte")]
    public sealed class SetKrSessionByteCommand : KrSessionSetCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Key { get; set; }

        /// <summary>The bytes to store (may be empty).</summary>
        [Parameter(Mandatory = true, Position = 1), AllowEmptyCollection, KrScriptType(typeof(byte[]))]
        public byte[] Value { get; set; }

        protected override object ErrorTarget => Key;

        protected override object Run(KrRequestContext context)
        {
            context.SetSessionBytes(Key, Value);
            return NoOutput;
        }
    }

    /// <summary>Set-KrSessionInt32: stores -Value under -Key (4 bytes, big-endian).</summary>
    [Cmdlet(VerbsCommon.Set, "KrSessionInt32")]
    public sealed class SetKrSessionInt32Command : KrSessionSetCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Key { get; set; }

        /// <summary>The integer to store.</summary>
        [Parameter(Mandatory = true, Position = 1), KrScriptType(typeof(int))]
        public int Value { get; set; }

        protected override object ErrorTarget => Key;

        protected override object Run(KrRequestContext context)
        {
            context.SetSessionInt32(Key, Value);
            return NoOutput;
        }
    }

    /// <summary>Set-KrSessionString: stores -Value (UTF-8) under -Key; '' is a value.</summary>
    [Cmdlet(VerbsCommon.Set, "KrSessionString")]
    public sealed class SetKrSessionStringCommand : KrSessionSetCmdlet
    {
        /// <summary>The session key.</summary>
        [Parameter(Mandatory = true, Position = 0), ValidateNotNullOrEmpty, KrScriptType(typeof(string))]
        public string Key { get; set; }

        /// <summary>The string to store.</summary>
        [Parameter(Mandatory = true, Position = 1), AllowEmptyString, KrScriptType(typeof(string))]
        public string Value { get; set; }

        protected override object ErrorTarget => Key;

        protected override object Run(KrRequestContext context)
        {
            context.SetSessionString(Key, Value);
            return NoOutput;
        }
    }

    /// <summary>Remove-KrSession: removes -Key and its value (an absent key is not an error).</summary>
    [Cmdlet(VerbsCommon.Remove, "KrSession")]
    public sealed class RemoveKrSessionCommand : KrSessionKeyCmdlet
    {
        public RemoveKrSessionCommand() : base("KrRemoveSessionFailed")
        {
        }

        protected override object Run(KrRequestContext context)
        {
            context.RemoveSession(Key);
            return NoOutput;
        }
    }

    /// <summary>Clear-KrSession: ends the session (logout): its keys and its id are removed; a later write starts
    /// a new session with a new id and cookie.</summary>
    [Cmdlet(VerbsCommon.Clear, "KrSession")]
    public sealed class ClearKrSessionCommand : KrSessionCmdlet
    {
        public ClearKrSessionCommand() : base("KrClearSessionFailed")
        {
        }

        protected override object Run(KrRequestContext context)
        {
            context.ClearSession();
            return NoOutput;
        }
    }

    /// <summary>Reset-KrSessionId: gives the current session a new random id and keeps its data (call it at
    /// login, against session fixation).</summary>
    [Cmdlet(VerbsCommon.Reset, "KrSessionId")]
    public sealed class ResetKrSessionIdCommand : KrSessionCmdlet
    {
        public ResetKrSessionIdCommand() : base("KrResetSessionIdFailed")
        {
        }

        protected override object Run(KrRequestContext context)
        {
            context.RenewSessionId();
            return NoOutput;
        }
    }
}
