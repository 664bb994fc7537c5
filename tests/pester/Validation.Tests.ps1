# What a user sees when a command rejects its arguments: an error attributed to the command they called, with the
# right category and a message that names the parameter (or says what is wrong) and no internal kr_* names.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    Import-Module (Get-KrStagedManifest) -Force -ErrorAction Stop
    New-KrServer -Name 'pester-validation' -Force
}

AfterAll {
    $server = Get-KrServer -All | Where-Object Name -EQ 'pester-validation'
    if ($server) { Remove-KrServer -Server $server -Force }
}

Describe 'Parameter validation errors' {
    It '<Command> <Case>: <Category>, message <Message>' -ForEach @(
        @{ Command = 'New-KrCookieBuilder'; Case = '-SameSite Bogus'; Script = { New-KrCookieBuilder -SameSite Bogus }; Category = 'InvalidData'; Message = "*'SameSite'*Lax, Strict, None*" }
        @{ Command = 'New-KrCookieBuilder'; Case = '-Path without /'; Script = { New-KrCookieBuilder -Path 'relative' }; Category = 'InvalidData'; Message = "*'Path'*relative*" }
        @{ Command = 'New-KrCookieBuilder'; Case = '-Name with a space'; Script = { New-KrCookieBuilder -Name 'my cookie' }; Category = 'InvalidData'; Message = "*'Name'*my cookie*" }
        @{ Command = 'New-KrCookieBuilder'; Case = '-MaxAge soon'; Script = { New-KrCookieBuilder -MaxAge 'soon' }; Category = 'InvalidArgument'; Message = "-MaxAge must be a TimeSpan, a string such as '00:30:00' or a number of seconds; got 'soon'." }
        @{ Command = 'New-KrCookieBuilder'; Case = '-MaxAge -5'; Script = { New-KrCookieBuilder -MaxAge -5 }; Category = 'InvalidArgument'; Message = '-MaxAge cannot be negative*' }
        @{ Command = 'Add-KrSession'; Case = '-IdleTimeout 0'; Script = { Add-KrSession -IdleTimeout 0 }; Category = 'InvalidData'; Message = "*'IdleTimeout'*" }
        @{ Command = 'Add-KrEndpoint'; Case = '-Port 70000'; Script = { Add-KrEndpoint -Port 70000 }; Category = 'InvalidData'; Message = "*'Port'*65535*" }
        @{ Command = 'Add-KrEndpoint'; Case = '-IPAddress not-an-ip'; Script = { Add-KrEndpoint -Port 0 -IPAddress 'not-an-ip' }; Category = 'InvalidData'; Message = "*'IPAddress'*not-an-ip*" }
        @{ Command = 'Add-KrEndpoint'; Case = 'a certificate that does not exist'; Script = { Add-KrEndpoint -Port 0 -CertPath './no-such-cert.pem' -KeyPath './no-such-key.pem' }; Category = 'ObjectNotFound'; Message = "The certificate file '*no-such-cert.pem' does not exist." }
        @{ Command = 'Add-KrMapRoute'; Case = 'a pattern without /'; Script = { Add-KrMapRoute -Path 'hello' -ScriptBlock { $null } }; Category = 'InvalidData'; Message = "*'Pattern'*hello*" }
        @{ Command = 'Add-KrMapRoute'; Case = '-Verbs Brew'; Script = { Add-KrMapRoute -Verbs Brew -Path '/tea' -ScriptBlock { $null } }; Category = 'InvalidData'; Message = "*'Verbs'*Brew*Get, Head, Post*" }
        @{ Command = 'Add-KrMapRoute'; Case = '-Arguments with an empty key'; Script = { Add-KrMapRoute -Path '/args' -ScriptBlock { $null } -Arguments @{ '' = 1 } }; Category = 'InvalidArgument'; Message = 'The keys of -Arguments must be non-empty names.*' }
        @{ Command = 'Set-KrLoggerLevel'; Case = '-Value Loud'; Script = { New-KrLogger | Set-KrLoggerLevel -Value Loud }; Category = 'InvalidData'; Message = "*'Value'*Loud*Verbose, Debug, Information, Warning, Error, Fatal*" }
        @{ Command = 'Write-KrLog'; Case = '-Level Loud'; Script = { Write-KrLog -Level Loud -Message 'x' }; Category = 'InvalidData'; Message = "*'Level'*Loud*" }
        @{ Command = 'Add-KrSinkFile'; Case = 'an empty -Path'; Script = { New-KrLogger | Add-KrSinkFile -Path '' }; Category = 'InvalidData'; Message = "*'Path'*empty*" }
        @{ Command = 'Register-KrLogger'; Case = 'an empty -Name'; Script = { New-KrLogger | Register-KrLogger -Name '' }; Category = 'InvalidData'; Message = "*'Name'*empty*" }
        @{ Command = 'New-KrServer'; Case = 'an empty -Name'; Script = { New-KrServer -Name '' }; Category = 'InvalidData'; Message = "*'Name'*empty*" }
        @{ Command = 'Set-KrServerOptions'; Case = '-MaxRunspaces 0'; Script = { Set-KrServerOptions -MaxRunspaces 0 }; Category = 'InvalidData'; Message = "*'MaxRunspaces'*" }
        @{ Command = 'Set-KrServerOptions'; Case = '-ShutdownTimeout -1'; Script = { Set-KrServerOptions -ShutdownTimeout -1 }; Category = 'InvalidData'; Message = "*'ShutdownTimeout'*" }
        @{ Command = 'Add-KrDistributedRedisCache'; Case = 'an empty -Configuration'; Script = { Add-KrDistributedRedisCache -Configuration '' }; Category = 'InvalidData'; Message = "*'Configuration'*empty*" }
        @{ Command = 'Write-KrJsonResponse'; Case = '-StatusCode 42'; Script = { Write-KrJsonResponse -InputObject @{} -StatusCode 42 }; Category = 'InvalidData'; Message = "*'StatusCode'*100*" }
        @{ Command = 'Write-KrJsonResponse'; Case = '-Depth 101'; Script = { Write-KrJsonResponse -InputObject @{} -Depth 101 }; Category = 'InvalidData'; Message = "*'Depth'*100*" }
        @{ Command = 'Write-KrTextResponse'; Case = '-StatusCode 1000'; Script = { Write-KrTextResponse -InputObject 'x' -StatusCode 1000 }; Category = 'InvalidData'; Message = "*'StatusCode'*999*" }
        @{ Command = 'Set-KrSessionInt32'; Case = '-Value abc'; Script = { Set-KrSessionInt32 -Key 'k' -Value 'abc' }; Category = 'InvalidData'; Message = "*'Value'*abc*" }
        @{ Command = 'Get-KrRequestQuery'; Case = 'an empty -Name'; Script = { Get-KrRequestQuery -Name '' }; Category = 'InvalidData'; Message = "*'Name'*empty*" }
        @{ Command = 'Get-KrRequestHeader'; Case = 'two conversions'; Script = { Get-KrRequestHeader -Name 'a' -AsInt -AsDouble }; Category = 'InvalidArgument'; Message = 'Parameter set cannot be resolved*' }
        @{ Command = 'New-KrCookieBuilder'; Case = '-Domain with a space'; Script = { New-KrCookieBuilder -Domain 'bad domain' }; Category = 'InvalidArgument'; Message = "-Domain must be a host name such as 'example.com' or '.example.com'*; got 'bad domain'." }
        @{ Command = 'New-KrCookieBuilder'; Case = '-Domain with a ;'; Script = { New-KrCookieBuilder -Domain 'example.com;secure' }; Category = 'InvalidArgument'; Message = "-Domain must be a host name*; got 'example.com;secure'." }
        @{ Command = 'New-KrCookieBuilder'; Case = '-Domain with an empty label'; Script = { New-KrCookieBuilder -Domain 'example..com' }; Category = 'InvalidArgument'; Message = "-Domain must be a host name*; got 'example..com'." }
        @{ Command = 'Stop-KrServer'; Case = '-Name of no server'; Script = { Stop-KrServer -Name 'no-such-server' }; Category = 'ObjectNotFound'; Message = "There is no Kestrun.Rust server named 'no-such-server'." }
        @{ Command = 'Remove-KrServer'; Case = '-Name of no server'; Script = { Remove-KrServer -Name 'no-such-server' }; Category = 'ObjectNotFound'; Message = "There is no Kestrun.Rust server named 'no-such-server'." }
        @{ Command = 'Get-KrServer'; Case = '-Name of no server'; Script = { Get-KrServer -Name 'no-such-server' -ErrorAction Stop }; Category = 'ObjectNotFound'; Message = "There is no Kestrun.Rust server named 'no-such-server'." }
    ) {
        $err = $Script | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike "*,$(Get-KrErrorIdSuffix -Name $Command)"
        $err.CategoryInfo.Category | Should -Be $Category
        $err.Exception.Message | Should -BeLike $Message
        $err.Exception.Message | Should -Not -MatchExactly '\bkr_[a-z]'
    }
}

