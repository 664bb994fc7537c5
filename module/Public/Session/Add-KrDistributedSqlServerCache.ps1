function Add-KrDistributedSqlServerCache {
    <#
    .SYNOPSIS
        Kestrun's SQL Server session store: not supported by Kestrun.Rust; always fails with an error naming the SQL
        stores it supports.
    .DESCRIPTION
        Kestrun keeps sessions in SQL Server with this command (ASP.NET Core's AddDistributedSqlServerCache).
        Kestrun.Rust cannot talk to SQL Server, so the command takes Kestrun's parameters (a script written for Kestrun
        binds as it is) and always stops with a terminating error (category NotImplemented) that says so and names the
        SQL stores Kestrun.Rust supports:

        - Add-KrDistributedPostgresCache -ConnectionString ... [-SchemaName ...] [-TableName ...] [-CreateIfNotExists]
          [-ExpiredItemsDeletionInterval ...]: sessions in a PostgreSQL table shared by several servers, with the same
          -SchemaName, -TableName and -ExpiredItemsDeletionInterval as this command.
        - Add-KrDistributedSqliteCache -Path ...: sessions in a SQLite file, kept across restarts of one server.

        Nothing is configured, and nothing given (a connection string, a password) is repeated in the error.
    .PARAMETER Server
        The server (Kestrun's parameter; not used).
    .PARAMETER Options
        Kestrun's Microsoft.Extensions.Caching.SqlServer.SqlServerCacheOptions (not used).
    .PARAMETER ConnectionString
        The SQL Server connection string (not used, never shown).
    .PARAMETER SchemaName
        The schema of the cache table (not used; Add-KrDistributedPostgresCache takes it).
    .PARAMETER TableName
        The cache table (not used; Add-KrDistributedPostgresCache and Add-KrDistributedSqliteCache take it).
    .PARAMETER ExpiredItemsDeletionInterval
        How often expired items are deleted, in seconds or as a TimeSpan (not used; the SQL stores of Kestrun.Rust
        take it).
    .PARAMETER DefaultSlidingExpiration
        The sliding expiration of cache items, in seconds or as a TimeSpan (not used: Kestrun.Rust's sessions expire
        after Add-KrSession -IdleTimeout).
    .PARAMETER PassThru
        Return the server (never reached).
    .EXAMPLE
        try {
            Add-KrDistributedSqlServerCache -ConnectionString $env:SQLSERVER_CONNECTION -SchemaName 'dbo' -TableName 'SessionCache'
        } catch {
            $_.CategoryInfo.Category   # NotImplemented
            $_.Exception.Message       # names Add-KrDistributedPostgresCache and Add-KrDistributedSqliteCache
        }

        Kestrun's tutorial 19.3 line stops with an error that names the SQL stores Kestrun.Rust supports.
    .EXAMPLE
        Add-KrDistributedPostgresCache -ConnectionString "Host=db;Username=app;Password=$env:APP_DB_PASSWORD;Database=app;SSL Mode=Disable" -SchemaName 'dbo' -TableName 'SessionCache' -CreateIfNotExists

        What to write instead, with a PostgreSQL database.
    .OUTPUTS
        None: the command always fails.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Items')]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter(Mandatory = $true, ParameterSetName = 'Options')]
        [ValidateNotNull()]
        [object]$Options,

        [Parameter(ParameterSetName = 'Items')]
        [string]$ConnectionString,

        [Parameter(ParameterSetName = 'Items')]
        [string]$SchemaName,

        [Parameter(ParameterSetName = 'Items')]
        [string]$TableName,

        [Parameter(ParameterSetName = 'Items')]
        [KestrunRust.KrSecondsOrTimeSpan()]
        [TimeSpan]$ExpiredItemsDeletionInterval,

        [Parameter(ParameterSetName = 'Items')]
        [KestrunRust.KrSecondsOrTimeSpan()]
        [TimeSpan]$DefaultSlidingExpiration,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        $message = 'Add-KrDistributedSqlServerCache: SQL Server is not supported by Kestrun.Rust (it cannot connect to SQL Server), ' +
            'so no session store was configured. The SQL session stores of Kestrun.Rust are Add-KrDistributedPostgresCache ' +
            '(-ConnectionString, -SchemaName, -TableName, -CreateIfNotExists, -ExpiredItemsDeletionInterval: a PostgreSQL table ' +
            'shared by several servers) and Add-KrDistributedSqliteCache (-Path, -TableName, -ExpiredItemsDeletionInterval: a ' +
            'SQLite file that keeps the sessions of one server across restarts).'
        $record = [System.Management.Automation.ErrorRecord]::new(
            [System.NotSupportedException]::new($message),
            'KrSqlServerCacheNotSupported',
            [System.Management.Automation.ErrorCategory]::NotImplemented,
            $Server)
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($message)
        $record.ErrorDetails.RecommendedAction = 'Use Add-KrDistributedPostgresCache or Add-KrDistributedSqliteCache instead.'
        $PSCmdlet.ThrowTerminatingError($record)
    }
}
