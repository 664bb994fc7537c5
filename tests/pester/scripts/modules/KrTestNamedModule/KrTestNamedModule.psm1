# Imported by name through its manifest, which exports Get-KrTestNamedValue only: Get-KrTestNamedHelper stays
# private unless the .psm1 is imported without the manifest.

# Not exported by the manifest.
function Get-KrTestNamedHelper { 'named' }

# A value that only this module knows.
function Get-KrTestNamedValue { "from the $(Get-KrTestNamedHelper) module" }
