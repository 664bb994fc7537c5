# Help of Add-KrMapRoute (compiled cmdlet): build.ps1 turns these files into lib/en-US/Kestrun.Rust.dll-Help.xml.
# An example: its first line is the code; after a blank line, the remarks.
@{
    Synopsis = @'
Maps an HTTP route (verbs and path pattern) to a PowerShell script block.
'@
    Description = @'
Adds a route to the server. When a request matches, the Rust engine calls back into PowerShell on one of
its callback threads, where the script block runs in that thread's own runspace (created on its first
request with the module imported and the variables / functions captured by Enable-KrConfiguration and
Start-KrServer). $Context is the current request; use Get-KrRequest*, Write-Kr*Response and the session
commands inside the script block. A route that throws (or writes an error) gets a 500 JSON answer, the error
is logged, and the server keeps serving. A route that writes no response answers 200 with an empty body.
Path patterns may hold parameters: '/users/{id}' (read with Get-KrRequestRouteParam -Name id).
With -Timeout, a request that takes longer gets 504 (JSON) as soon as the timeout elapses, and its script is
stopped (as Ctrl+C stops a script: PowerShell.Stop); its runspace then serves the next request.
Routes must be added before Start-KrServer.
'@
    Outputs = @'
KestrunRust.KrServer (with -PassThru)
'@
    Parameters = @{
        Server = @'
The server (default: the current one).
'@
        Verbs = @'
HTTP verbs the route answers (Get, Head, Post, Put, Patch, Delete, Options, Trace, Connect). Default Get.
Alias: Method.
'@
        Pattern = @'
The path pattern, starting with '/'. Default '/'. Alias: Path.
'@
        ScriptBlock = @'
The script block run for each request.
'@
        Arguments = @'
Values handed to the script block on each request: passed as parameters when the script block declares
them in param(), otherwise defined as variables of those names.
'@
        Timeout = @'
Longest time a request of this route may take: seconds (5, 2.5) or a TimeSpan ('00:01:30',
[TimeSpan]::FromMinutes(2)); more than zero, at most 24 hours. Counted from the moment the request is
dispatched to the route (its body read), including any wait for a free runspace. When it elapses the client
gets 504 Gateway Timeout with a JSON body ({"status":504,"error":"Gateway Timeout","message":...}), the script
is stopped, what it wrote is discarded (session changes too), a warning is logged, and the runspace serves
the next request. Commands that cannot be interrupted (a .NET call such as [Threading.Thread]::Sleep) finish
first; the runspace is busy until then. Default: no timeout (Kestrun's Add-KrMapRoute has no such
parameter; 504 is what ASP.NET Core's request timeouts answer).
'@
        PassThru = @'
Return the server.
'@
    }
    Examples = @(
        @'
Add-KrMapRoute -Verbs Get -Path '/hello' -ScriptBlock {
    Write-KrTextResponse -InputObject 'Hello, World!'
}
'@
        @'
Add-KrMapRoute -Verbs Get, Post -Pattern '/items/{id}' -ScriptBlock {
    $id = Get-KrRequestRouteParam -Name 'id' -AsInt
    Write-KrJsonResponse -InputObject @{ id = $id; method = $Context.Method }
}
'@
        @'
Add-KrMapRoute -Path '/greet' -Arguments @{ greeting = 'Hi' } -ScriptBlock {
    Write-KrTextResponse -InputObject "$greeting there"
}
'@
        @'
Add-KrMapRoute -Path '/report' -Timeout 10 -ScriptBlock {
    $rows = Get-SlowReport          # stopped after 10 s: the client gets 504 JSON
    Write-KrJsonResponse -InputObject $rows
}
'@
        @'
Add-KrMapRoute -Path '/export' -Timeout '00:02:00' -ScriptBlock {
    Write-KrTextResponse -InputObject (Export-Data | Out-String)
}
'@
    )
}
