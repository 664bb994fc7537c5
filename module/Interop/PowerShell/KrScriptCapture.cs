// What Enable-KrConfiguration and Start-KrServer capture from the user's script for the route runspaces (KrScriptState):
// run in the calling command's SessionState (a compiled cmdlet's is its caller's: the user's script), it lists every
// variable, function and module visible there, leaves out PowerShell's automatic and preference variables, functions
// that do not come from a script file, Kestrun.Rust and PowerShell's own modules and what the exclusions name, and
// stores the rest. Values are shared by reference; script blocks are re-created unbound so that they run in the
// route's runspace. As in Kestrun, what the calling script assigns, declares as parameters or defines as functions is
// looked up by name too (a variable of a child scope, a function defined but not yet listed).
using System.IO;
using System.Linq;
using System.Management.Automation.Language;

namespace KestrunRust
{
    /// <summary>Captures the caller's variables, script-defined functions and imported modules into a server's
    /// <see cref="KrScriptState"/>.</summary>
    public static class KrScriptCapture
    {
        // Automatic and engine variables that are never shared with route runspaces.
        private static readonly HashSet<string> s_builtInVariables = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "$", "?", "^", "_", "args", "ConsoleFileName", "Context", "EnabledExperimentalFeatures", "Error", "ErrorView",
            "Event", "EventArgs", "EventSubscriber", "ExecutionContext", "false", "foreach", "FormatEnumerationLimit",
            "HOME", "Host", "input", "IsCoreCLR", "IsLinux", "IsMacOS", "IsWindows", "LASTEXITCODE", "Matches",
            "MaximumHistoryCount", "MyInvocation", "NestedPromptLevel", "null", "OFS", "OutputEncoding", "PID",
            "PROFILE", "PWD", "Sender", "ShellId", "StackTrace", "switch", "this", "true", "Transcript",
            "WhatIfPreference", "ConfirmPreference", "DebugPreference", "ErrorActionPreference",
            "InformationPreference", "ProgressPreference", "VerbosePreference", "WarningPreference",
        };

        private static readonly string[] s_moduleExtensions = { ".psd1", ".psm1", ".dll" };

        /// <summary>Captures what <paramref name="caller"/>'s script sees into <paramref name="server"/>'s state.</summary>
        /// <param name="server">The server whose route runspaces get the values.</param>
        /// <param name="caller">The public command (its SessionState and MyInvocation are the user's script's).</param>
        /// <param name="excludeVariables">Wildcard patterns of variable names to add to the exclusions (may be null).</param>
        /// <param name="excludeFunctions">Wildcard patterns of function names to add to the exclusions.</param>
        /// <param name="excludeModules">Wildcard patterns of module names to add to the exclusions.</param>
        /// <param name="overwrite">Replace values captured before (Enable-KrConfiguration); without it only new
        /// names are added (Start-KrServer).</param>
        public static void Update(KrServer server, PSCmdlet caller, IEnumerable<string> excludeVariables,
            IEnumerable<string> excludeFunctions, IEnumerable<string> excludeModules, bool overwrite)
        {
            if (caller == null)
            {
                throw new ArgumentNullException(nameof(caller));
            }
            KrScriptState state = KrScriptState.For(server);
            AddPatterns(state.ExcludedVariables, excludeVariables);
            AddPatterns(state.ExcludedFunctions, excludeFunctions);
            AddPatterns(state.ExcludedModules, excludeModules);

            SessionState callerState = caller.SessionState;
            // Every variable and function visible where the command was called (the caller's scope and its parents).
            var variables = InCaller(callerState, "Get-Variable").OfType<PSVariable>().ToList();
            var functions = InCaller(callerState, "Get-ChildItem -LiteralPath function:").OfType<FunctionInfo>().ToList();
            AddScriptDefinitions(caller.MyInvocation.ScriptName, callerState, variables, functions);

            foreach (PSVariable variable in variables)
            {
                if (Shares(variable) && !IsExcluded(variable.Name, state.ExcludedVariables) &&
                    (overwrite || !state.Variables.ContainsKey(variable.Name)))
                {
                    object value = variable.Value;
                    if ((value is PSObject wrapped ? wrapped.BaseObject : value) is ScriptBlock block)
                    {
                        // Unbound copy: a script block keeps the runspace it was created in.
                        value = ScriptBlock.Create(block.ToString());
                    }
                    state.Variables[variable.Name] = value;
                }
            }

            foreach (FunctionInfo function in functions)
            {
                if (function.Module == null && string.IsNullOrEmpty(function.ModuleName) &&
                    function.ScriptBlock != null && !string.IsNullOrEmpty(function.ScriptBlock.File) &&
                    !function.Name.StartsWith("__KrRoute_", StringComparison.OrdinalIgnoreCase) &&
                    !IsExcluded(function.Name, state.ExcludedFunctions) &&
                    (overwrite || !state.Functions.ContainsKey(function.Name)))
                {
                    state.Functions[function.Name] = function.Definition;
                }
            }

            AddModules(state, callerState);
        }

