// The PowerShell state a server's route runspaces start with: the variables, functions and modules of the user's
// script (captured by Enable-KrConfiguration / Start-KrServer through KrScriptCapture) and what to leave out.
// It belongs to the PowerShell host, not to the C API wrapper: KrServer knows nothing of it.
using System.Runtime.CompilerServices;

namespace KestrunRust
{
    /// <summary>What the route runspaces of one server share with the user's script.</summary>
    public sealed class KrScriptState
    {
        private static readonly ConditionalWeakTable<KrServer, KrScriptState> s_states = new ConditionalWeakTable<KrServer, KrScriptState>();

        /// <summary>The state of <paramref name="server"/> (created empty on first use; lives as long as the server).</summary>
        public static KrScriptState For(KrServer server)
        {
            if (server == null)
            {
                throw new ArgumentNullException(nameof(server));
            }
            return s_states.GetValue(server, _ => new KrScriptState());
        }

        /// <summary>User variables (name -> value), set once in every route runspace.</summary>
        public IDictionary<string, object> Variables { get; } = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);

        /// <summary>User functions (name -> definition).</summary>
        public IDictionary<string, string> Functions { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Paths (.psd1 / .psm1 / .dll) of the modules the user's script imported, in import order.</summary>
        public IList<string> Modules { get; } = new List<string>();

        /// <summary>Wildcard patterns of variable names never shared (Enable-KrConfiguration -ExcludeVariables).</summary>
        public IList<string> ExcludedVariables { get; } = new List<string>();

        /// <summary>Wildcard patterns of function names never shared (Enable-KrConfiguration -ExcludeFunctions).</summary>
        public IList<string> ExcludedFunctions { get; } = new List<string>();

        /// <summary>Wildcard patterns of module names never imported (Enable-KrConfiguration -ExcludeModules).</summary>
        public IList<string> ExcludedModules { get; } = new List<string>();
    }
}
