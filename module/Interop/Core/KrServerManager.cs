// Servers by name, and the current (last created) one that the commands use when -Server is omitted.
using System;

namespace KestrunRust
{
    public static class KrServerManager
    {
        private static readonly KrNameRegistry<KrServer> Servers = new KrNameRegistry<KrServer>();

        /// <summary>The server the commands act on when none is given (the last created one).</summary>
        public static KrServer Current
        {
            get { return Servers.Current; }
            set { Servers.Current = value; }
        }

        /// <summary>Creates a server named <paramref name="name"/>. An existing server of that name is replaced
        /// (stopped and freed) when it is not running, or when <paramref name="force"/> is set; a running one
        /// without <paramref name="force"/> is an error.</summary>
        public static KrServer Create(string name, bool force)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A server name must be given.", nameof(name));
            }
            KrServer existing = Get(name);
            if (existing != null)
            {
                if (existing.IsRunning && !force)
                {
                    throw new InvalidOperationException("A server named '" + name + "' is already running. Stop it first (Stop-KrServer -Name '" + name + "') or use -Force to replace it.");
                }
                existing.Dispose();
            }
            var server = new KrServer(name);
            lock (Servers.Gate)
            {
                Servers.Set(name, server);
                Servers.Current = server;
            }
            return server;
        }

        public static KrServer Get(string name)
        {
            return Servers.Get(name);
        }

        public static KrServer[] GetAll()
        {
            return Servers.GetAll();
        }

        /// <summary>Called by KrServer.Dispose: drops the server from the registry.</summary>
        internal static void Forget(KrServer server)
        {
            Servers.Forget(server.Name, server);
        }

        /// <summary>Stops and frees every server (used when the module is removed).</summary>
        public static void DisposeAll()
        {
            foreach (KrServer server in GetAll())
            {
                try
                {
                    server.Dispose();
                }
                catch (Exception)
                {
                    // Best effort: the process is probably leaving.
                }
            }
        }

        /// <summary>The library's version string.</summary>
        public static string NativeVersion()
        {
            return KrUtf8.ReadString(KrFn.Version, "reading the engine version");
        }
    }
}
