# Kestrun.Rust root module.
# Imports the binary module (lib/Kestrun.Rust.dll, built by build.ps1 with dotnet build: the C API wrapper, the
# runspace host and every command of the module, compiled from module/Cmdlets/<Area>), points DllImport("kestrun_rust")
# at the native library beside it, and tells the runspace host what route runspaces import. Nothing is compiled here.

# Where the built artifacts are: lib/ beside this file in the staged module (out/Kestrun.Rust/), or the staged
# module's lib/ when this file is imported from the repository (Import-Module ./Kestrun.Rust.psd1).
$script:KrLibDirectory = $null
foreach ($candidate in @(
        (Join-Path -Path $PSScriptRoot -ChildPath 'lib'),
        (Join-Path -Path $PSScriptRoot -ChildPath (Join-Path -Path '..' -ChildPath (Join-Path -Path 'out' -ChildPath (Join-Path -Path 'Kestrun.Rust' -ChildPath 'lib'))))
    )) {
    if (Test-Path -LiteralPath (Join-Path -Path $candidate -ChildPath 'Kestrun.Rust.dll')) {
        $script:KrLibDirectory = [System.IO.Path]::GetFullPath($candidate)
        break
    }
}
if ($null -eq $script:KrLibDirectory) {
    throw "Kestrun.Rust is not built: lib/Kestrun.Rust.dll was not found beside '$PSScriptRoot' nor in out/Kestrun.Rust/lib. Run 'pwsh ./build.ps1' in the repository first."
}

# StackExchange.Redis (staged in lib/ by build.ps1), so that [StackExchange.Redis.ConfigurationOptions] resolves in the
# user's script for Add-KrDistributedRedisCache -ConfigurationOptions, as with Kestrun. An assembly that the process
# already has or that the runtime provides (System.IO.Pipelines is part of .NET 9 and newer) is used as it is: the copy
# in lib/ is loaded only when loading by name fails, so nothing PowerShell ships is loaded twice.
foreach ($assemblyName in @('Microsoft.Extensions.Logging.Abstractions', 'System.IO.Pipelines', 'Pipelines.Sockets.Unofficial', 'StackExchange.Redis')) {
    try {
        $null = [System.Reflection.Assembly]::Load($assemblyName)
    } catch {
        $assemblyFile = Join-Path -Path $script:KrLibDirectory -ChildPath "$assemblyName.dll"
        if (-not (Test-Path -LiteralPath $assemblyFile)) {
            throw "Kestrun.Rust is not completely built: '$assemblyFile' is missing. Run 'pwsh ./build.ps1' in the repository first."
        }
        $null = [System.Reflection.Assembly]::LoadFrom($assemblyFile)
    }
}

# The binary module: its cmdlets become this module's (the assembly is loaded once per process; route runspaces and
# re-imports reuse it).
$script:KrBinaryModule = Import-Module -Name (Join-Path -Path $script:KrLibDirectory -ChildPath 'Kestrun.Rust.dll') -PassThru -ErrorAction Stop
[KestrunRust.KrNativeLoader]::Initialize($script:KrLibDirectory)
# Load the native library now, so that a missing or broken file is reported by Import-Module with its path.
[KestrunRust.KrNativeLoader]::EnsureLoaded()

# What the route runspaces import: the manifest when there is one (staged module or repository root), else this file.
[KestrunRust.KrRunspaceHost]::ModuleImportPath = @(
    (Join-Path -Path $PSScriptRoot -ChildPath 'Kestrun.Rust.psd1'),
    (Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath 'Kestrun.Rust.psd1'),
    (Join-Path -Path $PSScriptRoot -ChildPath 'Kestrun.Rust.psm1')
) | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1

Export-ModuleMember -Cmdlet @($script:KrBinaryModule.ExportedCmdlets.Keys)
