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
        The Domain attribute (default: none, the cookie goes back to the host that set it): a host name such as
        'example.com' or '.example.com' (ASCII letters, digits and hyphens in dot-separated labels; a leading dot is
        allowed) or an IPv4 address. Anything else (spaces, ';', empty labels, a port) is rejected.
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
    if ($PSBoundParameters.ContainsKey('Domain')) {
        # RFC 6265 domain-value: a host name (labels of letters, digits and hyphens, 1..63 characters, not starting or
        # ending with a hyphen; 253 characters at most), optionally with a leading dot, or an IPv4 address.
        $label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
        $hostName = $Domain.TrimStart('.')
        $isIPv4 = $hostName -match '^\d{1,3}(\.\d{1,3}){3}$' -and @($hostName.Split('.') | Where-Object { [int]$_ -gt 255 }).Count -eq 0
        if ($Domain.StartsWith('..') -or $hostName.Length -gt 253 -or -not ($isIPv4 -or $hostName -cmatch "^$label(\.$label)*$")) {
            $PSCmdlet.ThrowTerminatingError([System.Management.Automation.ErrorRecord]::new(
                    [System.ArgumentException]::new("-Domain must be a host name such as 'example.com' or '.example.com' (letters, digits and hyphens in dot-separated labels) or an IPv4 address; got '$Domain'."),
                    'KrInvalidDomain', [System.Management.Automation.ErrorCategory]::InvalidArgument, $Domain))
        }
        $builder.Domain = $Domain
    }
    if ($PSBoundParameters.ContainsKey('Path')) { $builder.Path = $Path }
    if ($PSBoundParameters.ContainsKey('HttpOnly')) { $builder.HttpOnly = $HttpOnly.IsPresent }
    if ($IsEssential.IsPresent) { $builder.IsEssential = $true }
    if ($PSBoundParameters.ContainsKey('SameSite')) { $builder.SameSite = $SameSite }
    if ($PSBoundParameters.ContainsKey('SecurePolicy')) { $builder.SecurePolicy = $SecurePolicy }
    if ($PSBoundParameters.ContainsKey('MaxAge')) {
        $span = $null
        # -is and the casts below see through the PSObject wrapper of values that come from a command.
        $value = $MaxAge
        if ($value -is [timespan]) {
            $span = [timespan]$value
        } elseif ($value -is [int] -or $value -is [long] -or $value -is [double] -or $value -is [decimal] -or $value -is [single] -or
            $value -is [short] -or $value -is [byte] -or $value -is [sbyte] -or $value -is [uint16] -or $value -is [uint32] -or $value -is [uint64]) {
            $span = [timespan]::FromSeconds([double]$value)
        } elseif ($value -is [string]) {
            $value = [string]$value
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
