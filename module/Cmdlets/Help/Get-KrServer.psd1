# Help of Get-KrServer (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Returns Kestrun.Rust servers of this session.
'@
    Description = @'
Without parameters returns the current server (the last created one). -Name returns the server of that name
(an error when there is none), -All every server. A server object shows its State, Endpoints (with the bound
Url once started), Routes and Session settings.
'@
    Outputs = @'
KestrunRust.KrServer
'@
    Parameters = @{
        Name = @'
The name of the server.
'@
        All = @'
Return every server.
'@
    }
    Examples = @(
        @'
(Get-KrServer).Endpoints.Url
'@
        @'
Get-KrServer -All | Select-Object Name, State
'@
    )
}
