@{
    # The repository-root manifest (Import-Module ./Kestrun.Rust.psd1 after pwsh ./build.ps1). build.ps1 stages a copy
    # at out/Kestrun.Rust/Kestrun.Rust.psd1 with RootModule = 'Kestrun.Rust.psm1'.
    RootModule           = 'module/Kestrun.Rust.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'd4d655cc-7722-45dd-88e6-394abb332b11'
    Author               = 'Kestrun.Rust contributors'
    CompanyName          = 'Kestrun.Rust'
    Copyright            = '(c) Kestrun.Rust contributors. MIT License.'
    Description          = 'Kestrun-style PowerShell web server whose engine is Rust (actix-web): HTTPS endpoints, cookie sessions and routes whose script blocks run in pooled runspaces, called back from Rust.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        # Logging (compiled: module/Cmdlets/Logging)
        'New-KrLogger'
        'Set-KrLoggerLevel'
        'Add-KrSinkConsole'
        'Add-KrSinkFile'
        'Register-KrLogger'
        'Write-KrLog'
        'Close-KrLogger'
        # Server (compiled: module/Cmdlets/Server)
        'New-KrServer'
        'Add-KrEndpoint'
        'Enable-KrConfiguration'
        'Start-KrServer'
        'Stop-KrServer'
        'Set-KrServerOptions'
        'Set-KrServerLimit'
        'Get-KrServer'
        'Remove-KrServer'
        # Cookie (compiled: module/Cmdlets/Cookie)
        'New-KrCookieBuilder'
        # Route (compiled: module/Cmdlets/Route)
        'Add-KrMapRoute'
        # Session configuration (compiled: module/Cmdlets/Session/SessionStoreCmdlets.cs)
        'Add-KrSession'
        'Add-KrDistributedRedisCache'
        'Add-KrDistributedPostgresCache'
        'Add-KrDistributedSqliteCache'
        'Add-KrDistributedSqlServerCache'
        # Session values in routes (compiled: module/Cmdlets/Session/SessionCmdlets.cs)
        'Get-KrSessionInt32'
        'Set-KrSessionInt32'
        'Get-KrSessionString'
        'Set-KrSessionString'
        'Get-KrSessionByte'
        'Set-KrSessionByte'
        'Remove-KrSession'
        'Clear-KrSession'
        'Reset-KrSessionId'
        # Request (compiled: module/Cmdlets/Request)
        'Get-KrRequestQuery'
        'Get-KrRequestHeader'
        'Get-KrRequestBody'
        'Get-KrRequestRouteParam'
        'Get-KrRequestCookie'
        # Response (compiled: module/Cmdlets/Response)
        'Write-KrJsonResponse'
        'Write-KrTextResponse'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Kestrun', 'web', 'server', 'http', 'https', 'session', 'rust', 'actix')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
