function Add-KrSession {
    <#
    .SYNOPSIS
        Enables cookie-based sessions on a server.
    .DESCRIPTION
        Turns on the engine's session middleware: each client gets a session identified by an encrypted cookie
        (set when the session is first written), whose values live in a server-side store (in-memory by default)
        and expire after -IdleTimeout seconds without a request (sliding). Requests of one session are served one
        at a time, so read-modify-write sequences such as a counter are safe. Routes then use Get-KrSession* /
        Set-KrSession* / Remove-KrSession / Clear-KrSession. A route that fails (500) has its session changes
        discarded.
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER Cookie
        Cookie settings from New-KrCookieBuilder (name, path, domain, HttpOnly, SameSite, SecurePolicy, MaxAge).
    .PARAMETER IdleTimeout
        Seconds of inactivity after which a session is abandoned (default 1200 = 20 minutes).
    .PARAMETER IOTimeout
        Seconds allowed for each load / save of the session store (default 60).
    .PARAMETER NoDistributedMemoryCache
        Kestrun compatibility: do not add the default in-memory store because another store was configured. Kestrun.Rust
        uses its in-memory store unless another store was configured for the server.
    .PARAMETER PassThru
        Return the server.
    .EXAMPLE
        $cookie = New-KrCookieBuilder -Name 'Kr.Session' -HttpOnly -SameSite Lax -SecurePolicy Always
        Add-KrSession -Cookie $cookie -IdleTimeout 20 -IOTimeout 10
    .EXAMPLE
        New-KrCookieBuilder -Name 'sid' | Add-KrSession -IdleTimeout 600
    .OUTPUTS
        KestrunRust.KrServer (with -PassThru)
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrCookieBuilder]$Cookie,

        [Parameter()]
        [ValidateRange(1, [int]::MaxValue)]
        [int]$IdleTimeout,

        [Parameter()]
        [ValidateRange(1, [int]::MaxValue)]
        [int]$IOTimeout,

        [Parameter()]
        [switch]$NoDistributedMemoryCache,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        try {
            $Server = Resolve-KrServer -Server $Server
            $settings = [KestrunRust.KrSessionSettings]::new()
            if ($null -ne $Cookie) {
                $settings.Cookie = $Cookie
            }
            if ($PSBoundParameters.ContainsKey('IdleTimeout')) {
                $settings.IdleTimeoutSeconds = [uint64]$IdleTimeout
            }
            if ($PSBoundParameters.ContainsKey('IOTimeout')) {
                $settings.IoTimeoutSeconds = [uint64]$IOTimeout
            }
            if ($NoDistributedMemoryCache.IsPresent) {
                Write-Verbose 'Add-KrSession -NoDistributedMemoryCache: the session store configured for the server is used (the in-memory store when none was).'
            }
            $Server.ConfigureSession($settings)
        } catch {
            $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrAddSessionFailed' -TargetObject $Server))
        }
        if ($PassThru.IsPresent) {
            $Server
        }
    }
}
