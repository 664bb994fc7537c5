<#
    Kestrun.Rust start-up timings (bench/run.sh runs it in a fresh pwsh when pwsh is installed):
      import_ms        how long `Import-Module Kestrun.Rust` takes in a new process;
      first_answer_ms  from the call of `Start-KrServer -NoWait` until a GET /hello has been answered
                       (200) by the server, polled from this process every 2 ms.
    Prints one line: `KRBENCH import_ms=<ms> first_answer_ms=<ms>`.

        pwsh -NoProfile -File bench/ps/startup.ps1 -ModulePath out/Kestrun.Rust/Kestrun.Rust.psd1 -Port 5002
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][int]$Port,
    [int]$TimeoutSeconds = 30
)
$ErrorActionPreference = 'Stop'
$inv = [System.Globalization.CultureInfo]::InvariantCulture

$watch = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module $ModulePath
$importMs = $watch.Elapsed.TotalMilliseconds

New-KrServer -Name 'Kestrun.Rust startup bench'
Add-KrEndpoint -Port $Port -IPAddress ([IPAddress]::Loopback)
Enable-KrConfiguration
Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -StatusCode 200 -InputObject 'Hello, World!'
}

# The HTTP client is made ready (its code paths loaded and compiled, including the failure path of a
# refused connection) before the clock starts, so the figure is the server's, not the client's warm-up.
$client = [System.Net.Http.HttpClient]::new()
$client.Timeout = [TimeSpan]::FromSeconds(5)
$url = "http://127.0.0.1:$Port/hello"
try { $null = $client.GetAsync($url).GetAwaiter().GetResult() } catch { }

$watch.Restart()
Start-KrServer -NoWait
$answered = $false
while ($watch.Elapsed.TotalSeconds -lt $TimeoutSeconds) {
    try {
        $response = $client.GetAsync($url).GetAwaiter().GetResult()
        if ($response.IsSuccessStatusCode) { $answered = $true; break }
    } catch { }
    Start-Sleep -Milliseconds 2
}
$firstMs = $watch.Elapsed.TotalMilliseconds
if ($answered) {
    [Console]::Out.WriteLine(('KRBENCH import_ms={0} first_answer_ms={1}' -f $importMs.ToString('F1', $inv), $firstMs.ToString('F1', $inv)))
}
try { Stop-KrServer } catch { Write-Warning "Stop-KrServer: $_" }
if (-not $answered) {
    throw "GET $url was not answered within $TimeoutSeconds s of Start-KrServer -NoWait"
}
