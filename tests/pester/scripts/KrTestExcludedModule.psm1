# A user module the SharedState test script imports by path and leaves out of the routes with
# Enable-KrConfiguration -ExcludeModules.
function Get-KrTestExcludedValue {
    <#
    .SYNOPSIS
        A value that routes must not be able to get.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    'from the excluded module'
}

Export-ModuleMember -Function 'Get-KrTestExcludedValue'
