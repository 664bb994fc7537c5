# Help of Add-KrDistributedSqlServerCache (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Kestrun's SQL Server session store: not supported by Kestrun.Rust; always fails with an error naming the SQL
stores it supports.
'@
    Description = @'
Kestrun keeps sessions in SQL Server with this command (ASP.NET Core's AddDistributedSqlServerCache).
Kestrun.Rust cannot talk to SQL Server, so the command takes Kestrun's parameters (a script written for Kestrun
binds as it is) and always stops with a terminating error (category NotImplemented) that says so and names the
SQL stores Kestrun.Rust supports:

- Add-KrDistributedPostgresCache -ConnectionString ... [-SchemaName ...] [-TableName ...] [-CreateIfNotExists]
  [-ExpiredItemsDeletionInterval ...]: sessions in a PostgreSQL table shared by several servers, with the same
  -SchemaName, -TableName and -ExpiredItemsDeletionInterval as this command.
- Add-KrDistributedSqliteCache -Path ...: sessions in a SQLite file, kept across restarts of one server.

Nothing is configured, and nothing given (a connection string, a password) is repeated in the error.
'@
    Outputs = @'
None: the command always fails.
'@
    Parameters = @{
        Server = @'
The server (Kestrun's parameter; not used).
'@
        Options = @'
Kestrun's Microsoft.Extensions.Caching.SqlServer.SqlServerCacheOptions (not used).
'@
        ConnectionString = @'
The SQL Server connection string (not used, never shown).
'@
        SchemaName = @'
The schema of the cache table (not used; Add-KrDistributedPostgresCache takes it).
'@
        TableName = @'
The cache table (not used; Add-KrDistributedPostgresCache and Add-KrDistributedSqliteCache take it).
'@
        ExpiredItemsDeletionInterval = @'
How often expired items are deleted, in seconds or as a TimeSpan (not used; the SQL stores of Kestrun.Rust
take it).
'@
        DefaultSlidingExpiration = @'
The sliding expiration of cache items, in seconds or as a TimeSpan (not used: Kestrun.Rust's sessions expire
after Add-KrSession -IdleTimeout).
'@
        PassThru = @'
Return the server (never reached).
'@
    }
    Examples = @(
        @'
try {
    Add-KrDistributedSqlServerCache -ConnectionString $env:SQLSERVER_CONNECTION -SchemaName 'dbo' -TableName 'SessionCache'
} catch {
    $_.CategoryInfo.Category   # NotImplemented
    $_.Exception.Message       # names Add-KrDistributedPostgresCache and Add-KrDistributedSqliteCache
}

Kestrun's tutorial 19.3 line stops with an error that names the SQL stores Kestrun.Rust supports.
'@
        @'
Add-KrDistributedPostgresCache -ConnectionString "Host=db;Username=app;Password=$env:APP_DB_PASSWORD;Database=app;SSL Mode=Disable" -SchemaName 'dbo' -TableName 'SessionCache' -CreateIfNotExists

What to write instead, with a PostgreSQL database.
'@
    )
}
