// Kestrun.Rust interop: the C API of libkestrun_rust (see docs/DESIGN.md, ffi/include/kestrun_rust.h).
// This file only declares the native functions and the types that cross the boundary.
// Buffers are passed as `ref byte` (pointer to the first byte, pinned for the call) so that callers can
// use stack buffers (stackalloc spans) without unsafe code; strings going in are NUL-terminated UTF-8.
using System;
using System.Runtime.InteropServices;

namespace KestrunRust
{
    /// <summary>Status code returned by every kr_* function (KrStatus in the C header).</summary>
    public enum KrStatus
    {
        Ok = 0,
        NotFound = 1,
        BufferTooSmall = 2,
        NullArgument = 10,
        InvalidUtf8 = 11,
        InvalidArgument = 12,
        InvalidHandle = 13,
        InvalidState = 14,
        BindFailed = 15,
        TlsError = 16,
        IoError = 17,
        NoSession = 18,
        Timeout = 19,
        Panic = 98,
        Internal = 99,
    }

    /// <summary>Log levels of the native logging pipeline (names as Serilog's LogEventLevel).</summary>
    public enum KrLogLevel
    {
        Verbose = 0,
        Debug = 1,
        Information = 2,
        Warning = 3,
        Error = 4,
        Fatal = 5,
    }

    /// <summary>SameSite attribute of a cookie (native values; Unspecified omits the attribute).</summary>
    public enum KrSameSite
    {
        Lax = 0,
        Strict = 1,
        None = 2,
        Unspecified = 3,
    }

    /// <summary>When a cookie gets the Secure attribute (ASP.NET Core's CookieSecurePolicy order).</summary>
    public enum KrSecurePolicy
    {
        SameAsRequest = 0,
        Always = 1,
        None = 2,
    }

    /// <summary>The HTTP versions an endpoint serves (Kestrel's HttpProtocols values).</summary>
    public enum KrHttpProtocols
    {
        Http1 = 1,
        Http2 = 2,
        Http1AndHttp2 = 3,
    }

    /// <summary>HTTP verbs accepted by Add-KrMapRoute.</summary>
    public enum KrHttpVerb
    {
        Get,
        Head,
        Post,
        Put,
        Patch,
        Delete,
        Options,
        Trace,
        Connect,
    }

    /// <summary>KrSessionOptions of the C header (layout must match it field for field).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct KrSessionOptionsNative
    {
        public IntPtr CookieName;       // const char*; NULL -> ".Kestrun.Session"
        public IntPtr CookiePath;       // const char*; NULL -> "/"
        public IntPtr CookieDomain;     // const char*; NULL -> none
        public byte HttpOnly;           // C bool
        public int SameSite;            // KrSameSite
        public int SecurePolicy;        // KrSecurePolicy
        public long CookieMaxAgeSeconds; // < 0 -> browser-session cookie
        public ulong IdleTimeoutSeconds;
        public ulong IoTimeoutSeconds;
        public ulong MaxSessions;
        public IntPtr CookieKey;        // const uint8_t*; NULL -> the store's key ring, else a random key per server
        public nuint CookieKeyLen;      // size_t
        public ulong KeyLifetimeSeconds; // key ring: how long a key seals new cookies
    }

    /// <summary>KrRouteOptions of the C header (layout must match it field for field).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct KrRouteOptionsNative
    {
        public uint TimeoutMs;          // 0 -> no timeout
        public IntPtr OnCancel;         // KrCancelCallback; IntPtr.Zero -> none
    }

    /// <summary>KrCallbackPoolStats of the C header (layout must match it field for field).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct KrCallbackPoolStatsNative
    {
        public ulong MinThreads;
        public ulong MaxThreads;
        public ulong Threads;
        public ulong Busy;
        public ulong Queued;
        public ulong PeakThreads;
        public ulong ThreadsStarted;
        public ulong ThreadsReleased;
        public ulong TimedOut;
    }

    /// <summary>void (*KrCancelCallback)(KrRequest* request, void* user_data)</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void KrCancelCallback(IntPtr request, IntPtr userData);

    /// <summary>void (*KrThreadExitCallback)(void* user_data)</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void KrThreadExitCallback(IntPtr userData);

    /// <summary>int32_t (*KrRouteCallback)(KrRequest* request, void* user_data)</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int KrRouteCallback(IntPtr request, IntPtr userData);

    /// <summary>void (*KrFreeCallback)(void* user_data)</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate void KrFreeCallback(IntPtr userData);

    /// <summary>Raw P/Invoke declarations of libkestrun_rust. Prefer the wrappers (KrServer, KrRequestContext).</summary>
    public static class KrNative
    {
        /// <summary>The library name given to DllImport; KrNativeLoader maps it to the file in the module's lib folder.</summary>
        public const string LibraryName = "kestrun_rust";

