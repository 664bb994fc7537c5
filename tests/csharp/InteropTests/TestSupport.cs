using System.Net;
using System.Net.Http;
using System.Text.Json;

// The native logging pipeline and the server registry are process-wide: run the tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace KestrunRust.Tests
{
    /// <summary>Points the interop at the library under test (KR_LIB, else target/debug or target/release).</summary>
    public static class TestLib
    {
        private static readonly object Gate = new object();
        private static bool _done;
        private static int _serverNumber;

        public static void Init()
        {
            lock (Gate)
            {
                if (_done)
                {
                    return;
                }
                string path = Environment.GetEnvironmentVariable("KR_LIB");
                if (string.IsNullOrEmpty(path))
                {
                    string root = FindRepoRoot();
                    foreach (string profile in new[] { "debug", "release" })
                    {
                        string candidate = Path.Combine(root, "target", profile, KrNativeLoader.NativeFileName);
                        if (File.Exists(candidate))
                        {
                            path = candidate;
                            break;
                        }
                    }
                }
                if (string.IsNullOrEmpty(path) || !File.Exists(path))
                {
                    throw new InvalidOperationException("libkestrun_rust not found: build it (cargo build -p kestrun_rust) or set KR_LIB.");
                }
                KrNativeLoader.UseLibrary(path);
                KrNativeLoader.EnsureLoaded();
                _done = true;
            }
        }

        public static string UniqueName(string prefix)
        {
            return prefix + "-" + Interlocked.Increment(ref _serverNumber) + "-" + Guid.NewGuid().ToString("N").Substring(0, 6);
        }

        private static string FindRepoRoot()
        {
            string dir = AppContext.BaseDirectory;
            while (dir != null)
            {
                if (File.Exists(Path.Combine(dir, "Kestrun.Rust.psd1")))
                {
                    return dir;
                }
                dir = Path.GetDirectoryName(dir);
            }
            return Directory.GetCurrentDirectory();
        }
    }

    /// <summary>Every test class loads the library under test first (whatever test runs first).</summary>
    public abstract class TestBase
    {
        protected TestBase()
        {
            TestLib.Init();
        }
    }

    /// <summary>A started HTTPS (self-signed, port 0) server configured by the test, freed on Dispose.</summary>
    public sealed class TestServer : IDisposable
    {
        public TestServer(Action<KrServer> configure, bool https = true, bool start = true)
        {
            TestLib.Init();
            Server = new KrServer(TestLib.UniqueName("cs"));
            if (https)
            {
                Server.AddEndpointSelfSigned("127.0.0.1", 0);
            }
            else
            {
                Server.AddEndpointHttp("127.0.0.1", 0);
            }
            configure(Server);
            if (start)
            {
                Start();
            }
        }

        public KrServer Server { get; }
        public string BaseUrl { get; private set; }

        public void Start()
        {
            Server.Start();
            BaseUrl = Server.GetEndpointUrl(0);
        }

        public KrRoute Map(string verbs, string pattern, Func<KrRequestContext, int> handler)
        {
            return Server.AddRoute(verbs, pattern, new KrDelegateRouteHandler(handler));
        }

        public void Dispose()
        {
            Server.Dispose();
        }
    }

    /// <summary>An HttpClient that skips certificate validation and keeps cookies (like curl -k -c jar -b jar).</summary>
    public sealed class TestClient : IDisposable
    {
        private readonly HttpClient _client;

        public TestClient(bool useCookies = true)
        {
            Cookies = new CookieContainer();
            var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
                UseCookies = useCookies,
                CookieContainer = Cookies,
                AllowAutoRedirect = false,
            };
            _client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        }

        public CookieContainer Cookies { get; }

        public HttpResponseMessage Send(HttpMethod method, string url, string body = null, string contentType = "text/plain", IDictionary<string, string> headers = null)
        {
            var request = new HttpRequestMessage(method, url);
            if (body != null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8);
                request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
            }
            if (headers != null)
            {
                foreach (KeyValuePair<string, string> h in headers)
                {
                    request.Headers.TryAddWithoutValidation(h.Key, h.Value);
                }
            }
            return _client.Send(request);
        }

        public (int Status, string Body, HttpResponseMessage Response) Get(string url, IDictionary<string, string> headers = null)
        {
            HttpResponseMessage response = Send(HttpMethod.Get, url, null, null, headers);
            string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            return ((int)response.StatusCode, body, response);
        }

        public JsonElement GetJson(string url, int expectedStatus = 200)
        {
            var (status, body, _) = Get(url);
            Assert.True(status == expectedStatus, "GET " + url + ": expected " + expectedStatus + ", got " + status + ": " + body);
            using (JsonDocument doc = JsonDocument.Parse(body))
            {
                return doc.RootElement.Clone();
            }
        }

        public void Dispose()
        {
            _client.Dispose();
        }
    }

    public static class Json
    {
        public static string Of(object value)
        {
            return JsonSerializer.Serialize(value);
        }
    }
}
