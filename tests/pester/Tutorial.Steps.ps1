# The first steps of the 19.1 tutorial's "Try it" transcript (curl and a cookie jar) as It blocks, shared by the tests of
# the scripts that serve its routes: the seed's 19.1 (Tutorial.19.1-Sessions.Tests.ps1) and Kestrun's 19.2 with Redis
# (Tutorial.19.2-Sessions-Redis.Tests.ps1). Dot-sourced inside a Describe whose BeforeAll sets $base (the server) and
# $jar (the cookie jar); each step and its assertions are Invoke-KrTutorialStep's (TestHelper.psm1).
It '<Name>' -ForEach @(
    @{ Name = 'the counter increments with the same cookie jar: 1 then 2'; Step = 'Counter' }
    @{ Name = 'whoami requires login: 401 before login'; Step = 'LoginRequired' }
    @{ Name = 'login stores the user and whoami returns it'; Step = 'Login' }
    @{ Name = 'set then get color=purple within the same session'; Step = 'SetGet' }
) {
    Invoke-KrTutorialStep -Step $Step -BaseUrl $base -Jar $jar
}
