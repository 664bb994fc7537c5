function Add-KrDistributedRedisCache {
    <#
    .SYNOPSIS
        Keeps the server's session state in Redis, a distributed cache that several servers can share.
    .DESCRIPTION
        Registers Redis as the store of the server's sessions (ASP.NET Core's AddStackExchangeRedisCache). Call it
        before Add-KrSession, once per server; Add-KrSession then keeps every session in Redis (with or without
        -NoDistributedMemoryCache) under the key '<InstanceName><session key>', as JSON, with the idle timeout as the
        key's expiry (extended by every request), so the state survives restarts and is shared by all servers that use
        the same Redis and InstanceName.

        Servers behind a load balancer must also read each other's session cookies: give every one of them the same
        secret with Add-KrSession -DataProtectionKey (ASP.NET Core servers share their data-protection keys for this).

        The connection string is checked here, but nothing connects yet: the server starts even when Redis is down
        (and logs it). While Redis is unreachable, routes still run: sessions read as empty and their changes are
        logged as lost, each store call bounded by the timeouts. When Redis is back, sessions work again (no restart).
    .PARAMETER Server
        The server (default: the current one).
    .PARAMETER Configuration
        The StackExchange.Redis configuration string, as ASP.NET Core's RedisCacheOptions.Configuration
        (default 'localhost:6379'): 'host[:port][,password=...][,user=...][,ssl=true][,defaultDatabase=N]
        [,connectTimeout=ms][,syncTimeout=ms][,abortConnect=false]', or a URL 'redis://[[user]:password@]host[:port][/db]'
        ('rediss://' for TLS).
    .PARAMETER ConfigurationOptions
        Instead of -Configuration: StackExchange.Redis ConfigurationOptions as a hashtable (EndPoints, Password, User,
        Ssl, DefaultDatabase, ConnectTimeout, SyncTimeout; AbortOnConnectFail, ClientName, KeepAlive, AllowAdmin and
        ConnectRetry are accepted and have no effect), or a redis:// / rediss:// URL.
    .PARAMETER InstanceName
        The prefix of every key the sessions use in Redis (ASP.NET Core's InstanceName), e.g. 'MyApp:'. Default: none.
    .PARAMETER ConnectTimeout
        Milliseconds allowed to connect to Redis (default: the configuration's connectTimeout, else 5000).
    .PARAMETER OperationTimeout
        Milliseconds allowed for each Redis command (default: the configuration's syncTimeout, else 5000).
    .PARAMETER PassThru
        Return the server.
    .EXAMPLE
        New-KrServer -Name 'web1'
        Add-KrEndpoint -Port 5000 -SelfSignedCert
        Add-KrDistributedRedisCache -Configuration 'localhost:6379' -InstanceName 'MyApp:'
        Add-KrSession -IdleTimeout 1200 -DataProtectionKey $env:MYAPP_SESSION_SECRET

        Sessions in the local Redis, readable by every server started with the same secret.
    .EXAMPLE
        Add-KrDistributedRedisCache -ConfigurationOptions @{ EndPoints = 'cache.internal:6380'; Password = $pw; Ssl = $true; DefaultDatabase = 2 }

        TLS with a password, from a hashtable of StackExchange.Redis options.
    .EXAMPLE
        Add-KrDistributedRedisCache -ConfigurationOptions 'redis://:secret@127.0.0.1:6379/1' -InstanceName 'Shop:' -PassThru | Add-KrSession

        A URL, then sessions on the returned server.
    .OUTPUTS
        KestrunRust.KrServer (with -PassThru)
    #>
    [CmdletBinding(DefaultParameterSetName = 'Configuration')]
    [OutputType([KestrunRust.KrServer])]
    param(
        [Parameter(ValueFromPipeline = $true)]
        [KestrunRust.KrServer]$Server,

        [Parameter(ParameterSetName = 'Configuration', Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string]$Configuration = 'localhost:6379',

        [Parameter(Mandatory = $true, ParameterSetName = 'ConfigurationOptions')]
        [ValidateNotNull()]
        [ValidateScript({
                if ($_ -is [System.Collections.IDictionary]) {
                    return $true
                }
                $text = if ($_ -is [uri]) { $_.OriginalString } else { [string]$_ }
                if ([KestrunRust.KrRedisCacheSettings]::IsRedisUrl($text)) {
                    return $true
                }
                throw '-ConfigurationOptions must be a hashtable of StackExchange.Redis options (EndPoints, Password, Ssl, DefaultDatabase, ...) or a redis:// / rediss:// URL.'
            })]
        [object]$ConfigurationOptions,

        [Parameter()]
        [ValidateNotNull()]
        [string]$InstanceName = '',

        [Parameter()]
        [ValidateRange(1, 3600000)]
        [int]$ConnectTimeout,

        [Parameter()]
        [ValidateRange(1, 3600000)]
        [int]$OperationTimeout,

        [Parameter()]
        [switch]$PassThru
    )
    process {
        Invoke-KrServerAction -Cmdlet $PSCmdlet -Server $Server -ErrorId 'KrAddDistributedRedisCacheFailed' -PassThru:$PassThru -Action {
            param($Server, $Bound, $Cmdlet)
            if ($Cmdlet.ParameterSetName -eq 'ConfigurationOptions' -and $ConfigurationOptions -is [System.Collections.IDictionary]) {
                # Plain .NET values for the interop: strings, booleans, and string arrays for lists (EndPoints).
                $options = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
                foreach ($key in @($ConfigurationOptions.Keys)) {
                    $value = $ConfigurationOptions[$key]
                    if ($null -ne $value) {
                        $value = $value.PSObject.BaseObject
                    }
                    if ($value -is [System.Collections.IEnumerable] -and $value -isnot [string]) {
                        $value = [string[]]@($value | ForEach-Object { [string]$_ })
                    } elseif ($null -ne $value -and $value -isnot [bool]) {
                        $value = [string]$value
                    }
                    $options[[string]$key] = $value
                }
                $settings = [KestrunRust.KrRedisCacheSettings]::FromOptions($options, $null, $InstanceName)
            } else {
                $settings = [KestrunRust.KrRedisCacheSettings]::new()
                if ($Cmdlet.ParameterSetName -eq 'ConfigurationOptions') {
                    $text = if ($ConfigurationOptions -is [uri]) { $ConfigurationOptions.OriginalString } else { [string]$ConfigurationOptions }
                    $settings.Configuration = $text.Trim()
                } else {
                    $settings.Configuration = $Configuration.Trim()
                }
                $settings.InstanceName = $InstanceName
            }
            if ($Bound.ContainsKey('ConnectTimeout')) {
                $settings.ConnectTimeoutMs = [uint32]$ConnectTimeout
            }
            if ($Bound.ContainsKey('OperationTimeout')) {
                $settings.OperationTimeoutMs = [uint32]$OperationTimeout
            }
            $Server.UseRedisSessionStore($settings)
            Write-Verbose "Server '$($Server.Name)': session state in $($settings.ToString()); call Add-KrSession next."
        }
    }
}
