using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;

namespace KestrunRust.Tests
{
    public class LibraryTests : TestBase
    {

        [Fact]
        public void VersionIsASemanticVersion()
        {
            string version = KrServerManager.NativeVersion();
            Assert.Matches(@"^\d+\.\d+\.\d+", version);
        }

        [Fact]
        public void FailedCallRaisesKrExceptionWithTheNativeLastError()
        {
            using (var server = new KrServer(TestLib.UniqueName("err")))
            {
                var ex = Assert.Throws<KrException>(() => server.AddEndpointHttp("not an address", 0));
                Assert.Equal(KrStatus.InvalidArgument, ex.Status);
                Assert.False(string.IsNullOrWhiteSpace(ex.NativeMessage));
                Assert.Contains(ex.NativeMessage, ex.Message);
                Assert.Contains("KR_INVALID_ARGUMENT", ex.Message);
                Assert.Equal("InvalidArgument", ex.CategoryName);
                Assert.Equal(ex.NativeMessage, KrError.LastErrorMessage());
            }
        }

        [Fact]
        public void StaleAndForeignHandlesAreRejected()
        {
            var server = new KrServer(TestLib.UniqueName("stale"));
            IntPtr handle = server.Handle;
            server.Dispose();
            Assert.Equal(KrServerState.Freed, server.State);
            Assert.Equal(KrStatus.InvalidHandle, KrNative.kr_server_free(handle));
            Assert.False(string.IsNullOrEmpty(KrError.LastErrorMessage()));
            Assert.Equal(KrStatus.InvalidHandle, KrNative.kr_server_is_running(new IntPtr(0x12345678), out byte _));
            Assert.Throws<ObjectDisposedException>(() => server.AddEndpointHttp("127.0.0.1", 0));
            Assert.False(server.IsRunning);
            server.Dispose(); // a second Dispose is a no-op
        }
    }

    public class SessionTests : TestBase
    {
        private static void MapCounter(TestServer s)
        {
            s.Map("GET", "/session/counter", ctx =>
            {
                Assert.Same(ctx, KrRequestContext.CurrentOrNull);
                int current = ctx.GetSessionInt32("counter") ?? 0;
                ctx.SetSessionInt32("counter", current + 1);
                ctx.Write(200, "application/json; charset=utf-8", Json.Of(new { message = "Counter incremented", counter = current + 1 }));
                return 0;
            });
        }

        private static TestServer SessionServer(Action<TestServer> routes, KrSessionSettings settings = null)
        {
            TestServer s = null;
            s = new TestServer(server =>
            {
                server.ConfigureSession(settings ?? new KrSessionSettings
                {
                    Cookie = new KrCookieBuilder { Name = "Kr.Session", HttpOnly = true, SameSite = KrSameSite.Lax, SecurePolicy = KrSecurePolicy.Always },
                    IdleTimeoutSeconds = 20,
                    IoTimeoutSeconds = 10,
                });
            }, start: false);
            routes(s);
            s.Start();
            return s;
        }

