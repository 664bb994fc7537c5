# A user module the SharedState test script imports by path (not on PSModulePath): its commands are only available
# in the route runspaces if Kestrun.Rust imports it there.
function Get-KrTestUserValue {
    <#
    .SYNOPSIS
        A value that only this module knows.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    'from the user module'
}

Export-ModuleMember -Function 'Get-KrTestUserValue'
