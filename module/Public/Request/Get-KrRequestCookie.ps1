function Get-KrRequestCookie {
    <#
    .SYNOPSIS
        Gets a cookie of the current request.
    .DESCRIPTION
        Returns the value of the request cookie -Name (as sent by the client in the Cookie header).
        Returns $null when it is absent (or throws with -ThrowIfMissing). -AsInt, -AsBool and -AsDouble convert
        the value; a value that does not convert is an error naming it (never a silent $null).
        Must be called inside a route script block.
    .PARAMETER Name
        The name of the cookie.
    .PARAMETER AsInt
        Convert the value to an integer.
    .PARAMETER AsBool
        Convert the value to a boolean (true/false, 1/0, yes/no, on/off). Alias: AsBoolean.
    .PARAMETER AsDouble
        Convert the value to a double (invariant culture).
    .PARAMETER AsString
        Return the value as a string (the default).
    .PARAMETER ThrowIfMissing
        Throw an error when the cookie is absent instead of returning $null.
    .EXAMPLE
        $theme = Get-KrRequestCookie -Name 'theme'
    .EXAMPLE
        $flag = Get-KrRequestCookie -Name 'beta' -AsBool
    .OUTPUTS
        System.String (or Int32 / Boolean / Double with -AsInt / -AsBool / -AsDouble), or $null when absent
    #>
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    [OutputType([string], [int], [bool], [double])]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Name,

        [Parameter(Mandatory = $true, ParameterSetName = 'Int')]
        [switch]$AsInt,

        [Parameter(Mandatory = $true, ParameterSetName = 'Bool')]
        [Alias('AsBoolean')]
        [switch]$AsBool,

        [Parameter(Mandatory = $true, ParameterSetName = 'Double')]
        [switch]$AsDouble,

        [Parameter(Mandatory = $true, ParameterSetName = 'String')]
        [switch]$AsString,

        [Parameter()]
        [switch]$ThrowIfMissing
    )
    Get-KrRequestValue -Cmdlet $PSCmdlet -Kind 'Cookie' -Name $Name -ThrowIfMissing:$ThrowIfMissing
}
