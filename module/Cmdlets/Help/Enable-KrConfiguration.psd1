# Help of Enable-KrConfiguration (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Completes the configuration of a server and captures the script's variables, functions and modules for its routes.
'@
    Description = @'
Marks the server's configuration as complete and captures the variables and the script-defined functions
visible where it is called (your script). Route script blocks run in their own runspaces on the engine's
threads; they start with these variables (shared by reference) and functions, so a variable defined
before Enable-KrConfiguration can be used inside a route, as in Kestrun. The modules the script imported
(Import-Module of a path or a name) are imported in every route runspace too, except Kestrun.Rust itself
(always there) and PowerShell's own modules. Each runspace receives these once, when it is created: they
are not set again for each request. PowerShell's automatic and preference variables are never captured.
Start-KrServer adds whatever was defined after this call.
Routes may be added before or after it, until the server starts.
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        ExcludeVariables = @'
Wildcard patterns of variable names not to share with the routes.
'@
        ExcludeFunctions = @'
Wildcard patterns of function names not to share with the routes.
'@
        ExcludeModules = @'
Wildcard patterns of module names not to import in the route runspaces.
'@
        Quiet = @'
Do not write the confirmation message (it is written to the verbose stream only anyway).
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
$greeting = 'Hello'
Enable-KrConfiguration
Add-KrMapRoute -Path '/hi' -ScriptBlock { Write-KrTextResponse -InputObject "$greeting, world" }
'@
        @'
Enable-KrConfiguration -ExcludeVariables 'secret*'
'@
    )
}
