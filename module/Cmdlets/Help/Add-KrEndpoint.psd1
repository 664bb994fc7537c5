# Help of Add-KrEndpoint (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Adds a listening endpoint (address and port, HTTP or HTTPS) to a server.
'@
    Description = @'
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
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        Port = @'
The TCP port, 0..65535 (0 = any free port). Default 0.
'@
        IPAddress = @'
The address to listen on. Cannot be combined with -HostName.
'@
        HostName = @'
A host name to listen on. Cannot be combined with -IPAddress.
'@
        SelfSignedCert = @'
Serve HTTPS with a generated self-signed certificate.
'@
        CertPath = @'
Path of a PEM certificate (chain) file for HTTPS.
'@
        KeyPath = @'
Path of the PEM private key matching -CertPath.
'@
        Protocols = @'
The HTTP versions served: Http1AndHttp2 (default), Http1 or Http2 (see the description for plain HTTP).
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
Add-KrEndpoint -Port 5000 -IPAddress ([IPAddress]::Loopback) -SelfSignedCert
'@
        @'
Add-KrEndpoint -Port 8443 -HostName localhost -CertPath ./cert.pem -KeyPath ./key.pem
'@
        @'
Add-KrEndpoint -Port 8080

Plain HTTP on 127.0.0.1:8080.
'@
        @'
Add-KrEndpoint -Port 5001 -SelfSignedCert -Protocols Http1

HTTPS that offers only HTTP/1.1 in ALPN (`curl --http2 -w '%{http_version}'` prints 1.1).
'@
        @'
Add-KrEndpoint -Port 5002 -SelfSignedCert -Protocols Http2

HTTPS for HTTP/2 clients only; a client that offers only http/1.1 in ALPN fails the TLS handshake.
'@
    )
}
