function Write-KrTextResponse {
    <#
    .SYNOPSIS
        Writes text to the response, with a status code.
    .DESCRIPTION
        Writes -InputObject as the UTF-8 response body with the status code and content type (default
        'text/plain; charset=utf-8') in one call to the engine. Strings and simple values are written as they are;
        other objects as their formatted text (Out-String; objects piped one after another are formatted together,
        as the console shows them). Values piped in (or an array given to -InputObject) are joined with newlines
        ("`n"): 'a', 'b' | Write-KrTextResponse answers "a`nb". Must be called inside a route script block.
    .PARAMETER InputObject
        The text (or object) to write. Alias: Text.
    .PARAMETER StatusCode
        The HTTP status code, 100..999. Default 200.
    .PARAMETER ContentType
        The Content-Type header. Default 'text/plain; charset=utf-8'.
    .EXAMPLE
        Write-KrTextResponse -StatusCode 200 -InputObject 'Hello, Session World!'
    .EXAMPLE
        Write-KrTextResponse -InputObject '<h1>Hi</h1>' -ContentType 'text/html'
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)]
        [Alias('Text')]
        [AllowNull()]
        [AllowEmptyString()]
        [object]$InputObject,

        [Parameter()]
        [ValidateRange(100, 999)]
        [int]$StatusCode = 200,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$ContentType = 'text/plain; charset=utf-8'
    )
    begin {
        $items = [System.Collections.Generic.List[object]]::new()
    }
    process {
        # An array given to -InputObject is written as if it had been piped.
        foreach ($item in @($InputObject)) {
            $items.Add($item)
        }
    }
    end {
        # Simple values become one line each; each run of other objects is formatted together (one table, as
        # Out-String and the console show them).
        $lines = [System.Collections.Generic.List[string]]::new()
        $objects = [System.Collections.Generic.List[object]]::new()
        foreach ($item in $items) {
            if ($null -eq $item -or $item -is [string] -or $item -is [char] -or $item -is [ValueType]) {
                if ($objects.Count -gt 0) {
                    $lines.Add((Out-String -InputObject $objects -Width 4096).TrimEnd())
                    $objects.Clear()
                }
                $lines.Add([string]$item)
            } else {
                $objects.Add($item)
            }
        }
        if ($objects.Count -gt 0) {
            $lines.Add((Out-String -InputObject $objects -Width 4096).TrimEnd())
        }
        try {
            $ctx = [KestrunRust.KrRequestContext]::RequireCurrent('Write-KrTextResponse')
            $ctx.Write($StatusCode, $ContentType, ($lines -join "`n"))
        } catch {
            $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrWriteTextResponseFailed' -TargetObject $StatusCode))
        }
    }
}
