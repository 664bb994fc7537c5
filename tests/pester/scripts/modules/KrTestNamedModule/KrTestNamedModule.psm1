# Imported by name through its manifest, which exports Get-KrTestNamedValue only: Get-KrTestNamedHelper stays
# private unless the .psm1 is imported without the manifest.
function Get-KrTestNamedHelper {
    <#
    .SYNOPSIS
        Not exported by the manifest.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    'named'
}

function Get-KrTestNamedValue {
    <#
    .SYNOPSIS
        A value that only this module knows.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    "from the $(Get-KrTestNamedHelper) module"
}
