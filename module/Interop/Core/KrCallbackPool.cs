// The engine's callback pool as the interop sees it: a statistics snapshot (kr_server_callback_pool_stats) and the
// notification that a callback thread is about to exit (kr_server_set_thread_exit_callback), which hosts use to
// release what they keep per thread (the PowerShell runspace host disposes the runspace that thread opened).
using System;
using System.Threading;

namespace KestrunRust
{
    /// <summary>A snapshot of a server's callback pool (KrCallbackPoolStats).</summary>
    public sealed class KrCallbackPoolStats
    {
        internal KrCallbackPoolStats(KrCallbackPoolStatsNative s)
        {
            MinThreads = Clamp(s.MinThreads);
            MaxThreads = Clamp(s.MaxThreads);
            Threads = Clamp(s.Threads);
            Busy = Clamp(s.Busy);
            Queued = Clamp(s.Queued);
            PeakThreads = Clamp(s.PeakThreads);
            ThreadsStarted = (long)Math.Min(s.ThreadsStarted, long.MaxValue);
            ThreadsReleased = (long)Math.Min(s.ThreadsReleased, long.MaxValue);
            TimedOut = (long)Math.Min(s.TimedOut, long.MaxValue);
        }

        /// <summary>The configured minimum: threads (runspaces) started with the server and kept.</summary>
        public int MinThreads { get; }

        /// <summary>The configured maximum (Set-KrServerOptions -MaxRunspaces).</summary>
        public int MaxThreads { get; }

        /// <summary>Callback threads alive now (0 while stopped).</summary>
        public int Threads { get; }

        /// <summary>Of those, the ones running a route.</summary>
        public int Busy { get; }

        /// <summary>Requests waiting for a free callback thread.</summary>
        public int Queued { get; }

        /// <summary>Most threads alive at once since the server started.</summary>
        public int PeakThreads { get; }

        /// <summary>Threads started since the server started (the minimum included).</summary>
        public long ThreadsStarted { get; }

        /// <summary>Threads released because they were not needed (not counting those a stop ended).</summary>
        public long ThreadsReleased { get; }

        /// <summary>Requests answered 504 because their route's -Timeout elapsed.</summary>
        public long TimedOut { get; }

        private static int Clamp(ulong value)
        {
            return value > int.MaxValue ? int.MaxValue : (int)value;
        }

        public override string ToString()
        {
            return "threads " + Threads + " (" + Busy + " busy, min " + MinThreads + ", max " + MaxThreads + ", peak " + PeakThreads +
                "), queued " + Queued + ", released " + ThreadsReleased + ", timed out " + TimedOut;
        }
    }

    /// <summary>Callback threads ending (released after being idle, or at stop).</summary>
    public static class KrCallbackThreads
    {
        private static long _exited;

        /// <summary>Raised on a callback thread, on that thread, right before it exits, after its last route call;
        /// the argument is the thread's server (null if it was garbage-collected). Handlers release what they keep
        /// per thread. Exceptions are logged, never passed to the engine.</summary>
        public static event Action<KrServer> Exiting;

        /// <summary>Callback threads of every server that exited so far (this process).</summary>
        public static long Exited
        {
            get { return Interlocked.Read(ref _exited); }
        }

        internal static void RaiseExiting(KrServer server)
        {
            Interlocked.Increment(ref _exited);
            Action<KrServer> handlers = Exiting;
            if (handlers == null)
            {
                return;
            }
            foreach (Action<KrServer> handler in handlers.GetInvocationList())
            {
                try
                {
                    handler(server);
                }
                catch (Exception ex)
                {
                    KrLog.TryWrite(KrLogLevel.Warning, "Kestrun.Rust: a callback thread exit handler failed: " + ex.Message);
                }
            }
        }
    }
}
