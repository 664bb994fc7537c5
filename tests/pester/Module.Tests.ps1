# The module itself: manifest, exports, import time, help of every command, parameter validation, errors of the
# route commands outside a route, server naming rules, logging.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:manifestPath = Get-KrStagedManifest
    Import-Module $script:manifestPath -Force -ErrorAction Stop
    $script:module = Get-Module -Name 'Kestrun.Rust'
    $script:repoRoot = Get-KrRepoRoot
}

Describe 'Manifest and exports' {
    It 'is a valid manifest for PowerShell 7.4+ Core' {
        $info = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
        $info.Name | Should -Be 'Kestrun.Rust'
        $info.PowerShellVersion | Should -Be ([version]'7.4')
        @($info.CompatiblePSEditions) | Should -Be @('Core')
    }

    It 'exports exactly the functions listed (no wildcards), one per Public file, and nothing else' {
        $data = Import-PowerShellDataFile -Path (Join-Path -Path $repoRoot -ChildPath 'Kestrun.Rust.psd1')
        $listed = @($data.FunctionsToExport)
        $listed | Where-Object { $_ -match '[\*\?]' } | Should -BeNullOrEmpty
        @($data.VariablesToExport).Count | Should -Be 0
        @($data.AliasesToExport).Count | Should -Be 0
        # Every command is compiled now (module/Cmdlets): there may be no module/Public at all.
        $publicFolder = Join-Path -Path $repoRoot -ChildPath 'module/Public'
        $publicFiles = @(if (Test-Path -LiteralPath $publicFolder) { Get-ChildItem -LiteralPath $publicFolder -Filter '*.ps1' -Recurse | ForEach-Object BaseName })
        ($listed | Sort-Object) | Should -Be ($publicFiles | Sort-Object)
        (@($module.ExportedFunctions.Keys) | Sort-Object) | Should -Be ($listed | Sort-Object)
        @($module.ExportedVariables.Keys).Count | Should -Be 0
    }

    It 'exports exactly the cmdlets listed (no wildcards): every compiled cmdlet, each with its help file, none also a function' {
        $data = Import-PowerShellDataFile -Path (Join-Path -Path $repoRoot -ChildPath 'Kestrun.Rust.psd1')
        $listed = @($data.CmdletsToExport)
        $listed | Where-Object { $_ -match '[\*\?]' } | Should -BeNullOrEmpty
        $listed | Where-Object { $_ -in @($data.FunctionsToExport) } | Should -BeNullOrEmpty
        # The cmdlets compiled into Kestrun.Rust.dll (module/Cmdlets).
        $compiled = @([KestrunRust.Cmdlets.KrRouteCmdlet].Assembly.GetExportedTypes() | ForEach-Object {
                $attribute = [System.Attribute]::GetCustomAttribute($_, [System.Management.Automation.CmdletAttribute])
                if ($null -ne $attribute) { '{0}-{1}' -f $attribute.VerbName, $attribute.NounName }
            })
        ($listed | Sort-Object) | Should -Be ($compiled | Sort-Object)
        (@($module.ExportedCmdlets.Keys) | Sort-Object) | Should -Be ($listed | Sort-Object)
        foreach ($name in $listed) {
            (Get-Command -Name $name -Module 'Kestrun.Rust').CommandType | Should -Be 'Cmdlet'
            Join-Path -Path $repoRoot -ChildPath "module/Cmdlets/Help/$name.psd1" | Should -Exist -Because "$name needs a help file"
        }
    }

    It 'also imports from the repository root manifest' {
        $root = $repoRoot.Replace("'", "''")
        $r = Invoke-KrChildPwsh -Command "Import-Module '$root/Kestrun.Rust.psd1' -ErrorAction Stop; (Get-Command -Module Kestrun.Rust).Count"
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        [int]($r.StdOut.Trim()) | Should -Be ($module.ExportedFunctions.Count + $module.ExportedCmdlets.Count)
    }

    It 'imports by name from PSModulePath well under a second' {
        $r = Invoke-KrChildPwsh -Command '$sw = [System.Diagnostics.Stopwatch]::StartNew(); Import-Module Kestrun.Rust -ErrorAction Stop; $sw.Stop(); $sw.ElapsedMilliseconds'
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        [int]($r.StdOut.Trim()) | Should -BeLessThan 1000
    }

    It 'reports a missing server with a clear message' {
        $r = Invoke-KrChildPwsh -Command 'Import-Module Kestrun.Rust; try { Add-KrEndpoint -Port 0 } catch { "{0}|{1}" -f $_.CategoryInfo.Category, $_.Exception.Message }'
        $r.StdOut | Should -Match 'InvalidOperation\|There is no Kestrun.Rust server: create one with New-KrServer'
    }
}

