# Sessions in SQL (issue 15): Add-KrDistributedPostgresCache, Add-KrDistributedSqliteCache and
# Add-KrDistributedSqlServerCache in this process (registration, what the server keeps, errors that never show a
# password), then real servers: PostgreSQL clusters that the tests start themselves (Start-KrPostgresServer of
# TestHelper.psm1: initdb in a temporary folder, trust authentication, a free loopback port) and SQLite files.
# - examples/19.1-Sessions.ps1 with one inserted line (Add-KrDistributedPostgresCache ... -CreateIfNotExists) and
#   -NoDistributedMemoryCache: two servers share one session with no secret, through the key ring row, also after both
#   restart;
# - idle expiry: the row's expiry slides with use, the sweep deletes it, the session is gone (401);
# - PostgreSQL paused (SIGSTOP to the postmaster and its children) and killed (SIGKILL), then resumed and restarted:
#   every answer bounded by the IO timeout, writes answered 503 (JSON), no acknowledged write lost;
# - 400 concurrent increments of one session over two servers lose none (PostgreSQL, and a SQLite file shared by two
#   server processes, which stays intact: PRAGMA integrity_check);
# - a SQLite session survives a restart of its server.
# PostgreSQL's server programs (Debian's postgresql) and the sqlite3 shell are prerequisites: when missing, the tests
# fail with what to install (nothing is skipped).

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    Import-Module (Get-KrStagedManifest) -Force -ErrorAction Stop
    $script:sqlScript = Join-Path -Path $PSScriptRoot -ChildPath (Join-Path -Path 'scripts' -ChildPath 'SqlSessions.ps1')
    # Trust authentication accepts any password: this one is in every connection string and must never be shown.
    $script:pgPassword = "pg-pw-$([guid]::NewGuid().ToString('N').Substring(0, 10))"

    function New-TestPgConnection {
        # An Npgsql-style connection string to a server of Start-KrPostgresServer, with the password above.
        param(
            [Parameter(Mandatory = $true)]
            [object]$Pg,

            [Parameter()]
            [int]$Timeout = 5
        )
        "Host=127.0.0.1;Port=$($Pg.Port);Username=postgres;Password=$script:pgPassword;Database=postgres;SSL Mode=Disable;Timeout=$Timeout;Command Timeout=$Timeout"
    }

    function Invoke-TestSqlite {
        # Runs SQL with the sqlite3 shell on a file; returns the output lines.
        param(
            [Parameter(Mandatory = $true)]
            [string]$Path,

            [Parameter(Mandatory = $true)]
            [string]$Sql
        )
        $sqlite = Get-Command -Name 'sqlite3' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $sqlite) {
            throw 'The sqlite3 shell is not installed (apt-get install sqlite3; tests/run-all.sh does).'
        }
        $output = & $sqlite.Source -batch -noheader $Path $Sql 2>&1
        if ($LASTEXITCODE -ne 0) {
            throw "sqlite3 '$Path' failed (exit code $LASTEXITCODE): $output"
        }
        @($output | ForEach-Object { "$_" } | Where-Object { $_ -ne '' })
    }
}

