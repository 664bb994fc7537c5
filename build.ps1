#Requires -Version 7.4
<#
.SYNOPSIS
    Builds Kestrun.Rust: the Rust library, the C# interop, and the module staged at out/Kestrun.Rust/.
.DESCRIPTION
    1. cargo build of the C ABI crate (kestrun_rust; release by default). The committed header
       ffi/include/kestrun_rust.h is not touched: `cargo run -p kestrun_rust --example gen_header` regenerates it.
    2. Builds the binary module module/Kestrun.Rust.csproj with `dotnet build` (the .NET SDK 8 or newer) into
       lib/Kestrun.Rust.dll: the C API wrapper, the runspace host and every command of the module; and stages
       beside it the StackExchange.Redis assemblies the project references (StackExchange.Redis.dll and what it
       needs), which Kestrun.Rust.psm1 loads for [StackExchange.Redis.ConfigurationOptions]. Skipped when its
       sources are unchanged.
    3. Stages a complete module at out/Kestrun.Rust/: Kestrun.Rust.psd1, Kestrun.Rust.psm1, lib/Kestrun.Rust.dll
       and lib/<native library of this OS>.
    4. Generates the help of the compiled cmdlets, lib/en-US/Kestrun.Rust.dll-Help.xml (MAML), from
       module/Cmdlets/Help/<Name>.psd1 and the built assembly (module/Cmdlets/Help/New-KrCmdletHelp.ps1); skipped
       when neither changed.
    Then `$env:PSModulePath = "$PWD/out$([IO.Path]::PathSeparator)$env:PSModulePath"; Import-Module Kestrun.Rust`
    works, and so does `Import-Module ./Kestrun.Rust.psd1` from the repository root. Re-running is quick and safe.
.PARAMETER Configuration
    Release (default) or Debug: the cargo profile, and target/release or target/debug.
.PARAMETER OutputPath
    Where to stage the module (default: out/ in the repository; the module goes to <OutputPath>/Kestrun.Rust).
.PARAMETER SkipNative
    Do not run cargo; use the library already in target/<profile>.
.PARAMETER Force
    Rebuild Kestrun.Rust.dll even if its sources did not change.
.EXAMPLE
    pwsh ./build.ps1
.EXAMPLE
    pwsh ./build.ps1 -Configuration Debug
#>
[CmdletBinding()]
param(
    [Parameter()]
    [ValidateSet('Release', 'Debug')]
    [string]$Configuration = 'Release',

    [Parameter()]
    [string]$OutputPath = (Join-Path -Path $PSScriptRoot -ChildPath 'out'),

    [Parameter()]
    [switch]$SkipNative,

    [Parameter()]
    [switch]$Force
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$root = $PSScriptRoot
$moduleSource = Join-Path -Path $root -ChildPath 'module'
$stage = Join-Path -Path ([System.IO.Path]::GetFullPath($OutputPath)) -ChildPath 'Kestrun.Rust'
$libStage = Join-Path -Path $stage -ChildPath 'lib'
$profileDir = $Configuration.ToLowerInvariant()

function Write-Step([string]$Message) {
    Write-Host "==> $Message"
}

function Copy-KrStagedFile([string]$Source, [string]$Destination) {
    # Copy to a temporary name, then rename over the old file: a process still using the old file (the library, the
    # assembly) keeps its (unlinked) copy instead of seeing it rewritten under it.
    $temporary = "$Destination.$PID.tmp"
    Copy-Item -LiteralPath $Source -Destination $temporary -Force
    try {
        Move-Item -LiteralPath $temporary -Destination $Destination -Force
    } catch {
        Remove-Item -LiteralPath $temporary -Force -ErrorAction SilentlyContinue
        throw "Could not replace '$Destination' (is a process using the module?): $($_.Exception.Message)"
    }
}

# ---- 1. native library -------------------------------------------------------------------------------------
if ($IsWindows) {
    $nativeName = 'kestrun_rust.dll'
} elseif ($IsMacOS) {
    $nativeName = 'libkestrun_rust.dylib'
} else {
    $nativeName = 'libkestrun_rust.so'
}
$targetDir = [System.Environment]::GetEnvironmentVariable('CARGO_TARGET_DIR')
if ([string]::IsNullOrEmpty($targetDir)) {
    $targetDir = Join-Path -Path $root -ChildPath 'target'
}
$nativeBuilt = Join-Path -Path (Join-Path -Path $targetDir -ChildPath $profileDir) -ChildPath $nativeName

if (-not $SkipNative.IsPresent) {
    $cargo = Get-Command -Name 'cargo' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $cargo) {
        throw 'cargo was not found on PATH: install Rust 1.89 or newer, or use -SkipNative with a library already built.'
    }
    $cargoArgs = @('build', '--manifest-path', (Join-Path -Path $root -ChildPath 'Cargo.toml'), '-p', 'kestrun_rust')
    if ($Configuration -eq 'Release') {
        $cargoArgs += '--release'
    }
    Write-Step "cargo $($cargoArgs -join ' ')"
    & $cargo.Source @cargoArgs
    if ($LASTEXITCODE -ne 0) {
        throw "cargo build failed (exit code $LASTEXITCODE)."
    }
}
if (-not (Test-Path -LiteralPath $nativeBuilt -PathType Leaf)) {
    throw "The native library was not found at '$nativeBuilt'. Build it with cargo (or run this script without -SkipNative)."
}

