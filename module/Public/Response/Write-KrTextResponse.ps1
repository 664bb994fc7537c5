function Write-KrTextResponse {
    <#
    .SYNOPSIS
        Writes text to the response, with a status code.
    .DESCRIPTION
        Writes -InputObject as the UTF-8 response body with the status code and content type (default
        'text/plain; charset=utf-8') in one call to the engine. Strings and simple values are written as they are;
        other objects as their formatted text (Out-String). Lines piped in are joined with newlines. Must be called
        inside a route script block.
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
        $lines = [System.Collections.Generic.List[string]]::new()
    }
    process {
        $value = $InputObject
        if ($value -is [System.Management.Automation.PSObject]) {
            $value = $value.BaseObject
        }
        if ($null -eq $value) {
            $lines.Add('')
        } elseif ($value -is [string] -or $value -is [char] -or $value -is [ValueType]) {
            $lines.Add([string]$value)
        } else {
            $lines.Add((Out-String -InputObject $InputObject -Width 4096).TrimEnd())
        }
    }
    end {
        try {
            $ctx = [KestrunRust.KrRequestContext]::RequireCurrent('Write-KrTextResponse')
            $ctx.Write($StatusCode, $ContentType, ($lines -join "`n"))
        } catch {
            $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrWriteTextResponseFailed' -TargetObject $StatusCode))
        }
    }
}
