using System.Runtime.CompilerServices;

namespace KestrunRust.Tests
{
    /// <summary>The SQL session stores through the C API (kr_server_use_postgres_session_store,
    /// kr_server_use_sqlite_session_store) and through KrServer (UsePostgresSessionStore, UseSqliteSessionStore): the
    /// status of every bad argument, messages that never show the password, and SQLite sessions that outlive the server.
    /// The PostgreSQL store against a live database is tested by the Rust and Pester suites.</summary>
    public class SqlTests : TestBase
    {
        private static byte[] Z(string value)
        {
            return KrUtf8.ZArray(value);
        }

        private static KrStatus Postgres(IntPtr server, string connection, string schema = "public", string table = "Sessions", bool create = true, uint interval = 0)
        {
            byte[] c = Z(connection);
            byte[] s = Z(schema);
            byte[] t = Z(table);
            return KrNative.kr_server_use_postgres_session_store(server, ref c[0], ref s[0], ref t[0], create, interval);
        }

        private static KrStatus Sqlite(IntPtr server, string path, string table = "Sessions", uint interval = 0)
        {
            byte[] p = Z(path);
            byte[] t = Z(table);
            return KrNative.kr_server_use_sqlite_session_store(server, ref p[0], ref t[0], interval);
        }

        private static string TempFolder()
        {
            string dir = Path.Combine(Path.GetTempPath(), "kr-cs-sql-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            return dir;
        }

        [Fact]
        public void PostgresStoreStatuses()
        {
            using (var server = new KrServer(TestLib.UniqueName("cs-pg-status")))
            {
                IntPtr h = server.Handle;
                Assert.Equal(KrStatus.InvalidArgument, Postgres(h, "Host=db;Username=app;Password=hunter2-cs;SSL Mode=Require"));
                string message = KrError.LastErrorMessage();
                Assert.Contains("SSL Mode", message);
                Assert.DoesNotContain("hunter2", message);

                Assert.Equal(KrStatus.InvalidArgument, Postgres(h, "postgres://app:hunter2-cs@db/app?sslmode=require"));
                Assert.DoesNotContain("hunter2", KrError.LastErrorMessage());
                Assert.Equal(KrStatus.InvalidArgument, Postgres(h, "Host=db;Password=hunter2-cs"));
                Assert.Contains("no Username", KrError.LastErrorMessage());
                Assert.Equal(KrStatus.InvalidArgument, Postgres(h, "   "));
                Assert.Equal(KrStatus.InvalidArgument, Postgres(h, "Host=db;Username=app", "public", "x;drop"));
                Assert.Contains("invalid table name", KrError.LastErrorMessage());
                Assert.Equal(KrStatus.InvalidArgument, Postgres(h, "Host=db;Username=app", "1schema", "Sessions"));
                Assert.Contains("invalid schema name", KrError.LastErrorMessage());

                byte[] notUtf8 = { 0x48, 0x3d, 0xff, 0 };
                byte[] schema = Z("public");
                byte[] table = Z("Sessions");
                Assert.Equal(KrStatus.InvalidUtf8, KrNative.kr_server_use_postgres_session_store(h, ref notUtf8[0], ref schema[0], ref table[0], true, 0));
                byte[] connection = Z("Host=db;Username=app");
                Assert.Equal(KrStatus.NullArgument, KrNative.kr_server_use_postgres_session_store(h, ref Unsafe.NullRef<byte>(), ref schema[0], ref table[0], true, 0));
                Assert.Equal(KrStatus.InvalidHandle, KrNative.kr_server_use_postgres_session_store(IntPtr.Zero, ref connection[0], ref schema[0], ref table[0], true, 0));

                // NULL schema and table: public."Sessions". Nothing listens on port 1: registering never connects.
                Assert.Equal(KrStatus.Ok, KrNative.kr_server_use_postgres_session_store(h, ref connection[0], ref Unsafe.NullRef<byte>(), ref Unsafe.NullRef<byte>(), true, 60));
                Assert.Equal(KrStatus.InvalidState, Postgres(h, "postgres://app@127.0.0.1:1/app"));
                Assert.Equal(KrStatus.InvalidState, Sqlite(h, Path.Combine(Path.GetTempPath(), "kr-cs-never.db")));
            }
            using (var server = new KrServer(TestLib.UniqueName("cs-pg-late")))
            {
                server.ConfigureSession(new KrSessionSettings());
                Assert.Equal(KrStatus.InvalidState, Postgres(server.Handle, "Host=127.0.0.1;Port=1;Username=app"));
            }
        }

        /// <summary>The C API promises that the password is never in a message. A password with ';' in Npgsql's form is
        /// split by the engine's parser, which then quotes the rest of it in its error. (KrServer refuses such strings
        /// before they reach the engine: KrPostgresCacheSettings.CheckPassword.)</summary>
        [Fact]
        public void PostgresErrorsNeverQuoteAnyPartOfThePassword()
        {
            using (var server = new KrServer(TestLib.UniqueName("cs-pg-leak")))
            {
                Assert.Equal(KrStatus.InvalidArgument, Postgres(server.Handle, "Host=db;Username=app;Password=hunter;2xyzzy;Database=app"));
                string split = KrError.LastErrorMessage();
                Assert.Equal(KrStatus.InvalidArgument, Postgres(server.Handle, "Host=db;Username=app;Password=hunter;w0rd=2;Database=app"));
                string option = KrError.LastErrorMessage();
                Assert.DoesNotContain("2xyzzy", split);
                Assert.DoesNotContain("w0rd", option);
            }
        }

        [Fact]
        public void UsePostgresSessionStoreKeepsNoPassword()
        {
            using (var server = new KrServer(TestLib.UniqueName("cs-pg-wrapper")))
            {
                KrException tls = Assert.Throws<KrException>(() => server.UsePostgresSessionStore(new KrPostgresCacheSettings
                {
                    ConnectionString = "Host=db;Username=app;Password=hunter2-cs;SSL Mode=VerifyFull",
                }));
                Assert.Equal(KrStatus.InvalidArgument, tls.Status);
                Assert.Contains("Password=***", tls.Message);
                Assert.DoesNotContain("hunter2", tls.Message);
                Assert.Null(server.DistributedCache);

                var semicolon = Assert.Throws<ArgumentException>(() => server.UsePostgresSessionStore(new KrPostgresCacheSettings
                {
                    ConnectionString = "Host=db;Username=app;Password=hunter;2xyzzy",
                }));
                Assert.DoesNotContain("2xyzzy", semicolon.Message);
                Assert.DoesNotContain("hunter", semicolon.Message);
                Assert.Throws<ArgumentException>(() => server.UsePostgresSessionStore(new KrPostgresCacheSettings { ConnectionString = " " }));
                Assert.Throws<ArgumentOutOfRangeException>(() => server.UsePostgresSessionStore(new KrPostgresCacheSettings
                {
                    ConnectionString = "Host=127.0.0.1;Port=1;Username=app",
                    ExpiredItemsDeletionInterval = TimeSpan.Zero,
                }));
                Assert.Null(server.DistributedCache);

                var settings = new KrPostgresCacheSettings
                {
                    ConnectionString = "Host=127.0.0.1;Port=1;Username=app;Password=hunter2-cs;Database=app",
                    SchemaName = "web",
                    TableName = "SessionCache",
                    CreateIfNotExists = true,
                    ExpiredItemsDeletionInterval = TimeSpan.FromSeconds(1.5),
                };
                Assert.Equal(2u, settings.DeletionIntervalSeconds);
                server.UsePostgresSessionStore(settings);
                var kept = Assert.IsType<KrPostgresCacheSettings>(server.DistributedCache);
                Assert.Equal("Host=127.0.0.1;Port=1;Username=app;Password=***;Database=app", kept.ConnectionString);
                Assert.Equal("PostgreSQL", kept.StoreKind);
                Assert.Equal("PostgreSQL Host=127.0.0.1;Port=1;Username=app;Password=***;Database=app (table \"web\".\"SessionCache\", expired rows deleted every 2 s)", kept.ToString());
                var second = Assert.Throws<InvalidOperationException>(() => server.UseSqliteSessionStore(new KrSqliteCacheSettings { Path = "x.db" }));
                Assert.Contains("already has a distributed cache (PostgreSQL", second.Message);
                Assert.DoesNotContain("hunter2", second.Message);
                server.ConfigureSession(new KrSessionSettings());
            }
        }

        [Fact]
        public void CheckPassword()
        {
            KrPostgresCacheSettings.CheckPassword("Host=h;Username=u;Password=se=cret;Database=d;SSL Mode=Disable");
            KrPostgresCacheSettings.CheckPassword("postgres://u:se%3Bcret@h/d");
            Assert.Throws<ArgumentException>(() => KrPostgresCacheSettings.CheckPassword("Host=h;Password=se;cret"));
            Assert.Throws<ArgumentException>(() => KrPostgresCacheSettings.CheckPassword("Host=h;Password='secret'"));
            Assert.True(KrSqlCacheSettings.IsIdentifier("Sessions_2"));
            Assert.False(KrSqlCacheSettings.IsIdentifier("2Sessions"));
            Assert.False(KrSqlCacheSettings.IsIdentifier("a\"b"));
            Assert.False(KrSqlCacheSettings.IsIdentifier(new string('a', 64)));
        }

        [Fact]
        public void SqliteStoreStatuses()
        {
            string dir = TempFolder();
            try
            {
                using (var server = new KrServer(TestLib.UniqueName("cs-lite-status")))
                {
                    IntPtr h = server.Handle;
                    Assert.Equal(KrStatus.IoError, Sqlite(h, Path.Combine(dir, "no-such-folder", "s.db")));
                    Assert.Contains("no-such-folder", KrError.LastErrorMessage());
                    Assert.Equal(KrStatus.InvalidArgument, Sqlite(h, Path.Combine(dir, "s.db"), "x;drop"));
                    byte[] table = Z("Sessions");
                    Assert.Equal(KrStatus.NullArgument, KrNative.kr_server_use_sqlite_session_store(h, ref Unsafe.NullRef<byte>(), ref table[0], 0));
                    byte[] path = Z(Path.Combine(dir, "s.db"));
                    Assert.Equal(KrStatus.InvalidHandle, KrNative.kr_server_use_sqlite_session_store(IntPtr.Zero, ref path[0], ref table[0], 0));
                    Assert.Equal(KrStatus.Ok, KrNative.kr_server_use_sqlite_session_store(h, ref path[0], ref Unsafe.NullRef<byte>(), 30));
                    Assert.True(File.Exists(Path.Combine(dir, "s.db")));
                    Assert.Equal(KrStatus.InvalidState, Sqlite(h, Path.Combine(dir, "t.db")));
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private static TestServer LiteServer(string file)
        {
            TestServer s = new TestServer(server =>
            {
                server.UseSqliteSessionStore(new KrSqliteCacheSettings { Path = file, ExpiredItemsDeletionInterval = TimeSpan.FromMinutes(1) });
                server.ConfigureSession(new KrSessionSettings
                {
                    Cookie = new KrCookieBuilder { Name = "Kr.Session", SecurePolicy = KrSecurePolicy.None },
                    IdleTimeoutSeconds = 600,
                    IoTimeoutSeconds = 5,
                });
            }, https: false, start: false);
            s.Map("GET", "/counter", ctx =>
            {
                int n = (ctx.GetSessionInt32("counter") ?? 0) + 1;
                ctx.SetSessionInt32("counter", n);
                ctx.Write(200, "text/plain", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            });
            s.Start();
            return s;
        }

        [Fact]
        public void SqliteSessionsOutliveTheServer()
        {
            string dir = TempFolder();
            try
            {
                string file = Path.Combine(dir, "sessions.db");
                using (var client = new TestClient())
                {
                    using (TestServer a = LiteServer(file))
                    {
                        var kept = Assert.IsType<KrSqliteCacheSettings>(a.Server.DistributedCache);
                        Assert.Equal(file, kept.Path);
                        Assert.Equal("SQLite", kept.StoreKind);
                        Assert.Equal((200, "1"), Pair(client.Get(a.BaseUrl + "/counter")));
                        Assert.Equal((200, "2"), Pair(client.Get(a.BaseUrl + "/counter")));
                    }
                    // A new server on the file (another port; cookies are per host, so the client sends the same one):
                    // the same key ring opens the cookie, the same row holds the session.
                    using (TestServer b = LiteServer(file))
                    {
                        Assert.Equal(1, client.Cookies.Count);
                        Assert.Equal((200, "3"), Pair(client.Get(b.BaseUrl + "/counter")));
                    }
                }
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private static (int, string) Pair((int Status, string Body, System.Net.Http.HttpResponseMessage Response) r)
        {
            return (r.Status, r.Body);
        }
    }
}
