# Shared helpers of the Kestrun.Rust Pester suite.
# Starts example scripts (the tutorial seeds, tests/pester/scripts/*.ps1) in their own pwsh on a free port with
# out/ (the module staged by build.ps1) on PSModulePath, waits until they answer, and stops them.

Set-StrictMode -Version 3.0

$script:RepoRoot = [System.IO.Path]::GetFullPath((Join-Path -Path $PSScriptRoot -ChildPath (Join-Path -Path '..' -ChildPath '..')))

function Get-KrRepoRoot {
    <#
    .SYNOPSIS
        The repository root (two folders above tests/pester).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $script:RepoRoot
}

function Get-KrStagedModulePath {
    <#
    .SYNOPSIS
        The folder that holds the staged module (out/, to put on PSModulePath), and checks that build.ps1 ran.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $out = Join-Path -Path $script:RepoRoot -ChildPath 'out'
    $manifest = Join-Path -Path $out -ChildPath (Join-Path -Path 'Kestrun.Rust' -ChildPath 'Kestrun.Rust.psd1')
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "The module is not staged at '$manifest': run 'pwsh ./build.ps1' first."
    }
    $out
}

function Get-KrStagedManifest {
    <#
    .SYNOPSIS
        The path of out/Kestrun.Rust/Kestrun.Rust.psd1.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Join-Path -Path (Get-KrStagedModulePath) -ChildPath (Join-Path -Path 'Kestrun.Rust' -ChildPath 'Kestrun.Rust.psd1')
}

function Get-KrSeedScript {
    <#
    .SYNOPSIS
        The path of a seed document (tutorial script) from shared/seeds, or from $env:KR_SEEDS when set.
    .PARAMETER Name
        The file name, e.g. '19.1-Sessions.ps1'.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Name
    )
    $seeds = [System.Environment]::GetEnvironmentVariable('KR_SEEDS')
    if ([string]::IsNullOrEmpty($seeds)) {
        $seeds = Join-Path -Path $PSScriptRoot -ChildPath (Join-Path -Path '..' -ChildPath (Join-Path -Path '..' -ChildPath (Join-Path -Path '..' -ChildPath (Join-Path -Path 'shared' -ChildPath 'seeds'))))
    }
    $path = Join-Path -Path $seeds -ChildPath $Name
    if (-not (Test-Path -LiteralPath $path)) {
        throw "Seed script '$Name' not found in '$seeds' (set KR_SEEDS to the seeds folder)."
    }
    [System.IO.Path]::GetFullPath($path)
}

function Get-FreeTcpPort {
    <#
    .SYNOPSIS
        A TCP port that is free on the loopback address right now.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    try {
        $listener.Start()
        ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
    } finally {
        $listener.Stop()
    }
}

function Get-KrPwshPath {
    <#
    .SYNOPSIS
        The pwsh executable running the tests (so child scripts use the same PowerShell).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    # KR_PWSH (what tests/run-all.sh runs), else this process when it is pwsh itself (not e.g. `dotnet pwsh.dll`),
    # else pwsh from PATH.
    $path = [System.Environment]::GetEnvironmentVariable('KR_PWSH')
    if ([string]::IsNullOrEmpty($path) -or -not (Test-Path -LiteralPath $path)) {
        $path = (Get-Process -Id $PID).Path
    }
    if ([string]::IsNullOrEmpty($path) -or [System.IO.Path]::GetFileNameWithoutExtension($path) -ne 'pwsh') {
        $command = Get-Command -Name 'pwsh' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $command) {
            throw 'pwsh was not found (set KR_PWSH to its path).'
        }
        $path = $command.Source
    }
    $path
}

function Invoke-KrChildPwsh {
    <#
    .SYNOPSIS
        Runs a command in a new pwsh (-NoProfile) with out/ on PSModulePath and returns its output and exit code.
    .PARAMETER Command
        The PowerShell command text.
    .PARAMETER TimeoutSeconds
        Kill the child after this many seconds.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Command,

        [Parameter()]
        [int]$TimeoutSeconds = 120
    )
    $stdout = [System.IO.Path]::GetTempFileName()
    $stderr = [System.IO.Path]::GetTempFileName()
    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Command))
    $process = Start-KrChildProcess -Arguments @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) -StdOut $stdout -StdErr $stderr
    try {
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            $null = $process.WaitForExit(10000)
            throw "The child pwsh did not finish within $TimeoutSeconds s: $Command"
        }
        $process.WaitForExit()
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            StdOut   = [System.IO.File]::ReadAllText($stdout)
            StdErr   = [System.IO.File]::ReadAllText($stderr)
        }
    } finally {
        $process.Dispose()
        Remove-Item -LiteralPath $stdout, $stderr -Force -ErrorAction SilentlyContinue
    }
}

