# Request getters and response writers as a client sees them (scripts/Requests.ps1, plain HTTP): query, header,
# cookie and route parameter values with their conversions and errors, request bodies by content type (form
# fields decoded as browsers encode them), status codes and content types of the responses, 404 / 405 JSON.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:instance = Start-KrTestScript -Path (Join-Path -Path $PSScriptRoot -ChildPath 'scripts/Requests.ps1') -Scheme http
    $script:base = $script:instance.BaseUrl

    function Invoke-TestGet {
        param([string]$Path, [hashtable]$Headers = @{})
        $r = Invoke-WebRequest -Uri "$base$Path" -Headers $Headers -SkipHttpErrorCheck -TimeoutSec 60
        [pscustomobject]@{ Status = [int]$r.StatusCode; Json = ($r.Content | ConvertFrom-Json); Response = $r }
    }

    # The error a route answered (scripts/Requests.ps1 writes the caught error's message, category, errorId and
    # target as JSON): the status code, and each of the other fields that is given.
    function Assert-TestError {
        param(
            [Parameter(Mandatory = $true, ValueFromPipeline = $true)][object]$Response,
            [int]$Status = 400, [string]$Message, [string]$Category, [string]$ErrorId, [string]$Target
        )
        process {
            $Response.Status | Should -Be $Status
            foreach ($field in 'Message', 'Category', 'ErrorId', 'Target') {
                if ($PSBoundParameters.ContainsKey($field)) {
                    $Response.Json.$field | Should -Be $PSBoundParameters[$field] -Because "the error's $field"
                }
            }
        }
    }

    # A response of Invoke-KrCurl: the status code, the Content-Type header (all of it) and the body, when given.
    function Assert-TestResponse {
        param(
            [Parameter(Mandatory = $true, ValueFromPipeline = $true)][object]$Response,
            [int]$Status = 200, [string]$ContentType, [string]$Body
        )
        process {
            $Response.Status | Should -Be $Status
            if ($ContentType) {
                $Response.Headers | Should -Match "(?im)^content-type:\s*$([regex]::Escape($ContentType))\s*$"
            }
            if ($PSBoundParameters.ContainsKey('Body')) {
                $Response.Body | Should -Be $Body
            }
        }
    }
}

AfterAll {
    if ($script:instance) {
        $null = Stop-KrTestScript -Instance $script:instance
    }
}

Describe 'Get-KrRequestQuery' {
    It 'returns the percent-decoded value as a string' {
        $r = Invoke-TestGet -Path '/value/query?name=user&user=Ada%20Lovelace%26co'
        $r.Json.value | Should -Be 'Ada Lovelace&co'
        $r.Json.type | Should -Be 'String'
    }

    It 'returns $null for a parameter that is absent' {
        $r = Invoke-TestGet -Path '/value/query?name=user'
        $r.Status | Should -Be 200
        $r.Json.type | Should -Be 'null'
    }

    It 'converts with -AsInt, -AsDouble (invariant culture) and -AsBool (<Text> is <Expected>)' -ForEach @(
        @{ As = 'Int'; Text = '42'; Expected = 42; Type = 'Int32' }
        @{ As = 'Int'; Text = '-7'; Expected = -7; Type = 'Int32' }
        @{ As = 'Double'; Text = '2.5'; Expected = 2.5; Type = 'Double' }
        @{ As = 'Bool'; Text = 'yes'; Expected = $true; Type = 'Boolean' }
        @{ As = 'Bool'; Text = 'ON'; Expected = $true; Type = 'Boolean' }
        @{ As = 'Bool'; Text = '0'; Expected = $false; Type = 'Boolean' }
        @{ As = 'String'; Text = '007'; Expected = '007'; Type = 'String' }
    ) {
        $r = Invoke-TestGet -Path "/value/query?name=v&as=$As&v=$Text"
        $r.Status | Should -Be 200
        $r.Json.value | Should -Be $Expected
        $r.Json.type | Should -Be $Type
    }

    It 'fails with a message naming the parameter and its value when it does not convert' {
        Invoke-TestGet -Path '/value/query?name=page&as=Int&page=ten' |
            Assert-TestError -Message "The query parameter 'page' is 'ten', which is not an integer." -Category 'InvalidData' -ErrorId 'KrGetRequestQueryFailed,KestrunRust.Cmdlets.GetKrRequestQueryCommand' -Target 'page'
    }

    It 'fails with -ThrowIfMissing with a message naming the parameter (ObjectNotFound)' {
        Invoke-TestGet -Path '/value/query?name=page&required=true' |
            Assert-TestError -Message "Missing required query parameter 'page'." -Category 'ObjectNotFound' -ErrorId 'KrGetRequestQueryFailed,KestrunRust.Cmdlets.GetKrRequestQueryCommand'
    }

    It 'returns the first value of a repeated parameter ($Context.GetQueryValues has all)' {
        $r = Invoke-TestGet -Path '/query/all?tag=a&tag=b&tag=c'
        $r.Json.first | Should -Be 'a'
        @($r.Json.all) | Should -Be @('a', 'b', 'c')
    }
}

