# Help of New-KrServer (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Creates a new Kestrun.Rust server.
'@
    Description = @'
Creates a server in the Rust engine and makes it the current server, the one the other commands act on
when -Server is omitted. Re-running a script in the same shell works: an existing server of the same name
that is not running is replaced. A running server of that name is an error unless -Force is given, which
stops and replaces it.
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Name = @'
The name of the server.
'@
        PassThru = @'
Return the server object.
'@
        Force = @'
Replace a running server of the same name (it is stopped first).
'@
    }
    Examples = @(
        @'
New-KrServer -Name 'Sessions Demo Server'
'@
        @'
$server = New-KrServer -Name 'api' -Force -PassThru
$server | Add-KrEndpoint -Port 8080 -SelfSignedCert
'@
    )
}
