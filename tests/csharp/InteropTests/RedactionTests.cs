namespace KestrunRust.Tests
{
    /// <summary>What the session stores show of a connection string (messages, logs, DistributedCache): never a password.</summary>
    public class RedactionTests
    {
        [Theory]
        [InlineData("redis", "h:1,password=hunter2,ssl=true", "h:1,password=***,ssl=true")]
        [InlineData("redis", "redis://:hunter2@h:1/0", "redis://:***@h:1/0")]
        [InlineData("redis", "redis://u:hunter2@h:1/0", "redis://u:***@h:1/0")]
        [InlineData("redis", "redis://h:1/0", "redis://h:1/0")]
        [InlineData("postgres", "Host=h;Password=secret;Database=d", "Host=h;Password=***;Database=d")]
        [InlineData("postgres", "Host=h;Pwd=se;cr;et;Database=d", "Host=h;Pwd=***;Database=d")]
        [InlineData("postgres", "Host=h;Username=u", "Host=h;Username=u")]
        [InlineData("postgres", "postgres://u:secret@h:5432/d?sslmode=disable", "postgres://u:***@h:5432/d?sslmode=disable")]
        [InlineData("postgres", "postgresql://u@h/d?password=secret", "postgresql://u@h/d?password=***")]
        public void RedactHidesPasswords(string store, string given, string shown)
        {
            string redacted = store == "redis" ? KrRedisCacheSettings.Redact(given) : KrPostgresCacheSettings.Redact(given);
            Assert.Equal(shown, redacted);
        }
    }
}
