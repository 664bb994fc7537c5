<#
    Test server for the request getters and the response writers (Pester: Requests.Tests.ps1), over plain HTTP:
    Get-KrRequestQuery / -Header / -Cookie / -RouteParam with their conversions and errors, Get-KrRequestBody by
    content type, Write-KrTextResponse / Write-KrJsonResponse status codes and content types.
#>
param(
    [int]$Port = 5000,
    [IPAddress]$IPAddress = [IPAddress]::Loopback
)

Import-Module Kestrun.Rust

New-KrLogger | Set-KrLoggerLevel -Value Information | Add-KrSinkConsole | Register-KrLogger -Name 'requests' -SetAsDefault

# Answers the error caught by a route as JSON: its message, category, FullyQualifiedErrorId and target. (A function
# of this script: the route runspaces get it, as they get the script's variables.)
function Write-TestError {
    param([System.Management.Automation.ErrorRecord]$ErrorRecord, [int]$StatusCode)
    Write-KrJsonResponse -StatusCode $StatusCode -InputObject @{
        message  = $ErrorRecord.Exception.Message
        category = $ErrorRecord.CategoryInfo.Category.ToString()
        errorId  = $ErrorRecord.FullyQualifiedErrorId
        target   = "$($ErrorRecord.TargetObject)"
    }
}

New-KrServer -Name 'Requests Test Server'
Add-KrEndpoint -Port $Port -IPAddress $IPAddress
Set-KrServerOptions -MaxRunspaces 2
Enable-KrConfiguration

# /value/query|header|cookie?name=<name of the value>[&as=Int|Bool|Double|String][&required=true]
# Answers the value and its type, or 400 with what the getter's error says.
Add-KrMapRoute -Verbs Get -Path '/value/{kind}' -ScriptBlock {
    $kind = Get-KrRequestRouteParam -Name 'kind'
    $parameters = @{ Name = (Get-KrRequestQuery -Name 'name' -ThrowIfMissing) }
    $as = Get-KrRequestQuery -Name 'as'
    if ($as) { $parameters["As$as"] = $true }
    if (Get-KrRequestQuery -Name 'required' -AsBool) { $parameters['ThrowIfMissing'] = $true }
    try {
        $value = switch ($kind) {
            'query' { Get-KrRequestQuery @parameters }
            'header' { Get-KrRequestHeader @parameters }
            'cookie' { Get-KrRequestCookie @parameters }
        }
        Write-KrJsonResponse -InputObject @{ value = $value; type = $(if ($null -eq $value) { 'null' } else { $value.GetType().Name }) }
    } catch {
        Write-TestError -ErrorRecord $_ -StatusCode 400
    }
}

Add-KrMapRoute -Verbs Get -Path '/query/all' -ScriptBlock {
    Write-KrJsonResponse -InputObject @{ first = (Get-KrRequestQuery -Name 'tag'); all = @($Context.GetQueryValues('tag')) }
}

Add-KrMapRoute -Verbs Get -Path '/items/{id}/{ratio}' -ScriptBlock {
    $result = @{
        id       = (Get-KrRequestRouteParam -Name 'id' -AsInt)
        idType   = (Get-KrRequestRouteParam -Name 'id' -AsInt).GetType().Name
        raw      = (Get-KrRequestRouteParam -Name 'id')
        ratio    = (Get-KrRequestRouteParam -Name 'ratio' -AsDouble)
        missing  = (Get-KrRequestRouteParam -Name 'nope')
    }
    try {
        $null = Get-KrRequestRouteParam -Name 'nope' -ThrowIfMissing
    } catch {
        $result['missingError'] = $_.Exception.Message
        $result['missingCategory'] = $_.CategoryInfo.Category.ToString()
    }
    try {
        $null = Get-KrRequestRouteParam -Name 'ratio' -AsInt
    } catch {
        $result['convertError'] = $_.Exception.Message
        $result['convertCategory'] = $_.CategoryInfo.Category.ToString()
        $result['convertErrorId'] = $_.FullyQualifiedErrorId
    }
    Write-KrJsonResponse -InputObject $result
}

Add-KrMapRoute -Verbs Post -Path '/body' -ScriptBlock {
    try {
        $body = Get-KrRequestBody
        Write-KrJsonResponse -InputObject @{
            type        = $(if ($null -eq $body) { 'null' } else { $body.GetType().Name })
            isHashtable = ($body -is [hashtable])
            body        = $body
        }
    } catch {
        Write-KrJsonResponse -StatusCode 400 -InputObject @{ message = $_.Exception.Message; category = $_.CategoryInfo.Category.ToString() }
    }
}