        // ---- library and errors ------------------------------------------------------------------
        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_version(ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_last_error_message(ref byte buf, nuint bufLen, out nuint outLen);

        /// <summary>The status's name as spelled in the C header ("KR_OK"), or IntPtr.Zero for an unknown value. The
        /// string is static and owned by the library: read it, never free it (hence IntPtr, not string).</summary>
        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr kr_status_name(KrStatus status);

        // ---- logging -----------------------------------------------------------------------------
        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_log_set_level(int level);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_log_add_console_sink();

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_log_add_file_sink(ref byte path);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_log_clear_sinks();

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_log_write(int level, ref byte message);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_log_add_console_sink_template(ref byte outputTemplate, int restrictedToMinimumLevel);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_log_add_file_sink_ex(ref byte path, ref byte outputTemplate, int rollingInterval, int retainedFileCountLimit, int restrictedToMinimumLevel);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_log_check_template(ref byte outputTemplate);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_log_set_utc_offset(int offsetSeconds);

        // ---- server lifecycle --------------------------------------------------------------------
        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_new(ref byte name, out IntPtr server);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_free(IntPtr server);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_add_endpoint_http(IntPtr server, ref byte address, ushort port, out nuint index);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_add_endpoint_https_self_signed(IntPtr server, ref byte address, ushort port, out nuint index);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_add_endpoint_https_pem(IntPtr server, ref byte address, ushort port, ref byte certPath, ref byte keyPath, out nuint index);

        // ---- HTTP: endpoint protocols, TLS handshakes, request header limits ----------------------
        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_endpoint_protocols(IntPtr server, nuint index, KrHttpProtocols protocols);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_endpoint_protocols(IntPtr server, nuint index, out KrHttpProtocols protocols);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_tls_handshake_timeout_ms(IntPtr server, uint ms);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_max_concurrent_tls_handshakes(IntPtr server, uint count);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_request_header_limits(IntPtr server, uint maxCount, uint maxTotalBytes);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_callback_threads(IntPtr server, uint count);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_worker_threads(IntPtr server, uint count);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_callback_wait_ms(IntPtr server, uint ms);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_shutdown_timeout_ms(IntPtr server, uint ms);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_max_body_bytes(IntPtr server, ulong bytes);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_add_route(IntPtr server, ref byte verbs, ref byte pattern, KrRouteCallback callback, IntPtr userData, KrFreeCallback freeUserData);

        // ---- callback pool and route options (growing pool, thread exit, route timeouts) ---------
        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_callback_thread_limits(IntPtr server, uint min, uint max);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_callback_idle_timeout_ms(IntPtr server, uint ms);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_set_thread_exit_callback(IntPtr server, KrThreadExitCallback callback, IntPtr userData, KrFreeCallback freeUserData);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_callback_pool_stats(IntPtr server, out KrCallbackPoolStatsNative stats);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_route_options_default(out KrRouteOptionsNative options);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_add_route_ex(IntPtr server, ref byte verbs, ref byte pattern, ref KrRouteOptionsNative options, KrRouteCallback callback, IntPtr userData, KrFreeCallback freeUserData);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_is_cancelled(IntPtr request, out byte cancelled);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_options_default(out KrSessionOptionsNative options);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_configure_session(IntPtr server, ref KrSessionOptionsNative options);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_use_redis_session_store(IntPtr server, ref byte connection, ref byte keyPrefix, uint connectTimeoutMs, uint operationTimeoutMs);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_use_postgres_session_store(IntPtr server, ref byte connection, ref byte schema, ref byte table, [MarshalAs(UnmanagedType.U1)] bool createIfNotExists, uint deletionIntervalSeconds);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_use_sqlite_session_store(IntPtr server, ref byte path, ref byte table, uint deletionIntervalSeconds);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_start(IntPtr server);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_stop(IntPtr server, uint timeoutMs);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_is_running(IntPtr server, out byte running);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_endpoint_count(IntPtr server, out nuint count);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_endpoint_port(IntPtr server, nuint index, out ushort port);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_server_endpoint_url(IntPtr server, nuint index, ref byte buf, nuint bufLen, out nuint outLen);

        // ---- request (valid during the callback only) --------------------------------------------
        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_method(IntPtr request, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_path(IntPtr request, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_query_string(IntPtr request, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_scheme(IntPtr request, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_host(IntPtr request, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_remote_addr(IntPtr request, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_query(IntPtr request, ref byte name, nuint index, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_query_count(IntPtr request, ref byte name, out nuint count);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_route_param(IntPtr request, ref byte name, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_header(IntPtr request, ref byte name, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_cookie(IntPtr request, ref byte name, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_request_body(IntPtr request, ref byte buf, nuint bufLen, out nuint outLen);

        // ---- response ----------------------------------------------------------------------------
        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_response_set_status(IntPtr request, ushort status);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_response_set_content_type(IntPtr request, ref byte contentType);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_response_set_body(IntPtr request, ref byte data, nuint len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_response_set_body_text(IntPtr request, ref byte text);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_response_write(IntPtr request, ushort status, ref byte contentType, ref byte data, nuint len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_response_add_header(IntPtr request, ref byte name, ref byte value);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_response_add_cookie(IntPtr request, ref byte name, ref byte value, ref byte path, ref byte domain,
            long maxAgeSeconds, [MarshalAs(UnmanagedType.U1)] bool httpOnly, [MarshalAs(UnmanagedType.U1)] bool secure, int sameSite);

        // ---- session -----------------------------------------------------------------------------
        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_available(IntPtr request, out byte available);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_get_int32(IntPtr request, ref byte key, out int value);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_set_int32(IntPtr request, ref byte key, int value);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_get_string(IntPtr request, ref byte key, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_set_string(IntPtr request, ref byte key, ref byte value);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_get_bytes(IntPtr request, ref byte key, ref byte buf, nuint bufLen, out nuint outLen);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_set_bytes(IntPtr request, ref byte key, ref byte data, nuint len);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_remove(IntPtr request, ref byte key);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_clear(IntPtr request);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_renew_id(IntPtr request);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_key_count(IntPtr request, out nuint count);

        [DllImport(LibraryName, CallingConvention = CallingConvention.Cdecl)]
        public static extern KrStatus kr_session_key_at(IntPtr request, nuint index, ref byte buf, nuint bufLen, out nuint outLen);
    }
}
