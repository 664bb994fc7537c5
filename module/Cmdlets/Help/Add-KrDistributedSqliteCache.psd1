# Help of Add-KrDistributedSqliteCache (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Keeps the server's session state in a SQLite file, so that sessions survive a restart of the server.
'@
    Description = @'
Registers a SQLite file as the store of the server's sessions. Call it before Add-KrSession, once per server;
Add-KrSession then keeps every session as one row of a table in the file (its values as JSON), with the
behaviour of the other distributed caches:

- Sliding idle expiry: every request of a session moves the row's expiry to now + the idle timeout
  (Add-KrSession -IdleTimeout); an expired row is never served, and a sweep deletes expired rows every
  -ExpiredItemsDeletionInterval.
- The cookie keys come from a key ring kept in the file (the row 'Kestrun.Rust:SessionKeyRing'), so a server
  that restarts on the same file opens the cookies it gave out before, with no secret given.
- Every wait on the file (SQLite's lock included) is bounded by Add-KrSession -IOTimeout; a change that could
  not be stored is answered 503 (JSON), never acknowledged.

The file is created when missing (its folder must exist) and opened here, in WAL mode. Several server
processes on one machine may share the file: the requests of one session run one at a time across them (a
lease on the row) and SQLite serializes their writes. For servers on several machines, use
Add-KrDistributedPostgresCache or Add-KrDistributedRedisCache: SQLite files must not be shared over a network
file system.
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        Path = @'
The SQLite file, e.g. './sessions.db'. A relative path is taken from the current PowerShell location
(Get-Location). Created when missing; the folder must exist.
'@
        TableName = @'
The table of the sessions (default 'Sessions'): 1 to 63 letters, digits or '_', not starting with a digit.
Created when missing.
'@
        ExpiredItemsDeletionInterval = @'
How often expired rows are deleted (default 30 minutes): a TimeSpan ('00:05:00', [TimeSpan]::FromMinutes(5))
or a number of seconds (300), rounded up to whole seconds. Expired rows are never served, whatever the
interval.
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
New-KrServer -Name 'intranet'
Add-KrEndpoint -Port 5000 -SelfSignedCert
Add-KrDistributedSqliteCache -Path './data/sessions.db'
Add-KrSession -NoDistributedMemoryCache -IdleTimeout 1200

Sessions in ./data/sessions.db: users stay logged in when the server restarts.
'@
        @'
Add-KrDistributedSqliteCache -Path '/var/lib/myapp/sessions.db' -TableName 'WebSessions' -ExpiredItemsDeletionInterval 600 -PassThru | Add-KrSession

Another table, expired rows deleted every 10 minutes, then sessions on the returned server.
'@
    )
}
