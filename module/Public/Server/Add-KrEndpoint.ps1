function Add-KrEndpoint {
    <#
    .SYNOPSIS
        Adds a listening endpoint (address and port, HTTP or HTTPS) to a server.
    .DESCRIPTION
        Adds an endpoint to the server. Without a certificate option the endpoint is plain HTTP; -SelfSignedCert
        makes it HTTPS with a certificate generated in memory for localhost, 127.0.0.1 and ::1 (plus the address);
        -CertPath / -KeyPath load a PEM certificate chain and private key. Port 0 picks a free port when the server
        starts (Get-KrServer shows the bound URL). The address defaults to the loopback address 127.0.0.1; use
        -IPAddress ([IPAddress]::Any) to listen on every interface, or -HostName (localhost, an IP literal, or a
        name that is resolved now; one endpoint per address).

        -Protocols chooses the HTTP versions, as Kestrel's ListenOptions.Protocols: Http1AndHttp2 (default), Http1
        or Http2. On HTTPS the client and server agree on the version through TLS ALPN, so with the default a
        browser or `curl --http2` gets HTTP/2 and older clients HTTP/1.1. Plain HTTP has no ALPN: as in Kestrel,
        Http1AndHttp2 and Http1 serve HTTP/1.1 there, and Http2 serves only HTTP/2 with prior knowledge (h2c,
        `curl --http2-prior-knowledge`).
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER Port
        The TCP port, 0..65535 (0 = any free port). Default 0.
    .PARAMETER IPAddress
        The address to listen on. Cannot be combined with -HostName.
    .PARAMETER HostName
        A host name to listen on. Cannot be combined with -IPAddress.
    .PARAMETER SelfSignedCert
        Serve HTTPS with a generated self-signed certificate.
    .PARAMETER CertPath
        Path of a PEM certificate (chain) file for HTTPS.
    .PARAMETER KeyPath
        Path of the PEM private key matching -CertPath.
    .PARAMETER Protocols
        The HTTP versions served: Http1AndHttp2 (default), Http1 or Http2 (see the description for plain HTTP).
    .PARAMETER PassThru
        Return the server.
    .EXAMPLE
        Add-KrEndpoint -Port 5000 -IPAddress ([IPAddress]::Loopback) -SelfSignedCert
    .EXAMPLE
        Add-KrEndpoint -Port 8443 -HostName localhost -CertPath ./cert.pem -KeyPath ./key.pem
    .EXAMPLE
        Add-KrEndpoint -Port 8080

        Plain HTTP on 127.0.0.1:8080.
    .EXAMPLE
        Add-KrEndpoint -Port 5001 -SelfSignedCert -Protocols Http1

        HTTPS that offers only HTTP/1.1 in ALPN (`curl --http2 -w '%{http_version}'` prints 1.1).
    .EXAMPLE
        Add-KrEndpoint -Port 5002 -SelfSignedCert -Protocols Http2

        HTTPS for HTTP/2 clients only; a client that offers only http/1.1 in ALPN fails the TLS handshake.
    .OUTPUTS
        KestrunRust.KrServer (with -PassThru)
    #>
    [CmdletBinding(DefaultParameterSetName = 'NoCert')]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter()]
        [ValidateRange(0, 65535)]
        [int]$Port = 0,

        [Parameter()]
        [ValidateNotNull()]
        [System.Net.IPAddress]$IPAddress,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$HostName,

        [Parameter(Mandatory = $true, ParameterSetName = 'SelfSignedCert')]
        [switch]$SelfSignedCert,

        [Parameter(Mandatory = $true, ParameterSetName = 'CertFile')]
        [ValidateNotNullOrEmpty()]
        [string]$CertPath,

        [Parameter(Mandatory = $true, ParameterSetName = 'CertFile')]
        [ValidateNotNullOrEmpty()]
        [string]$KeyPath,

        [Parameter()]
        [KestrunRust.KrHttpProtocols]$Protocols = [KestrunRust.KrHttpProtocols]::Http1AndHttp2,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -ErrorId 'KrAddEndpointFailed' -TargetObject $Port -PassThru:$PassThru -Action {
            param($Server, $Bound, $Cmdlet)

            if ($Bound.ContainsKey('IPAddress') -and $Bound.ContainsKey('HostName')) {
                throw [System.ArgumentException]::new('Specify either -IPAddress or -HostName, not both.')
            }

            $addresses = [System.Collections.Generic.List[string]]::new()
            if ($Bound.ContainsKey('HostName')) {
                $literal = $null
                if ($HostName -eq 'localhost') {
                    $addresses.Add('localhost')
                } elseif ([System.Net.IPAddress]::TryParse($HostName, [ref]$literal)) {
                    $addresses.Add($literal.ToString())
                } else {
                    try {
                        $resolved = [System.Net.Dns]::GetHostAddresses($HostName)
                    } catch {
                        throw [System.ArgumentException]::new("The host name '$HostName' could not be resolved: $($_.Exception.Message)")
                    }
                    foreach ($address in $resolved) {
                        if ($address.AddressFamily -in @([System.Net.Sockets.AddressFamily]::InterNetwork, [System.Net.Sockets.AddressFamily]::InterNetworkV6)) {
                            $text = $address.ToString()
                            if (-not $addresses.Contains($text)) { $addresses.Add($text) }
                        }
                    }
                    if ($addresses.Count -eq 0) {
                        throw [System.ArgumentException]::new("The host name '$HostName' has no IPv4 or IPv6 address.")
                    }
                }
            } elseif ($Bound.ContainsKey('IPAddress')) {
                $addresses.Add($IPAddress.ToString())
            } else {
                $addresses.Add([System.Net.IPAddress]::Loopback.ToString())
            }

            if ($Cmdlet.ParameterSetName -eq 'CertFile') {
                $certFile = $Cmdlet.GetUnresolvedProviderPathFromPSPath($CertPath)
                $keyFile = $Cmdlet.GetUnresolvedProviderPathFromPSPath($KeyPath)
                if (-not (Test-Path -LiteralPath $certFile -PathType Leaf)) {
                    throw [System.IO.FileNotFoundException]::new("The certificate file '$certFile' does not exist.", $certFile)
                }
                if (-not (Test-Path -LiteralPath $keyFile -PathType Leaf)) {
                    throw [System.IO.FileNotFoundException]::new("The private key file '$keyFile' does not exist.", $keyFile)
                }
            }

            if ($Cmdlet.ParameterSetName -eq 'NoCert' -and $Bound.ContainsKey('Protocols') -and $Protocols -eq [KestrunRust.KrHttpProtocols]::Http1AndHttp2) {
                # Kestrel's note for the same configuration.
                Write-Warning "HTTP/2 is not enabled for port $($Port): the endpoint is configured for HTTP/1.1 and HTTP/2, but TLS is not enabled. HTTP/2 requires TLS application protocol negotiation. Connections to this endpoint will use HTTP/1.1."
            }

            foreach ($address in $addresses) {
                switch ($Cmdlet.ParameterSetName) {
                    'SelfSignedCert' { $endpoint = $Server.AddEndpointSelfSigned($address, $Port) }
                    'CertFile' { $endpoint = $Server.AddEndpointPem($address, $Port, $certFile, $keyFile) }
                    default { $endpoint = $Server.AddEndpointHttp($address, $Port) }
                }
                if ($Protocols -ne [KestrunRust.KrHttpProtocols]::Http1AndHttp2) {
                    $endpoint.Protocols = $Protocols
                }
                Write-Verbose "Server '$($Server.Name)': endpoint $($endpoint.Scheme)://$($address):$Port ($Protocols) added."
            }
        }
    }
}
