# Help of Get-KrSessionByte (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Gets a byte array from the current request's session.
'@
    Description = @'
Returns the bytes stored under -Key as one byte[] (not unrolled into the pipeline), or $null when the key
is absent. Must be called inside a route script block; the server needs Add-KrSession.
'@
    Outputs = @'
System.Byte[], or $null when the key is absent
'@
    Parameters = @{
        Key = @'
The session key.
'@
    }
    Examples = @(
        @'
$bytes = Get-KrSessionByte -Key 'avatar'
if ($null -ne $bytes) { $bytes.Length }
'@
    )
}
