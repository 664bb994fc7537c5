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
        Write-KrJsonResponse -StatusCode 400 -InputObject @{
            message  = $_.Exception.Message
            category = $_.CategoryInfo.Category.ToString()
            errorId  = $_.FullyQualifiedErrorId
            target   = "$($_.TargetObject)"
        }
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

Start-KrServer -CloseLogsOnExit
