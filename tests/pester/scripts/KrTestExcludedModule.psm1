# A user module the SharedState test script imports by path and leaves out of the routes with
# Enable-KrConfiguration -ExcludeModules.

# A value that routes must not be able to get.
function Get-KrTestExcludedValue { 'from the excluded module' }

Export-ModuleMember -Function 'Get-KrTestExcludedValue'
