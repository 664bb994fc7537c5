using System.Collections;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KestrunRust.Tests
{
    /// <summary>A redis-server of the test's own on a free loopback port (no persistence); null Binary when not installed.</summary>
    public sealed class RedisServer : IDisposable
    {
        public static readonly string Binary = Find();
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "kr-cs-redis-" + Guid.NewGuid().ToString("N"));
        private Process _process;

        public RedisServer()
        {
            Directory.CreateDirectory(_dir);
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            Start();
        }

        public int Port { get; }

        private static string Find()
        {
            string path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
            foreach (string dir in path.Split(Path.PathSeparator))
            {
                string candidate = Path.Combine(dir, "redis-server");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            return null;
        }

        public void Start()
        {
            var psi = new ProcessStartInfo(Binary)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (string a in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", _dir })
            {
                psi.ArgumentList.Add(a);
            }
            _process = Process.Start(psi);
            _process.OutputDataReceived += (s, e) => { };
            _process.ErrorDataReceived += (s, e) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    if (Command("PING") == "+PONG")
                    {
                        return;
                    }
                }
                catch (Exception)
                {
                }
                Thread.Sleep(50);
            }
            throw new InvalidOperationException("redis-server did not start on port " + Port);
        }

        public void Kill()
        {
            if (_process != null)
            {
                _process.Kill();
                _process.WaitForExit();
                _process.Dispose();
                _process = null;
            }
        }

        /// <summary>One inline RESP command; returns the first reply line (e.g. "+PONG", ":1").</summary>
        public string Command(params string[] args)
        {
            using (var client = new TcpClient())
            {
                client.Connect(IPAddress.Loopback, Port);
                client.ReceiveTimeout = 2000;
                NetworkStream stream = client.GetStream();
                var sb = new StringBuilder("*" + args.Length + "\r\n");
                foreach (string a in args)
                {
                    sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
                }
                byte[] request = Encoding.UTF8.GetBytes(sb.ToString());
                stream.Write(request, 0, request.Length);
                var reader = new StreamReader(stream, Encoding.UTF8);
                return reader.ReadLine();
            }
        }

        public void Dispose()
        {
            Kill();
            try
            {
                Directory.Delete(_dir, true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>A fact that is reported as skipped (with the reason) when redis-server is not installed.</summary>
    public sealed class RedisFactAttribute : FactAttribute
    {
        public RedisFactAttribute()
        {
            if (RedisServer.Binary == null)
            {
                Skip = "redis-server is not installed (apt-get install redis-server)";
            }
        }
    }

    public class RedisTests : TestBase
    {
        private static readonly byte[] Secret = Encoding.UTF8.GetBytes("C# farm secret, sixteen bytes or more");

        [Fact]
        public void OptionsBecomeAConfigurationStringWithEveryEndPoint()
        {
            var options = new Hashtable
            {
                { "EndPoints", new object[] { "cache.example:7000", "other:7001" } },
                { "password", "p@ss=w;rd" },
                { "User", "me" },
                { "Ssl", "True" },
                { "DefaultDatabase", 3 },
                { "ConnectTimeout", "1500" },
                { "SyncTimeout", 250 },
                { "AbortOnConnectFail", false },
                { "ClientName", "web1" },
                { "ConnectRetry", "5" },
            };
            KrRedisCacheSettings s = KrRedisCacheSettings.FromOptions(options, null, "app:");
            Assert.Equal("cache.example:7000,other:7001,user=me,password=p@ss=w;rd,ssl=true,defaultDatabase=3,connectTimeout=1500,syncTimeout=250,name=web1,abortConnect=false,connectRetry=5", s.Configuration);
            Assert.Equal("app:", s.InstanceName);
            Assert.Equal(0u, s.ConnectTimeoutMs);
            Assert.Equal(0u, s.OperationTimeoutMs);
            Assert.DoesNotContain("p@ss", s.ToString());

            s = KrRedisCacheSettings.FromOptions(new Hashtable { { "ssl", true } }, "secure.example", null);
            Assert.Equal("secure.example,ssl=true", s.Configuration);
            s = KrRedisCacheSettings.FromOptions(new Hashtable(), "[::1]:6390", "");
            Assert.Equal("[::1]:6390", s.Configuration);
            s = KrRedisCacheSettings.FromOptions(new Hashtable { { "EndPoint", "localhost" }, { "SslHost", "localhost" }, { "Ssl", true } }, null, "");
            Assert.Equal("localhost,ssl=true,sslHost=localhost", s.Configuration);

            Assert.Throws<ArgumentException>(() => KrRedisCacheSettings.FromOptions(new Hashtable { { "Bogus", 1 } }, null, ""));
            Assert.Throws<ArgumentException>(() => KrRedisCacheSettings.FromOptions(new Hashtable { { "Ssl", "maybe" } }, null, ""));
            Assert.Throws<ArgumentException>(() => KrRedisCacheSettings.FromOptions(new Hashtable { { "EndPoints", "h:0" } }, null, ""));
            Assert.Throws<ArgumentException>(() => KrRedisCacheSettings.FromOptions(new Hashtable { { "DefaultDatabase", -1 } }, null, ""));
            Assert.Throws<ArgumentException>(() => KrRedisCacheSettings.FromOptions(new Hashtable { { "ConnectRetry", -1 } }, null, ""));
            var comma = Assert.Throws<ArgumentException>(() => KrRedisCacheSettings.FromOptions(new Hashtable { { "Password", "a,b" } }, null, ""));
            Assert.Contains("The Redis option Password contains a comma", comma.Message);
            Assert.DoesNotContain("a,b", comma.Message);
        }

        [Fact]
        public void RedisUrls()
        {
            Assert.True(KrRedisCacheSettings.IsRedisUrl("rediss://h"));
            Assert.False(KrRedisCacheSettings.IsRedisUrl("localhost:6379"));
        }

        [Fact]
        public void OneStoreBeforeSessionsAndBadStringsRejected()
        {
            using (var server = new KrServer(TestLib.UniqueName("cs-redis-order")))
            {
                KrException bad = Assert.Throws<KrException>(() => server.UseRedisSessionStore(new KrRedisCacheSettings { Configuration = "h:1,password=hunter2,bogus=1" }));
                Assert.Equal(KrStatus.InvalidArgument, bad.Status);
                Assert.DoesNotContain("hunter2", bad.Message);
                Assert.Null(server.DistributedCache);

                // Nothing listens on port 1: registering never connects.
                server.UseRedisSessionStore(new KrRedisCacheSettings { Configuration = "127.0.0.1:1", InstanceName = "x:" });
                Assert.NotNull(server.DistributedCache);
                var second = Assert.Throws<InvalidOperationException>(() => server.UseRedisSessionStore(new KrRedisCacheSettings { Configuration = "127.0.0.1:2" }));
                Assert.Contains("already has a distributed cache", second.Message);
                server.ConfigureSession(new KrSessionSettings { CookieKey = Secret });
            }
            using (var server = new KrServer(TestLib.UniqueName("cs-redis-late")))
            {
                server.ConfigureSession(new KrSessionSettings());
                var late = Assert.Throws<InvalidOperationException>(() => server.UseRedisSessionStore(new KrRedisCacheSettings { Configuration = "127.0.0.1:1" }));
                Assert.Contains("Add-KrSession", late.Message);
            }
            using (var server = new KrServer(TestLib.UniqueName("cs-short-key")))
            {
                KrException shortKey = Assert.Throws<KrException>(() => server.ConfigureSession(new KrSessionSettings { CookieKey = new byte[15] }));
                Assert.Equal(KrStatus.InvalidArgument, shortKey.Status);
            }
        }

        private static TestServer FarmServer(RedisServer redis, string prefix, byte[] secret, int idle = 60)
        {
            TestServer s = new TestServer(server =>
            {
                server.UseRedisSessionStore(new KrRedisCacheSettings
                {
                    Configuration = "127.0.0.1:" + redis.Port,
                    InstanceName = prefix,
                    ConnectTimeoutMs = 1000,
                    OperationTimeoutMs = 500,
                });
                server.ConfigureSession(new KrSessionSettings
                {
                    Cookie = new KrCookieBuilder { Name = "Kr.Session", SecurePolicy = KrSecurePolicy.None },
                    IdleTimeoutSeconds = (ulong)idle,
                    IoTimeoutSeconds = 2,
                    CookieKey = secret,
                });
            }, https: false, start: false);
            s.Map("GET", "/session/login", ctx =>
            {
                ctx.SetSessionString("user", ctx.GetQuery("user"));
                ctx.Write(200, "text/plain", "ok");
                return 0;
            });
            s.Map("GET", "/session/whoami", ctx =>
            {
                string user = ctx.GetSessionString("user");
                ctx.Write(user == null ? 401 : 200, "text/plain", user ?? "none");
                return 0;
            });
            s.Start();
            return s;
        }

        [RedisFact]
        public void TwoServersShareTheSessionAndSurviveARedisRestart()
        {
            using (var redis = new RedisServer())
            using (TestServer a = FarmServer(redis, "cs:", Secret))
            using (TestServer b = FarmServer(redis, "cs:", Secret))
            using (TestServer c = FarmServer(redis, "cs:", null))
            using (var client = new TestClient())
            {
                Assert.Equal(200, client.Get(a.BaseUrl + "/session/login?user=max").Status);
                Assert.Equal((200, "max"), Pair(client.Get(b.BaseUrl + "/session/whoami")));
                Assert.Equal(401, client.Get(c.BaseUrl + "/session/whoami").Status);
                // The session, and the cookie key ring that server c (no secret) keeps in Redis.
                Assert.Equal(":2", redis.Command("DBSIZE"));
                Assert.Equal(":1", redis.Command("EXISTS", "cs:Kestrun.Rust:SessionKeyRing"));

                redis.Kill();
                var watch = Stopwatch.StartNew();
                Assert.Equal(401, client.Get(b.BaseUrl + "/session/whoami").Status);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "bounded: " + watch.Elapsed);

                redis.Start();
                DateTime deadline = DateTime.UtcNow.AddSeconds(15);
                while (true)
                {
                    client.Get(a.BaseUrl + "/session/login?user=max");
                    if (client.Get(b.BaseUrl + "/session/whoami").Status == 200)
                    {
                        break;
                    }
                    Assert.True(DateTime.UtcNow < deadline, "sessions did not work again after Redis came back");
                    Thread.Sleep(200);
                }
            }
        }

        private static (int, string) Pair((int Status, string Body, System.Net.Http.HttpResponseMessage Response) r)
        {
            return (r.Status, r.Body);
        }
    }
}