Describe 'Get-KrRequestHeader' {
    It 'finds a header whatever the case of its name' {
        $r = Invoke-TestGet -Path '/value/header?name=x-custom-header' -Headers @{ 'X-Custom-Header' = 'some value' }
        $r.Json.value | Should -Be 'some value'
    }

    It 'converts with -AsInt' {
        $r = Invoke-TestGet -Path '/value/header?name=X-Retry&as=Int' -Headers @{ 'X-Retry' = '3' }
        $r.Json.value | Should -Be 3
        $r.Json.type | Should -Be 'Int32'
    }

    It 'returns $null for an absent header, and fails with -ThrowIfMissing naming it' {
        (Invoke-TestGet -Path '/value/header?name=X-Absent').Json.type | Should -Be 'null'
        Invoke-TestGet -Path '/value/header?name=X-Absent&required=true' |
            Assert-TestError -Message "Missing required header 'X-Absent'." -ErrorId 'KrGetRequestHeaderFailed,KestrunRust.Cmdlets.GetKrRequestHeaderCommand'
    }

    It 'fails with a message naming the header when -AsBool does not convert' {
        $r = Invoke-TestGet -Path '/value/header?name=X-Flag&as=Bool' -Headers @{ 'X-Flag' = 'maybe' }
        $r | Assert-TestError -Category 'InvalidData'
        $r.Json.message | Should -BeLike "The header 'X-Flag' is 'maybe', which is not a boolean*"
    }
}

Describe 'Get-KrRequestCookie' {
    It 'reads one cookie among several of the Cookie header' {
        $r = Invoke-TestGet -Path '/value/cookie?name=theme' -Headers @{ Cookie = 'beta=yes; theme=dark; other=1' }
        $r.Json.value | Should -Be 'dark'
    }

    It 'converts with -AsBool' {
        $r = Invoke-TestGet -Path '/value/cookie?name=beta&as=Bool' -Headers @{ Cookie = 'beta=yes; theme=dark' }
        $r.Json.value | Should -BeTrue
        $r.Json.type | Should -Be 'Boolean'
    }

    It 'returns $null for an absent cookie, and fails with -ThrowIfMissing naming it' {
        (Invoke-TestGet -Path '/value/cookie?name=theme' -Headers @{ Cookie = 'beta=yes' }).Json.type | Should -Be 'null'
        Invoke-TestGet -Path '/value/cookie?name=theme&required=true' |
            Assert-TestError -Message "Missing required cookie 'theme'." -Category 'ObjectNotFound' -ErrorId 'KrGetRequestCookieFailed,KestrunRust.Cmdlets.GetKrRequestCookieCommand'
    }
}

Describe 'Get-KrRequestRouteParam' {
    BeforeAll {
        $script:items = Invoke-TestGet -Path '/items/17/0.25'
    }

    It 'converts {id} with -AsInt and {ratio} with -AsDouble, and returns the text without a conversion' {
        $items.Status | Should -Be 200
        $items.Json.id | Should -Be 17
        $items.Json.idType | Should -Be 'Int32'
        $items.Json.raw | Should -Be '17'
        $items.Json.ratio | Should -Be 0.25
    }

    It 'returns $null for a name the pattern does not have, and fails with -ThrowIfMissing naming it' {
        $items.Json.missing | Should -BeNullOrEmpty
        $items.Json.missingError | Should -Be "Missing required route parameter 'nope'."
        $items.Json.missingCategory | Should -Be 'ObjectNotFound'
    }

    It 'fails with a message naming the parameter and its value when it does not convert' {
        $items.Json.convertError | Should -Be "The route parameter 'ratio' is '0.25', which is not an integer."
        $items.Json.convertCategory | Should -Be 'InvalidData'
        $items.Json.convertErrorId | Should -Be 'KrGetRequestRouteParamFailed,KestrunRust.Cmdlets.GetKrRequestRouteParamCommand'
    }
}

