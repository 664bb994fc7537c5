# A user module the SharedState test script imports by path (not on PSModulePath): its commands are only available
# in the route runspaces if Kestrun.Rust imports it there.

# A value that only this module knows.
function Get-KrTestUserValue { 'from the user module' }

Export-ModuleMember -Function 'Get-KrTestUserValue'
