# Help of Set-KrServerLimit (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Sets the connection and request limits of a server: request headers, TLS handshake timeout and concurrency.
'@
    Description = @'
Kestrel's limits, for what the engine enforces:

- -MaxRequestHeaderCount / -MaxRequestHeadersTotalSize (KestrelServerLimits): a request with more headers,
  or with more bytes of header names and values, gets 431 (Request Header Fields Too Large) with a JSON
  body, over HTTP/1.1 and HTTP/2. Defaults: 96 headers (Kestrel's is 100; the HTTP/1.1 parser takes at
  most 96) and 32 KiB. Whatever these are, an HTTP/1.1 request head over 128 KiB or with more than 96
  headers is refused by the parser, also with 431 JSON (the connection is then closed).
- -TlsHandshakeTimeout (Kestrel's HandshakeTimeout): seconds a client has to complete the TLS handshake,
  from the moment its connection is accepted (default 10); the connection is closed after it.
- -MaxConcurrentTlsHandshakes: how many TLS handshakes may compute at the same time over every HTTPS
  endpoint (default 256). A connection takes a slot only once its TLS ClientHello is complete, so
  connections that send nothing or trickle bytes never hold one and never stop the server from accepting;
  a handshake waiting for a slot is still bounded by the handshake timeout.

Limits must be set before Start-KrServer.
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        MaxRequestHeaderCount = @'
Most request headers, 1..96 (default 96).
'@
        MaxRequestHeadersTotalSize = @'
Most bytes of request header names and values together, 1024..131072 (default 32768).
'@
        TlsHandshakeTimeout = @'
Seconds to complete the TLS handshake, 1..300 (default 10).
'@
        MaxConcurrentTlsHandshakes = @'
TLS handshakes computing at the same time, 1..65536 (default 256).
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
Set-KrServerLimit -MaxRequestHeadersTotalSize 16KB -MaxRequestHeaderCount 50
'@
        @'
Set-KrServerLimit -TlsHandshakeTimeout 5 -MaxConcurrentTlsHandshakes 64
'@
    )
}