Describe 'Get-KrRequestBody' {
    It 'parses a form body: + is a space, %XX escapes are decoded (UTF-8), repeated fields become arrays, a field without = is empty' {
        $form = 'name=Ada+Lovelace&expr=1%2B1%3D2&amp=a%26b&tag=x&tag=y&flag&euro=%E2%82%AC&plus=a+%2B+b&bad=%C3%28'
        $r = Invoke-KrCurl -Url "$base/body" -Method POST -Body $form -ContentType 'application/x-www-form-urlencoded'
        $r.Status | Should -Be 200
        $r.Json.isHashtable | Should -BeTrue
        $r.Json.body.name | Should -Be 'Ada Lovelace'
        $r.Json.body.expr | Should -Be '1+1=2'
        $r.Json.body.amp | Should -Be 'a&b'
        @($r.Json.body.tag) | Should -Be @('x', 'y')
        $r.Json.body.flag | Should -Be ''
        $r.Json.body.euro | Should -Be ([string][char]0x20AC)
        $r.Json.body.plus | Should -Be 'a + b'
        $r.Json.body.bad | Should -Be (([string][char]0xFFFD) + '(')  # an invalid UTF-8 sequence, as browsers decode it
    }

    It 'decodes form field names too' {
        $r = Invoke-KrCurl -Url "$base/body" -Method POST -Body 'first+name=Ada&a%5Bb%5D=1' -ContentType 'application/x-www-form-urlencoded; charset=utf-8'
        $r.Json.body.'first name' | Should -Be 'Ada'
        $r.Json.body.'a[b]' | Should -Be '1'
    }

    It 'parses JSON (application/json and +json types) into a hashtable' {
        $r = Invoke-KrCurl -Url "$base/body" -Method POST -Body '{"name":"widget","tags":["a","b"],"size":{"w":2}}' -ContentType 'application/json'
        $r.Json.isHashtable | Should -BeTrue
        $r.Json.body.name | Should -Be 'widget'
        @($r.Json.body.tags) | Should -Be @('a', 'b')
        $r.Json.body.size.w | Should -Be 2
        $vendor = Invoke-KrCurl -Url "$base/body" -Method POST -Body '{"id":5}' -ContentType 'application/vnd.example+json'
        $vendor.Json.body.id | Should -Be 5
    }

    It 'fails on a JSON body that does not parse, saying so (InvalidData)' {
        $r = Invoke-KrCurl -Url "$base/body" -Method POST -Body '{"name":' -ContentType 'application/json'
        $r | Assert-TestError -Category 'InvalidData'
        $r.Json.message | Should -BeLike 'The request body is not valid JSON:*'
    }

    It 'returns other content types as text, and an empty body as $null' {
        $text = Invoke-KrCurl -Url "$base/body" -Method POST -Body 'just text, a=b&c' -ContentType 'text/plain'
        $text.Json.type | Should -Be 'String'
        $text.Json.body | Should -Be 'just text, a=b&c'
        $empty = Invoke-KrCurl -Url "$base/body" -Method POST -Body '' -ContentType 'application/json'
        $empty.Status | Should -Be 200
        $empty.Json.type | Should -Be 'null'
    }

    It '-Raw returns the text unparsed and -AsBytes the bytes (one byte[])' {
        (Invoke-KrCurl -Url "$base/body/raw" -Method POST -Body 'a=1&b=%20' -ContentType 'application/x-www-form-urlencoded').Body | Should -Be 'a=1&b=%20'
        $bytes = Invoke-KrCurl -Url "$base/body/bytes" -Method POST -Body 'AB€' -ContentType 'application/octet-stream'
        $bytes.Json.type | Should -Be 'Byte[]'
        $bytes.Json.length | Should -Be 5
        $bytes.Json.hex | Should -Be '4142E282AC'
    }
}

Describe 'Write-KrTextResponse' {
    It 'answers 200 text/plain; charset=utf-8 by default' {
        Invoke-KrCurl -Url "$base/text" | Assert-TestResponse -ContentType 'text/plain; charset=utf-8' -Body 'plain text'
    }

    It 'uses -StatusCode and -ContentType' {
        Invoke-KrCurl -Url "$base/text/created" | Assert-TestResponse -Status 201 -Body 'made'
        Invoke-KrCurl -Url "$base/text/csv" | Assert-TestResponse -ContentType 'text/csv; charset=utf-8' -Body "a,b`n1,2"
    }

    It 'joins piped strings with newlines' {
        (Invoke-KrCurl -Url "$base/text/pipeline").Body | Should -Be "one`ntwo`nthree"
    }

    It 'writes values piped from commands as they are' {
        (Invoke-KrCurl -Url "$base/text/pipeline/command").Body | Should -Be "first`n2"
    }

    It 'writes simple values one per line, as [string] converts them (no formatting)' {
        (Invoke-KrCurl -Url "$base/text/values").Body | Should -BeExactly "a`n1`n2.5`nTrue`n`n05/06/2024 07:08:09`nz`nFriday"
    }

    It 'formats piped objects together, as Out-String does (one table)' {
        $body = (Invoke-KrCurl -Url "$base/text/pipeline/objects").Body
        $lines = @($body -split '\r?\n' | Where-Object { $_.Trim() })
        @($lines | Where-Object { $_ -match '^\s*Name\s+Size\s*$' }).Count | Should -Be 1
        $lines[-2] | Should -Match '^\s*a\s+1\s*$'
        $lines[-1] | Should -Match '^\s*b\s+2\s*$'
    }
}