Describe 'Help' {
    BeforeDiscovery {
        $data = Import-PowerShellDataFile -Path (Join-Path -Path $PSScriptRoot -ChildPath '../../Kestrun.Rust.psd1')
        $commands = @(@($data.FunctionsToExport) + @($data.CmdletsToExport) | ForEach-Object { @{ Name = $_ } })
    }

    It '<Name> has a synopsis, a description, an example and every parameter documented' -ForEach $commands {
        $help = Get-Help -Name $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name *"
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = (Get-Command -Name $Name).Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($parameter in $parameters) {
            $doc = $help.parameters.parameter | Where-Object Name -EQ $parameter
            ($doc.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs a .PARAMETER entry"
        }
    }
}

Describe 'Help of the compiled cmdlets' {
    # build.ps1 turns module/Cmdlets/Help/<Name>.psd1 into the cmdlets' MAML help; here the source is checked.
    BeforeDiscovery {
        $data = Import-PowerShellDataFile -Path (Join-Path -Path $PSScriptRoot -ChildPath '../../Kestrun.Rust.psd1')
        $commands = @($data.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
    }

    It '<Name> has a help file with a synopsis, a description, an example and every parameter documented' -ForEach $commands {
        $help = Import-PowerShellDataFile -Path (Join-Path -Path $repoRoot -ChildPath "module/Cmdlets/Help/$Name.psd1")
        "$($help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($help.Synopsis)".Trim() | Should -Not -BeLike "$Name *"
        "$($help.Description)".Trim() | Should -Not -BeNullOrEmpty
        @($help.Examples | Where-Object { "$_".Trim() }).Count | Should -BeGreaterOrEqual 1
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = @((Get-Command -Name $Name).Parameters.Keys | Where-Object { $_ -notin $common })
        $documented = if ($null -eq $help.Parameters) { @() } else { @($help.Parameters.Keys) }
        foreach ($parameter in $parameters) {
            "$($help.Parameters[$parameter])".Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs an entry in Parameters"
        }
        $documented | Where-Object { $_ -notin $parameters } | Should -BeNullOrEmpty -Because "the help of $Name documents only its parameters"
    }

    It '<Name>: Get-Help shows the synopsis, every example and every parameter with its description (MAML built by build.ps1)' -ForEach $commands {
        $data = Import-PowerShellDataFile -Path (Join-Path -Path $repoRoot -ChildPath "module/Cmdlets/Help/$Name.psd1")
        # The file name; once Get-Help has read the file, PowerShell keeps its full path there.
        Split-Path -Path (Get-Command -Name $Name).HelpFile -Leaf | Should -Be 'Kestrun.Rust.dll-Help.xml'
        $full = Get-Help -Name $Name -Full
        $full.Category | Should -Be 'Cmdlet'
        # Without its MAML entry, Get-Help shows the syntax as the synopsis.
        ($full.Synopsis -replace '\s+', ' ').Trim() | Should -BeExactly ("$($data.Synopsis)" -replace '\s+', ' ').Trim()
        ($full.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        $examples = @((Get-Help -Name $Name -Examples).examples.example)
        $examples.Count | Should -BeGreaterOrEqual 1
        $examples.Count | Should -Be @($data.Examples).Count
        foreach ($example in $examples) {
            "$($example.code)".Trim() | Should -Not -BeNullOrEmpty
        }
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $command = Get-Command -Name $Name
        foreach ($parameter in @($command.Parameters.Values | Where-Object { $_.Name -notin $common })) {
            $doc = @($full.parameters.parameter | Where-Object { $_.name -eq $parameter.Name })
            $doc.Count | Should -Be 1 -Because "Get-Help $Name -Full lists -$($parameter.Name)"
            ($doc[0].description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) of $Name is described"
            $single = Get-Help -Name $Name -Parameter $parameter.Name
            ($single.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
            foreach ($alias in $parameter.Aliases) {
                $single.aliases | Should -BeLike "*$alias*" -Because "-$($parameter.Name) of $Name has the alias $alias"
            }
        }
        @($full.syntax.syntaxItem).Count | Should -Be @($command.ParameterSets).Count
    }

    It '<Name>: every example of its help data parses' -ForEach $commands {
        $data = Import-PowerShellDataFile -Path (Join-Path -Path $repoRoot -ChildPath "module/Cmdlets/Help/$Name.psd1")
        foreach ($example in @($data.Examples)) {
            $code = if ($example -is [System.Collections.IDictionary]) { "$($example.Code)" } else { ("$example".Trim() -split '\r?\n[ \t]*\r?\n', 2)[0] }
            $tokens = $null
            $errors = $null
            $null = [System.Management.Automation.Language.Parser]::ParseInput($code, [ref]$tokens, [ref]$errors)
            @($errors | ForEach-Object { $_.Message }) | Should -BeNullOrEmpty -Because "this example of $Name parses: $code"
        }
    }
}

Describe 'docs/cmdlets.md' {
    BeforeDiscovery {
        $data = Import-PowerShellDataFile -Path (Join-Path -Path $PSScriptRoot -ChildPath '../../Kestrun.Rust.psd1')
        $commands = @(@($data.FunctionsToExport) + @($data.CmdletsToExport) | ForEach-Object { @{ Name = $_ } })
    }

    BeforeAll {
        $script:cmdletsDoc = Get-Content -LiteralPath (Join-Path -Path $repoRoot -ChildPath 'docs/cmdlets.md') -Raw
    }

    It '<Name> has a row that lists every parameter' -ForEach $commands {
        $row = @($cmdletsDoc -split "`r?`n" | Where-Object { $_.StartsWith("| ``$Name`` |", [System.StringComparison]::Ordinal) })
        $row.Count | Should -Be 1
        $documented = @([regex]::Matches(($row[0] -split '\|')[-2], '`-(\w+)`') | ForEach-Object { $_.Groups[1].Value })
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in ((Get-Command -Name $Name).Parameters.Keys | Where-Object { $_ -notin $common })) {
            $documented | Should -Contain $parameter -Because "the row of $Name in docs/cmdlets.md lists its parameters"
        }
    }

    It 'describes what route script blocks see, and the exclusions of Enable-KrConfiguration' {
        $section = [regex]::Match($cmdletsDoc, '(?ms)^## What a route script block sees\s*$(.*?)^## ').Groups[1].Value
        $section | Should -Not -BeNullOrEmpty
        foreach ($word in @('Variables', 'Functions', 'Modules', '$Context', '-Arguments', '-ExcludeVariables', '-ExcludeFunctions', '-ExcludeModules', 'Start-KrServer')) {
            $section | Should -BeLike "*$word*"
        }
    }
}

Describe 'Parameter validation' {
    It 'rejects <Case>' -ForEach @(
        @{ Case = 'an unknown SameSite'; Script = { New-KrCookieBuilder -SameSite Bogus } }
        @{ Case = 'an unknown SecurePolicy'; Script = { New-KrCookieBuilder -SecurePolicy Sometimes } }
        @{ Case = 'a cookie path without /'; Script = { New-KrCookieBuilder -Path 'relative' } }
        @{ Case = 'a cookie name with spaces'; Script = { New-KrCookieBuilder -Name 'my cookie' } }
        @{ Case = 'a MaxAge that is no duration'; Script = { New-KrCookieBuilder -MaxAge 'soon' } }
        @{ Case = 'a negative MaxAge'; Script = { New-KrCookieBuilder -MaxAge -5 } }
        @{ Case = 'an idle timeout of 0'; Script = { Add-KrSession -IdleTimeout 0 } }
        @{ Case = 'an IO timeout of 0'; Script = { Add-KrSession -IOTimeout 0 } }
        @{ Case = 'a port above 65535'; Script = { Add-KrEndpoint -Port 70000 } }
        @{ Case = 'a negative port'; Script = { Add-KrEndpoint -Port -1 } }
        @{ Case = 'a certificate file that does not exist'; Script = { Add-KrEndpoint -Port 0 -CertPath './no-such-cert.pem' -KeyPath './no-such-key.pem' } }
        @{ Case = 'a route pattern without /'; Script = { Add-KrMapRoute -Path 'hello' -ScriptBlock { $null } } }
        @{ Case = 'an unknown verb'; Script = { Add-KrMapRoute -Verbs Brew -Path '/tea' -ScriptBlock { $null } } }
        @{ Case = 'a route without a script block'; Script = { Add-KrMapRoute -Path '/x' -ScriptBlock $null } }
        @{ Case = 'an unknown log level'; Script = { New-KrLogger | Set-KrLoggerLevel -Value Loud } }
        @{ Case = 'an empty logger name'; Script = { New-KrLogger | Register-KrLogger -Name '' } }
        @{ Case = 'an empty server name'; Script = { New-KrServer -Name '' } }
        @{ Case = '0 runspaces'; Script = { Set-KrServerOptions -MaxRunspaces 0 } }
        @{ Case = 'a status code below 100'; Script = { Write-KrJsonResponse -InputObject @{} -StatusCode 42 } }
        @{ Case = 'a JSON depth above 100'; Script = { Write-KrJsonResponse -InputObject @{} -Depth 101 } }
        @{ Case = 'a text status code above 999'; Script = { Write-KrTextResponse -InputObject 'x' -StatusCode 1000 } }
        @{ Case = 'an empty session key'; Script = { Get-KrSessionString -Key '' } }
        @{ Case = 'an empty query name'; Script = { Get-KrRequestQuery -Name '' } }
        @{ Case = 'two conversions at once'; Script = { Get-KrRequestQuery -Name 'a' -AsInt -AsBool } }
    ) {
        $err = $Script | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Not -BeLike '*must be called inside a route*'
    }
}

Describe 'Route commands outside a route' {
    It '<Command> says it must be called inside a route script block' -ForEach @(
        @{ Command = 'Get-KrSessionInt32'; Script = { Get-KrSessionInt32 -Key 'counter' } }
        @{ Command = 'Set-KrSessionInt32'; Script = { Set-KrSessionInt32 -Key 'counter' -Value 1 } }
        @{ Command = 'Get-KrSessionString'; Script = { Get-KrSessionString -Key 'user' } }
        @{ Command = 'Set-KrSessionString'; Script = { Set-KrSessionString -Key 'user' -Value 'max' } }
        @{ Command = 'Get-KrSessionByte'; Script = { Get-KrSessionByte -Key 'b' } }
        @{ Command = 'Set-KrSessionByte'; Script = { Set-KrSessionByte -Key 'b' -Value ([byte[]](1, 2)) } }
        @{ Command = 'Remove-KrSession'; Script = { Remove-KrSession -Key 'user' } }
        @{ Command = 'Clear-KrSession'; Script = { Clear-KrSession } }
        @{ Command = 'Get-KrRequestQuery'; Script = { Get-KrRequestQuery -Name 'user' } }
        @{ Command = 'Get-KrRequestHeader'; Script = { Get-KrRequestHeader -Name 'Accept' } }
        @{ Command = 'Get-KrRequestRouteParam'; Script = { Get-KrRequestRouteParam -Name 'id' } }
        @{ Command = 'Get-KrRequestCookie'; Script = { Get-KrRequestCookie -Name 'c' } }
        @{ Command = 'Get-KrRequestBody'; Script = { Get-KrRequestBody } }
        @{ Command = 'Write-KrJsonResponse'; Script = { Write-KrJsonResponse -InputObject @{ a = 1 } } }
        @{ Command = 'Write-KrTextResponse'; Script = { Write-KrTextResponse -InputObject 'text' } }
    ) {
        $err = $Script | Should -Throw -PassThru
        $err.Exception.Message | Should -Be "$Command must be called inside a route script block (no current request)."
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.FullyQualifiedErrorId | Should -BeLike "Kr*,$(Get-KrErrorIdSuffix -Name $Command)"
    }
}

Describe 'Servers by name' {
    AfterAll {
        foreach ($name in 'pester-replace') {
            $server = Get-KrServer -All | Where-Object Name -EQ $name
            if ($server) { Remove-KrServer -Server $server -Force }
        }
    }

    It 'replaces a stopped server of the same name, refuses a running one without -Force' {
        $first = New-KrServer -Name 'pester-replace' -PassThru
        $second = New-KrServer -Name 'pester-replace' -PassThru
        $first.State | Should -Be 'Freed'
        (Get-KrServer).Name | Should -Be 'pester-replace'
        Add-KrEndpoint -Port 0
        Start-KrServer -NoWait -Quiet
        $err = { New-KrServer -Name 'pester-replace' } | Should -Throw -PassThru
        $err.Exception.Message | Should -BeLike "*already running*-Force*"
        $second.IsRunning | Should -BeTrue
        $third = New-KrServer -Name 'pester-replace' -Force -PassThru
        $second.State | Should -Be 'Freed'
        $third.State | Should -Be 'Created'
        { Add-KrEndpoint -Server $second -Port 0 } | Should -Throw '*was removed*'
    }

    It 'reports bind failures at Start-KrServer with the address' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
            New-KrServer -Name 'pester-replace' -Force
            Add-KrEndpoint -Port $port
            $err = { Start-KrServer -NoWait -Quiet } | Should -Throw -PassThru
            $err.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $err.Exception.Message | Should -BeLike "Starting the server 'pester-replace' failed: *$port*"
            $err.Exception.Message | Should -Not -MatchExactly '\bkr_|\bKR_'
        } finally {
            $listener.Stop()
        }
    }

    It 'Start-KrServer without an endpoint is an error' {
        New-KrServer -Name 'pester-replace' -Force
        { Start-KrServer -NoWait -Quiet } | Should -Throw '*has no endpoint*'
    }
}

Describe 'Logging' {
    AfterAll {
        Close-KrLogger
    }

    It 'registers a file logger and writes through it at its level' {
        $file = Join-Path -Path $TestDrive -ChildPath 'logs/pester.log'
        $logger = New-KrLogger | Set-KrLoggerLevel -Level Warning | Add-KrSinkFile -Path $file | Register-KrLogger -Name 'pester' -SetAsDefault -PassThru
        $logger.Name | Should -Be 'pester'
        $logger.IsDefault | Should -BeTrue
        $logger.MinimumLevel | Should -Be 'Warning'
        Write-KrLog -Level Warning -Message 'pester warning'
        Write-KrLog -Level Information -Message 'pester information'
        Close-KrLogger
        $text = Get-Content -LiteralPath $file -Raw
        $text | Should -Match '\[WRN\] pester warning'
        $text | Should -Not -Match 'pester information'
    }

    It 'reports a log file that cannot be opened' {
        $blocker = Join-Path -Path $TestDrive -ChildPath 'a-file'
        Set-Content -LiteralPath $blocker -Value 'x'
        $err = { New-KrLogger | Add-KrSinkFile -Path (Join-Path -Path $blocker -ChildPath 'x.log') | Register-KrLogger -Name 'broken' -SetAsDefault } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'WriteError'
        $err.Exception.Message | Should -BeLike "Opening the log file '*x.log' failed: *"
        $err.Exception.Message | Should -Not -MatchExactly '\bkr_|\bKR_'
    }
}
