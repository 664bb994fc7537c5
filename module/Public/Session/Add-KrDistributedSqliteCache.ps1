function Add-KrDistributedSqliteCache {
    <#
    .SYNOPSIS
        Keeps the server's session state in a SQLite file, so that sessions survive a restart of the server.
    .DESCRIPTION
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
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER Path
        The SQLite file, e.g. './sessions.db'. A relative path is taken from the current PowerShell location
        (Get-Location). Created when missing; the folder must exist.
    .PARAMETER TableName
        The table of the sessions (default 'Sessions'): 1 to 63 letters, digits or '_', not starting with a digit.
        Created when missing.
    .PARAMETER ExpiredItemsDeletionInterval
        How often expired rows are deleted (default 30 minutes): a TimeSpan ('00:05:00', [TimeSpan]::FromMinutes(5))
        or a number of seconds (300), rounded up to whole seconds. Expired rows are never served, whatever the
        interval.
    .PARAMETER PassThru
        Return the server.
    .EXAMPLE
        New-KrServer -Name 'intranet'
        Add-KrEndpoint -Port 5000 -SelfSignedCert
        Add-KrDistributedSqliteCache -Path './data/sessions.db'
        Add-KrSession -NoDistributedMemoryCache -IdleTimeout 1200

        Sessions in ./data/sessions.db: users stay logged in when the server restarts.
    .EXAMPLE
        Add-KrDistributedSqliteCache -Path '/var/lib/myapp/sessions.db' -TableName 'WebSessions' -ExpiredItemsDeletionInterval 600 -PassThru | Add-KrSession

        Another table, expired rows deleted every 10 minutes, then sessions on the returned server.
    .OUTPUTS
        KestrunRust.KrServer (with -PassThru)
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Path,

        [Parameter()]
        [ValidateScript({ [KestrunRust.KrSqlCacheSettings]::IsIdentifier($_) },
            ErrorMessage = "The table name '{0}' is not valid: use 1 to 63 letters, digits or '_', not starting with a digit.")]
        [string]$TableName = 'Sessions',

        [Parameter()]
        [KestrunRust.KrSecondsOrTimeSpan()]
        [ValidateScript({ $_ -gt [TimeSpan]::Zero -and $_ -le [KestrunRust.KrSqlCacheSettings]::MaxExpiredItemsDeletionInterval },
            ErrorMessage = 'ExpiredItemsDeletionInterval must be longer than zero (a TimeSpan such as ''00:05:00'', or seconds).')]
        [TimeSpan]$ExpiredItemsDeletionInterval,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -ErrorId 'KrAddDistributedSqliteCacheFailed' -PassThru:$PassThru -Action {
            param($Server, $Bound, $Cmdlet)
            # Relative to the current PowerShell location (not the process's current directory).
            $fullPath = $Cmdlet.GetUnresolvedProviderPathFromPSPath($Path)
            $folder = [System.IO.Path]::GetDirectoryName($fullPath)
            if (-not [string]::IsNullOrEmpty($folder) -and -not [System.IO.Directory]::Exists($folder)) {
                throw [System.IO.FileNotFoundException]::new("The folder '$folder' of the SQLite file does not exist: create it first.", $fullPath)
            }
            if ([System.IO.Directory]::Exists($fullPath)) {
                throw [System.ArgumentException]::new("'$fullPath' is a folder: -Path names the SQLite file, e.g. '$(Join-Path -Path $fullPath -ChildPath 'sessions.db')'.")
            }
            $settings = [KestrunRust.KrSqliteCacheSettings]::new()
            $settings.Path = $fullPath
            $settings.TableName = $TableName
            if ($Bound.ContainsKey('ExpiredItemsDeletionInterval')) {
                $settings.ExpiredItemsDeletionInterval = $ExpiredItemsDeletionInterval
            }
            $Server.UseSqliteSessionStore($settings)
            Write-Verbose "Server '$($Server.Name)': session state in $($settings.ToString()); call Add-KrSession next."
        }
    }
}
