# Help of Add-KrDistributedPostgresCache (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Keeps the server's session state in a PostgreSQL table that several servers can share.
'@
    Description = @'
Registers PostgreSQL as the store of the server's sessions (the PostgreSQL counterpart of ASP.NET Core's
AddDistributedSqlServerCache). Call it before Add-KrSession, once per server; Add-KrSession then keeps every
session as one row of the table (its values as JSON), with the same behaviour as a Redis store:

- Sliding idle expiry: every request of a session moves the row's expiry to now + the idle timeout
  (Add-KrSession -IdleTimeout); an expired row is never served, and a sweep deletes expired rows every
  -ExpiredItemsDeletionInterval.
- The requests of one session run one at a time across every server sharing the table (a lease on the row,
  held for at most Add-KrSession -IOTimeout), so no concurrent update of a session is lost.
- Every wait on the database is bounded by Add-KrSession -IOTimeout. While PostgreSQL is down or hung, routes
  still run: sessions read as empty and a route that changes its session is answered 503 (JSON), so a change is
  never acknowledged when it was not stored. Sessions work again as soon as the database answers (no restart).
- The cookie keys come from a key ring kept in the same table (the row 'Kestrun.Rust:SessionKeyRing', created
  once by the first server), so the servers sharing the table read each other's session cookies with no secret
  given, and cookies stay valid across restarts.

The connection string and the names are checked here, but nothing connects yet: the server starts even when
PostgreSQL is down (and logs it). The password is never shown in messages or logs. TLS to PostgreSQL is not
available in this build: 'SSL Mode=Require', VerifyCA and VerifyFull are refused with an error rather than
connecting in clear text; use 'SSL Mode=Disable' on a trusted network. See docs/cmdlets.md, "Sessions in
PostgreSQL and SQLite", for the table's columns.
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        ConnectionString = @'
Where the database is, in Npgsql's form, as ASP.NET Core applications write it:
'Host=db.internal;Port=5432;Username=app;Password=...;Database=app;SSL Mode=Disable;Timeout=5;Command Timeout=5'
(keys are case-insensitive; Server, User ID, User, Pwd and Db are accepted too; Timeout is the connect timeout
and Command Timeout the bound of each statement, in seconds, default 5 each; Application Name is passed on),
or a URL 'postgres://user:password@host:port/database?sslmode=disable&connect_timeout=5'. A password that
contains ';' or would need quotes goes in the URL form, percent-encoded.
'@
        SchemaName = @'
The schema of the table (default 'public'): 1 to 63 letters, digits or '_', not starting with a digit.
'@
        TableName = @'
The table of the sessions (default 'Sessions'): 1 to 63 letters, digits or '_', not starting with a digit.
Names are used as written (quoted), so 'Sessions' and 'sessions' are two tables.
'@
        CreateIfNotExists = @'
Create the schema, the table and its index at first use when they are missing (the database user needs the
right to). Without it, the table must exist (docs/cmdlets.md shows its CREATE TABLE statement).
'@
        ExpiredItemsDeletionInterval = @'
How often expired rows are deleted (default 30 minutes, as ASP.NET Core's SQL cache): a TimeSpan ('00:05:00',
[TimeSpan]::FromMinutes(5)) or a number of seconds (300), rounded up to whole seconds. Expired rows are never
served, whatever the interval; it only bounds how long they stay in the table.
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
New-KrServer -Name 'web1'
Add-KrEndpoint -Port 5000 -SelfSignedCert
Add-KrDistributedPostgresCache -ConnectionString "Host=db.internal;Username=app;Password=$env:APP_DB_PASSWORD;Database=app;SSL Mode=Disable" -CreateIfNotExists
Add-KrSession -NoDistributedMemoryCache -IdleTimeout 1200

Sessions in the table public."Sessions" (created when missing), shared by every server that runs this script:
no secret is needed for the session cookies.
'@
        @'
Add-KrDistributedPostgresCache -ConnectionString 'postgres://app:s%3Bcret@10.0.0.5:5432/app' -SchemaName 'web' -TableName 'SessionCache' -ExpiredItemsDeletionInterval '00:05:00'

A URL with a percent-encoded password, the table web."SessionCache", expired rows deleted every 5 minutes.
'@
        @'
New-KrServer -Name 'api' -PassThru | Add-KrDistributedPostgresCache -ConnectionString 'Host=localhost;Username=api;Database=api;SSL Mode=Disable;Command Timeout=2' -PassThru | Add-KrSession -IOTimeout 3

The server through the pipeline; every statement bounded by 2 s and every session wait by 3 s.
'@
    )
}