function Start-KrChildProcess {
    <#
    .SYNOPSIS
        Starts pwsh with the given arguments, out/ first on PSModulePath, output redirected to files.
    #>
    [CmdletBinding()]
    [OutputType([System.Diagnostics.Process])]
    param(
        [Parameter(Mandatory = $true)]
        [string[]]$Arguments,

        [Parameter(Mandatory = $true)]
        [string]$StdOut,

        [Parameter(Mandatory = $true)]
        [string]$StdErr
    )
    $modulePath = Get-KrStagedModulePath
    $saved = $env:PSModulePath
    try {
        $env:PSModulePath = $modulePath + [System.IO.Path]::PathSeparator + $saved
        # Start-Process joins -ArgumentList with spaces: quote each argument (the .NET command-line rules, which are
        # also how .NET splits the string again on Linux and macOS).
        $quoted = foreach ($argument in $Arguments) {
            if ($argument -eq '' -or $argument -match '[\s"]') {
                '"' + ($argument -replace '(\\*)"', '$1$1\"' -replace '(\\+)$', '$1$1') + '"'
            } else {
                $argument
            }
        }
        Start-Process -FilePath (Get-KrPwshPath) -ArgumentList ($quoted -join ' ') -RedirectStandardOutput $StdOut -RedirectStandardError $StdErr -NoNewWindow -PassThru
    } finally {
        $env:PSModulePath = $saved
    }
}

function Start-KrTestScript {
    <#
    .SYNOPSIS
        Starts a server script (pwsh -NoProfile -File <Path> -Port <free port> ...) and waits until it answers.
    .DESCRIPTION
        The script gets -Port <free port> plus -Arguments. PSModulePath includes out/, so `Import-Module Kestrun.Rust`
        (or command auto-loading) finds the staged module. Waits until https://127.0.0.1:<port>/ answers any HTTP
        status (certificate not checked) and returns an object with Port, BaseUrl, Process, Path and the output files.
    .PARAMETER Path
        The script to run.
    .PARAMETER Arguments
        More arguments for the script (e.g. @('-IdleTimeout', '2')).
    .PARAMETER Scheme
        https (default) or http.
    .PARAMETER ImportModule
        Run `Import-Module Kestrun.Rust` first, then the script (-Command instead of -File).
    .PARAMETER TimeoutSeconds
        How long to wait for the server to answer.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Path,

        [Parameter()]
        [string[]]$Arguments = @(),

        [Parameter()]
        [ValidateSet('https', 'http')]
        [string]$Scheme = 'https',

        [Parameter()]
        [switch]$ImportModule,

        [Parameter()]
        [int]$TimeoutSeconds = 90
    )
    $fullPath = [System.IO.Path]::GetFullPath($Path)
    if (-not (Test-Path -LiteralPath $fullPath)) {
        throw "Script not found: $fullPath"
    }
    $port = Get-FreeTcpPort
    $stdout = [System.IO.Path]::GetTempFileName()
    $stderr = [System.IO.Path]::GetTempFileName()
    if ($ImportModule.IsPresent) {
        $quoted = "'" + $fullPath.Replace("'", "''") + "'"
        $extra = ($Arguments | ForEach-Object { "'" + $_.Replace("'", "''") + "'" }) -join ' '
        $command = "Import-Module Kestrun.Rust -ErrorAction Stop; & $quoted -Port $port $extra"
        $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($command))
        $pwshArgs = @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    } else {
        $pwshArgs = @('-NoProfile', '-NonInteractive', '-File', $fullPath, '-Port', "$port") + $Arguments
    }
    $process = Start-KrChildProcess -Arguments $pwshArgs -StdOut $stdout -StdErr $stderr
    $instance = [pscustomobject]@{
        Path    = $fullPath
        Port    = $port
        BaseUrl = "${Scheme}://127.0.0.1:$port"
        Process = $process
        StdOut  = $stdout
        StdErr  = $stderr
    }

    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        if ($process.HasExited) {
            $output = Stop-KrTestScript -Instance $instance
            throw "The script '$fullPath' exited (code $($process.ExitCode)) before answering on port $port.`nstdout:`n$($output.StdOut)`nstderr:`n$($output.StdErr)"
        }
        try {
            $null = Invoke-WebRequest -Uri "$($instance.BaseUrl)/" -SkipCertificateCheck -SkipHttpErrorCheck -TimeoutSec 5 -ErrorAction Stop
            break
        } catch {
            if ([DateTime]::UtcNow -gt $deadline) {
                $output = Stop-KrTestScript -Instance $instance
                throw "The script '$fullPath' did not answer on port $port within $TimeoutSeconds s.`nstdout:`n$($output.StdOut)`nstderr:`n$($output.StdErr)"
            }
            Start-Sleep -Milliseconds 250
        }
    }
    $instance
}

