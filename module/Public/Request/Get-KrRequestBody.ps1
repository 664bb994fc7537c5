function Get-KrRequestBody {
    <#
    .SYNOPSIS
        Gets the body of the current request.
    .DESCRIPTION
        By default the body is parsed by its Content-Type: application/json (and +json types) into a hashtable
        (ConvertFrom-Json -AsHashtable), application/x-www-form-urlencoded into a hashtable of decoded fields
        (repeated fields become arrays), anything else returned as text (UTF-8). -Raw returns the text as is,
        -AsBytes the bytes. An empty body gives $null (-Raw: '', -AsBytes: an empty array); a body that does not
        parse as its Content-Type says is an error. Must be called inside a route script block.
    .PARAMETER Raw
        Return the body text without parsing it.
    .PARAMETER AsBytes
        Return the body as a byte[].
    .EXAMPLE
        $data = Get-KrRequestBody
        Write-KrJsonResponse -InputObject @{ received = $data.name }
    .EXAMPLE
        $text = Get-KrRequestBody -Raw
    .OUTPUTS
        System.Collections.Hashtable, System.String or System.Byte[]
    #>
    [CmdletBinding(DefaultParameterSetName = 'Parsed')]
    [OutputType([hashtable], [string], [byte[]])]
    param(
        [Parameter(Mandatory = $true, ParameterSetName = 'Raw')]
        [switch]$Raw,

        [Parameter(Mandatory = $true, ParameterSetName = 'Bytes')]
        [switch]$AsBytes
    )
    try {
        $ctx = [KestrunRust.KrRequestContext]::RequireCurrent('Get-KrRequestBody')
        if ($AsBytes.IsPresent) {
            Write-Output -InputObject $ctx.GetBody() -NoEnumerate
            return
        }
        $text = $ctx.GetBodyText()
        if ($Raw.IsPresent) {
            return $text
        }
        if ([string]::IsNullOrEmpty($text)) {
            return $null
        }
        $contentType = $ctx.GetHeader('Content-Type')
        $mediaType = if ($null -eq $contentType) { '' } else { ($contentType -split ';')[0].Trim().ToLowerInvariant() }
        if ($mediaType -eq 'application/json' -or $mediaType -like 'application/*+json') {
            try {
                return ConvertFrom-Json -InputObject $text -AsHashtable -ErrorAction Stop
            } catch {
                throw [System.FormatException]::new("The request body is not valid JSON: $($_.Exception.Message)")
            }
        }
        if ($mediaType -eq 'application/x-www-form-urlencoded') {
            # Fields are split on '&' and the first '=' (a field without '=' has the value ''), then decoded by
            # WebUtility.UrlDecode: '+' is a space, %XX are UTF-8 bytes (an invalid sequence becomes U+FFFD).
            $form = @{}
            foreach ($pair in $text -split '&') {
                if ($pair.Length -eq 0) { continue }
                $parts = $pair -split '=', 2
                $key = [System.Net.WebUtility]::UrlDecode($parts[0])
                $value = if ($parts.Count -gt 1) { [System.Net.WebUtility]::UrlDecode($parts[1]) } else { '' }
                if ($form.ContainsKey($key)) {
                    $form[$key] = @($form[$key]) + $value
                } else {
                    $form[$key] = $value
                }
            }
            return $form
        }
        return $text
    } catch {
        $PSCmdlet.ThrowTerminatingError((ConvertTo-KrErrorRecord -ErrorRecord $_ -ErrorId 'KrGetRequestBodyFailed'))
    }
}