Add-KrMapRoute -Verbs Post -Path '/body/raw' -ScriptBlock {
    Write-KrTextResponse -InputObject (Get-KrRequestBody -Raw)
}

Add-KrMapRoute -Verbs Post -Path '/body/bytes' -ScriptBlock {
    $bytes = Get-KrRequestBody -AsBytes
    Write-KrJsonResponse -InputObject @{ type = $bytes.GetType().Name; length = $bytes.Length; hex = [System.Convert]::ToHexString($bytes) }
}

Add-KrMapRoute -Verbs Get -Path '/text' -ScriptBlock {
    Write-KrTextResponse -InputObject 'plain text'
}

Add-KrMapRoute -Verbs Get -Path '/text/created' -ScriptBlock {
    Write-KrTextResponse -InputObject 'made' -StatusCode 201
}

Add-KrMapRoute -Verbs Get -Path '/text/csv' -ScriptBlock {
    Write-KrTextResponse -InputObject "a,b`n1,2" -ContentType 'text/csv; charset=utf-8'
}

Add-KrMapRoute -Verbs Get -Path '/text/pipeline' -ScriptBlock {
    'one', 'two', 'three' | Write-KrTextResponse
}

Add-KrMapRoute -Verbs Get -Path '/text/pipeline/command' -ScriptBlock {
    'first', 2 | ForEach-Object { Write-Output -InputObject $_ } | Write-KrTextResponse
}

Add-KrMapRoute -Verbs Get -Path '/text/pipeline/objects' -ScriptBlock {
    [pscustomobject]@{ Name = 'a'; Size = 1 }, [pscustomobject]@{ Name = 'b'; Size = 2 } | Write-KrTextResponse
}

Add-KrMapRoute -Verbs Get -Path '/json' -ScriptBlock {
    Write-KrJsonResponse -InputObject @{ name = 'widget'; count = 2; nested = @{ ok = $true } }
}

Add-KrMapRoute -Verbs Get -Path '/json/accepted' -ScriptBlock {
    Write-KrJsonResponse -InputObject @{ queued = $true } -StatusCode 202 -Compress
}

Add-KrMapRoute -Verbs Get -Path '/json/pipeline' -ScriptBlock {
    1, 2, 3 | Write-KrJsonResponse -Compress
}

Add-KrMapRoute -Verbs Get -Path '/json/problem' -ScriptBlock {
    Write-KrJsonResponse -InputObject @{ title = 'bad' } -StatusCode 422 -ContentType 'application/problem+json'
}

Add-KrMapRoute -Verbs Get -Path '/text/values' -ScriptBlock {
    Write-KrTextResponse -InputObject @('a', 1, 2.5, $true, $null, [datetime]::new(2024, 5, 6, 7, 8, 9), [char]'z', [System.DayOfWeek]::Friday)
}

# The warning of a truncated serialization, as ConvertTo-Json writes it (in a header, after the body).
Add-KrMapRoute -Verbs Get -Path '/json/truncated' -ScriptBlock {
    $warnings = $null
    Write-KrJsonResponse -InputObject @{ a = @{ b = @{ c = 1 } } } -Depth 1 -Compress -WarningVariable warnings -WarningAction SilentlyContinue
    $Context.AddHeader('X-Warnings', (@($warnings) -join ' | '))
}

# A dictionary key that is not a string: the serializer's error, reported by Write-KrJsonResponse.
Add-KrMapRoute -Verbs Get -Path '/json/bad-key' -ScriptBlock {
    try {
        Write-KrJsonResponse -InputObject @{ 1 = 'one' }
    } catch {
        Write-TestError -ErrorRecord $_ -StatusCode 500
    }
}

