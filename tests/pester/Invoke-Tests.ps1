#Requires -Version 7.4
<#
.SYNOPSIS
    Runs the Kestrun.Rust Pester 5 suite (tests/pester/*.Tests.ps1).
.DESCRIPTION
    Needs the module staged by build.ps1 (out/Kestrun.Rust). Prints Pester's detailed output, then one final line
    `N passed, N failed`, and exits 1 when anything failed (a failed BeforeAll / container, and a skipped test,
    count as failures).
.PARAMETER Path
    Test files or folders (default: this folder).
.PARAMETER Output
    Pester output verbosity (default Detailed).
.EXAMPLE
    pwsh -NoProfile -File tests/pester/Invoke-Tests.ps1
#>
[CmdletBinding()]
param(
    [Parameter()]
    [string[]]$Path = @($PSScriptRoot),

    [Parameter()]
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string]$Output = 'Detailed'
)

$ErrorActionPreference = 'Stop'
try {
    Import-Module -Name Pester -MinimumVersion 5.0.0 -ErrorAction Stop
} catch {
    Write-Host "Pester 5 is required: $($_.Exception.Message)"
    Write-Host '0 passed, 1 failed'
    exit 1
}

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Output

$result = Invoke-Pester -Configuration $configuration

$passed = [int]$result.PassedCount
$failed = [int]$result.FailedCount + [int]$result.FailedBlocksCount + [int]$result.FailedContainersCount
# Nothing is skipped silently: a skipped test (e.g. a prerequisite missing) counts as failed, with its name.
foreach ($test in @($result.Skipped | Where-Object { $null -ne $_ })) {
    Write-Host "skipped, counted as failed: $($test.ExpandedPath)"
    $failed++
}
if ($result.Result -ne 'Passed' -and $failed -eq 0) {
    $failed = 1
}
Write-Host "$passed passed, $failed failed"
exit ([int]($failed -gt 0))