# ---- 2. stage the PowerShell files ---------------------------------------------------------------------------
Write-Step "staging $stage"
$null = New-Item -ItemType Directory -Path $libStage -Force
# Every command is compiled into Kestrun.Rust.dll: the Public/ and Private/ script folders of earlier builds go.
foreach ($folder in @('Public', 'Private')) {
    $stale = Join-Path -Path $stage -ChildPath $folder
    if (Test-Path -LiteralPath $stale) {
        Remove-Item -LiteralPath $stale -Recurse -Force
    }
}
Copy-Item -LiteralPath (Join-Path -Path $moduleSource -ChildPath 'Kestrun.Rust.psm1') -Destination $stage -Force

# The staged manifest is the repository one with the root module beside it.
$manifestText = Get-Content -LiteralPath (Join-Path -Path $root -ChildPath 'Kestrun.Rust.psd1') -Raw
$stagedManifest = $manifestText -replace "RootModule(\s*)=(\s*)'module/Kestrun\.Rust\.psm1'", "RootModule`$1=`$2'Kestrun.Rust.psm1'"
if ($stagedManifest -eq $manifestText) {
    throw "Kestrun.Rust.psd1: RootModule = 'module/Kestrun.Rust.psm1' was not found; cannot stage the manifest."
}
Set-Content -LiteralPath (Join-Path -Path $stage -ChildPath 'Kestrun.Rust.psd1') -Value $stagedManifest -Encoding utf8NoBOM -NoNewline

# ---- 3. native library into lib/ -------------------------------------------------------------------------------
$nativeStaged = Join-Path -Path $libStage -ChildPath $nativeName
$copyNative = $true
if (Test-Path -LiteralPath $nativeStaged) {
    $copyNative = (Get-FileHash -LiteralPath $nativeBuilt).Hash -ne (Get-FileHash -LiteralPath $nativeStaged).Hash
}
if ($copyNative) {
    Write-Step "copying $nativeName ($Configuration)"
    Copy-KrStagedFile -Source $nativeBuilt -Destination $nativeStaged
} else {
    Write-Step "$nativeName is up to date"
}

