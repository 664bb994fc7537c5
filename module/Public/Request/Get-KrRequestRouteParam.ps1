function Get-KrRequestRouteParam {
    <#
    .SYNOPSIS
        Gets a route parameter of the current request.
    .DESCRIPTION
        Returns the value of the route parameter -Name, a {name} segment of the route's pattern
        (e.g. 'id' for '/users/{id}').
        Returns $null when it is absent (or throws with -ThrowIfMissing). -AsInt, -AsBool and -AsDouble convert
        the value; a value that does not convert is an error naming it (never a silent $null).
        Must be called inside a route script block.
    .PARAMETER Name
        The name of the route parameter.
    .PARAMETER AsInt
        Convert the value to an integer.
    .PARAMETER AsBool
        Convert the value to a boolean (true/false, 1/0, yes/no, on/off). Alias: AsBoolean.
    .PARAMETER AsDouble
        Convert the value to a double (invariant culture).
    .PARAMETER AsString
        Return the value as a string (the default).
    .PARAMETER ThrowIfMissing
        Throw an error when the route parameter is absent instead of returning $null.
    .EXAMPLE
        $id = Get-KrRequestRouteParam -Name 'id'
    .EXAMPLE
        $id = Get-KrRequestRouteParam -Name 'id' -AsInt -ThrowIfMissing
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
    Get-KrRequestValue -Cmdlet $PSCmdlet -Kind 'RouteParam' -Name $Name -ThrowIfMissing:$ThrowIfMissing
}
