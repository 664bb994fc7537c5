function Write-KrJsonResponse {
    <#
    .SYNOPSIS
        Writes an object to the response as JSON, with a status code.
    .DESCRIPTION
        Serializes -InputObject with ConvertTo-Json and writes it as the response body with the status code and
        content type (default 'application/json; charset=utf-8') in one call to the engine. Objects piped in are
        collected: one object is written as itself, several as a JSON array. Must be called inside a route
        script block.
    .PARAMETER InputObject
        The object to serialize (hashtable, PSCustomObject, array, value...).
    .PARAMETER StatusCode
        The HTTP status code, 100..999. Default 200.
    .PARAMETER Depth
        Maximum depth of the serialization, 0..100. Default 10.
    .PARAMETER Compress
        Write the JSON without indentation and line breaks.
    .PARAMETER ContentType
        The Content-Type header. Default 'application/json; charset=utf-8'.
    .EXAMPLE
        Write-KrJsonResponse -StatusCode 200 -InputObject @{ message = 'Counter incremented'; counter = 1 }
    .EXAMPLE
        Get-Process | Select-Object -First 3 Name, Id | Write-KrJsonResponse -Compress
    .EXAMPLE
        Write-KrJsonResponse -StatusCode 404 -InputObject @{ error = 'Not found' }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [AllowNull()]
        [AllowEmptyCollection()]
        [AllowEmptyString()]
        [object]$InputObject,

        [Parameter()]
        [ValidateRange(100, 999)]
        [int]$StatusCode = 200,

        [Parameter()]
        [ValidateRange(0, 100)]
        [int]$Depth = 10,

        [Parameter()]
        [switch]$Compress,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$ContentType = 'application/json; charset=utf-8'
    )
    begin {
        $items = [System.Collections.Generic.List[object]]::new()
    }
    process {
        $items.Add($InputObject)
    }
    end {
        try {
            $ctx = [KestrunRust.KrRequestContext]::RequireCurrent('Write-KrJsonResponse')
            if ($items.Count -eq 1) {
                $payload = $items[0]
            } else {
                $payload = $items.ToArray()
            }
            $json = ConvertTo-Json -InputObject $payload -Depth $Depth -Compress:$Compress.IsPresent
            if ($null -eq $json) {
                $json = 'null'
            }
            $ctx.Write($StatusCode, $ContentType, [string]$json)
        } catch {
            $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrWriteJsonResponseFailed' -TargetObject $StatusCode))
        }
    }
}
