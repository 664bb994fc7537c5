<#
    Test server: examples/19.1-Sessions.ps1 (its logging, server, endpoint, cookie and routes: counter, login, whoami,
    set, get, logout, hello) with the sessions in PostgreSQL (Add-KrDistributedPostgresCache) or in a SQLite file
    (Add-KrDistributedSqliteCache), no DataProtectionKey: the cookie keys come from the key ring in the table. As
    examples/19.2-Sessions-Redis.ps1 does for Redis, a function Add-KrSession of this script takes the place of the
    module's while 19.1 runs, and changes only the session setup. Pester: SqlSessions.Tests.ps1.
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

# Imported here rather than when 19.1 first uses it: a module loaded while 19.1 runs would come before the function.
Import-Module Kestrun.Rust

function Add-KrSession {
    param($Cookie)

    if ($Store -eq 'Postgres') {
        Add-KrDistributedPostgresCache -ConnectionString $ConnectionString -SchemaName $SchemaName -TableName $TableName -CreateIfNotExists -ExpiredItemsDeletionInterval $DeletionInterval
    } else {
        Add-KrDistributedSqliteCache -Path $SqlitePath -TableName $TableName -ExpiredItemsDeletionInterval $DeletionInterval
    }
    Kestrun.Rust\Add-KrSession -Cookie $Cookie -IdleTimeout $IdleTimeout -IOTimeout $IOTimeout -NoDistributedMemoryCache
}

# Everything else is the example (serves until stopped).
& (Join-Path -Path $PSScriptRoot -ChildPath '../../../examples/19.1-Sessions.ps1') -Port $Port -IPAddress $IPAddress
