# HTTP as Kestrel serves it, seen through the real curl: HTTP/2 through ALPN on HTTPS (HTTP/1.1 kept), Add-KrEndpoint
# -Protocols, h2c on an Http2-only plain endpoint, route matching (case, one trailing slash), HEAD for GET routes;
# and robustness: 2,000 idle TCP connections that never start TLS, request headers over the limits (431 JSON), the
# TLS handshake timeout and the header limits of Set-KrServerLimit.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:ports = [ordered]@{
        Http1Port = Get-FreeTcpPort
        Http2Port = Get-FreeTcpPort
        PlainPort = Get-FreeTcpPort
        H2cPort   = Get-FreeTcpPort
    }
    $arguments = @($ports.GetEnumerator() | ForEach-Object { "-$($_.Key)"; "$($_.Value)" })
    $script:instance = Start-KrTestScript -Path (Join-Path -Path $PSScriptRoot -ChildPath 'scripts/Http.ps1') -Arguments $arguments
    $script:base = $instance.BaseUrl
    $script:http1 = "https://127.0.0.1:$($ports.Http1Port)"
    $script:http2 = "https://127.0.0.1:$($ports.Http2Port)"
    $script:plain = "http://127.0.0.1:$($ports.PlainPort)"
    $script:h2c = "http://127.0.0.1:$($ports.H2cPort)"

    # A file of request headers for curl -H @file: one header of $Size bytes.
    function New-BigHeaderFile([int]$Size) {
        $path = [System.IO.Path]::GetTempFileName()
        [System.IO.File]::WriteAllText($path, "X-Big: $([string]::new([char]'a', $Size))`n")
        $path
    }
}

AfterAll {
    if ($script:instance) {
        $null = Stop-KrTestScript -Instance $script:instance
    }
}

