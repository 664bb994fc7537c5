function Get-KrRequestValue {
    <#
    .SYNOPSIS
        The body of Get-KrRequestCookie / -Header / -Query / -RouteParam: one named value of the current request.
    .DESCRIPTION
        Reads the value -Name of the given kind from the current request (KrRequestContext.Current), returns $null
        when it is absent (or fails with "Missing required <kind> '<name>'." with -ThrowIfMissing), and converts it
        as the calling command's parameter set says (-AsInt / -AsBool / -AsDouble / -AsString, see
        ConvertTo-KrTypedValue). Errors are raised through the calling command ($Cmdlet.ThrowTerminatingError),
        so they carry its name and the error id KrGetRequest<Kind>Failed, as if the command had raised them itself.
    .PARAMETER Cmdlet
        The $PSCmdlet of the public command (its name, parameter set and error reporting are used).
    .PARAMETER Kind
        Cookie, Header, Query or RouteParam.
    .PARAMETER Name
        The name of the value.
    .PARAMETER ThrowIfMissing
        Fail when the value is absent instead of returning $null.
    .EXAMPLE
        Get-KrRequestValue -Cmdlet $PSCmdlet -Kind Query -Name $Name -ThrowIfMissing:$ThrowIfMissing
    #>
    [CmdletBinding()]
    [OutputType([string], [int], [bool], [double])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet]$Cmdlet,

        [Parameter(Mandatory = $true)]
        [ValidateSet('Cookie', 'Header', 'Query', 'RouteParam')]
        [string]$Kind,

        [Parameter(Mandatory = $true)]
        [string]$Name,

        [Parameter()]
        [switch]$ThrowIfMissing
    )
    $source = switch ($Kind) {
        'Cookie' { 'cookie' }
        'Header' { 'header' }
        'Query' { 'query parameter' }
        'RouteParam' { 'route parameter' }
    }
    try {
        $ctx = [KestrunRust.KrRequestContext]::RequireCurrent($Cmdlet.MyInvocation.MyCommand.Name)
        $value = switch ($Kind) {
            'Cookie' { $ctx.GetCookie($Name) }
            'Header' { $ctx.GetHeader($Name) }
            'Query' { $ctx.GetQuery($Name) }
            'RouteParam' { $ctx.GetRouteParam($Name) }
        }
        if ($null -eq $value) {
            if ($ThrowIfMissing.IsPresent) {
                throw [System.Collections.Generic.KeyNotFoundException]::new("Missing required $source '$Name'.")
            }
            return $null
        }
        ConvertTo-KrTypedValue -Value $value -Name $Name -Source $source -As $Cmdlet.ParameterSetName
    } catch {
        $Cmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId "KrGetRequest${Kind}Failed" -TargetObject $Name))
    }
}
