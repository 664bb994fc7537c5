@{
    RootModule        = 'KrTestNamedModule.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '6f0d2a3e-5b7c-4d8e-9f10-2a3b4c5d6e7f'
    Author            = 'Kestrun.Rust tests'
    Description       = 'A module the SharedState test script imports by name (tests/pester/scripts/modules on PSModulePath).'
    PowerShellVersion = '7.4'
    FunctionsToExport = @('Get-KrTestNamedValue')
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