Describe 'Servers by name' {
    It 'Stop-KrServer -Name and Remove-KrServer -Name act on the named server, not the current one' {
        $named = New-KrServer -Name 'pester-validation-named' -Force -PassThru
        $current = New-KrServer -Name 'pester-validation' -Force -PassThru
        try {
            Add-KrEndpoint -Server $named -Port 0 -IPAddress ([System.Net.IPAddress]::Loopback)
            Start-KrServer -Server $named -NoWait -Quiet
            Stop-KrServer -Name 'pester-validation-named'
            $named.State | Should -Be 'Stopped'
            Remove-KrServer -Name 'pester-validation-named'
            $named.State | Should -Be 'Freed'
            $current.State | Should -Be 'Created'
            (Get-KrServer).Name | Should -Be 'pester-validation'
        } finally {
            if ($named.State -ne 'Freed') { Remove-KrServer -Server $named -Force }
        }
    }

    It 'Stop-KrServer -Name of a removed server says there is none' {
        $gone = New-KrServer -Name 'pester-validation-gone' -Force -PassThru
        Remove-KrServer -Server $gone
        $err = { Stop-KrServer -Name 'pester-validation-gone' } | Should -Throw -PassThru
        $err.Exception.Message | Should -Be "There is no Kestrun.Rust server named 'pester-validation-gone'."
    }
}

