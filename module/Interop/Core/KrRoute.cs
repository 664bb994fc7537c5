// Routes: the native callback (one static delegate for every route, kept alive for the process), the
// user_data GCHandle that carries the route and is freed by the native free callback when the server
// is freed, and the handler interface the PowerShell layer (or a test) implements.
using System;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Threading;

namespace KestrunRust
{
    /// <summary>Runs a request. Return 0 for success; anything else (or an exception) makes the engine
    /// answer 500 JSON.</summary>
    public interface IKrRouteHandler
    {
        int Invoke(KrRequestContext context);
    }

    /// <summary>A handler over a delegate (C# hosts and tests).</summary>
    public sealed class KrDelegateRouteHandler : IKrRouteHandler
    {
        private readonly Func<KrRequestContext, int> _handler;

        public KrDelegateRouteHandler(Func<KrRequestContext, int> handler)
        {
            _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        }

        public int Invoke(KrRequestContext context)
        {
            return _handler(context);
        }
    }

    /// <summary>A route registered on a server.</summary>
    public sealed class KrRoute
    {
        private static int _nextId;
        private int _released;
        private long _invocations;

        internal KrRoute(KrServer server, string verbs, string pattern, IKrRouteHandler handler, TimeSpan? timeout = null)
        {
            Id = Interlocked.Increment(ref _nextId);
            Server = server;
            Verbs = verbs;
            Pattern = pattern;
            Handler = handler;
            Timeout = timeout;
        }

        /// <summary>Process-wide unique id (used to name the route's function in the runspaces).</summary>
        public int Id { get; }
        public KrServer Server { get; }
        public string Verbs { get; }
        public string Pattern { get; }
        public IKrRouteHandler Handler { get; }

        /// <summary>The route's timeout (Add-KrMapRoute -Timeout); null = none. When it elapses the client gets 504 and
        /// the request's <see cref="KrRequestContext.CancellationToken"/> is cancelled.</summary>
        public TimeSpan? Timeout { get; }

        /// <summary>True once the native side dropped the route and its user_data GCHandle was freed.</summary>
        public bool IsReleased
        {
            get { return Volatile.Read(ref _released) != 0; }
        }

        /// <summary>How many requests this route has served.</summary>
        public long Invocations
        {
            get { return Interlocked.Read(ref _invocations); }
        }

        internal void MarkReleased()
        {
            Interlocked.Exchange(ref _released, 1);
        }

        internal void CountInvocation()
        {
            Interlocked.Increment(ref _invocations);
        }

        public override string ToString()
        {
            return Verbs + " " + Pattern;
        }
    }

    /// <summary>The one native callback of every route.</summary>
    public static class KrRouteDispatcher
    {
        /// <summary>Kept in static fields so the function pointers handed to the library stay valid for the
        /// life of the process.</summary>
        public static readonly KrRouteCallback Callback = OnRequest;
        public static readonly KrFreeCallback FreeCallback = OnFree;
        public static readonly KrCancelCallback CancelCallback = OnCancel;
        public static readonly KrThreadExitCallback ThreadExitCallback = OnThreadExit;

        /// <summary>The running requests of routes with a timeout, by request handle: where a cancellation finds its
        /// context.</summary>
        private static readonly ConcurrentDictionary<IntPtr, KrRequestContext> s_cancellable = new ConcurrentDictionary<IntPtr, KrRequestContext>();

        internal static IntPtr AllocUserData(KrRoute route)
        {
            return GCHandle.ToIntPtr(GCHandle.Alloc(route, GCHandleType.Normal));
        }

        internal static void FreeUserData(IntPtr userData)
        {
            OnFree(userData);
        }

        private static int OnRequest(IntPtr request, IntPtr userData)
        {
            KrRequestContext previous = KrRequestContext.CurrentOrNull;
            KrRequestContext context = null;
            KrRoute route = null;
            try
            {
                route = GCHandle.FromIntPtr(userData).Target as KrRoute;
                if (route == null)
                {
                    KrLog.TryWrite(KrLogLevel.Error, "Kestrun.Rust: route callback called with unknown user_data.");
                    return 1;
                }
                route.CountInvocation();
                context = new KrRequestContext(request, route);
                if (context.CanBeCancelled)
                {
                    s_cancellable[request] = context;
                    // A timeout that elapsed before the context was findable: the flag is set already.
                    if (KrNative.kr_request_is_cancelled(request, out byte cancelled) == KrStatus.Ok && cancelled != 0)
                    {
                        context.Cancel();
                    }
                }
                KrRequestContext.SetCurrent(context);
                return route.Handler.Invoke(context);
            }
            catch (Exception ex)
            {
                string where = route == null ? "route" : "route " + route;
                KrLog.TryWrite(KrLogLevel.Error, "Kestrun.Rust: " + where + " failed: " + ex);
                return 1;
            }
            finally
            {
                if (context != null)
                {
                    if (context.CanBeCancelled)
                    {
                        s_cancellable.TryRemove(request, out _);
                    }
                    context.Invalidate();
                }
                KrRequestContext.SetCurrent(previous);
            }
        }

        /// <summary>The route's timeout elapsed while its callback runs (called on an engine thread of its own, with
        /// the request handle still live): cancels the request's context, whose token stops the script.</summary>
        private static void OnCancel(IntPtr request, IntPtr userData)
        {
            try
            {
                if (s_cancellable.TryGetValue(request, out KrRequestContext context))
                {
                    context.Cancel();
                }
            }
            catch (Exception)
            {
                // Never let an exception cross into native code.
            }
        }

        /// <summary>A callback thread of the server in <paramref name="userData"/> (a weak GCHandle) is about to exit.</summary>
        private static void OnThreadExit(IntPtr userData)
        {
            try
            {
                KrServer server = userData == IntPtr.Zero ? null : GCHandle.FromIntPtr(userData).Target as KrServer;
                KrCallbackThreads.RaiseExiting(server);
            }
            catch (Exception)
            {
                // Never let an exception cross into native code.
            }
        }

        private static void OnFree(IntPtr userData)
        {
            try
            {
                if (userData == IntPtr.Zero)
                {
                    return;
                }
                GCHandle handle = GCHandle.FromIntPtr(userData);
                KrRoute route = handle.Target as KrRoute;
                handle.Free();
                if (route != null)
                {
                    route.MarkReleased();
                }
            }
            catch (Exception)
            {
                // Never let an exception cross into native code.
            }
        }
    }
}
