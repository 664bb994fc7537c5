<#
    Test server: the session routes of the 19.1 tutorial (counter, login, whoami, hello) with the sessions in PostgreSQL
    (Add-KrDistributedPostgresCache) or in a SQLite file (Add-KrDistributedSqliteCache), no DataProtectionKey: the cookie
    keys come from the key ring in the table. Pester: SqlSessions.Tests.ps1.
#>
param(
    [int]$Port = 5000,
    [IPAddress]$IPAddress = [IPAddress]::Loopback,
    [Parameter(Mandatory = $true)]
    [ValidateSet('Postgres', 'Sqlite')]
    [string]$Store,
    [string]$ConnectionString,
    [string]$SqlitePath,
    [string]$SchemaName = 'public',
    [string]$TableName = 'Sessions',
    [int]$IdleTimeout = 600,
    [int]$IOTimeout = 5,
    [double]$DeletionInterval = 60
)

Import-Module Kestrun.Rust

New-KrLogger | Set-KrLoggerLevel -Value Debug | Add-KrSinkConsole | Register-KrLogger -Name 'sqlSessions' -SetAsDefault
New-KrServer -Name "SQL Sessions Test Server ($Store)"
Add-KrEndpoint -Port $Port -IPAddress $IPAddress -SelfSignedCert
if ($Store -eq 'Postgres') {
    Add-KrDistributedPostgresCache -ConnectionString $ConnectionString -SchemaName $SchemaName -TableName $TableName -CreateIfNotExists -ExpiredItemsDeletionInterval $DeletionInterval
} else {
    Add-KrDistributedSqliteCache -Path $SqlitePath -TableName $TableName -ExpiredItemsDeletionInterval $DeletionInterval
}
$cookie = New-KrCookieBuilder -Name 'Kr.Session' -HttpOnly -SameSite Lax -SecurePolicy Always
Add-KrSession -Cookie $cookie -IdleTimeout $IdleTimeout -IOTimeout $IOTimeout -NoDistributedMemoryCache
Enable-KrConfiguration

Add-KrMapRoute -Verbs Get -Path '/session/counter' -ScriptBlock {
    $current = Get-KrSessionInt32 -Key 'counter'
    Set-KrSessionInt32 -Key 'counter' -Value ($current + 1)
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Counter incremented'; counter = $current + 1 }
}

Add-KrMapRoute -Verbs Get -Path '/session/login' -ScriptBlock {
    $user = Get-KrRequestQuery -Name 'user'
    Set-KrSessionString -Key 'user' -Value $user
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Logged in'; user = $user }
}

Add-KrMapRoute -Verbs Get -Path '/session/whoami' -ScriptBlock {
    $user = Get-KrSessionString -Key 'user'
    if ([string]::IsNullOrEmpty($user)) {
        Write-KrJsonResponse -StatusCode 401 -InputObject @{ error = 'No active session or user not set' }
        return
    }
    Write-KrJsonResponse -StatusCode 200 -InputObject @{ user = $user }
}

Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -StatusCode 200 -InputObject 'Hello, Session World!'
}

Start-KrServer -CloseLogsOnExit
