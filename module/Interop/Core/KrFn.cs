// Cached delegates over the kr_* string/bytes getters (so the hot path allocates no delegate per call).
namespace KestrunRust
{
    public static class KrFn
    {
        public static readonly KrOutFn0 Version = KrNative.kr_version;
        public static readonly KrOutFn0 LastError = KrNative.kr_last_error_message;
        public static readonly KrOutFnHI EndpointUrl = KrNative.kr_server_endpoint_url;
        public static readonly KrOutFnH Method = KrNative.kr_request_method;
        public static readonly KrOutFnH Path = KrNative.kr_request_path;
        public static readonly KrOutFnH QueryString = KrNative.kr_request_query_string;
        public static readonly KrOutFnH Scheme = KrNative.kr_request_scheme;
        public static readonly KrOutFnH Host = KrNative.kr_request_host;
        public static readonly KrOutFnH RemoteAddr = KrNative.kr_request_remote_addr;
        public static readonly KrOutFnH Body = KrNative.kr_request_body;
        public static readonly KrOutFnHS RouteParam = KrNative.kr_request_route_param;
        public static readonly KrOutFnHS Header = KrNative.kr_request_header;
        public static readonly KrOutFnHS Cookie = KrNative.kr_request_cookie;
        public static readonly KrOutFnHS SessionString = KrNative.kr_session_get_string;
        public static readonly KrOutFnHS SessionBytes = KrNative.kr_session_get_bytes;
        public static readonly KrOutFnHI SessionKeyAt = KrNative.kr_session_key_at;
    }
}