# /json/same?case=<name>: Write-KrJsonResponse writes byte for byte what ConvertTo-Json writes for the same object (in
# the same runspace: hashtable key order is per process). The expected text travels in the X-Expected-Json header
# (base64 of its UTF-8 bytes); the body is Write-KrJsonResponse's.
Add-KrMapRoute -Verbs Get -Path '/json/same' -ScriptBlock {
    $utc = [datetime]::new(2024, 5, 6, 7, 8, 9, 123, [System.DateTimeKind]::Utc)
    $nested = [ordered]@{ level1 = [ordered]@{ level2 = @{ level3 = @(1, @{ deep = 'x' }) } }; list = @(1, @(2, 3)) }
    $depth = 10
    $compress = $false
    $piped = $false
    $expected = $null
    switch (Get-KrRequestQuery -Name 'case' -ThrowIfMissing) {
        'hashtable' { $value = @{ name = 'widget'; count = 2; price = 9.99; tags = @('a', 'b'); none = $null; ok = $true; inner = @{ x = 1; y = @{ z = 'deep' } } } }
        'ordered' { $value = [ordered]@{ z = 1; a = 2; m = [ordered]@{ b = 'x'; a = 'y' }; empty = [ordered]@{} } }
        'array' { $value = @(1, 'two', 3.5, $null, @(4, 5), @{ six = 6 }, @()) }
        'pscustomobject' { $value = [pscustomobject]@{ Name = 'a'; Size = 1; Child = [pscustomobject]@{ Deep = $true; When = $utc } } }
        'dates' {
            $value = [ordered]@{
                utc         = $utc
                local       = [datetime]::new(2024, 5, 6, 7, 8, 9, [System.DateTimeKind]::Local)
                unspecified = [datetime]::new(2024, 5, 6, 7, 8, 9, 500, [System.DateTimeKind]::Unspecified)
                offset      = [datetimeoffset]::new(2024, 5, 6, 7, 8, 9, [timespan]::FromHours(-3.5))
                span        = [timespan]::FromMinutes(90)
            }
        }
        'enums' { $value = [ordered]@{ day = [System.DayOfWeek]::Friday; flags = [System.IO.FileAttributes]'ReadOnly, Hidden'; alone = [System.ConsoleColor]::Cyan } }
        'numbers' { $value = [ordered]@{ int = 42; long = [long]::MaxValue; double = 0.1 + 0.2; decimal = 1.10d; big = [bigint]::Pow(2, 70); negative = -7; nan = [double]::NaN; char = [char]'q'; guid = [guid]'0f8fad5b-d9cb-469f-a165-70867728950e'; uri = [uri]'https://example.com/a?b=c' } }
        'null' { $value = $null }
        'string' { $value = "quote `" backslash \ slash / tab `t newline `n return `r nul $([char]0) bell $([char]7) <tag>&'apos' é € 😀 $([char]0x2028)" }
        'empty string' { $value = '' }
        'empty array' { $value = @() }
        'depth 1' { $value = $nested; $depth = 1 }
        'depth 0' { $value = $nested; $depth = 0 }
        'compress' { $value = $nested; $compress = $true }
        'compress depth 1' { $value = [pscustomobject]@{ inner = [pscustomobject]@{ x = [pscustomobject]@{ y = 1 } } }; $depth = 1; $compress = $true }
        'piped' { $value = @([pscustomobject]@{ i = 1 }, 2, 'three', $null); $piped = $true }
        'piped one' { $value = @([ordered]@{ only = 1 }); $piped = $true }
        'piped none' { $value = @(); $piped = $true }
        'note property' {
            # Members added to a value's PSObject are not written (the value is taken as a .NET method argument takes
            # it, as the script version of the command did): what ConvertTo-Json writes for the value itself.
            $value = Add-Member -InputObject @{ a = 1 } -NotePropertyName 'extra' -NotePropertyValue 2 -PassThru
            $expected = ConvertTo-Json -InputObject $value.psobject.BaseObject
        }
    }
    if ($null -eq $expected -and $piped -and $value.Count -gt 0) {
        $expected = $value | ConvertTo-Json -Depth $depth -Compress:$compress -WarningAction SilentlyContinue
    } elseif ($null -eq $expected) {
        # Nothing piped is an empty array: what ConvertTo-Json -InputObject @() writes (piped nothing, it writes nothing).
        $expected = ConvertTo-Json -InputObject $value -Depth $depth -Compress:$compress -WarningAction SilentlyContinue
    }
    $Context.AddHeader('X-Expected-Json', [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($expected)))
    if ($piped) {
        # (An empty array piped sends nothing down the pipeline.)
        $value | Write-KrJsonResponse -Depth $depth -Compress:$compress -WarningAction SilentlyContinue
    } else {
        Write-KrJsonResponse -InputObject $value -Depth $depth -Compress:$compress -WarningAction SilentlyContinue
    }
}

Start-KrServer -CloseLogsOnExit
