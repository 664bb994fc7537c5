function Start-KrServer {
    <#
    .SYNOPSIS
        Starts a server and, unless -NoWait is given, serves until Ctrl+C or Stop-KrServer.
    .DESCRIPTION
        Captures what the script defined since Enable-KrConfiguration (new variables, functions and imported
        modules; see Enable-KrConfiguration), prepares the route runspaces (the module, the user's modules, the
        captured variables and functions, one function per route), binds every endpoint and starts serving;
        bind and certificate errors are reported here. Without -NoWait the command then blocks until Ctrl+C is
        pressed or the server is stopped (Stop-KrServer from a route or another runspace), and in a finally block
        stops the server gracefully and removes it. With -NoWait it returns at once and the server keeps running
        until Stop-KrServer / Remove-KrServer.
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER NoWait
        Return as soon as the server is listening.
    .PARAMETER Quiet
        Do not write the listening URLs and the stop messages to the host.
    .PARAMETER PassThru
        Return the server (with -NoWait).
    .PARAMETER CloseLogsOnExit
        Close the log sinks (Close-KrLogger) when the server stops (without -NoWait).
    .EXAMPLE
        Start-KrServer -CloseLogsOnExit

        Serves until Ctrl+C.
    .EXAMPLE
        Start-KrServer -NoWait -Quiet
        Invoke-RestMethod -Uri 'https://127.0.0.1:5000/hello' -SkipCertificateCheck
        Stop-KrServer
    .OUTPUTS
        KestrunRust.KrServer (with -NoWait -PassThru)
    #>
    [CmdletBinding()]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter()]
        [switch]$NoWait,

        [Parameter()]
        [switch]$Quiet,

        [Parameter()]
        [switch]$PassThru,

        [Parameter()]
        [switch]$CloseLogsOnExit
    )
    process {
        $Server = Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -ErrorId 'KrStartServerFailed' -PassThru -Action {
            param($Server, $Bound, $Cmdlet)
            try {
                if ($Server.IsRunning) {
                    throw [System.InvalidOperationException]::new("The server '$($Server.Name)' is already running.")
                }
                if (@($Server.Endpoints).Count -eq 0) {
                    throw [System.InvalidOperationException]::new("The server '$($Server.Name)' has no endpoint: add one with Add-KrEndpoint.")
                }
                Update-KrSharedState -Server $Server -Cmdlet $Cmdlet
                $Server.ScriptHost = [KestrunRust.KrRunspaceHost]::new($Server, $script:KrModuleImportPath)
                $Server.Start()
            } catch {
                if ($Server.State -ne [KestrunRust.KrServerState]::Freed -and -not $Server.IsRunning) {
                    $Server.ScriptHost = $null
                }
                throw
            }
        }

        $urls = @($Server.GetUrls())
        $name = $Server.Name
        if (-not $Quiet.IsPresent) {
            Write-Host "Kestrun.Rust server '$name' started."
            foreach ($url in $urls) {
                Write-Host "Listening on $url"
            }
        }

        if ($NoWait.IsPresent) {
            if ($PassThru.IsPresent) {
                $Server
            }
            return
        }

        if (-not $Quiet.IsPresent) {
            Write-Host 'Press Ctrl+C to stop the server.'
        }
        try {
            # Ctrl+C stops this pipeline (Start-Sleep is interrupted) and the finally block below still runs.
            while ($Server.State -eq [KestrunRust.KrServerState]::Running -and $Server.IsRunning) {
                Start-Sleep -Milliseconds 200
            }
        } finally {
            $stopError = $null
            try {
                $Server.Dispose()
            } catch {
                $stopError = $_
            }
            if ($CloseLogsOnExit.IsPresent) {
                try { [KestrunRust.KrLoggerManager]::CloseAll() } catch { $null = $_ }
            }
            if (-not $Quiet.IsPresent) {
                try { Write-Host "Kestrun.Rust server '$name' stopped." } catch { $null = $_ }
            }
            if ($null -ne $stopError) {
                $stopException = (ConvertTo-KrErrorRecord -ErrorRecord $stopError -ErrorId 'KrStopServerFailed').Exception
                if ($stopException -is [KestrunRust.KrException]) {
                    Write-Warning $stopException.Message
                } else {
                    Write-Warning "Stopping the server '$name' failed: $($stopException.Message)"
                }
            }
        }
    }
}
