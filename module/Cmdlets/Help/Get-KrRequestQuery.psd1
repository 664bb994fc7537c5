# Help of Get-KrRequestQuery (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Gets a query parameter of the current request.
'@
    Description = @'
Returns the (percent-decoded) value of query parameter -Name of the current request; for a repeated
parameter the first value ($Context.GetQueryValues(name) returns all of them).
Returns $null when it is absent (or throws with -ThrowIfMissing). -AsInt, -AsBool and -AsDouble convert
the value; a value that does not convert is an error naming it (never a silent $null).
Must be called inside a route script block.
'@
    Outputs = @'
System.String (or Int32 / Boolean / Double with -AsInt / -AsBool / -AsDouble), or $null when absent
'@
    Parameters = @{
        Name = @'
The name of the query parameter.
'@
        AsInt = @'
Convert the value to an integer.
'@
        AsBool = @'
Convert the value to a boolean (true/false, 1/0, yes/no, on/off). Alias: AsBoolean.
'@
        AsDouble = @'
Convert the value to a double (invariant culture).
'@
        AsString = @'
Return the value as a string (the default).
'@
        ThrowIfMissing = @'
Throw an error when the query parameter is absent instead of returning $null.
'@
    }
    Examples = @(
        @'
$user = Get-KrRequestQuery -Name 'user'
'@
        @'
$page = Get-KrRequestQuery -Name 'page' -AsInt -ThrowIfMissing
'@
    )
}