Describe 'Write-KrJsonResponse' {
    It 'answers 200 application/json; charset=utf-8 with the serialized object' {
        $r = Invoke-KrCurl -Url "$base/json"
        $r | Assert-TestResponse -ContentType 'application/json; charset=utf-8'
        $r.Json.name | Should -Be 'widget'
        $r.Json.count | Should -Be 2
        $r.Json.nested.ok | Should -BeTrue
    }

    It 'uses -StatusCode, and -Compress writes one line' {
        Invoke-KrCurl -Url "$base/json/accepted" | Assert-TestResponse -Status 202 -Body '{"queued":true}'
    }

    It 'writes several piped objects as one JSON array' {
        (Invoke-KrCurl -Url "$base/json/pipeline").Body | Should -Be '[1,2,3]'
    }

    It 'uses -ContentType' {
        $r = Invoke-KrCurl -Url "$base/json/problem"
        $r | Assert-TestResponse -Status 422 -ContentType 'application/problem+json'
        $r.Json.title | Should -Be 'bad'
    }

    It 'warns of a truncated serialization as ConvertTo-Json does' {
        $r = Invoke-KrCurl -Url "$base/json/truncated"
        $r | Assert-TestResponse
        $r.Body | Should -BeExactly '{"a":{"b":"System.Collections.Hashtable"}}'
        $r.Headers | Should -Match '(?im)^x-warnings:\s*Resulting JSON is truncated as serialization has exceeded the set depth of 1\.\s*$'
    }

    It 'reports what it cannot serialize as its own error (KrWriteJsonResponseFailed, InvalidOperation)' {
        $r = Invoke-KrCurl -Url "$base/json/bad-key"
        $r | Assert-TestError -Status 500 -Category 'InvalidOperation' -Target '200'
        $r.Json.errorId | Should -BeLike 'KrWriteJsonResponseFailed,*'
        $r.Json.message | Should -BeLike "*'System.Collections.Hashtable'*Keys must be strings*"
    }

    It 'writes byte for byte what ConvertTo-Json writes: <_>' -ForEach @(
        'hashtable', 'ordered', 'array', 'pscustomobject', 'dates', 'enums', 'numbers', 'null', 'string', 'empty string',
        'empty array', 'depth 1', 'depth 0', 'compress', 'compress depth 1', 'piped', 'piped one', 'piped none', 'note property'
    ) {
        $r = Invoke-WebRequest -Uri "$base/json/same?case=$([uri]::EscapeDataString($_))" -SkipHttpErrorCheck -TimeoutSec 60
        [int]$r.StatusCode | Should -Be 200 -Because $r.Content
        $expected = [System.Convert]::FromBase64String(@($r.Headers['X-Expected-Json'])[0])
        $body = $r.RawContentStream.ToArray()
        [System.Text.Encoding]::UTF8.GetString($body) | Should -BeExactly ([System.Text.Encoding]::UTF8.GetString($expected))
        [System.Convert]::ToHexString($body) | Should -BeExactly ([System.Convert]::ToHexString($expected))
    }
}

Describe 'Requests no route answers' {
    It 'an unknown path is 404 with a JSON body naming the method and path' {
        $r = Invoke-KrCurl -Url "$base/no/such/path"
        $r.Status | Should -Be 404
        $r.Headers | Should -Match '(?im)^content-type:\s*application/json'
        $r.Json.status | Should -Be 404
        $r.Json.error | Should -Be 'Not Found'
        $r.Json.message | Should -Be 'No route matches GET /no/such/path'
    }

    It 'a known path with another verb is 405 with an Allow header and a JSON body' {
        $r = Invoke-KrCurl -Url "$base/text" -Method Delete
        $r.Status | Should -Be 405
        $r.Headers | Should -Match '(?im)^allow:\s*GET'
        $r.Json.status | Should -Be 405
        $r.Json.error | Should -Be 'Method Not Allowed'
        $r.Json.message | Should -BeLike 'Method DELETE is not allowed for /text; allowed: GET*'
    }
}
