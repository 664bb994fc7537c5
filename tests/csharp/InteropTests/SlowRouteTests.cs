using System.Diagnostics;
using System.Linq;
using System.Text.Json;

namespace KestrunRust.Tests
{
    /// <summary>Issue 13 through the interop: route timeouts (504, the request's CancellationToken), the growing callback
    /// pool (limits, stats, idle release) and KrCallbackThreads.Exiting.</summary>
    public class SlowRouteTests : TestBase
    {
        private static void WaitFor(string what, Func<bool> condition, int seconds = 15)
        {
            var sw = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(sw.Elapsed.TotalSeconds < seconds, "timed out waiting for " + what);
                Thread.Sleep(10);
            }
        }

        [Fact]
        public void RouteTimeoutAnswers504AndCancelsTheRequestToken()
        {
            int cancelled = 0;
            using (var s = new TestServer(server =>
            {
                server.SetCallbackThreads(1);
                server.AddRoute("GET", "/work", new KrDelegateRouteHandler(ctx =>
                {
                    Assert.True(ctx.CanBeCancelled);
                    if (ctx.GetQuery("sleep") != null)
                    {
                        // Returns as soon as the timeout elapses (the token is cancelled from an engine thread).
                        if (ctx.CancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(20)))
                        {
                            Assert.True(ctx.IsCancelled);
                            Interlocked.Increment(ref cancelled);
                        }
                    }
                    ctx.Write(200, "text/plain", "done");
                    return 0;
                }), TimeSpan.FromMilliseconds(300));
                server.AddRoute("GET", "/plain", new KrDelegateRouteHandler(ctx =>
                {
                    Assert.False(ctx.CanBeCancelled);
                    Assert.False(ctx.CancellationToken.CanBeCanceled);
                    return 0;
                }));
            }))
            using (var client = new TestClient(useCookies: false))
            {
                Assert.Equal(TimeSpan.FromMilliseconds(300), s.Server.Routes.Single(r => r.Pattern == "/work").Timeout);
                var sw = Stopwatch.StartNew();
                JsonElement error = client.GetJson(s.BaseUrl + "/work?sleep=1", 504);
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), "504 after " + sw.Elapsed);
                Assert.Equal("Gateway Timeout", error.GetProperty("error").GetString());
                Assert.Contains("300 ms", error.GetProperty("message").GetString());
                WaitFor("the handler to see the cancellation", () => Volatile.Read(ref cancelled) == 1);
                // One callback thread: this works only because the timed-out handler gave its thread back.
                var (status, body, _) = client.Get(s.BaseUrl + "/work");
                Assert.Equal(200, status);
                Assert.Equal("done", body);
                Assert.Equal(200, client.Get(s.BaseUrl + "/plain").Status);
                Assert.Equal(1, s.Server.GetCallbackPoolStats().TimedOut);
            }
        }

        [Fact]
        public void PoolGrowsToItsMaximumAndReleasesIdleThreadsRaisingExiting()
        {
            var release = new ManualResetEventSlim(false);
            int entered = 0;
            KrServer mine = null;
            int exits = 0;
            Action<KrServer> onExit = server =>
            {
                if (ReferenceEquals(server, mine))
                {
                    Assert.StartsWith("kr-cb-", Thread.CurrentThread.Name ?? "kr-cb-");
                    Interlocked.Increment(ref exits);
                }
            };
            KrCallbackThreads.Exiting += onExit;
            try
            {
                var s = new TestServer(server =>
                {
                    mine = server;
                    server.SetCallbackThreadLimits(1, 4);
                    server.SetCallbackIdleTimeoutMs(200);
                    Assert.Equal(1, server.MinRunspaces);
                    Assert.Equal(4, server.MaxRunspaces);
                    server.AddRoute("GET", "/block", new KrDelegateRouteHandler(ctx =>
                    {
                        Interlocked.Increment(ref entered);
                        return release.Wait(TimeSpan.FromSeconds(20)) ? 0 : 1;
                    }));
                });
                using (var client = new TestClient(useCookies: false))
                {
                    Assert.Equal(1, s.Server.GetCallbackPoolStats().Threads);
                    Task<int>[] calls = Enumerable.Range(0, 4).Select(_ => Task.Run(() => client.Get(s.BaseUrl + "/block").Status)).ToArray();
                    WaitFor("4 blocked calls", () => Volatile.Read(ref entered) == 4);
                    KrCallbackPoolStats busy = s.Server.GetCallbackPoolStats();
                    Assert.Equal(4, busy.Threads);
                    Assert.Equal(4, busy.Busy);
                    release.Set();
                    Assert.All(calls, c => Assert.Equal(200, c.GetAwaiter().GetResult()));
                    WaitFor("the release to the minimum", () => s.Server.GetCallbackPoolStats().Threads == 1);
                    Assert.Equal(3, s.Server.GetCallbackPoolStats().ThreadsReleased);
                    WaitFor("3 Exiting events", () => Volatile.Read(ref exits) == 3);
                }
                s.Dispose();
                Assert.Equal(4, Volatile.Read(ref exits));
            }
            finally
            {
                KrCallbackThreads.Exiting -= onExit;
            }
        }

        [Fact]
        public void LimitsAndTimeoutsAreValidated()
        {
            using (var server = new KrServer(TestLib.UniqueName("limits")))
            {
                KrCallbackPoolStats defaults = server.GetCallbackPoolStats();
                Assert.True(defaults.MaxThreads >= 32 && defaults.MinThreads >= 1 && defaults.Threads == 0, defaults.ToString());
                Assert.Throws<ArgumentException>(() => server.SetCallbackThreadLimits(5, 4));
                Assert.Throws<ArgumentOutOfRangeException>(() => server.SetCallbackThreadLimits(0, null));
                Assert.Throws<ArgumentOutOfRangeException>(() => server.SetCallbackIdleTimeoutMs(0));
                server.SetCallbackThreadLimits(null, 2);
                Assert.Equal(2, server.MaxRunspaces);
                Assert.Equal(2, server.MinRunspaces);
                var handler = new KrDelegateRouteHandler(_ => 0);
                Assert.Throws<ArgumentOutOfRangeException>(() => server.AddRoute("GET", "/t", handler, TimeSpan.Zero));
                Assert.Throws<ArgumentOutOfRangeException>(() => server.AddRoute("GET", "/t", handler, TimeSpan.FromHours(25)));
                Assert.Equal(TimeSpan.FromSeconds(2), server.AddRoute("GET", "/t", handler, TimeSpan.FromSeconds(2)).Timeout);
            }
        }
    }
}