function Stop-KrTestScript {
    <#
    .SYNOPSIS
        Kills a script started by Start-KrTestScript (unless it exited) and returns its output.
    .PARAMETER Instance
        What Start-KrTestScript returned.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Instance
    )
    $process = $Instance.Process
    if ($null -ne $process) {
        try {
            if (-not $process.HasExited) {
                $process.Kill($true)
            }
            if ($process.WaitForExit(15000)) {
                # Without a timeout, WaitForExit also waits for the redirected output to be drained.
                $process.WaitForExit()
            }
        } catch {
            Write-Warning "Stopping '$($Instance.Path)' failed: $($_.Exception.Message)"
        }
    }
    $result = [pscustomobject]@{
        ExitCode = if ($null -ne $process -and $process.HasExited) { $process.ExitCode } else { $null }
        StdOut   = if (Test-Path -LiteralPath $Instance.StdOut) { [System.IO.File]::ReadAllText($Instance.StdOut) } else { '' }
        StdErr   = if (Test-Path -LiteralPath $Instance.StdErr) { [System.IO.File]::ReadAllText($Instance.StdErr) } else { '' }
    }
    Remove-Item -LiteralPath $Instance.StdOut, $Instance.StdErr -Force -ErrorAction SilentlyContinue
    $result
}

function Wait-KrTestScriptExit {
    <#
    .SYNOPSIS
        Waits for a started script to exit by itself; $true when it did within the timeout.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [object]$Instance,

        [Parameter()]
        [int]$TimeoutSeconds = 30
    )
    $Instance.Process.WaitForExit($TimeoutSeconds * 1000)
}

function Invoke-KrCurl {
    <#
    .SYNOPSIS
        Runs the real curl (-k -s, optionally with a cookie jar: -c jar -b jar) and returns status, headers and body.
    .PARAMETER Url
        The URL.
    .PARAMETER Jar
        The cookie jar file (curl -c / -b).
    .PARAMETER Method
        The HTTP method (default GET).
    .PARAMETER Body
        A request body (--data-binary).
    .PARAMETER ContentType
        The Content-Type of -Body.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Url,

        [Parameter()]
        [string]$Jar,

        [Parameter()]
        [string]$Method = 'GET',

        [Parameter()]
        [string]$Body,

        [Parameter()]
        [string]$ContentType = 'application/json'
    )
    $curl = Get-Command -Name 'curl' -CommandType Application -ErrorAction Stop | Select-Object -First 1
    $headersFile = [System.IO.Path]::GetTempFileName()
    $bodyFile = [System.IO.Path]::GetTempFileName()
    try {
        $curlArgs = [System.Collections.Generic.List[string]]::new()
        foreach ($a in @('-k', '-s', '-S', '--max-time', '60', '-D', $headersFile, '-o', $bodyFile, '-w', '%{http_code}')) { $curlArgs.Add($a) }
        if ($Jar) {
            foreach ($a in @('-c', $Jar, '-b', $Jar)) { $curlArgs.Add($a) }
        }
        if ($Method -ne 'GET') {
            foreach ($a in @('-X', $Method)) { $curlArgs.Add($a) }
        }
        if ($PSBoundParameters.ContainsKey('Body')) {
            foreach ($a in @('-H', "Content-Type: $ContentType", '--data-binary', $Body)) { $curlArgs.Add($a) }
        }
        $curlArgs.Add($Url)
        $argumentArray = $curlArgs.ToArray()
        $code = & $curl.Source @argumentArray
        if ($LASTEXITCODE -ne 0) {
            throw "curl $Url failed with exit code $LASTEXITCODE."
        }
        $text = [System.IO.File]::ReadAllText($bodyFile)
        $json = $null
        if ($text.Length -gt 0) {
            try { $json = $text | ConvertFrom-Json -ErrorAction Stop } catch { $json = $null }
        }
        [pscustomobject]@{
            Status  = [int]"$code".Trim()
            Headers = [System.IO.File]::ReadAllText($headersFile)
            Body    = $text
            Json    = $json
        }
    } finally {
        Remove-Item -LiteralPath $headersFile, $bodyFile -Force -ErrorAction SilentlyContinue
    }
}

function Get-KrSetCookie {
    <#
    .SYNOPSIS
        The Set-Cookie header lines (raw header text of curl -D) for a cookie name.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)]
        [string]$Headers,

        [Parameter(Mandatory = $true)]
        [string]$Name
    )
    @($Headers -split "`r?`n" | Where-Object { $_ -match "^set-cookie:\s*$([regex]::Escape($Name))=" } | ForEach-Object { ($_ -replace '^set-cookie:\s*', '').Trim() })
}

$exported = @(
    'Get-KrRepoRoot', 'Get-KrStagedModulePath', 'Get-KrStagedManifest', 'Get-KrSeedScript', 'Get-FreeTcpPort', 'Get-KrPwshPath',
    'Invoke-KrChildPwsh', 'Start-KrTestScript', 'Stop-KrTestScript', 'Wait-KrTestScriptExit', 'Invoke-KrCurl', 'Get-KrSetCookie'
)
Export-ModuleMember -Function $exported
