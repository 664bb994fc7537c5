function Enable-KrConfiguration {
    <#
    .SYNOPSIS
        Completes the configuration of a server and captures the script's variables, functions and modules for its routes.
    .DESCRIPTION
        Marks the server's configuration as complete and captures the variables and the script-defined functions
        visible where it is called (your script). Route script blocks run in their own runspaces on the engine's
        threads; they start with these variables (shared by reference) and functions, so a variable defined
        before Enable-KrConfiguration can be used inside a route, as in Kestrun. The modules the script imported
        (Import-Module of a path or a name) are imported in every route runspace too, except Kestrun.Rust itself
        (always there) and PowerShell's own modules. Each runspace receives these once, when it is created: they
        are not set again for each request. PowerShell's automatic and preference variables are never captured.
        Start-KrServer adds whatever was defined after this call.
        Routes may be added before or after it, until the server starts.
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER ExcludeVariables
        Wildcard patterns of variable names not to share with the routes.
    .PARAMETER ExcludeFunctions
        Wildcard patterns of function names not to share with the routes.
    .PARAMETER ExcludeModules
        Wildcard patterns of module names not to import in the route runspaces.
    .PARAMETER Quiet
        Do not write the confirmation message (it is written to the verbose stream only anyway).
    .PARAMETER PassThru
        Return the server.
    .EXAMPLE
        $greeting = 'Hello'
        Enable-KrConfiguration
        Add-KrMapRoute -Path '/hi' -ScriptBlock { Write-KrTextResponse -InputObject "$greeting, world" }
    .EXAMPLE
        Enable-KrConfiguration -ExcludeVariables 'secret*'
    .OUTPUTS
        KestrunRust.KrServer (with -PassThru)
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter()]
        [string[]]$ExcludeVariables,

        [Parameter()]
        [string[]]$ExcludeFunctions,

        [Parameter()]
        [string[]]$ExcludeModules,

        [Parameter()]
        [switch]$Quiet,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -ErrorId 'KrEnableConfigurationFailed' -PassThru:$PassThru -Action {
            param($Server, $Bound, $Cmdlet)
            $exclude = @{ Variables = $ExcludeVariables; Functions = $ExcludeFunctions; Modules = $ExcludeModules }
            Update-KrSharedState -Server $Server -Cmdlet $Cmdlet -Exclude $exclude -Overwrite
            $Server.ConfigurationEnabled = $true
            if (-not $Quiet.IsPresent) {
                $state = [KestrunRust.KrScriptState]::For($Server)
                Write-Verbose ("Server '{0}': configuration enabled ({1} variables, {2} functions, {3} modules shared with the routes)." -f $Server.Name, $state.Variables.Count, $state.Functions.Count, $state.Modules.Count)
            }
        }
    }
}
