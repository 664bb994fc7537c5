function Test-KrNameExcluded {
    <#
    .SYNOPSIS
        True when a name matches one of the wildcard patterns.
    .DESCRIPTION
        Used to apply Enable-KrConfiguration -ExcludeVariables / -ExcludeFunctions.
    .PARAMETER Name
        The name to test.
    .PARAMETER Patterns
        Wildcard patterns (may be empty).
    .EXAMPLE
        Test-KrNameExcluded -Name 'secret' -Patterns @('sec*')
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Name,

        [Parameter()]
        [AllowNull()]
        [AllowEmptyCollection()]
        [System.Collections.Generic.IList[string]]$Patterns
    )
    foreach ($pattern in @($Patterns)) {
        if ($Name -like $pattern) { return $true }
    }
    $false
}
