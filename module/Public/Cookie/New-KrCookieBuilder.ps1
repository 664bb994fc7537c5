function New-KrCookieBuilder {
    <#
    .SYNOPSIS
        Creates cookie settings (the model is ASP.NET Core's CookieBuilder), e.g. for the session cookie.
    .DESCRIPTION
        Returns a cookie settings object for Add-KrSession -Cookie. A setting that is not given keeps the session
        default: name .Kestrun.Session, path /, HttpOnly, SameSite Lax, SecurePolicy SameAsRequest, no Max-Age
        (a browser-session cookie).
    .PARAMETER Name
        The cookie name, e.g. 'Kr.Session'.
    .PARAMETER Domain
        The Domain attribute (default: none, the cookie goes back to the host that set it).
    .PARAMETER Path
        The Path attribute (default '/').
    .PARAMETER HttpOnly
        Mark the cookie HttpOnly (not readable by client script). -HttpOnly:$false turns it off explicitly.
    .PARAMETER IsEssential
        Recorded for Kestrun compatibility (consent policies); it does not change the cookie.
    .PARAMETER MaxAge
        Lifetime of the cookie: a TimeSpan, a string such as '00:30:00', or a number of seconds.
        Without it the cookie lasts until the browser closes.
    .PARAMETER SameSite
        Lax, Strict, None or Unspecified (attribute omitted).
    .PARAMETER SecurePolicy
        When the cookie gets the Secure attribute: SameAsRequest (on HTTPS requests), Always or None.
    .EXAMPLE
        $cookie = New-KrCookieBuilder -Name 'Kr.Session' -HttpOnly -SameSite Lax -SecurePolicy Always
        Add-KrSession -Cookie $cookie -IdleTimeout 20
    .EXAMPLE
        New-KrCookieBuilder -Name 'app' -Path '/app' -MaxAge (New-TimeSpan -Hours 1) -SameSite Strict
    .OUTPUTS
        KestrunRust.KrCookieBuilder
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrCookieBuilder])]
    param(
        [Parameter()]
        [ValidatePattern('^[!#$%&''*+\-.^_`|~0-9A-Za-z]+$')]
        [string]$Name,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$Domain,

        [Parameter()]
        [ValidatePattern('^/')]
        [string]$Path,

        [Parameter()]
        [switch]$HttpOnly,

        [Parameter()]
        [switch]$IsEssential,

        [Parameter()]
        [ValidateNotNull()]
        [object]$MaxAge,

        [Parameter()]
        [KestrunRust.KrSameSite]$SameSite,

        [Parameter()]
        [KestrunRust.KrSecurePolicy]$SecurePolicy
    )

    $builder = [KestrunRust.KrCookieBuilder]::new()
    if ($PSBoundParameters.ContainsKey('Name')) { $builder.Name = $Name }
    if ($PSBoundParameters.ContainsKey('Domain')) { $builder.Domain = $Domain }
    if ($PSBoundParameters.ContainsKey('Path')) { $builder.Path = $Path }
    if ($PSBoundParameters.ContainsKey('HttpOnly')) { $builder.HttpOnly = $HttpOnly.IsPresent }
    if ($IsEssential.IsPresent) { $builder.IsEssential = $true }
    if ($PSBoundParameters.ContainsKey('SameSite')) { $builder.SameSite = $SameSite }
    if ($PSBoundParameters.ContainsKey('SecurePolicy')) { $builder.SecurePolicy = $SecurePolicy }
    if ($PSBoundParameters.ContainsKey('MaxAge')) {
        $span = $null
        $value = $MaxAge
        if ($value -is [System.Management.Automation.PSObject]) { $value = $value.BaseObject }
        if ($value -is [timespan]) {
            $span = $value
        } elseif ($value -is [int] -or $value -is [long] -or $value -is [double] -or $value -is [decimal]) {
            $span = [timespan]::FromSeconds([double]$value)
        } elseif ($value -is [string]) {
            $parsed = [timespan]::Zero
            $seconds = 0.0
            if ([double]::TryParse($value, [System.Globalization.NumberStyles]::Float, [System.Globalization.CultureInfo]::InvariantCulture, [ref]$seconds)) {
                $span = [timespan]::FromSeconds($seconds)
            } elseif ([timespan]::TryParse($value, [System.Globalization.CultureInfo]::InvariantCulture, [ref]$parsed)) {
                $span = $parsed
            }
        }
        if ($null -eq $span) {
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                    [System.ArgumentException]::new("-MaxAge must be a TimeSpan, a string such as '00:30:00' or a number of seconds; got '$MaxAge'."),
                    'KrInvalidMaxAge', [System.Management.Automation.ErrorCategory]::InvalidArgument, $MaxAge))
        }
        if ($span -lt [timespan]::Zero) {
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                    [System.ArgumentOutOfRangeException]::new('MaxAge', $span, '-MaxAge cannot be negative.'),
                    'KrInvalidMaxAge', [System.Management.Automation.ErrorCategory]::InvalidArgument, $MaxAge))
        }
        $builder.MaxAge = $span
    }
    $builder
}