# ---- 4. the binary module: Kestrun.Rust.dll (module/Kestrun.Rust.csproj, dotnet build) -----------------------------
$assemblyName = 'Kestrun.Rust.dll'
$assemblyStaged = Join-Path -Path $libStage -ChildPath $assemblyName
$stampFile = Join-Path -Path $libStage -ChildPath 'Kestrun.Rust.sha256'
$project = Join-Path -Path $moduleSource -ChildPath 'Kestrun.Rust.csproj'
$sources = @(Get-ChildItem -LiteralPath $moduleSource -Include '*.cs', '*.csproj' -File -Recurse |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } | Sort-Object -Property FullName)
$hasher = [System.Security.Cryptography.IncrementalHash]::CreateHash([System.Security.Cryptography.HashAlgorithmName]::SHA256)
foreach ($source in $sources) {
    $relative = [System.IO.Path]::GetRelativePath($moduleSource, $source.FullName).Replace('\', '/')
    $hasher.AppendData([System.Text.Encoding]::UTF8.GetBytes("$relative`n"))
    $hasher.AppendData([System.IO.File]::ReadAllBytes($source.FullName))
}
$stamp = [System.Convert]::ToHexString($hasher.GetHashAndReset())
$hasher.Dispose()

# The assemblies of the StackExchange.Redis package reference, staged beside Kestrun.Rust.dll (Kestrun.Rust.psm1 loads
# each one that the process or the runtime does not already provide, e.g. System.IO.Pipelines on .NET 9 and newer).
$companionAssemblies = @('StackExchange.Redis.dll', 'Pipelines.Sockets.Unofficial.dll', 'System.IO.Pipelines.dll', 'Microsoft.Extensions.Logging.Abstractions.dll')
$companionsStaged = @($companionAssemblies | Where-Object { -not (Test-Path -LiteralPath (Join-Path -Path $libStage -ChildPath $_)) }).Count -eq 0
$upToDate = (-not $Force.IsPresent) -and $companionsStaged -and (Test-Path -LiteralPath $assemblyStaged) -and (Test-Path -LiteralPath $stampFile) -and
    ((Get-Content -LiteralPath $stampFile -Raw).Trim() -eq $stamp)
if ($upToDate) {
    Write-Step "$assemblyName is up to date"
} else {
    $dotnet = Get-Command -Name 'dotnet' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $dotnet) {
        throw 'dotnet was not found on PATH: the binary module is built with the .NET SDK (8 or newer).'
    }
    $buildOutput = Join-Path -Path $targetDir -ChildPath (Join-Path -Path 'dotnet' -ChildPath $profileDir)
    Write-Step "dotnet build module/Kestrun.Rust.csproj -c $Configuration"
    $log = & $dotnet.Source build $project -c $Configuration -o $buildOutput -nologo -v:q 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet build of module/Kestrun.Rust.csproj failed (exit code $LASTEXITCODE):$([System.Environment]::NewLine)$(($log | Out-String).Trim())"
    }
    foreach ($file in @($assemblyName) + $companionAssemblies) {
        $built = Join-Path -Path $buildOutput -ChildPath $file
        if (-not (Test-Path -LiteralPath $built -PathType Leaf)) {
            throw "dotnet build of module/Kestrun.Rust.csproj did not produce '$file' in '$buildOutput'."
        }
        Copy-KrStagedFile -Source $built -Destination (Join-Path -Path $libStage -ChildPath $file)
    }
    Set-Content -LiteralPath $stampFile -Value $stamp -Encoding ascii
}
foreach ($stale in @('Kestrun.Rust.Interop.dll', 'Kestrun.Rust.Interop.sha256')) {
    Remove-Item -LiteralPath (Join-Path -Path $libStage -ChildPath $stale) -Force -ErrorAction SilentlyContinue
}

# ---- 5. help of the compiled cmdlets: lib/en-US/Kestrun.Rust.dll-Help.xml (module/Cmdlets/Help/New-KrCmdletHelp.ps1) --
# Generated from module/Cmdlets/Help/<Name>.psd1 and the cmdlets of the built assembly; the script does nothing when
# neither (nor itself) changed.
$helpScript = Join-Path -Path $moduleSource -ChildPath (Join-Path -Path 'Cmdlets' -ChildPath (Join-Path -Path 'Help' -ChildPath 'New-KrCmdletHelp.ps1'))
$helpStaged = Join-Path -Path $libStage -ChildPath (Join-Path -Path 'en-US' -ChildPath "$assemblyName-Help.xml")
$helpState = & $helpScript -AssemblyPath $assemblyStaged -HelpPath (Split-Path -Path $helpScript -Parent) -OutputPath $helpStaged -Force:$Force.IsPresent
Write-Step "lib/en-US/$assemblyName-Help.xml is $helpState"

Write-Step "done: $stage"
Write-Host "    Import-Module '$stage'  (or add '$([System.IO.Path]::GetFullPath($OutputPath))' to PSModulePath and Import-Module Kestrun.Rust)"