        [Fact]
        public void CounterIncrementsWithinASessionAndStartsAtOneInANewOne()
        {
            using (TestServer s = SessionServer(MapCounter))
            using (var client = new TestClient())
            {
                Assert.Equal(1, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
                Assert.Equal(2, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
                Assert.Equal(3, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
                using (var fresh = new TestClient())
                {
                    Assert.Equal(1, fresh.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
                }
                Assert.Equal(4, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
            }
        }

        [Fact]
        public void SessionCookieHasTheBuilderAttributes()
        {
            using (TestServer s = SessionServer(MapCounter))
            using (var client = new TestClient(useCookies: false))
            {
                var (status, _, response) = client.Get(s.BaseUrl + "/session/counter");
                Assert.Equal(200, status);
                string cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("Kr.Session=", StringComparison.Ordinal));
                Assert.Contains("HttpOnly", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("SameSite=Lax", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("Secure", cookie, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("Path=/", cookie, StringComparison.OrdinalIgnoreCase);
            }
        }

        [Fact]
        public void NoCookieUntilTheSessionIsWritten()
        {
            using (TestServer s = SessionServer(t => t.Map("GET", "/read", ctx =>
            {
                ctx.Write(200, "text/plain", ctx.GetSessionString("user") ?? "<none>");
                return 0;
            })))
            using (var client = new TestClient(useCookies: false))
            {
                var (status, body, response) = client.Get(s.BaseUrl + "/read");
                Assert.Equal(200, status);
                Assert.Equal("<none>", body);
                Assert.False(response.Headers.Contains("Set-Cookie"));
            }
        }

        [Fact]
        public void StringsBytesRemoveClearAndKeys()
        {
            using (TestServer s = SessionServer(t =>
            {
                t.Map("GET", "/set", ctx =>
                {
                    ctx.SetSessionString("user", "max");
                    ctx.SetSessionString("empty", "");
                    ctx.SetSessionBytes("blob", new byte[] { 0, 1, 2, 255 });
                    ctx.SetSessionBytes("none", new byte[0]);
                    ctx.SetSessionInt32("n", -7);
                    ctx.Write(200, "text/plain", "ok");
                    return 0;
                });
                t.Map("GET", "/get", ctx =>
                {
                    byte[] blob = ctx.GetSessionBytes("blob");
                    string[] keys = ctx.GetSessionKeys();
                    Array.Sort(keys, StringComparer.Ordinal);
                    ctx.Write(200, "application/json", Json.Of(new
                    {
                        user = ctx.GetSessionString("user"),
                        empty = ctx.GetSessionString("empty"),
                        blob = blob == null ? null : Convert.ToBase64String(blob),
                        none = ctx.GetSessionBytes("none")?.Length,
                        n = ctx.GetSessionInt32("n"),
                        userAsInt = ctx.GetSessionInt32("user"),
                        missing = ctx.GetSessionString("missing"),
                        keys,
                    }));
                    return 0;
                });
                t.Map("GET", "/remove", ctx =>
                {
                    ctx.RemoveSession("user");
                    ctx.RemoveSession("never-set");
                    ctx.Write(200, "text/plain", "ok");
                    return 0;
                });
                t.Map("GET", "/clear", ctx =>
                {
                    ctx.ClearSession();
                    ctx.Write(200, "text/plain", "ok");
                    return 0;
                });
            }))
            using (var client = new TestClient())
            {
                Assert.Equal(200, client.Get(s.BaseUrl + "/set").Status);
                JsonElement got = client.GetJson(s.BaseUrl + "/get");
                Assert.Equal("max", got.GetProperty("user").GetString());
                Assert.Equal("", got.GetProperty("empty").GetString());
                Assert.Equal(Convert.ToBase64String(new byte[] { 0, 1, 2, 255 }), got.GetProperty("blob").GetString());
                Assert.Equal(0, got.GetProperty("none").GetInt32());
                Assert.Equal(-7, got.GetProperty("n").GetInt32());
                Assert.Equal(JsonValueKind.Null, got.GetProperty("userAsInt").ValueKind);
                Assert.Equal(JsonValueKind.Null, got.GetProperty("missing").ValueKind);
                Assert.Equal(new[] { "blob", "empty", "n", "none", "user" }, got.GetProperty("keys").EnumerateArray().Select(e => e.GetString()).ToArray());

                Assert.Equal(200, client.Get(s.BaseUrl + "/remove").Status);
                got = client.GetJson(s.BaseUrl + "/get");
                Assert.Equal(JsonValueKind.Null, got.GetProperty("user").ValueKind);
                Assert.Equal(-7, got.GetProperty("n").GetInt32());

                Assert.Equal(200, client.Get(s.BaseUrl + "/clear").Status);
                got = client.GetJson(s.BaseUrl + "/get");
                Assert.Equal(0, got.GetProperty("keys").GetArrayLength());
                Assert.Equal(JsonValueKind.Null, got.GetProperty("n").ValueKind);
            }
        }

        [Fact]
        public void LongValuesGoThroughTheSecondCall()
        {
            string big = new string('x', 20000) + "ü";
            using (TestServer s = SessionServer(t =>
            {
                t.Map("POST", "/store", ctx =>
                {
                    ctx.SetSessionString("big", ctx.GetBodyText());
                    ctx.Write(200, "text/plain", "ok");
                    return 0;
                });
                t.Map("GET", "/load", ctx =>
                {
                    ctx.Write(200, "application/json", Json.Of(new { big = ctx.GetSessionString("big"), header = ctx.GetHeader("X-Long"), query = ctx.GetQuery("q") }));
                    return 0;
                });
            }))
            using (var client = new TestClient())
            {
                Assert.Equal(HttpStatusCode.OK, client.Send(HttpMethod.Post, s.BaseUrl + "/store", big).StatusCode);
                string header = new string('h', 5000);
                string query = new string('q', 3000);
                var (status, body, _) = client.Get(s.BaseUrl + "/load?q=" + query, new Dictionary<string, string> { { "X-Long", header } });
                Assert.Equal(200, status);
                JsonElement json = JsonDocument.Parse(body).RootElement;
                Assert.Equal(big, json.GetProperty("big").GetString());
                Assert.Equal(header, json.GetProperty("header").GetString());
                Assert.Equal(query, json.GetProperty("query").GetString());
            }
        }

        [Fact]
        public void AFailingRouteGets500AndItsSessionChangesAreDiscarded()
        {
            using (TestServer s = SessionServer(t =>
            {
                MapCounter(t);
                t.Map("GET", "/fail", ctx =>
                {
                    ctx.SetSessionInt32("counter", 99);
                    return 1;
                });
                t.Map("GET", "/throw", ctx =>
                {
                    ctx.SetSessionInt32("counter", 42);
                    throw new InvalidOperationException("boom from C#");
                });
            }))
            using (var client = new TestClient())
            {
                Assert.Equal(1, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
                var (status, body, response) = client.Get(s.BaseUrl + "/fail");
                Assert.Equal(500, status);
                Assert.StartsWith("application/json", response.Content.Headers.ContentType.ToString());
                Assert.Equal(500, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
                Assert.Equal(500, client.Get(s.BaseUrl + "/throw").Status);
                Assert.Equal(2, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
            }
        }

        [Fact]
        public void ConcurrentRequestsOfOneSessionAreSerialized()
        {
            using (TestServer s = SessionServer(MapCounter, new KrSessionSettings { Cookie = new KrCookieBuilder { Name = "c" } }))
            using (var client = new TestClient())
            {
                Assert.Equal(1, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
                var statuses = new ConcurrentBag<int>();
                Parallel.For(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
                {
                    statuses.Add(client.Get(s.BaseUrl + "/session/counter").Status);
                });
                Assert.All(statuses, st => Assert.Equal(200, st));
                Assert.Equal(42, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
            }
        }

        [Fact]
        public void AnIdleSessionExpires()
        {
            var settings = new KrSessionSettings { Cookie = new KrCookieBuilder { Name = "Kr.Session" }, IdleTimeoutSeconds = 1 };
            using (TestServer s = SessionServer(MapCounter, settings))
            using (var client = new TestClient())
            {
                Assert.Equal(1, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
                Assert.Equal(2, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
                Thread.Sleep(2500);
                Assert.Equal(1, client.GetJson(s.BaseUrl + "/session/counter").GetProperty("counter").GetInt32());
            }
        }

        [Fact]
        public void SessionCallsOnAServerWithoutSessionsReportNoSession()
        {
            using (var s = new TestServer(_ => { }, start: false))
            {
                s.Map("GET", "/x", ctx =>
                {
                    bool available = ctx.SessionAvailable;
                    var ex = Assert.Throws<KrException>(() => ctx.GetSessionInt32("counter"));
                    ctx.Write(200, "application/json", Json.Of(new { available, status = ex.StatusName, message = ex.NativeMessage }));
                    return 0;
                });
                s.Start();
                using (var client = new TestClient())
                {
                    JsonElement json = client.GetJson(s.BaseUrl + "/x");
                    Assert.False(json.GetProperty("available").GetBoolean());
                    Assert.Equal("KR_NO_SESSION", json.GetProperty("status").GetString());
                    Assert.False(string.IsNullOrEmpty(json.GetProperty("message").GetString()));
                }
            }
        }
    }

    public class RequestResponseTests : TestBase
    {
        [Fact]
        public void RequestAccessorsReadWhatTheClientSent()
        {
            using (var s = new TestServer(_ => { }, start: false))
            {
                s.Map("GET,POST", "/echo/{id}", ctx =>
                {
                    ctx.Write(201, "application/json", Json.Of(new
                    {
                        method = ctx.Method,
                        path = ctx.Path,
                        scheme = ctx.Scheme,
                        host = ctx.Host,
                        remote = ctx.RemoteAddress,
                        queryString = ctx.QueryString,
                        x = ctx.GetQuery("x"),
                        all = ctx.GetQueryValues("r"),
                        second = ctx.GetQuery("r", 1),
                        missing = ctx.GetQuery("missing"),
                        missingCount = ctx.GetQueryCount("missing"),
                        id = ctx.GetRouteParam("id"),
                        noParam = ctx.GetRouteParam("nope"),
                        header = ctx.GetHeader("x-test"),
                        cookie = ctx.GetCookie("c1"),
                        body = ctx.GetBodyText(),
                        bodyLength = ctx.GetBody().Length,
                    }));
                    return 0;
                });
                s.Start();
                using (var client = new TestClient(useCookies: false))
                {
                    var headers = new Dictionary<string, string> { { "X-Test", "hello" }, { "Cookie", "c1=v1; c2=v2" } };
                    var (status, body, _) = client.Get(s.BaseUrl + "/echo/42?x=%C3%BC%E6%97%A5+1&r=a&r=b", headers);
                    Assert.Equal(201, status);
                    JsonElement json = JsonDocument.Parse(body).RootElement;
                    Assert.Equal("GET", json.GetProperty("method").GetString());
                    Assert.Equal("/echo/42", json.GetProperty("path").GetString());
                    Assert.Equal("https", json.GetProperty("scheme").GetString());
                    Assert.Contains("127.0.0.1", json.GetProperty("host").GetString());
                    Assert.Contains("127.0.0.1", json.GetProperty("remote").GetString());
                    Assert.Contains("r=a&r=b", json.GetProperty("queryString").GetString());
                    Assert.Equal("ü日 1", json.GetProperty("x").GetString());
                    Assert.Equal(new[] { "a", "b" }, json.GetProperty("all").EnumerateArray().Select(e => e.GetString()).ToArray());
                    Assert.Equal("b", json.GetProperty("second").GetString());
                    Assert.Equal(JsonValueKind.Null, json.GetProperty("missing").ValueKind);
                    Assert.Equal(0, json.GetProperty("missingCount").GetInt32());
                    Assert.Equal("42", json.GetProperty("id").GetString());
                    Assert.Equal(JsonValueKind.Null, json.GetProperty("noParam").ValueKind);
                    Assert.Equal("hello", json.GetProperty("header").GetString());
                    Assert.Equal("v1", json.GetProperty("cookie").GetString());
                    Assert.Equal("", json.GetProperty("body").GetString());

                    HttpResponseMessage post = client.Send(HttpMethod.Post, s.BaseUrl + "/echo/7", "{\"name\":\"日本\"}", "application/json");
                    Assert.Equal(HttpStatusCode.Created, post.StatusCode);
                    JsonElement posted = JsonDocument.Parse(new StreamReader(post.Content.ReadAsStream()).ReadToEnd()).RootElement;
                    Assert.Equal("POST", posted.GetProperty("method").GetString());
                    Assert.Equal("{\"name\":\"日本\"}", posted.GetProperty("body").GetString());
                    Assert.Equal(Encoding.UTF8.GetByteCount("{\"name\":\"日本\"}"), posted.GetProperty("bodyLength").GetInt32());

                    // Unknown path and wrong verb are the engine's JSON errors.
                    Assert.Equal(404, client.Get(s.BaseUrl + "/nope").Status);
                    Assert.Equal(HttpStatusCode.MethodNotAllowed, client.Send(HttpMethod.Delete, s.BaseUrl + "/echo/1").StatusCode);
                }
            }
        }

        [Fact]
        public void ResponseHelpersSetStatusTypeHeadersCookiesAndBody()
        {
            using (var s = new TestServer(_ => { }, https: false, start: false))
            {
                s.Map("GET", "/parts", ctx =>
                {
                    ctx.SetStatus(202);
                    ctx.SetContentType("text/csv");
                    ctx.AddHeader("X-Kr", "yes");
                    ctx.AddCookie("theme", "dark", "/", null, 3600, true, false, KrSameSite.Strict);
                    ctx.SetBody(Encoding.UTF8.GetBytes("a,b\n1,2"));
                    return 0;
                });
                s.Map("GET", "/text", ctx =>
                {
                    ctx.SetBodyText("plain ü");
                    return 0;
                });
                s.Map("GET", "/empty", ctx => 0);
                s.Map("GET", "/badstatus", ctx =>
                {
                    // The engine owns the status range: 42 comes back as KR_INVALID_ARGUMENT with its reason.
                    var ex = Assert.Throws<KrException>(() => ctx.Write(42, "text/plain", "x"));
                    Assert.Equal(KrStatus.InvalidArgument, ex.Status);
                    Assert.Contains("100..=999", ex.NativeMessage);
                    Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Write(70000, "text/plain", "x"));
                    ctx.Write(200, "text/plain", "checked");
                    return 0;
                });
                s.Start();
                Assert.StartsWith("http://127.0.0.1:", s.BaseUrl);
                using (var client = new TestClient(useCookies: false))
                {
                    var (status, body, response) = client.Get(s.BaseUrl + "/parts");
                    Assert.Equal(202, status);
                    Assert.Equal("a,b\n1,2", body);
                    Assert.StartsWith("text/csv", response.Content.Headers.ContentType.ToString());
                    Assert.Equal("yes", response.Headers.GetValues("X-Kr").Single());
                    string cookie = response.Headers.GetValues("Set-Cookie").Single();
                    Assert.StartsWith("theme=dark", cookie);
                    Assert.Contains("HttpOnly", cookie, StringComparison.OrdinalIgnoreCase);
                    Assert.Contains("SameSite=Strict", cookie, StringComparison.OrdinalIgnoreCase);
                    Assert.Contains("Max-Age=3600", cookie, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain("Secure", cookie, StringComparison.OrdinalIgnoreCase);

                    (status, body, response) = client.Get(s.BaseUrl + "/text");
                    Assert.Equal(200, status);
                    Assert.Equal("plain ü", body);
                    Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType.ToString());

                    (status, body, _) = client.Get(s.BaseUrl + "/empty");
                    Assert.Equal(200, status);
                    Assert.Equal("", body);

                    (status, body, _) = client.Get(s.BaseUrl + "/badstatus");
                    Assert.Equal(200, status);
                    Assert.Equal("checked", body);
                }
            }
        }

        [Fact]
        public void AContextIsInvalidOnceItsCallbackReturned()
        {
            KrRequestContext saved = null;
            IntPtr savedHandle = IntPtr.Zero;
            using (var s = new TestServer(_ => { }, start: false))
            {
                s.Map("GET", "/keep", ctx =>
                {
                    saved = ctx;
                    savedHandle = ctx.Handle;
                    Assert.True(ctx.Valid);
                    ctx.Write(200, "text/plain", ctx.Path);
                    return 0;
                });
                s.Start();
                using (var client = new TestClient())
                {
                    Assert.Equal(200, client.Get(s.BaseUrl + "/keep").Status);
                }
                Assert.NotNull(saved);
                Assert.False(saved.Valid);
                Assert.Throws<KrNoRequestException>(() => saved.GetQuery("x"));
                Assert.Throws<KrNoRequestException>(() => saved.SetSessionInt32("k", 1));
                Assert.Null(KrRequestContext.CurrentOrNull);
                var none = Assert.Throws<KrNoRequestException>(() => KrRequestContext.RequireCurrent("Get-KrSessionInt32"));
                Assert.Equal("Get-KrSessionInt32 must be called inside a route script block (no current request).", none.Message);

                // The raw handle is stale for the library too: an error status plus a last-error message.
                Span<byte> buf = stackalloc byte[64];
                KrStatus st = KrNative.kr_request_path(savedHandle, ref buf[0], (nuint)buf.Length, out nuint _);
                Assert.Equal(KrStatus.InvalidHandle, st);
                Assert.False(string.IsNullOrEmpty(KrError.LastErrorMessage()));
                Assert.Equal(KrStatus.InvalidHandle, KrNative.kr_session_clear(savedHandle));
            }
        }
    }

    public class LifecycleTests : TestBase
    {
        [Fact]
        public void RestartStopTwiceAndRoutesReleasedOnFree()
        {
            var s = new TestServer(_ => { }, start: false);
            KrRoute route = s.Map("GET", "/ping", ctx =>
            {
                ctx.Write(200, "text/plain", "pong");
                return 0;
            });
            s.Start();
            Assert.True(s.Server.IsRunning);
            Assert.Equal(KrServerState.Running, s.Server.State);
            Assert.True(s.Server.Endpoints[0].Port > 0);
            Assert.Equal(s.BaseUrl, s.Server.Endpoints[0].Url);
            using (var client = new TestClient())
            {
                Assert.Equal("pong", client.Get(s.BaseUrl + "/ping").Body);
                Assert.True(s.Server.Stop());
                Assert.False(s.Server.IsRunning);
                Assert.Equal(KrServerState.Stopped, s.Server.State);
                Assert.True(s.Server.Stop()); // stopping a stopped server is fine
                Assert.Throws<HttpRequestException>(() => client.Get(s.BaseUrl + "/ping"));

                s.Start();
                Assert.True(s.Server.IsRunning);
                Assert.Equal("pong", client.Get(s.BaseUrl + "/ping").Body);
            }
            Assert.False(route.IsReleased);
            Assert.Equal(2, route.Invocations);
            s.Dispose();
            Assert.True(route.IsReleased);
            Assert.Equal(KrServerState.Freed, s.Server.State);
        }

        [Fact]
        public void InvalidAndDuplicateRoutesAreRejected()
        {
            using (var s = new TestServer(_ => { }, start: false))
            {
                s.Map("GET", "/a", ctx => 0);
                var dup = Assert.Throws<KrException>(() => s.Map("get", "/a", ctx => 0));
                Assert.Equal(KrStatus.InvalidArgument, dup.Status);
                Assert.False(string.IsNullOrEmpty(dup.NativeMessage));
                Assert.Throws<KrException>(() => s.Map("NOT A VERB", "/b", ctx => 0));
                Assert.Throws<KrException>(() => s.Map("GET", "no-slash", ctx => 0));
                Assert.Single(s.Server.Routes);
                s.Map("POST", "/a", ctx => 0); // another verb on the same pattern is fine
                Assert.Equal(2, s.Server.Routes.Count);
            }
        }

        [Fact]
        public void ConfiguringARunningServerIsAnInvalidState()
        {
            using (var s = new TestServer(_ => { }))
            {
                var ex = Assert.Throws<KrException>(() => s.Map("GET", "/late", ctx => 0));
                Assert.Equal(KrStatus.InvalidState, ex.Status);
                Assert.Throws<KrException>(() => s.Server.Start());
            }
        }

        [Fact]
        public void ABusyPortIsABindFailureNamingTheAddress()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            try
            {
                using (var server = new KrServer(TestLib.UniqueName("bind")))
                {
                    server.AddEndpointHttp("127.0.0.1", port);
                    var ex = Assert.Throws<KrException>(() => server.Start());
                    Assert.Equal(KrStatus.BindFailed, ex.Status);
                    Assert.Contains(port.ToString(), ex.Message);
                    Assert.Equal("ResourceUnavailable", ex.CategoryName);
                    Assert.False(server.IsRunning);
                }
            }
            finally
            {
                listener.Stop();
            }
        }

        [Fact]
        public void ServerManagerReplacesStoppedServersAndProtectsRunningOnes()
        {
            TestLib.Init();
            string name = TestLib.UniqueName("mgr");
            KrServer first = KrServerManager.Create(name, false);
            Assert.Same(first, KrServerManager.Current);
            Assert.Same(first, KrServerManager.Get(name));
            KrServer second = KrServerManager.Create(name, false);
            Assert.Equal(KrServerState.Freed, first.State);
            Assert.Same(second, KrServerManager.Get(name));

            second.AddEndpointHttp("127.0.0.1", 0);
            second.Start();
            var ex = Assert.Throws<InvalidOperationException>(() => KrServerManager.Create(name, false));
            Assert.Contains("-Force", ex.Message);
            Assert.True(second.IsRunning);

            KrServer third = KrServerManager.Create(name, true);
            Assert.Equal(KrServerState.Freed, second.State);
            Assert.Same(third, KrServerManager.Current);
            third.Dispose();
            Assert.Null(KrServerManager.Get(name));
            Assert.Null(KrServerManager.Current);
        }

        [Fact]
        public void StopFromInsideARouteHappensAfterTheRouteReturns()
        {
            var s = new TestServer(_ => { }, start: false);
            bool? stoppedSynchronously = null;
            s.Map("GET", "/stop", ctx =>
            {
                stoppedSynchronously = ctx.Route.Server.Stop();
                ctx.Write(200, "text/plain", "stopping");
                return 0;
            });
            s.Start();
            using (var client = new TestClient())
            {
                var (status, body, _) = client.Get(s.BaseUrl + "/stop");
                Assert.Equal(200, status);
                Assert.Equal("stopping", body);
            }
            Assert.False(stoppedSynchronously);
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (s.Server.IsRunning && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
            Assert.False(s.Server.IsRunning);
            s.Dispose();
        }

        [Fact]
        public void CallbackThreadsBoundTheThreadsThatRunRoutes()
        {
            var threads = new ConcurrentDictionary<int, bool>();
            using (var s = new TestServer(server =>
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => server.SetCallbackThreads(0));
                server.SetCallbackThreads(2);
                server.SetCallbackWaitMs(30000);
                server.SetShutdownTimeoutMs(2000);
                server.SetMaxBodyBytes(1024);
            }, start: false))
            {
                s.Map("GET,POST", "/t", ctx =>
                {
                    threads[Environment.CurrentManagedThreadId] = true;
                    Thread.Sleep(20);
                    ctx.Write(200, "text/plain", "ok");
                    return 0;
                });
                s.Start();
                Assert.Equal(2, s.Server.MaxRunspaces);
                using (var client = new TestClient())
                {
                    Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => Assert.Equal(200, client.Get(s.BaseUrl + "/t").Status));
                    Assert.Equal(HttpStatusCode.RequestEntityTooLarge, client.Send(HttpMethod.Post, s.BaseUrl + "/t", new string('b', 4096)).StatusCode);
                }
                Assert.InRange(threads.Count, 1, 2);
            }
        }
    }

    public class LoggingTests : TestBase
    {
        [Fact]
        public void RegisteredLoggerWritesRequestLinesErrorsAndHostMessages()
        {
            TestLib.Init();
            string dir = Path.Combine(Path.GetTempPath(), "kr-cs-log-" + Guid.NewGuid().ToString("N"));
            string file = Path.Combine(dir, "sub", "server.log");
            try
            {
                var config = new KrLoggerConfig { MinimumLevel = KrLogLevel.Debug }.AddFileSink(file);
                KrLogger logger = KrLoggerManager.Register("cs-file", config, true);
                Assert.True(logger.IsDefault);
                Assert.Same(logger, KrLoggerManager.Get("cs-file"));
                KrLog.Write(KrLogLevel.Warning, "hello from C#");
                KrLog.Write(KrLogLevel.Verbose, "below the minimum");
                using (var s = new TestServer(_ => { }, start: false))
                {
                    s.Map("GET", "/ok", ctx =>
                    {
                        ctx.Write(200, "text/plain", "ok");
                        return 0;
                    });
                    s.Map("GET", "/bad", ctx => throw new InvalidOperationException("route exploded"));
                    s.Start();
                    using (var client = new TestClient())
                    {
                        Assert.Equal(200, client.Get(s.BaseUrl + "/ok").Status);
                        Assert.Equal(500, client.Get(s.BaseUrl + "/bad").Status);
                    }
                }
                KrLoggerManager.CloseAll();
                Assert.Null(KrLoggerManager.Default);
                string log = File.ReadAllText(file);
                Assert.Contains("[WRN] hello from C#", log);
                Assert.DoesNotContain("below the minimum", log);
                Assert.Matches(@"\[DBG\] GET /ok 200", log);
                Assert.Contains("route exploded", log);
                Assert.Contains("[ERR]", log);

                var bad = new KrLoggerConfig().AddFileSink(Path.Combine("/proc", "no-such-dir", "x.log"));
                var ex = Assert.Throws<KrException>(() => KrLoggerManager.Register("bad", bad, true));
                Assert.Equal(KrStatus.IoError, ex.Status);
            }
            finally
            {
                try { KrLoggerManager.CloseAll(); } catch (KrException) { }
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }

        [Fact]
        public void SinksTakeSerilogTemplatesRollingIntervalsAndLevels()
        {
            TestLib.Init();
            string dir = Path.Combine(Path.GetTempPath(), "kr-cs-roll-" + Guid.NewGuid().ToString("N"));
            try
            {
                var unknown = Assert.Throws<KrException>(() => new KrLoggerConfig().AddConsoleSink("[{Level:u3}] {Properties}", KrLogLevel.Verbose));
                Assert.Equal(KrStatus.InvalidArgument, unknown.Status);
                Assert.Contains("{Properties}: unknown token", unknown.NativeMessage);
                Assert.Throws<ArgumentException>(() => new KrLoggerConfig().AddFileSink(Path.Combine(dir, "m-.txt"), null, KrRollingInterval.Month, null, KrLogLevel.Verbose));
                Assert.Throws<ArgumentException>(() => new KrLoggerConfig().AddFileSink(Path.Combine(dir, "z-.txt"), null, KrRollingInterval.Day, 0, KrLogLevel.Verbose));
                Assert.Equal(KrLogSink.DefaultConsoleTemplate, new KrLoggerConfig().AddConsoleSink().Sinks[0].OutputTemplate);

                var config = new KrLoggerConfig { MinimumLevel = KrLogLevel.Debug }
                    .AddFileSink(Path.Combine(dir, "log-.txt"), "{Level:u3}|{Message}{NewLine}", KrRollingInterval.Minute, 5, KrLogLevel.Information)
                    .AddFileSink(Path.Combine(dir, "plain.log"));
                Assert.Equal(KrLogSink.DefaultFileTemplate, config.Sinks[1].OutputTemplate);
                KrLoggerManager.Register("cs-roll", config, true);
                KrLog.Write(KrLogLevel.Debug, "cs debug");
                KrLog.Write(KrLogLevel.Information, "cs info");
                KrLoggerManager.CloseAll();

                string[] rolled = Directory.GetFiles(dir, "log.*.txt");
                Assert.Single(rolled);
                Assert.Matches(@"log\.\d{4}-\d\d-\d\d-\d\d-\d\d\.txt$", rolled[0]);
                Assert.Equal("INF|cs info\n", File.ReadAllText(rolled[0]));
                string plain = File.ReadAllText(Path.Combine(dir, "plain.log"));
                Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d \[DBG\] cs debug\n", plain);
                // Timestamps carry .NET's local offset (the library cannot read the time zone in a multithreaded process).
                TimeSpan offset = TimeZoneInfo.Local.GetUtcOffset(DateTime.UtcNow);
                string zzz = (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm");
                Assert.Contains(zzz + " [INF] cs info", plain);
            }
            finally
            {
                try { KrLoggerManager.CloseAll(); } catch (KrException) { }
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }
    }
}
