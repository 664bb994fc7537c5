# A session idle for longer than Add-KrSession -IdleTimeout is abandoned: the next request starts a new one.

BeforeAll {
    Import-Module (Join-Path -Path $PSScriptRoot -ChildPath 'TestHelper.psm1') -Force
    $script:instance = Start-KrTestScript -Path (Join-Path -Path $PSScriptRoot -ChildPath 'scripts/Sessions-IdleTimeout.ps1') -Arguments @('-IdleTimeout', '2')
    $script:base = $script:instance.BaseUrl
}

AfterAll {
    if ($script:instance) {
        $null = Stop-KrTestScript -Instance $script:instance
    }
}

Describe 'Session idle timeout' {
    It 'keeps the session while requests come within the idle timeout' {
        $jar = Join-Path -Path $TestDrive -ChildPath 'active.txt'
        (Invoke-KrCurl -Url "$base/counter" -Jar $jar).Json.counter | Should -Be 1
        foreach ($expected in 2..4) {
            Start-Sleep -Milliseconds 800
            (Invoke-KrCurl -Url "$base/counter" -Jar $jar).Json.counter | Should -Be $expected
        }
    }

    It 'starts a new session after the idle timeout' {
        $jar = Join-Path -Path $TestDrive -ChildPath 'idle.txt'
        (Invoke-KrCurl -Url "$base/counter" -Jar $jar).Json.counter | Should -Be 1
        (Invoke-KrCurl -Url "$base/counter" -Jar $jar).Json.counter | Should -Be 2
        Start-Sleep -Seconds 4
        (Invoke-KrCurl -Url "$base/counter" -Jar $jar).Json.counter | Should -Be 1
    }
}
