// The request context of a route callback: wraps the KrRequest* handle, is valid only until the
// callback returns (Valid is cleared then), and exposes the request / response / session functions.
// Inside a PowerShell route it is $Context, and the Kr request/response/session commands act on the
// current one (KrRequestContext.Current, per thread: the route runs on the callback thread).
using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace KestrunRust
{
    public sealed class KrRequestContext
    {
        [ThreadStatic]
        private static KrRequestContext t_current;

        private IntPtr _handle;
        private volatile bool _valid;
        private string _method;
        private string _path;
        private readonly CancellationTokenSource _cancellation;

        public KrRequestContext(IntPtr request, KrRoute route)
        {
            _handle = request;
            Route = route;
            _valid = true;
            if (route != null && route.Timeout.HasValue)
            {
                // Never disposed: it has no timer, and a cancellation may still be delivered while the callback returns.
                _cancellation = new CancellationTokenSource();
            }
        }

        /// <summary>True for a request of a route with a timeout (its token can be cancelled).</summary>
        public bool CanBeCancelled
        {
            get { return _cancellation != null; }
        }

        /// <summary>Cancelled when the route's timeout elapses (the client got 504): a handler stops its work
        /// (the PowerShell host stops the script). CancellationToken.None for routes without a timeout.</summary>
        public CancellationToken CancellationToken
        {
            get { return _cancellation != null ? _cancellation.Token : CancellationToken.None; }
        }

        /// <summary>True once the route's timeout elapsed for this request.</summary>
        public bool IsCancelled
        {
            get { return _cancellation != null && _cancellation.IsCancellationRequested; }
        }

        internal void Cancel()
        {
            CancellationTokenSource cancellation = _cancellation;
            if (cancellation == null)
            {
                return;
            }
            try
            {
                cancellation.Cancel();
            }
            catch (AggregateException ex)
            {
                KrLog.TryWrite(KrLogLevel.Warning, "Kestrun.Rust: stopping a timed-out request failed: " + ex.GetBaseException().Message);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>The current request of this thread (null outside a route callback).</summary>
        public static KrRequestContext CurrentOrNull
        {
            get { return t_current; }
        }

        /// <summary>The current request of this thread; throws a clear error naming <paramref name="commandName"/>
        /// when there is none.</summary>
        public static KrRequestContext RequireCurrent(string commandName)
        {
            KrRequestContext current = t_current;
            if (current == null || !current._valid)
            {
                throw new KrNoRequestException(commandName + " must be called inside a route script block (no current request).");
            }
            return current;
        }

        internal static void SetCurrent(KrRequestContext context)
        {
            t_current = context;
        }

        /// <summary>The route being served.</summary>
        public KrRoute Route { get; }

        /// <summary>The native KrRequest* (valid only while <see cref="Valid"/>).</summary>
        public IntPtr Handle
        {
            get { return _handle; }
        }

        /// <summary>True during the route callback; false once it has returned.</summary>
        public bool Valid
        {
            get { return _valid; }
        }

        /// <summary>True once a response body was written through this context.</summary>
        public bool ResponseWritten { get; private set; }

        /// <summary>The status code set through this context (200 until set).</summary>
        public int StatusCode { get; private set; } = 200;

        internal void Invalidate()
        {
            _valid = false;
        }

        private IntPtr H(string operation)
        {
            if (!_valid)
            {
                throw new KrNoRequestException(operation + ": the request context is no longer valid (its route callback has returned).");
            }
            return _handle;
        }

        // ---- request ------------------------------------------------------------------------------

        public string Method
        {
            get { return _method ?? (_method = KrUtf8.ReadString(H("Method"), KrFn.Method, "reading the request method")); }
        }

        public string Path
        {
            get { return _path ?? (_path = KrUtf8.ReadString(H("Path"), KrFn.Path, "reading the request path")); }
        }

        public string QueryString
        {
            get { return KrUtf8.ReadString(H("QueryString"), KrFn.QueryString, "reading the request query string"); }
        }

        public string Scheme
        {
            get { return KrUtf8.ReadString(H("Scheme"), KrFn.Scheme, "reading the request scheme"); }
        }

        public string Host
        {
            get { return KrUtf8.ReadString(H("Host"), KrFn.Host, "reading the request host"); }
        }

        public string RemoteAddress
        {
            get { return KrUtf8.ReadString(H("RemoteAddress"), KrFn.RemoteAddr, "reading the client address"); }
        }

        /// <summary>The first value of query parameter <paramref name="name"/> (percent-decoded), or null.</summary>
        public string GetQuery(string name)
        {
            return GetQuery(name, 0);
        }

        /// <summary>The <paramref name="index"/>-th value of a repeated query parameter, or null.</summary>
        public string GetQuery(string name, int index)
        {
            IntPtr h = H("GetQuery");
            if (index < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }
            Span<byte> nameStack = stackalloc byte[KrUtf8.StackBytes];
            ref byte n = ref KrUtf8.Z(name, nameStack);
            Span<byte> stack = stackalloc byte[KrUtf8.StackBytes];
            KrStatus st = KrNative.kr_request_query(h, ref n, (nuint)index, ref MemoryMarshal.GetReference(stack), (nuint)stack.Length, out nuint len);
            if (st == KrStatus.BufferTooSmall)
            {
                byte[] heap = new byte[checked((int)len + 1)];
                st = KrNative.kr_request_query(h, ref n, (nuint)index, ref heap[0], (nuint)heap.Length, out len);
                if (st == KrStatus.Ok)
                {
                    return KrUtf8.Decode(new ReadOnlySpan<byte>(heap, 0, (int)len));
                }
            }
            if (st == KrStatus.NotFound)
            {
                return null;
            }
            KrOperation.Check(st, "reading the query parameter '{0}'", name);
            return KrUtf8.Decode(stack.Slice(0, (int)len));
        }

        /// <summary>How many times query parameter <paramref name="name"/> occurs (0 if absent).</summary>
        public int GetQueryCount(string name)
        {
            IntPtr h = H("GetQueryCount");
            Span<byte> nameStack = stackalloc byte[KrUtf8.StackBytes];
            KrStatus st = KrNative.kr_request_query_count(h, ref KrUtf8.Z(name, nameStack), out nuint count);
            if (st == KrStatus.NotFound)
            {
                return 0;
            }
            KrOperation.Check(st, "counting the values of the query parameter '{0}'", name);
            return checked((int)count);
        }

        /// <summary>Every value of query parameter <paramref name="name"/> (empty array if absent).</summary>
        public string[] GetQueryValues(string name)
        {
            int count = GetQueryCount(name);
            var values = new string[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = GetQuery(name, i);
            }
            return values;
        }

        /// <summary>The header value (case-insensitive name; repeated headers joined with ", "), or null.</summary>
        public string GetHeader(string name)
        {
            return KrUtf8.ReadString(H("GetHeader"), name, KrFn.Header, "reading the request header '{0}'");
        }

        /// <summary>The value of route parameter {name} of the pattern, or null.</summary>
        public string GetRouteParam(string name)
        {
            return KrUtf8.ReadString(H("GetRouteParam"), name, KrFn.RouteParam, "reading the route parameter '{0}'");
        }

        /// <summary>The value of a request cookie, or null.</summary>
        public string GetCookie(string name)
        {
            return KrUtf8.ReadString(H("GetCookie"), name, KrFn.Cookie, "reading the request cookie '{0}'");
        }

        /// <summary>The request body bytes (empty array when there is none).</summary>
        public byte[] GetBody()
        {
            return KrUtf8.ReadBytes(H("GetBody"), KrFn.Body, "reading the request body") ?? Array.Empty<byte>();
        }

        /// <summary>The request body decoded as UTF-8.</summary>
        public string GetBodyText()
        {
            return KrUtf8.Decode(GetBody());
        }

        // ---- response -----------------------------------------------------------------------------

        public void SetStatus(int status)
        {
            IntPtr h = H("SetStatus");
            CheckStatusCode(status);
            KrError.Check(KrNative.kr_response_set_status(h, (ushort)status), "setting the response status");
            StatusCode = status;
        }

        public void SetContentType(string contentType)
        {
            IntPtr h = H("SetContentType");
            Span<byte> stack = stackalloc byte[KrUtf8.StackBytes];
            KrOperation.Check(KrNative.kr_response_set_content_type(h, ref KrUtf8.Z(contentType, stack)), "setting the response content type '{0}'", contentType);
        }

        public void SetBody(byte[] data)
        {
            IntPtr h = H("SetBody");
            byte empty = 0;
            int len = data == null ? 0 : data.Length;
            KrError.Check(KrNative.kr_response_set_body(h, ref KrUtf8.Data(data, ref empty), (nuint)len), "setting the response body");
            ResponseWritten = true;
        }

        public void SetBodyText(string text)
        {
            IntPtr h = H("SetBodyText");
            Span<byte> stack = stackalloc byte[KrUtf8.StackBytes];
            KrError.Check(KrNative.kr_response_set_body_text(h, ref KrUtf8.Z(text ?? string.Empty, stack)), "setting the response body");
            ResponseWritten = true;
        }

        /// <summary>Status, content type and UTF-8 text body in one call (the hot path).</summary>
        public void Write(int status, string contentType, string text)
        {
            WriteBytes(status, contentType, KrUtf8.Bytes(text));
        }

        /// <summary>Status, content type and body bytes in one call.</summary>
        public void WriteBytes(int status, string contentType, byte[] data)
        {
            IntPtr h = H("Write");
            CheckStatusCode(status);
            if (string.IsNullOrEmpty(contentType))
            {
                contentType = "application/octet-stream";
            }
            Span<byte> stack = stackalloc byte[KrUtf8.StackBytes];
            ref byte ct = ref KrUtf8.Z(contentType, stack);
            byte empty = 0;
            int len = data == null ? 0 : data.Length;
            KrError.Check(KrNative.kr_response_write(h, (ushort)status, ref ct, ref KrUtf8.Data(data, ref empty), (nuint)len), "writing the response");
            StatusCode = status;
            ResponseWritten = true;
        }

        public void AddHeader(string name, string value)
        {
            IntPtr h = H("AddHeader");
            Span<byte> nameStack = stackalloc byte[KrUtf8.StackBytes];
            Span<byte> valueStack = stackalloc byte[KrUtf8.StackBytes];
            KrOperation.Check(KrNative.kr_response_add_header(h, ref KrUtf8.Z(name, nameStack), ref KrUtf8.Z(value ?? string.Empty, valueStack)), "adding the response header '{0}'", name);
        }

        /// <summary>Adds a Set-Cookie. <paramref name="path"/> / <paramref name="domain"/> may be null;
        /// <paramref name="maxAgeSeconds"/> &lt; 0 makes a browser-session cookie.</summary>
        public void AddCookie(string name, string value, string path, string domain, long maxAgeSeconds, bool httpOnly, bool secure, KrSameSite sameSite)
        {
            IntPtr h = H("AddCookie");
            byte[] n = KrUtf8.ZArray(name);
            byte[] v = KrUtf8.ZArray(value ?? string.Empty);
            byte[] p = path == null ? null : KrUtf8.ZArray(path);
            byte[] d = domain == null ? null : KrUtf8.ZArray(domain);
            ref byte pathRef = ref (p == null ? ref NullRef() : ref p[0]);
            ref byte domainRef = ref (d == null ? ref NullRef() : ref d[0]);
            KrStatus st = KrNative.kr_response_add_cookie(h, ref n[0], ref v[0], ref pathRef, ref domainRef,
                maxAgeSeconds, httpOnly, secure, (int)sameSite);
            KrOperation.Check(st, "adding the response cookie '{0}'", name);
        }

        // ---- session ------------------------------------------------------------------------------

        /// <summary>False when the server has no sessions (Add-KrSession was not used).</summary>
        public bool SessionAvailable
        {
            get
            {
                KrError.Check(KrNative.kr_session_available(H("SessionAvailable"), out byte available), "checking whether the request has a session");
                return available != 0;
            }
        }

        /// <summary>The int32 stored under <paramref name="key"/>, or null when absent.</summary>
        public int? GetSessionInt32(string key)
        {
            IntPtr h = H("GetSessionInt32");
            Span<byte> stack = stackalloc byte[KrUtf8.StackBytes];
            KrStatus st = KrNative.kr_session_get_int32(h, ref KrUtf8.Z(key, stack), out int value);
            if (st == KrStatus.NotFound)
            {
                return null;
            }
            KrOperation.Check(st, "reading the session value '{0}'", key);
            return value;
        }

        public void SetSessionInt32(string key, int value)
        {
            IntPtr h = H("SetSessionInt32");
            Span<byte> stack = stackalloc byte[KrUtf8.StackBytes];
            KrOperation.Check(KrNative.kr_session_set_int32(h, ref KrUtf8.Z(key, stack), value), "storing the session value '{0}'", key);
        }

        /// <summary>The string stored under <paramref name="key"/>, or null when absent.</summary>
        public string GetSessionString(string key)
        {
            return KrUtf8.ReadString(H("GetSessionString"), key, KrFn.SessionString, "reading the session value '{0}'");
        }

        public void SetSessionString(string key, string value)
        {
            IntPtr h = H("SetSessionString");
            if (value == null)
            {
                throw new ArgumentNullException(nameof(value));
            }
            Span<byte> keyStack = stackalloc byte[KrUtf8.StackBytes];
            Span<byte> valueStack = stackalloc byte[KrUtf8.StackBytes];
            KrOperation.Check(KrNative.kr_session_set_string(h, ref KrUtf8.Z(key, keyStack), ref KrUtf8.Z(value, valueStack)), "storing the session value '{0}'", key);
        }

        /// <summary>The bytes stored under <paramref name="key"/>, or null when absent.</summary>
        public byte[] GetSessionBytes(string key)
        {
            return KrUtf8.ReadBytes(H("GetSessionBytes"), key, KrFn.SessionBytes, "reading the session value '{0}'");
        }

        public void SetSessionBytes(string key, byte[] value)
        {
            IntPtr h = H("SetSessionBytes");
            if (value == null)
            {
                throw new ArgumentNullException(nameof(value));
            }
            Span<byte> keyStack = stackalloc byte[KrUtf8.StackBytes];
            byte empty = 0;
            KrOperation.Check(KrNative.kr_session_set_bytes(h, ref KrUtf8.Z(key, keyStack), ref KrUtf8.Data(value, ref empty), (nuint)value.Length), "storing the session value '{0}'", key);
        }

        /// <summary>Removes <paramref name="key"/> (no error when it is absent).</summary>
        public void RemoveSession(string key)
        {
            IntPtr h = H("RemoveSession");
            Span<byte> stack = stackalloc byte[KrUtf8.StackBytes];
            KrStatus st = KrNative.kr_session_remove(h, ref KrUtf8.Z(key, stack));
            if (st == KrStatus.NotFound)
            {
                return;
            }
            KrOperation.Check(st, "removing the session value '{0}'", key);
        }

        /// <summary>Ends the session: every key goes, and so does the session's id (deleted from the store
        /// when the route succeeds); a later write starts a new session with a new id.</summary>
        public void ClearSession()
        {
            KrError.Check(KrNative.kr_session_clear(H("ClearSession")), "clearing the session");
        }

        /// <summary>Gives the session a new random id, keeping its data (the old id is deleted from the store and
        /// the new cookie sent when the route succeeds).</summary>
        public void RenewSessionId()
        {
            KrError.Check(KrNative.kr_session_renew_id(H("RenewSessionId")), "renewing the session id");
        }

        /// <summary>The keys of the session.</summary>
        public string[] GetSessionKeys()
        {
            IntPtr h = H("GetSessionKeys");
            KrError.Check(KrNative.kr_session_key_count(h, out nuint count), "listing the session keys");
            var keys = new string[checked((int)count)];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = KrUtf8.ReadString(h, (nuint)i, KrFn.SessionKeyAt, "listing the session keys") ?? string.Empty;
            }
            return keys;
        }

        public override string ToString()
        {
            if (!_valid)
            {
                return "KrRequestContext (ended)";
            }
            try
            {
                return "KrRequestContext " + Method + " " + Path;
            }
            catch (Exception)
            {
                return "KrRequestContext";
            }
        }

        // Which status codes are valid is the engine's rule (kr_response_* answer KR_INVALID_ARGUMENT with the
        // reason); here only what the C type (uint16_t) cannot carry is refused.
        private static void CheckStatusCode(int status)
        {
            if (status < 0 || status > ushort.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(status), status, "An HTTP status code must be between 100 and 999.");
            }
        }

        private static ref byte NullRef()
        {
            return ref System.Runtime.CompilerServices.Unsafe.NullRef<byte>();
        }
    }
}
