# Help of New-KrCookieBuilder (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Creates cookie settings (the model is ASP.NET Core's CookieBuilder), e.g. for the session cookie.
'@
    Description = @'
Returns a cookie settings object for Add-KrSession -Cookie. A setting that is not given keeps the session
default: name .Kestrun.Session, path /, HttpOnly, SameSite Lax, SecurePolicy SameAsRequest, no Max-Age
(a browser-session cookie).
'@
    Outputs = @'
KestrunRust.KrCookieBuilder
'@
    Parameters = @{
        Name = @'
The cookie name, e.g. 'Kr.Session'.
'@
        Domain = @'
The Domain attribute (default: none, the cookie goes back to the host that set it): a host name such as
'example.com' or '.example.com' (ASCII letters, digits and hyphens in dot-separated labels; a leading dot is
allowed) or an IPv4 address. Anything else (spaces, ';', empty labels, a port) is rejected.
'@
        Path = @'
The Path attribute (default '/').
'@
        HttpOnly = @'
Mark the cookie HttpOnly (not readable by client script). -HttpOnly:$false turns it off explicitly.
'@
        IsEssential = @'
Recorded for Kestrun compatibility (consent policies); it does not change the cookie.
'@
        MaxAge = @'
Lifetime of the cookie: a TimeSpan, a string such as '00:30:00', or a number of seconds.
Without it the cookie lasts until the browser closes.
'@
        SameSite = @'
Lax, Strict, None or Unspecified (attribute omitted).
'@
        SecurePolicy = @'
When the cookie gets the Secure attribute: SameAsRequest (on HTTPS requests), Always or None.
'@
    }
    Examples = @(
        @'
$cookie = New-KrCookieBuilder -Name 'Kr.Session' -HttpOnly -SameSite Lax -SecurePolicy Always
Add-KrSession -Cookie $cookie -IdleTimeout 20
'@
        @'
New-KrCookieBuilder -Name 'app' -Path '/app' -MaxAge (New-TimeSpan -Hours 1) -SameSite Strict
'@
    )
}