Describe 'Add-KrDistributedPostgresCache, Add-KrDistributedSqliteCache, Add-KrDistributedSqlServerCache: registration and errors' {
    BeforeEach {
        $script:server = New-KrTestServer -Prefix 'pester-sql'
    }
    AfterEach {
        Remove-KrTestServer -Server $script:server
    }

    It 'registers PostgreSQL without connecting, keeps the connection string without its password, and Add-KrSession uses it' {
        # Nothing listens on port 1: registering and configuring sessions never connect.
        $result = Add-KrDistributedPostgresCache -Server $server -ConnectionString 'Host=127.0.0.1;Port=1;Username=app;Password=hunter2-pg;Database=app;SSL Mode=Disable' `
            -SchemaName 'web' -TableName 'SessionCache' -CreateIfNotExists -ExpiredItemsDeletionInterval 90 -PassThru
        $result | Should -Be $server
        $cache = $server.DistributedCache
        $cache | Should -BeOfType ([KestrunRust.KrPostgresCacheSettings])
        $cache.StoreKind | Should -Be 'PostgreSQL'
        $cache.ConnectionString | Should -BeExactly 'Host=127.0.0.1;Port=1;Username=app;Password=***;Database=app;SSL Mode=Disable'
        $cache.SchemaName | Should -BeExactly 'web'
        $cache.TableName | Should -BeExactly 'SessionCache'
        $cache.CreateIfNotExists | Should -BeTrue
        $cache.ExpiredItemsDeletionInterval | Should -Be ([TimeSpan]::FromSeconds(90))
        ($cache | Format-List * | Out-String) | Should -Not -Match 'hunter2'
        "$cache" | Should -Not -Match 'hunter2'

        $messages = Add-KrSession -Server $server -NoDistributedMemoryCache -Verbose 3>&1 4>&1
        @($messages | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }) | Should -BeNullOrEmpty
        "$messages" | Should -Match 'sessions are kept in PostgreSQL'
        "$messages" | Should -Match 'key ring kept in the distributed cache'
        "$messages" | Should -Not -Match 'hunter2'
        $server.Session | Should -Not -BeNullOrEmpty
        $server.Session.HasCookieKey | Should -BeFalse
    }

    It 'defaults to public."Sessions", no creation and the engine''s sweep interval; takes the server from the pipeline' {
        $server | Add-KrDistributedPostgresCache -ConnectionString 'postgres://app:hunter2-url@127.0.0.1:1/app?connect_timeout=2&password=hunter2-query'
        $cache = $server.DistributedCache
        $cache.ConnectionString | Should -BeExactly 'postgres://app:***@127.0.0.1:1/app?connect_timeout=2&password=***'
        $cache.SchemaName | Should -BeExactly 'public'
        $cache.TableName | Should -BeExactly 'Sessions'
        $cache.CreateIfNotExists | Should -BeFalse
        $cache.ExpiredItemsDeletionInterval | Should -BeNullOrEmpty
        $cache.DeletionIntervalSeconds | Should -Be 0
        "$cache" | Should -Match 'expired rows deleted every 1800 s'
    }

    It 'takes -ExpiredItemsDeletionInterval <Shown> as <Seconds> s' -ForEach @(
        @{ Value = '00:05:00'; Shown = '''00:05:00'''; Seconds = 300 }
        @{ Value = [TimeSpan]::FromMinutes(2); Shown = '[TimeSpan]::FromMinutes(2)'; Seconds = 120 }
        @{ Value = 1800; Shown = '1800 (seconds, as Kestrun)'; Seconds = 1800 }
        @{ Value = 1.5; Shown = '1.5 (rounded up)'; Seconds = 2 }
    ) {
        Add-KrDistributedPostgresCache -Server $server -ConnectionString 'Host=127.0.0.1;Port=1;Username=app' -ExpiredItemsDeletionInterval $Value
        $server.DistributedCache.DeletionIntervalSeconds | Should -Be $Seconds
    }

    It 'rejects -ExpiredItemsDeletionInterval <Value> with a clear error' -ForEach @(
        @{ Value = 0 }
        @{ Value = '-00:00:01' }
        @{ Value = 'soon' }
    ) {
        $err = { Add-KrDistributedPostgresCache -Server $server -ConnectionString 'Host=127.0.0.1;Port=1;Username=app' -ExpiredItemsDeletionInterval $Value } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'ExpiredItemsDeletionInterval|time span'
        $server.DistributedCache | Should -BeNullOrEmpty
    }

    It 'refuses SSL Mode=<Mode> with an ErrorRecord that explains it and never shows the password' -ForEach @(
        @{ Mode = 'Require'; ConnectionString = 'Host=db.internal;Port=5432;Username=app;Password=hunter2-ssl;Database=app;SSL Mode=Require' }
        @{ Mode = 'VerifyFull'; ConnectionString = 'Host=db.internal;Username=app;Password=hunter2-ssl;Database=app;SslMode=VerifyFull' }
        @{ Mode = 'require (URL)'; ConnectionString = 'postgres://app:hunter2-ssl@db.internal:5432/app?sslmode=require' }
    ) {
        $err = { Add-KrDistributedPostgresCache -Server $server -ConnectionString $ConnectionString -CreateIfNotExists } | Should -Throw -PassThru
        $err | Should -BeOfType ([System.Management.Automation.ErrorRecord])
        $err.FullyQualifiedErrorId | Should -BeExactly "KrAddDistributedPostgresCacheFailed,$(Get-KrErrorIdSuffix -Name 'Add-KrDistributedPostgresCache')"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be $server
        $err.Exception.Message | Should -Match 'SSL Mode'
        $err.Exception.Message | Should -Match 'needs TLS to PostgreSQL'
        $err.Exception.Message | Should -Match 'SSL Mode=Disable'
        $err.Exception.Message | Should -Not -Match '\bkr_|KR_'
        foreach ($text in @($err.Exception.Message, "$err", ($err | Out-String), ($err.Exception | Format-List * -Force | Out-String))) {
            $text | Should -Not -Match 'hunter2'
        }
        $server.DistributedCache | Should -BeNullOrEmpty
        { Add-KrSession -Server $server } | Should -Not -Throw -Because 'nothing was registered: the in-memory store is used'
    }

    It 'refuses a password the Npgsql form cannot carry (<Case>) without showing any part of it' -ForEach @(
        @{ Case = 'with a semicolon'; ConnectionString = 'Host=db;Username=app;Password=hunter;2abc;Database=app'; Parts = @('hunter', '2abc') }
        @{ Case = 'quoted'; ConnectionString = "Host=db;Username=app;Password='hunter;x=2abc';Database=app"; Parts = @('hunter', '2abc') }
    ) {
        $err = { Add-KrDistributedPostgresCache -Server $server -ConnectionString $ConnectionString } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'postgres://user:password@host:port/database'
        foreach ($part in $Parts) {
            ($err | Out-String) | Should -Not -Match $part
        }
        $server.DistributedCache | Should -BeNullOrEmpty
    }

    It 'names what is wrong in a connection string the engine cannot read: <Case>' -ForEach @(
        @{ Case = 'an unknown option'; ConnectionString = 'Host=db;Bogus=1;Username=app;Password=hunter2'; Message = 'option "bogus" is not supported' }
        @{ Case = 'no user'; ConnectionString = 'Host=db;Password=hunter2'; Message = 'no Username' }
        @{ Case = 'a bad port'; ConnectionString = 'Host=db;Port=99999;Username=app;Password=hunter2'; Message = 'Port="99999"' }
        @{ Case = 'a timeout of 0'; ConnectionString = 'Host=db;Username=app;Password=hunter2;Timeout=0'; Message = 'Timeout="0"' }
    ) {
        $err = { Add-KrDistributedPostgresCache -Server $server -ConnectionString $ConnectionString } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "*invalid PostgreSQL connection string*$Message*"
        ($err | Out-String) | Should -Not -Match 'hunter2'
        $server.DistributedCache | Should -BeNullOrEmpty
    }

    It 'rejects the <What> name ''<Name>'' before anything is registered' -ForEach @(
        @{ What = 'table'; Name = 'x;drop' }
        @{ What = 'table'; Name = 'Sessions"' }
        @{ What = 'table'; Name = '1Sessions' }
        @{ What = 'table'; Name = ('t' * 64) }
        @{ What = 'table'; Name = '' }
        @{ What = 'schema'; Name = 'pub lic' }
        @{ What = 'schema'; Name = 'public.x' }
    ) {
        $parameters = @{ Server = $server; ConnectionString = 'Host=127.0.0.1;Port=1;Username=app;Password=hunter2' }
        $parameters[$(if ($What -eq 'table') { 'TableName' } else { 'SchemaName' })] = $Name
        $err = { Add-KrDistributedPostgresCache @parameters } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly "ParameterArgumentValidationError,$(Get-KrErrorIdSuffix -Name 'Add-KrDistributedPostgresCache')"
        $err.Exception.Message | Should -Match "The $What name '.*' is not valid: use 1 to 63 letters, digits or '_'"
        ($err | Out-String) | Should -Not -Match 'hunter2'
        $server.DistributedCache | Should -BeNullOrEmpty

        if ($What -eq 'table') {
            $err = { Add-KrDistributedSqliteCache -Server $server -Path (Join-Path -Path $TestDrive -ChildPath 'bad.db') -TableName $Name } | Should -Throw -PassThru
            $err.Exception.Message | Should -Match "The table name '.*' is not valid"
            Join-Path -Path $TestDrive -ChildPath 'bad.db' | Should -Not -Exist
        }
    }

    It 'refuses a second store and a store after Add-KrSession, with clear errors' {
        Add-KrDistributedRedisCache -Server $server -Configuration '127.0.0.1:1'
        $err = { Add-KrDistributedPostgresCache -Server $server -ConnectionString 'Host=127.0.0.1;Port=1;Username=app;Password=hunter2' } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -Match 'already has a distributed cache \(Redis 127\.0\.0\.1:1\)'
        $server.DistributedCache.StoreKind | Should -Be 'Redis'

        $other = New-KrServer -Name "pester-sql-late-$([guid]::NewGuid().ToString('N').Substring(0, 8))" -PassThru
        try {
            Add-KrDistributedSqliteCache -Server $other -Path (Join-Path -Path $TestDrive -ChildPath 'first.db')
            $err = { Add-KrDistributedPostgresCache -Server $other -ConnectionString 'Host=127.0.0.1;Port=1;Username=app;Password=hunter2' } | Should -Throw -PassThru
            $err.Exception.Message | Should -Match "already has a distributed cache \(SQLite file '.*first\.db'"
            Add-KrSession -Server $other
            $err = { Add-KrDistributedSqliteCache -Server $other -Path (Join-Path -Path $TestDrive -ChildPath 'second.db') } | Should -Throw -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        } finally {
            Remove-KrServer -Server $other -Force
        }
        $third = New-KrServer -Name "pester-sql-after-$([guid]::NewGuid().ToString('N').Substring(0, 8))" -PassThru
        try {
            Add-KrSession -Server $third
            $err = { Add-KrDistributedPostgresCache -Server $third -ConnectionString 'Host=127.0.0.1;Port=1;Username=app' } | Should -Throw -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err.Exception.Message | Should -Match 'register the distributed cache first, then call Add-KrSession'
        } finally {
            Remove-KrServer -Server $third -Force
        }
    }

    It 'SQLite: takes a relative -Path from the current PowerShell location, creates the file in WAL mode with its table' {
        $folder = Join-Path -Path $TestDrive -ChildPath 'relative'
        $null = New-Item -ItemType Directory -Path (Join-Path -Path $folder -ChildPath 'data') -Force
        Push-Location -LiteralPath $folder
        try {
            [System.Environment]::CurrentDirectory | Should -Not -Be $folder -Because 'the process directory is not the PowerShell location'
            $result = Add-KrDistributedSqliteCache -Server $server -Path (Join-Path -Path 'data' -ChildPath 'sessions.db') -TableName 'WebSessions' -ExpiredItemsDeletionInterval '00:10:00' -PassThru
        } finally {
            Pop-Location
        }
        $result | Should -Be $server
        $file = Join-Path -Path $folder -ChildPath (Join-Path -Path 'data' -ChildPath 'sessions.db')
        $server.DistributedCache | Should -BeOfType ([KestrunRust.KrSqliteCacheSettings])
        $server.DistributedCache.Path | Should -BeExactly $file
        $server.DistributedCache.TableName | Should -BeExactly 'WebSessions'
        $server.DistributedCache.DeletionIntervalSeconds | Should -Be 600
        "$($server.DistributedCache)" | Should -BeExactly "SQLite file '$file' (table `"WebSessions`", expired rows deleted every 600 s)"
        $file | Should -Exist
        Invoke-TestSqlite -Path $file -Sql 'PRAGMA journal_mode;' | Should -Be @('wal')
        Invoke-TestSqlite -Path $file -Sql "SELECT name FROM sqlite_master WHERE type = 'table';" | Should -Contain 'WebSessions'
        { Add-KrSession -Server $server -NoDistributedMemoryCache } | Should -Not -Throw
    }

    It 'SQLite: a missing folder and a folder given as the file are clear errors' {
        $missing = Join-Path -Path $TestDrive -ChildPath (Join-Path -Path 'no-such-folder' -ChildPath 'sessions.db')
        $err = { Add-KrDistributedSqliteCache -Server $server -Path $missing } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeExactly "KrAddDistributedSqliteCacheFailed,$(Get-KrErrorIdSuffix -Name 'Add-KrDistributedSqliteCache')"
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match "The folder '.*no-such-folder' of the SQLite file does not exist"
        $err = { Add-KrDistributedSqliteCache -Server $server -Path $TestDrive } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'is a folder: -Path names the SQLite file'
        $server.DistributedCache | Should -BeNullOrEmpty
    }

    It 'Add-KrDistributedSqlServerCache fails with NotImplemented, naming the SQL stores, never the connection string: <Case>' -ForEach @(
        @{ Case = 'Kestrun 19.3''s line'; Arguments = @{ ConnectionString = 'Server=sql.internal;Database=app;User Id=app;Password=hunter2-sql;'; SchemaName = 'dbo'; TableName = 'SessionCache' } }
        @{ Case = 'every Items parameter, in seconds'; Arguments = @{ ConnectionString = 'Server=sql;Password=hunter2-sql'; SchemaName = 'dbo'; TableName = 'T'; ExpiredItemsDeletionInterval = 1800; DefaultSlidingExpiration = 1200; PassThru = $true } }
        @{ Case = 'TimeSpans'; Arguments = @{ ExpiredItemsDeletionInterval = [TimeSpan]::FromMinutes(30); DefaultSlidingExpiration = '00:20:00' } }
        @{ Case = '-Options'; Arguments = @{ Options = [pscustomobject]@{ ConnectionString = 'Server=sql;Password=hunter2-sql'; SchemaName = 'dbo' } } }
        @{ Case = 'nothing'; Arguments = @{} }
    ) {
        $script:output = $null
        $err = { $script:output = Add-KrDistributedSqlServerCache -Server $server @Arguments } | Should -Throw -PassThru
        $script:output | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeExactly "KrSqlServerCacheNotSupported,$(Get-KrErrorIdSuffix -Name 'Add-KrDistributedSqlServerCache')"
        $err.CategoryInfo.Category | Should -Be 'NotImplemented'
        $err.Exception | Should -BeOfType ([System.NotSupportedException])
        $err.Exception.Message | Should -Match 'SQL Server is not supported by Kestrun\.Rust'
        $err.Exception.Message | Should -Match 'Add-KrDistributedPostgresCache'
        $err.Exception.Message | Should -Match 'Add-KrDistributedSqliteCache'
        $err.ErrorDetails.RecommendedAction | Should -Match 'Add-KrDistributedPostgresCache or Add-KrDistributedSqliteCache'
        ($err | Out-String) | Should -Not -Match 'hunter2|sql\.internal'
        $server.DistributedCache | Should -BeNullOrEmpty
    }

    It 'Add-KrDistributedSqlServerCache has Kestrun''s parameters and fails the same in a new pwsh with no server' {
        $command = Get-Command -Name 'Add-KrDistributedSqlServerCache'
        foreach ($name in @('Server', 'Options', 'ConnectionString', 'SchemaName', 'TableName', 'ExpiredItemsDeletionInterval', 'DefaultSlidingExpiration', 'PassThru')) {
            $command.Parameters.Keys | Should -Contain $name
        }
        @($command.ParameterSets.Name | Sort-Object) | Should -Be @('Items', 'Options')
        $command.DefaultParameterSet | Should -Be 'Items'
        $result = Invoke-KrChildPwsh -Command @'
Import-Module Kestrun.Rust -ErrorAction Stop
try {
    Add-KrDistributedSqlServerCache -ConnectionString 'Server=sql;Password=hunter2-child' -SchemaName 'dbo' -TableName 'SessionCache'
    'no error'
} catch {
    '{0}|{1}' -f $_.CategoryInfo.Category, $_.Exception.Message
}
'@
        $result.ExitCode | Should -Be 0 -Because $result.StdErr
        $result.StdOut | Should -Match '^NotImplemented\|Add-KrDistributedSqlServerCache: SQL Server is not supported'
        $result.StdOut | Should -Match 'Add-KrDistributedPostgresCache.*Add-KrDistributedSqliteCache'
        $result.StdOut | Should -Not -Match 'hunter2'
    }
}