Describe 'HTTP/2 through ALPN' {
    It 'the default HTTPS endpoint answers curl --http2 in HTTP/2' {
        Invoke-KrCurl -Url "$base/hello" -CurlArgument '--http2' | Assert-KrResponse -Body 'hello' -PassThru |
            ForEach-Object { $_.HttpVersion | Should -Be '2' }
    }

    It 'and curl --http1.1 in HTTP/1.1' {
        $r = Invoke-KrCurl -Url "$base/hello" -CurlArgument '--http1.1'
        $r.HttpVersion | Should -Be '1.1'
        $r.Body | Should -Be 'hello'
    }

    It '-Protocols Http1 offers only HTTP/1.1: curl --http2 gets 1.1' {
        $r = Invoke-KrCurl -Url "$http1/hello" -CurlArgument '--http2'
        $r.HttpVersion | Should -Be '1.1'
        $r.Body | Should -Be 'hello'
    }

    It '-Protocols Http2 serves HTTP/2 and fails the handshake of an HTTP/1.1-only client' {
        (Invoke-KrCurl -Url "$http2/hello" -CurlArgument '--http2').HttpVersion | Should -Be '2'
        { Invoke-KrCurl -Url "$http2/hello" -CurlArgument '--http1.1' } | Should -Throw '*failed with exit code*'
    }

    It 'plain HTTP serves HTTP/1.1 (no ALPN), and HTTP/2 with prior knowledge only on an Http2 endpoint' {
        (Invoke-KrCurl -Url "$plain/hello").HttpVersion | Should -Be '1.1'
        { Invoke-KrCurl -Url "$plain/hello" -CurlArgument '--http2-prior-knowledge' } | Should -Throw '*failed with exit code*'
        $r = Invoke-KrCurl -Url "$h2c/hello" -CurlArgument '--http2-prior-knowledge'
        $r.HttpVersion | Should -Be '2'
        $r.Body | Should -Be 'hello'
        { Invoke-KrCurl -Url "$h2c/hello" -CurlArgument '--http1.1' } | Should -Throw '*failed with exit code*'
    }

    It 'each endpoint of a server reports the protocols Add-KrEndpoint gave it' {
        # The test server runs in another process: this asks a server that is never started.
        $r = Invoke-KrChildPwsh -Command @"
Import-Module Kestrun.Rust -ErrorAction Stop
`$s = New-KrServer -Name 'protocols' -PassThru | Add-KrEndpoint -Port 0 -SelfSignedCert -Protocols Http2 -PassThru | Add-KrEndpoint -Port 0 -PassThru
(`$s.Endpoints | ForEach-Object { `$_.Protocols }) -join ','
"@
        $r.StdOut.Trim() | Should -Be 'Http2,Http1AndHttp2'
    }
}

Describe 'Route matching as ASP.NET Core' {
    It 'matches paths case-insensitively and with or without one trailing slash' {
        foreach ($path in '/hello', '/HELLO', '/Hello/') {
            Invoke-KrCurl -Url "$base$path" | Assert-KrResponse -Body 'hello'
        }
        Invoke-KrCurl -Url "$base/hello//" | Assert-KrResponse -Status 404 -Json @{ status = 404 } -ContentType 'application/json'
    }

    It 'keeps the case of route parameter values' {
        Invoke-KrCurl -Url "$base/users/AbC/profile" | Assert-KrResponse -Body 'id=AbC'
        Invoke-KrCurl -Url "$base/USERS/xY/PROFILE/" -CurlArgument '--http2' | Assert-KrResponse -Body 'id=xY'
    }
}

Describe 'HEAD' {
    It 'is answered by the GET route: its status, headers and Content-Length' {
        foreach ($version in '--http1.1', '--http2') {
            $r = Invoke-KrCurl -Url "$base/created" -CurlArgument $version, '--head'
            $r.Status | Should -Be 201
            $r.Headers | Should -Match '(?im)^x-kind:\s*created\s*$'
            $r.Headers | Should -Match '(?im)^content-length:\s*4\s*$'
        }
        Invoke-KrCurl -Url "$base/created" | Assert-KrResponse -Status 201 -Body 'made'
    }

    It 'a HEAD route of the script wins' {
        $r = Invoke-KrCurl -Url "$base/own" -CurlArgument '--head'
        $r.Status | Should -Be 204
        $r.Headers | Should -Match '(?im)^x-own:\s*head\s*$'
    }

    It '405 lists HEAD with GET' {
        $r = Invoke-KrCurl -Url "$base/hello" -Method POST -Body '{}' -CurlArgument '--http1.1'
        $r.Status | Should -Be 405
        $r.Headers | Should -Match '(?im)^allow:\s*GET, HEAD\s*$'
    }

    It 'early answers to a POST over HTTP/2 reach curl (no reset overtakes its upload)' {
        # curl 7.88 fails a request (exit 92) when RST_STREAM follows an answer that came before its body was
        # sent; the engine reads a small body before a 404 / 405 / 413 / 431 so that none is needed.
        foreach ($i in 1..20) {
            (Invoke-KrCurl -Url "$base/hello" -Method POST -Body '{}' -CurlArgument '--http2').Status | Should -Be 405
            (Invoke-KrCurl -Url "$base/nope" -Method POST -Body '{}' -CurlArgument '--http2').Status | Should -Be 404
        }
    }
}

Describe 'Under abuse' {
    It 'answers /hello in under 1 s while 2,000 idle TCP connections never start TLS' {
        # The connections are opened from this process (the server is another one); each takes one descriptor.
        $count = 2000
        $limits = Get-Content -LiteralPath '/proc/self/limits' -ErrorAction SilentlyContinue | Where-Object { $_ -like 'Max open files*' }
        if ($limits) {
            $soft = [int](($limits -split '\s+')[3])
            if ($soft -lt $count + 256) {
                $count = $soft - 256
                Write-Warning "open files soft limit $($soft): $count idle connections instead of 2000"
            }
        }
        $count | Should -BeGreaterOrEqual 500
        $clients = [System.Collections.Generic.List[System.Net.Sockets.TcpClient]]::new()
        try {
            for ($i = 0; $i -lt $count; $i++) {
                $client = [System.Net.Sockets.TcpClient]::new()
                $client.Connect([System.Net.IPAddress]::Loopback, $instance.Port)
                $clients.Add($client)
            }
            Start-Sleep -Milliseconds 300
            $r = $null
            $elapsed = Measure-Command { $r = Invoke-KrCurl -Url "$base/hello" }
            $r.Body | Should -Be 'hello'
            $elapsed.TotalSeconds | Should -BeLessThan 1
            $elapsed = Measure-Command { $r = Invoke-KrCurl -Url "$base/hello" -CurlArgument '--http2' }
            $r.HttpVersion | Should -Be '2'
            $elapsed.TotalSeconds | Should -BeLessThan 1
        } finally {
            foreach ($client in $clients) { $client.Dispose() }
        }
    }

    It 'a 1 MB request header gets 431 with a JSON body (HTTP/1.1, plain and TLS)' {
        # 1 MB = 1,000,000 bytes: curl refuses to build a request of 1 MiB or more ("Out of memory", exit 27).
        $file = New-BigHeaderFile -Size 1000000
        try {
            foreach ($url in "$plain/hello", "$base/hello") {
                $r = Invoke-KrCurl -Url $url -CurlArgument '-H', "@$file", '--http1.1'
                $r | Assert-KrResponse -Status 431 -Json @{ status = 431; error = 'Request Header Fields Too Large' } -ContentType 'application/json'
                $r.Json.message | Should -BeLike '*128 KiB*'
            }
        } finally {
            Remove-Item -LiteralPath $file -Force
        }
    }

    It 'over HTTP/2, a 60 KB header gets 431 JSON' {
        # curl's HTTP/2 library (nghttp2) sends no header block over 64 KB (REFUSED_STREAM, exit 56): 1 MB over
        # HTTP/2 is tested in native/tests/http_protocols.rs with the h2 crate's client.
        $file = New-BigHeaderFile -Size 60000
        try {
            $r = Invoke-KrCurl -Url "$base/hello" -CurlArgument '-H', "@$file", '--http2'
            $r.HttpVersion | Should -Be '2'
            $r | Assert-KrResponse -Status 431 -Json @{ status = 431 } -ContentType 'application/json'
            $r.Json.message | Should -BeLike '*the limit is 32768 bytes*'
        } finally {
            Remove-Item -LiteralPath $file -Force
        }
    }

    It 'a 40 KB header (over the 32 KB limit) gets 431 JSON and the next request is served' {
        $file = New-BigHeaderFile -Size (40 * 1024)
        try {
            $r = Invoke-KrCurl -Url "$base/hello" -CurlArgument '-H', "@$file"
            $r | Assert-KrResponse -Status 431 -ContentType 'application/json'
            $r.Json.message | Should -BeLike '*the limit is 32768 bytes*'
        } finally {
            Remove-Item -LiteralPath $file -Force
        }
        Invoke-KrCurl -Url "$base/hello" | Assert-KrResponse -Body 'hello'
    }
}

Describe 'Set-KrServerLimit' {
    BeforeAll {
        $script:limited = Start-KrTestScript -Path (Join-Path -Path $PSScriptRoot -ChildPath 'scripts/HttpLimits.ps1')
    }

    AfterAll {
        if ($script:limited) {
            $null = Stop-KrTestScript -Instance $script:limited
        }
    }

    It '-TlsHandshakeTimeout closes a connection that never starts TLS' {
        $client = [System.Net.Sockets.TcpClient]::new()
        try {
            $client.Connect([System.Net.IPAddress]::Loopback, $limited.Port)
            $stream = $client.GetStream()
            $stream.ReadTimeout = 10000
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $read = try { $stream.Read([byte[]]::new(16), 0, 16) } catch { 0 }
            $watch.Stop()
            $read | Should -Be 0
            $watch.Elapsed.TotalSeconds | Should -BeGreaterThan 0.7
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        } finally {
            $client.Dispose()
        }
        Invoke-KrCurl -Url "$($limited.BaseUrl)/hello" | Assert-KrResponse -Body 'hello'
    }

    It '-MaxRequestHeaderCount and -MaxRequestHeadersTotalSize answer 431 JSON' {
        $headers = 1..12 | ForEach-Object { '-H'; "X-H$($_): v" }
        $r = Invoke-KrCurl -Url "$($limited.BaseUrl)/hello" -CurlArgument $headers
        $r | Assert-KrResponse -Status 431 -ContentType 'application/json'
        $r.Json.message | Should -BeLike '*the limit is 10*'
        $r = Invoke-KrCurl -Url "$($limited.BaseUrl)/hello" -CurlArgument '-H', "X-Big: $([string]::new([char]'b', 3000))"
        $r | Assert-KrResponse -Status 431 -ContentType 'application/json'
        $r.Json.message | Should -BeLike '*the limit is 2048 bytes*'
    }

    It 'validates its values' {
        $r = Invoke-KrChildPwsh -Command "Import-Module Kestrun.Rust -ErrorAction Stop; New-KrServer -Name 'v'; try { Set-KrServerLimit -MaxRequestHeaderCount 97; 'no error' } catch { `$_.FullyQualifiedErrorId }"
        $r.StdOut | Should -Match 'ParameterArgumentValidationError'
    }
}
