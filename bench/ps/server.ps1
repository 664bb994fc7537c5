<#
    Kestrun.Rust benchmark server (bench/run.sh starts it with pwsh): runs examples/19.1-Sessions.ps1 — the 19.1
    sessions tutorial's script, unchanged — on -HttpsPort, and serves the same routes over plain HTTP on -Port too.
    The HTTP listener is the one thing added: this script's Add-KrEndpoint, which the example calls, adds the
    example's HTTPS endpoint and a plain HTTP endpoint beside it. Runs until the process is stopped.

        pwsh -NoProfile -File bench/ps/server.ps1 -ModulePath out/Kestrun.Rust/Kestrun.Rust.psd1 -Port 5000 -HttpsPort 5001
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][int]$Port,
    [Parameter(Mandatory)][int]$HttpsPort
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

$global:KrBenchHttpPort = $Port
function Add-KrEndpoint {
    # Found before the module's command when the example calls it: its endpoint, then the plain HTTP one.
    Kestrun.Rust\Add-KrEndpoint @args
    Kestrun.Rust\Add-KrEndpoint -Port $global:KrBenchHttpPort -IPAddress ([IPAddress]::Loopback)
}

& (Join-Path -Path $PSScriptRoot -ChildPath '../../examples/19.1-Sessions.ps1') -Port $HttpsPort