# Issue 15, what must show: examples/19.1-Sessions.ps1 (the tutorial's seed, byte for byte) with one line inserted before
# its Add-KrSession line, and -NoDistributedMemoryCache on that line, runs on two servers that share one session with
# no secret anywhere: the cookie keys come from the key ring row of public."Sessions", which outlives the servers.
Describe 'Issue 15: the seed''s 19.1 with only Add-KrDistributedPostgresCache inserted shares sessions through PostgreSQL' {
    BeforeAll {
        $script:farmDir = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath "kr-pester-pgfarm-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
        $null = New-Item -ItemType Directory -Path $farmDir -Force
        $script:farmJar = Join-Path -Path $farmDir -ChildPath 'jar.txt'
        $script:farmServers = [System.Collections.Generic.List[object]]::new()
        $script:farmPg = Start-KrPostgresServer
        $script:seed = Join-Path -Path (Get-KrRepoRoot) -ChildPath (Join-Path -Path 'examples' -ChildPath '19.1-Sessions.ps1')
        $script:cacheLine = "Add-KrDistributedPostgresCache -ConnectionString '$(New-TestPgConnection -Pg $farmPg)' -CreateIfNotExists"

        $script:farmScript = New-KrSeedVariant -Seed $seed -CacheLine $cacheLine -Path (Join-Path -Path $farmDir -ChildPath '19.1-Sessions.ps1')
        $script:sessionsTable = 'public."Sessions"'

        function Start-TestFarmServer {
            # A server of the farm script. The seed's idle timeout is 20 s and a server start may take longer on a busy
            # machine: the session rows get a far expiry first (the first request of a session sets it back to 20 s).
            if ((Invoke-KrPsql -Server $script:farmPg -Query "SELECT to_regclass('$script:sessionsTable') IS NOT NULL") -contains 't') {
                $null = Invoke-KrPsql -Server $script:farmPg -Query "UPDATE $script:sessionsTable SET `"ExpiresAtTime`" = now() + interval '1 hour' WHERE `"Id`" <> 'Kestrun.Rust:SessionKeyRing'"
            }
            $instance = Start-KrTestScript -Path $script:farmScript
            $script:farmServers.Add($instance)
            $instance
        }
    }
    AfterAll {
        Stop-KrTrackedTestScript -Running $script:farmServers
        Stop-KrPostgresServer -Server $script:farmPg -RemoveDirectory
        Remove-Item -LiteralPath $script:farmDir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'runs a script that differs from examples/19.1-Sessions.ps1 only by the inserted line and -NoDistributedMemoryCache, with no secret' {
        Assert-KrSeedVariant -Seed $seed -Script $farmScript -CacheLine $cacheLine -Forbidden 'DataProtectionKey|CookieKey|KeyLifetime'
    }

    It 'continues one session on two servers with one cookie jar: counter, login, set and get' {
        $script:farmA = Start-TestFarmServer
        $script:farmB = Start-TestFarmServer
        Assert-KrSharedSession -First $farmA -Second $farmB -Jar $farmJar
    }

    It 'keeps the session as one row of public."Sessions" (JSON, sliding expiry of 20 s, no lease left) beside the key ring row, which never expires' {
        $rows = @(Invoke-KrPsql -Server $farmPg -Query "SELECT `"Id`" FROM $sessionsTable ORDER BY `"Id`"")
        $rows | Should -Contain 'Kestrun.Rust:SessionKeyRing'
        $sessions = @($rows | Where-Object { $_ -ne 'Kestrun.Rust:SessionKeyRing' })
        $sessions.Count | Should -Be 1
        $sessions[0] | Should -Match '^[A-Za-z0-9]{64}$'
        $row = (Invoke-KrPsql -Server $farmPg -Query ("SELECT `"SlidingExpirationInSeconds`", `"ExpiresAtTime`" > now(), `"ExpiresAtTime`" <= now() + interval '20 seconds', " +
                "`"LockToken`" IS NULL, `"LockExpiresAtTime`" IS NULL FROM $sessionsTable WHERE `"Id`" = '$($sessions[0])'")) -join ''
        $row | Should -BeExactly '20|t|t|t|t'
        $json = (Invoke-KrPsql -Server $farmPg -Query "SELECT `"Value`" FROM $sessionsTable WHERE `"Id`" = '$($sessions[0])'") -join ''
        $session = $json | ConvertFrom-Json
        [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String(($session.user | ConvertFrom-Json))) | Should -BeExactly 'max'
        [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String(($session.color | ConvertFrom-Json))) | Should -BeExactly 'purple'
        (Invoke-KrPsql -Server $farmPg -Query "SELECT `"ExpiresAtTime`" = 'infinity' FROM $sessionsTable WHERE `"Id`" = 'Kestrun.Rust:SessionKeyRing'") | Should -Be @('t')
        $script:farmRing = (Invoke-KrPsql -Server $farmPg -Query "SELECT `"Value`" FROM $sessionsTable WHERE `"Id`" = 'Kestrun.Rust:SessionKeyRing'") -join ''
        @(($farmRing | ConvertFrom-Json).keys).Count | Should -Be 1
    }

    It 'opens the old cookie after both servers restart (the ring unchanged), and never writes the password or a key to their output' {
        $key = ($farmRing | ConvertFrom-Json).keys[0].key
        $outputs = @((Stop-KrTrackedTestScript -Instance $farmA -Running $farmServers), (Stop-KrTrackedTestScript -Instance $farmB -Running $farmServers))
        foreach ($output in $outputs) {
            $output | Should -Match 'PostgreSQL' -Because 'the seed logs at Debug level to the console, the store included'
            $output | Should -Not -Match ([regex]::Escape($pgPassword)) -Because 'the password is never logged'
            $output | Should -Not -Match ([regex]::Escape($key)) -Because 'keys are never logged'
        }
        $script:farmA = Start-TestFarmServer
        $script:farmB = Start-TestFarmServer
        Invoke-KrCurl -Url "$($farmA.BaseUrl)/session/whoami" -Jar $farmJar | Assert-KrResponse -Json @{ user = 'max' }
        Invoke-KrCurl -Url "$($farmB.BaseUrl)/session/counter" -Jar $farmJar | Assert-KrResponse -Json @{ counter = 4 }
        Invoke-KrCurl -Url "$($farmA.BaseUrl)/session/get?key=color" -Jar $farmJar | Assert-KrResponse -Json @{ value = 'purple' }
        ((Invoke-KrPsql -Server $farmPg -Query "SELECT `"Value`" FROM $sessionsTable WHERE `"Id`" = 'Kestrun.Rust:SessionKeyRing'") -join '') | Should -BeExactly $farmRing
        (Invoke-KrPsql -Server $farmPg -Query "SELECT count(*) FROM $sessionsTable WHERE `"Id`" <> 'Kestrun.Rust:SessionKeyRing' AND `"ExpiresAtTime`" <= now() + interval '20 seconds'") |
            Should -Be @('1') -Because 'the session has its idle expiry again'
    }
}

Describe 'PostgreSQL: an idle session expires, and the sweep deletes its row' {
    BeforeAll {
        $script:idlePg = Start-KrPostgresServer
        $script:idleServer = Start-KrTestScript -Path $sqlScript -Arguments @('-Store', 'Postgres', '-ConnectionString', (New-TestPgConnection -Pg $idlePg),
            '-SchemaName', 'idle', '-TableName', 'IdleSessions', '-IdleTimeout', '4', '-DeletionInterval', '1')
        $script:idleJar = Join-Path -Path $TestDrive -ChildPath 'idle-jar.txt'
        $script:idleTable = 'idle."IdleSessions"'
        function Get-TestIdleExpiry {
            # The session row's ExpiresAtTime in Unix milliseconds (none when there is no session row).
            Invoke-KrPsql -Server $script:idlePg -Query "SELECT floor(extract(epoch FROM `"ExpiresAtTime`") * 1000)::bigint FROM $script:idleTable WHERE `"Id`" <> 'Kestrun.Rust:SessionKeyRing'" |
                ForEach-Object { [long]$_ }
        }
    }
    AfterAll {
        if ($script:idleServer) {
            $null = Stop-KrTestScript -Instance $script:idleServer -ShowOutput
        }
        Stop-KrPostgresServer -Server $script:idlePg -RemoveDirectory
    }

    It 'moves the expiry with every request, never serves the row once idle, and the sweep deletes it; the key ring stays' {
        Invoke-KrCurl -Url "$($idleServer.BaseUrl)/hello" | Assert-KrResponse -Body 'Hello, Session World!'
        Invoke-KrCurl -Url "$($idleServer.BaseUrl)/session/login?user=max" -Jar $idleJar | Assert-KrResponse -Json @{ user = 'max' }
        (Invoke-KrPsql -Server $idlePg -Query "SELECT `"SlidingExpirationInSeconds`" FROM $idleTable WHERE `"Id`" <> 'Kestrun.Rust:SessionKeyRing'") | Should -Be @('4')
        $first = @(Get-TestIdleExpiry)
        $first.Count | Should -Be 1
        Start-Sleep -Milliseconds 1200
        Invoke-KrCurl -Url "$($idleServer.BaseUrl)/session/whoami" -Jar $idleJar | Assert-KrResponse -Json @{ user = 'max' }
        $second = @(Get-TestIdleExpiry)
        $second.Count | Should -Be 1
        $second[0] | Should -BeGreaterOrEqual ($first[0] + 1000) -Because 'a request 1.2 s later moved the expiry to its own time + 4 s'

        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (@(Get-TestIdleExpiry).Count -gt 0) {
            [DateTime]::UtcNow | Should -BeLessThan $deadline -Because 'the sweep (every second) deletes the row once it expired (4 s idle)'
            Start-Sleep -Milliseconds 250
        }
        Invoke-KrCurl -Url "$($idleServer.BaseUrl)/session/whoami" -Jar $idleJar | Assert-KrResponse -Status 401 -Json @{ error = 'No active session or user not set' }
        (Invoke-KrPsql -Server $idlePg -Query "SELECT `"Id`" FROM $idleTable") | Should -Be @('Kestrun.Rust:SessionKeyRing') -Because 'the key ring is never swept'
    }
}

Describe 'PostgreSQL paused (SIGSTOP) and killed: bounded answers, 503 for writes, no acknowledged write lost' {
    BeforeAll {
        $script:outPg = Start-KrPostgresServer
        # Connect and statement timeouts (2 s) and the IO timeout (2 s): every answer within 2 x 2 s + 2 s.
        $script:outServer = Start-KrTestScript -Path $sqlScript -Arguments @('-Store', 'Postgres', '-ConnectionString', (New-TestPgConnection -Pg $outPg -Timeout 2),
            '-SchemaName', 'outage', '-IdleTimeout', '600', '-IOTimeout', '2')
        $script:outClient = New-KrHttpClient -MaxConnections 2
        $script:outage = New-KrOutageProbe -Client $outClient -BaseUrl $outServer.BaseUrl
    }
    AfterAll {
        Remove-KrHttpClient -Client $script:outClient
        if ($script:outServer) {
            $null = Stop-KrTestScript -Instance $script:outServer -ShowOutput
        }
        Stop-KrPostgresServer -Server $script:outPg -RemoveDirectory
    }

    It 'answers writes 503 (JSON) within the IO timeout while PostgreSQL is paused, and still answers reads' {
        $login = Invoke-KrOutageRequest -Probe $outage -Path '/session/login?user=max'
        $login.Status | Should -Be 200
        $login.SetCookie.Count | Should -Be 1
        $outage.Cookie = Get-KrCookiePair -SetCookie $login.SetCookie[0]
        foreach ($i in 1..5) {
            (Invoke-KrOutageRequest -Probe $outage).Status | Should -Be 200
        }
        $outage.Acknowledged | Should -Be @(1, 2, 3, 4, 5)

        Send-KrPostgresSignal -Server $outPg -Signal STOP
        Assert-KrOutageAnswers -Probe $outage -BoundSeconds 6 -Message 'the changes to this session were not stored'
    }

    It 'works again after SIGCONT, and every write answered 200 is in the stored session' {
        Send-KrPostgresSignal -Server $outPg -Signal CONT
        Wait-KrOutageRecovery -Probe $outage -Exact
        (Invoke-KrOutageRequest -Probe $outage -Path '/session/whoami').Status | Should -Be 200 -Because 'the login before the outage is kept'
    }

    It 'answers writes 503 within the IO timeout while PostgreSQL is killed (SIGKILL to the postmaster and its children)' {
        (Invoke-KrOutageRequest -Probe $outage).Status | Should -Be 200 -Because 'a write acknowledged just before the crash'
        Stop-KrPostgresServer -Server $outPg -Kill
        $outPg.Process.HasExited | Should -BeTrue
        Assert-KrOutageAnswers -Probe $outage -BoundSeconds 6 -Message 'the changes to this session were not stored'
    }

    It 'works again once PostgreSQL restarts on its data (same port), and every write answered 200 is in the stored session' {
        $script:outPg = Start-KrPostgresServer -Port $outPg.Port -Directory $outPg.Directory
        Wait-KrOutageRecovery -Probe $outage -Exact
        (Invoke-KrOutageRequest -Probe $outage -Path '/session/whoami').Status | Should -Be 200 -Because 'the login before the outage is kept'
        (Invoke-KrPsql -Server $outPg -Query 'SELECT count(*) FROM outage."Sessions" WHERE "LockToken" IS NOT NULL AND "LockExpiresAtTime" > now()') | Should -Be @('0') -Because 'no lease is left held'
    }

    It 'logged the outage and the recovery without ever showing the password' {
        $output = Stop-KrTestScript -Instance $script:outServer -ShowOutput
        $script:outServer = $null
        $text = "$($output.StdOut)`n$($output.StdErr)"
        $text | Should -Match 'PostgreSQL'
        $text | Should -Not -Match ([regex]::Escape($pgPassword))
    }
}

Describe 'PostgreSQL: two servers, one session, 400 concurrent increments' {
    BeforeAll {
        $script:lockPg = Start-KrPostgresServer
        $arguments = @('-Store', 'Postgres', '-ConnectionString', (New-TestPgConnection -Pg $lockPg), '-SchemaName', 'farm', '-TableName', 'Counters',
            '-IdleTimeout', '600', '-IOTimeout', '10')
        $script:lockA = Start-KrTestScript -Path $sqlScript -Arguments $arguments
        $script:lockB = Start-KrTestScript -Path $sqlScript -Arguments $arguments
        $script:lockClient = New-KrHttpClient -MaxConnections 4
    }
    AfterAll {
        Remove-KrHttpClient -Client $script:lockClient
        foreach ($instance in @($script:lockA, $script:lockB)) {
            if ($instance) {
                $null = Stop-KrTestScript -Instance $instance -ShowOutput
            }
        }
        Stop-KrPostgresServer -Server $script:lockPg -RemoveDirectory
    }

    It 'answers all 400 sent alternately to both servers with 200, each with its own value, and the counter ends at 402' {
        $first = Invoke-KrHttpBatch -Client $lockClient -Url "$($lockA.BaseUrl)/session/counter"
        Get-KrSessionCounter -Response $first | Should -Be 1
        $cookie = Get-KrCookiePair -SetCookie $first.SetCookie[0]
        Invoke-KrIncrementBurst -Client $lockClient -BaseUrl @($lockA.BaseUrl, $lockB.BaseUrl) -Cookie $cookie -First 1
        $final = Invoke-KrHttpBatch -Client $lockClient -Url "$($lockB.BaseUrl)/session/counter" -Cookie $cookie
        Get-KrSessionCounter -Response $final | Should -Be 402 -Because '1 + 400 increments + 1, none lost'
        (Invoke-KrPsql -Server $lockPg -Query 'SELECT count(*) FROM farm."Counters" WHERE "LockToken" IS NOT NULL') | Should -Be @('0') -Because 'every lease was released'
        (Invoke-KrPsql -Server $lockPg -Query 'SELECT count(*) FROM farm."Counters"') | Should -Be @('2') -Because 'one session row and the key ring'
    }
}

Describe 'SQLite: a session survives a restart; two server processes on one file lose no increment and leave it intact' {
    BeforeAll {
        $script:liteDir = Join-Path -Path $TestDrive -ChildPath 'lite'
        $null = New-Item -ItemType Directory -Path $liteDir -Force
        $script:liteFile = Join-Path -Path $liteDir -ChildPath 'sessions.db'
        $script:liteArguments = @('-Store', 'Sqlite', '-SqlitePath', $liteFile, '-IdleTimeout', '600', '-IOTimeout', '10')
        $script:liteServers = [System.Collections.Generic.List[object]]::new()
        $script:liteClient = New-KrHttpClient -MaxConnections 4
    }
    AfterAll {
        Remove-KrHttpClient -Client $script:liteClient
        Stop-KrTrackedTestScript -Running $script:liteServers
    }

    It 'keeps the session and its cookie key across a restart of the server on the same file' {
        $a = Start-KrTestScript -Path $sqlScript -Arguments $liteArguments
        $liteServers.Add($a)
        $login = Invoke-KrHttpBatch -Client $liteClient -Url "$($a.BaseUrl)/session/login?user=max"
        $login.Status | Should -Be 200
        $script:liteCookie = Get-KrCookiePair -SetCookie $login.SetCookie[0]
        Get-KrSessionCounter -Response (Invoke-KrHttpBatch -Client $liteClient -Url "$($a.BaseUrl)/session/counter" -Cookie $liteCookie) | Should -Be 1
        $null = $liteServers.Remove($a)
        $null = Stop-KrTestScript -Instance $a -ShowOutput
        Invoke-TestSqlite -Path $liteFile -Sql "SELECT count(*) FROM `"Sessions`";" | Should -Be @('2') -Because 'the session and the key ring are in the file'

        $script:liteA = Start-KrTestScript -Path $sqlScript -Arguments $liteArguments
        $liteServers.Add($liteA)
        $who = Invoke-KrHttpBatch -Client $liteClient -Url "$($liteA.BaseUrl)/session/whoami" -Cookie $liteCookie
        $who.Status | Should -Be 200 -Because $who.Body
        ($who.Body | ConvertFrom-Json).user | Should -Be 'max'
        Get-KrSessionCounter -Response (Invoke-KrHttpBatch -Client $liteClient -Url "$($liteA.BaseUrl)/session/counter" -Cookie $liteCookie) | Should -Be 2
    }

    It 'two servers on the file: 400 concurrent increments of one session, none lost' {
        $script:liteB = Start-KrTestScript -Path $sqlScript -Arguments $liteArguments
        $liteServers.Add($liteB)
        Invoke-KrIncrementBurst -Client $liteClient -BaseUrl @($liteA.BaseUrl, $liteB.BaseUrl) -Cookie $liteCookie -First 2
        Get-KrSessionCounter -Response (Invoke-KrHttpBatch -Client $liteClient -Url "$($liteB.BaseUrl)/session/counter" -Cookie $liteCookie) | Should -Be 403
    }

    It 'leaves the file intact (PRAGMA integrity_check), in WAL mode, with no lease held, once both servers stopped' {
        foreach ($instance in @($liteServers)) {
            $output = Stop-KrTestScript -Instance $instance -ShowOutput
            "$($output.StdOut)$($output.StdErr)" | Should -Match 'SQLite'
        }
        $liteServers.Clear()
        Invoke-TestSqlite -Path $liteFile -Sql 'PRAGMA integrity_check;' | Should -Be @('ok')
        Invoke-TestSqlite -Path $liteFile -Sql 'PRAGMA journal_mode;' | Should -Be @('wal')
        Invoke-TestSqlite -Path $liteFile -Sql "SELECT count(*) FROM `"Sessions`" WHERE `"LockToken`" IS NOT NULL;" | Should -Be @('0')
        Invoke-TestSqlite -Path $liteFile -Sql "SELECT `"Id`" FROM `"Sessions`" WHERE `"Id`" = 'Kestrun.Rust:SessionKeyRing';" | Should -Be @('Kestrun.Rust:SessionKeyRing')
    }
}