Describe 'New-KrCookieBuilder values from commands' {
    It '-MaxAge takes the TimeSpan of New-TimeSpan' {
        (New-KrCookieBuilder -MaxAge (New-TimeSpan -Minutes 5)).MaxAge | Should -Be ([timespan]::FromMinutes(5))
    }

    It '-MaxAge takes a number of seconds from a command' {
        (New-KrCookieBuilder -MaxAge (Write-Output -InputObject 90)).MaxAge | Should -Be ([timespan]::FromSeconds(90))
        (New-KrCookieBuilder -MaxAge ('45' | ForEach-Object { [int]$_ })).MaxAge | Should -Be ([timespan]::FromSeconds(45))
    }

    It '-MaxAge takes a duration string from a command' {
        (New-KrCookieBuilder -MaxAge (Write-Output -InputObject '00:30:00')).MaxAge | Should -Be ([timespan]::FromMinutes(30))
    }

    It '-Domain accepts <Domain>' -ForEach @(
        @{ Domain = 'example.com' }
        @{ Domain = '.example.com' }
        @{ Domain = 'localhost' }
        @{ Domain = 'my-app.sub.Example.org' }
        @{ Domain = '127.0.0.1' }
    ) {
        (New-KrCookieBuilder -Domain $Domain).Domain | Should -Be $Domain
    }
}

Describe 'Engine errors name the operation, not internal functions' {
    BeforeEach {
        New-KrServer -Name 'pester-validation' -Force
    }

    It 'an overlapping route' {
        Add-KrMapRoute -Path '/overlap' -ScriptBlock { $null }
        $err = { Add-KrMapRoute -Path '/overlap' -ScriptBlock { $null } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike "*,$(Get-KrErrorIdSuffix -Name 'Add-KrMapRoute')"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "Adding the route 'GET /overlap' failed: *overlaps*"
        $err.Exception.Message | Should -Not -MatchExactly '\bkr_|\bKR_'
        $err.ToString() | Should -Not -MatchExactly '\bkr_|\bKR_'
    }

    It 'a route pattern the engine rejects' {
        $err = { Add-KrMapRoute -Path '/broken/{id' -ScriptBlock { $null } } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "Adding the route 'GET /broken/{id' failed: *"
        $err.Exception.Message | Should -Not -MatchExactly '\bkr_|\bKR_'
    }

    It 'an HTTPS endpoint whose files hold no certificate' {
        $cert = Join-Path -Path $TestDrive -ChildPath 'cert.pem'
        $key = Join-Path -Path $TestDrive -ChildPath 'key.pem'
        Set-Content -LiteralPath $cert, $key -Value 'not a PEM file'
        $err = { Add-KrEndpoint -Port 0 -CertPath $cert -KeyPath $key } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike "*,$(Get-KrErrorIdSuffix -Name 'Add-KrEndpoint')"
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -BeLike 'Adding the HTTPS endpoint 127.0.0.1:0 failed: *certificate*'
        $err.Exception.Message | Should -Not -MatchExactly '\bkr_|\bKR_'
    }

    It 'keeps the engine status on the exception for scripts that need it' {
        Add-KrMapRoute -Path '/twice' -ScriptBlock { $null }
        $err = { Add-KrMapRoute -Path '/twice' -ScriptBlock { $null } } | Should -Throw -PassThru
        $err.Exception | Should -BeOfType ([KestrunRust.KrException])
        $err.Exception.Status | Should -Be ([KestrunRust.KrStatus]::InvalidArgument)
        $err.Exception.NativeMessage | Should -BeLike '*overlaps*'
    }
}