        private static void AddPatterns(IList<string> list, IEnumerable<string> patterns)
        {
            foreach (string pattern in patterns ?? Enumerable.Empty<string>())
            {
                if (!string.IsNullOrWhiteSpace(pattern))
                {
                    list.Add(pattern);
                }
            }
        }

        /// <summary>True when <paramref name="name"/> matches one of the wildcard <paramref name="patterns"/> (-like).</summary>
        private static bool IsExcluded(string name, IEnumerable<string> patterns)
        {
            return patterns.Any(pattern => WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase).IsMatch(name));
        }

        // Runs a command in the caller's session state: run here, the variable: and function: drives would list
        // this module's scopes instead.
        private static IEnumerable<object> InCaller(SessionState callerState, string script)
        {
            return callerState.InvokeCommand.InvokeScript(callerState, ScriptBlock.Create(script))
                .Where(item => item != null).Select(item => item.BaseObject);
        }

        private static bool Shares(PSVariable variable)
        {
            string name = variable.Name;
            const ScopedItemOptions never = ScopedItemOptions.Constant | ScopedItemOptions.AllScope | ScopedItemOptions.Private;
            return !s_builtInVariables.Contains(name) &&
                !name.EndsWith("Preference", StringComparison.OrdinalIgnoreCase) &&
                !name.StartsWith("PS", StringComparison.OrdinalIgnoreCase) &&
                !name.StartsWith("__", StringComparison.Ordinal) &&
                (variable.Options & never) == 0 &&
                variable.Module == null;
        }

        // What the calling script assigns, declares as parameters or defines as functions (top level), looked up
        // by name from the caller's scope.
        private static void AddScriptDefinitions(string scriptFile, SessionState callerState, List<PSVariable> variables, List<FunctionInfo> functions)
        {
            if (string.IsNullOrEmpty(scriptFile) || !File.Exists(scriptFile))
            {
                return;
            }
            ScriptBlockAst ast = Parser.ParseFile(scriptFile, out _, out _);
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (AssignmentStatementAst assignment in ast.FindAll(node => node is AssignmentStatementAst, true))
            {
                Ast left = assignment.Left is ConvertExpressionAst convert ? convert.Child : assignment.Left;
                if (left is VariableExpressionAst variable)
                {
                    AddName(names, variable.VariablePath);
                }
            }
            if (ast.ParamBlock != null)
            {
                foreach (ParameterAst parameter in ast.ParamBlock.Parameters)
                {
                    AddName(names, parameter.Name.VariablePath);
                }
            }
            foreach (string name in names)
            {
                PSVariable variable = callerState.PSVariable.Get(name);
                if (variable != null && !variables.Contains(variable))
                {
                    variables.Add(variable);
                }
            }
            foreach (FunctionDefinitionAst definition in ast.FindAll(node => node is FunctionDefinitionAst, true))
            {
                if (!(definition.Parent is NamedBlockAst block) || block.Parent != ast)
                {
                    continue;
                }
                // None when it is defined but not (yet) in scope.
                string quoted = "'" + definition.Name.Replace("'", "''") + "'";
                foreach (FunctionInfo function in InCaller(callerState, "Get-Command -Name " + quoted + " -CommandType Function -ErrorAction Ignore").OfType<FunctionInfo>())
                {
                    if (!functions.Contains(function))
                    {
                        functions.Add(function);
                    }
                }
            }
        }

        /// <summary>The plain name of a variable ($name, $script:name, ${variable:name}); none for anything that is
        /// not a variable ($env:NAME, ${function:name}...).</summary>
        private static void AddName(ISet<string> names, VariablePath path)
        {
            if (!path.IsVariable)
            {
                return;
            }
            string name = path.UserPath;
            int colon = name.IndexOf(':');
            if (colon >= 0)
            {
                name = name.Substring(colon + 1);
            }
            if (name.Length > 0)
            {
                names.Add(name);
            }
        }

        // The modules imported where the command was called (Import-Module of a path or a name in the user's script):
        // each route runspace imports them by path. Kestrun.Rust (always imported) and PowerShell's own modules (they
        // load anyway) are left out, and so are dynamic modules (New-Module: no file to import).
        private static void AddModules(KrScriptState state, SessionState callerState)
        {
            char separator = Path.DirectorySeparatorChar;
            string powerShellHome = Path.GetFullPath(Convert.ToString(callerState.PSVariable.GetValue("PSHOME"), System.Globalization.CultureInfo.InvariantCulture)).TrimEnd(separator) + separator;
            string kestrunBase = KrRunspaceHost.ModuleImportPath == null ? null
                : Path.GetFullPath(Path.GetDirectoryName(KrRunspaceHost.ModuleImportPath)).TrimEnd(separator);
            foreach (PSModuleInfo module in InCaller(callerState, "Get-Module").OfType<PSModuleInfo>())
            {
                if (string.Equals(module.Name, "Kestrun.Rust", StringComparison.OrdinalIgnoreCase) ||
                    module.Name.StartsWith("Microsoft.PowerShell.", StringComparison.OrdinalIgnoreCase) ||
                    string.IsNullOrEmpty(module.ModuleBase) || string.IsNullOrEmpty(module.Path))
                {
                    continue;
                }
                string moduleBase = Path.GetFullPath(module.ModuleBase).TrimEnd(separator);
                if (string.Equals(moduleBase, kestrunBase, StringComparison.OrdinalIgnoreCase) ||
                    (moduleBase + separator).StartsWith(powerShellHome, StringComparison.OrdinalIgnoreCase) ||
                    IsExcluded(module.Name, state.ExcludedModules))
                {
                    continue;
                }
                // A module loaded from a manifest reports its root module as Path: import the manifest (required and
                // nested modules, exported members) when it is there.
                string path = module.Path;
                string manifest = Path.Combine(module.ModuleBase, module.Name + ".psd1");
                if (!HasExtension(path, ".psd1") && File.Exists(manifest))
                {
                    path = manifest;
                }
                // Import-Module x.ps1 would re-run the script: such modules are left out.
                if (!s_moduleExtensions.Any(extension => HasExtension(path, extension)) || !File.Exists(path))
                {
                    continue;
                }
                path = Path.GetFullPath(path);
                if (!state.Modules.Contains(path, StringComparer.OrdinalIgnoreCase))
                {
                    state.Modules.Add(path);
                }
            }
        }

        private static bool HasExtension(string path, string extension)
        {
            return string.Equals(Path.GetExtension(path), extension, StringComparison.OrdinalIgnoreCase);
        }
    }
}
