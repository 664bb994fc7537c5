/*
 * C API test of Kestrun.Rust (ffi/include/kestrun_rust.h, libkestrun_rust.so).
 *
 * Starts an HTTPS server (self-signed, 127.0.0.1, port 0) with sessions and C callback routes, plus
 * an HTTP server without sessions, queries them with curl (cookie jars, -k) and asserts the answers;
 * then feeds the API NULL pointers, invalid UTF-8, stale / freed / random / wrong-kind handles,
 * double frees and too-small buffers. Prints `ok - ...` / `not ok - ...` per check and ends with
 * `N passed, N failed`; exits non-zero on any failure.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kestrun_rust.h"

/* ------------------------------------------------------------------------------------------ */
/* checks (callable from callback threads)                                                     */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_passed, g_failed;

static void check(bool cond, const char *fmt, ...) {
    va_list ap;
    pthread_mutex_lock(&g_lock);
    if (cond) g_passed++; else g_failed++;
    printf("%s - ", cond ? "ok" : "not ok");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    pthread_mutex_unlock(&g_lock);
}

/* This thread's last error message (static buffer per call site is fine for the tests). */
static const char *last_error(void) {
    static __thread char buf[1024];
    size_t len = 0;
    buf[0] = 0;
    KrStatus st = kr_last_error_message(buf, sizeof buf, &len);
    if (st != KR_OK) snprintf(buf, sizeof buf, "<kr_last_error_message returned %d>", st);
    return buf;
}

/* Asserts a status; for a non-OK expectation also that the last error message is non-empty. */
static void check_status(KrStatus got, KrStatus expected, const char *what) {
    if (expected == KR_OK) {
        check(got == KR_OK, "%s -> KR_OK (got %d%s%s)", what, got, got ? ": " : "", got ? last_error() : "");
    } else {
        const char *msg = last_error();
        check(got == expected && msg[0] != 0, "%s -> %d with a message (got %d: \"%s\")", what, expected, got, msg);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* routes                                                                                       */

typedef struct {
    const char *name;
    int freed; /* finalizer calls */
} RouteData;

static RouteData rd_counter = {"counter", 0}, rd_echo = {"echo", 0}, rd_fail = {"fail", 0},
                 rd_misuse = {"misuse", 0}, rd_items = {"items", 0}, rd_clear = {"clear", 0},
                 rd_nosess = {"nosess", 0};

static void free_route(void *user_data) {
    RouteData *d = user_data;
    pthread_mutex_lock(&g_lock);
    d->freed++;
    pthread_mutex_unlock(&g_lock);
}

static KrServer *g_https, *g_http;
static KrRequest *g_saved_request; /* written by a callback thread: __atomic_* */

static int reply(KrRequest *req, uint16_t status, const char *type, const char *text) {
    return kr_response_write(req, status, type, (const uint8_t *)text, strlen(text)) == KR_OK ? 0 : 90;
}

static int32_t counter_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    int32_t n = 0;
    KrStatus st = kr_session_get_int32(req, "counter", &n);
    if (st == KR_NOT_FOUND) n = 0;
    else if (st != KR_OK) return 2;
    n++;
    if (kr_session_set_int32(req, "counter", n) != KR_OK) return 3;
    char body[64];
    snprintf(body, sizeof body, "{\"counter\":%d}", n);
    return reply(req, 200, "application/json", body);
}

/* Reads a string through the length-query / retry protocol: returns malloc'd text or NULL. */
typedef KrStatus (*StrFn)(KrRequest *, char *, size_t, size_t *);
static char *read_str(KrRequest *req, StrFn fn) {
    size_t len = 0;
    KrStatus st = fn(req, NULL, 0, &len);
    if (st != KR_BUFFER_TOO_SMALL) return NULL;
    char *buf = malloc(len + 1);
    if (fn(req, buf, len + 1, &len) != KR_OK) { free(buf); return NULL; }
    return buf;
}

static void append(char **out, size_t *used, size_t *cap, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*out + *used, *cap - *used, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < *cap - *used) { *used += (size_t)n; return; }
        *cap *= 2;
        *out = realloc(*out, *cap);
    }
}

static int32_t echo_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    size_t cap = 1024, used = 0, len = 0;
    char *out = malloc(cap);
    out[0] = 0;
    char *method = read_str(req, kr_request_method), *path = read_str(req, kr_request_path),
         *qs = read_str(req, kr_request_query_string), *scheme = read_str(req, kr_request_scheme),
         *host = read_str(req, kr_request_host), *remote = read_str(req, kr_request_remote_addr);
    append(&out, &used, &cap, "method=%s\npath=%s\nqs=%s\nscheme=%s\nhost=%s\nremote=%s\n", method, path, qs,
           scheme, host, remote);
    free(method); free(path); free(qs); free(scheme); free(host); free(remote);

    size_t count = 0;
    kr_request_query_count(req, "q", &count);
    append(&out, &used, &cap, "qcount=%zu\n", count);
    for (size_t i = 0; i < count; i++) {
        char v[256];
        if (kr_request_query(req, "q", i, v, sizeof v, &len) == KR_OK) append(&out, &used, &cap, "q%zu=%s\n", i, v);
    }
    char v[256];
    KrStatus st = kr_request_header(req, "x-test", v, sizeof v, &len);
    append(&out, &used, &cap, "header=%s\n", st == KR_OK ? v : "<absent>");
    st = kr_request_cookie(req, "c", v, sizeof v, &len);
    append(&out, &used, &cap, "cookie=%s\n", st == KR_OK ? v : "<absent>");

    size_t body_len = 0;
    kr_request_body(req, NULL, 0, &body_len);
    uint8_t *body = malloc(body_len + 1);
    if (kr_request_body(req, body, body_len, &body_len) != KR_OK) body_len = 0;
    body[body_len] = 0;
    append(&out, &used, &cap, "body=%s\n", (char *)body);
    free(body);

    kr_response_add_header(req, "X-Echo", "yes");
    kr_response_add_cookie(req, "echoed", "1", "/", NULL, -1, true, true, KR_SAME_SITE_STRICT);
    kr_response_set_status(req, 200);
    kr_response_set_content_type(req, "text/plain");
    KrStatus w = kr_response_set_body(req, (const uint8_t *)out, used);
    free(out);
    return w == KR_OK ? 0 : 5;
}

static int32_t items_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    char id[64], body[128];
    size_t len = 0;
    if (kr_request_route_param(req, "id", id, sizeof id, &len) != KR_OK) return 6;
    KrStatus missing = kr_request_route_param(req, "nope", id + 32, 16, &len);
    snprintf(body, sizeof body, "id=%s missing=%d", id, missing);
    return kr_response_set_body_text(req, body) == KR_OK ? 0 : 7;
}

static int32_t fail_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    kr_session_set_int32(req, "counter", 100); /* discarded: the callback fails */
    reply(req, 200, "text/plain", "never sent");
    return 7;
}

static int32_t clear_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    size_t n = 99;
    KrStatus st = kr_session_clear(req);
    kr_session_key_count(req, &n);
    char body[64];
    snprintf(body, sizeof body, "cleared=%d keys=%zu", st, n);
    return reply(req, 200, "text/plain", body);
}

/* Login: a new session id, the data kept. */
static int32_t renew_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    char body[64];
    snprintf(body, sizeof body, "renewed=%d", kr_session_renew_id(req));
    return reply(req, 200, "text/plain", body);
}

static int32_t nosess_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    bool available = true;
    int32_t n = 0;
    check_status(kr_session_available(req, &available), KR_OK, "kr_session_available without sessions");
    check(!available, "kr_session_available reports false on a server without sessions");
    check_status(kr_session_get_int32(req, "k", &n), KR_NO_SESSION, "kr_session_get_int32 without sessions");
    check_status(kr_session_set_string(req, "k", "v"), KR_NO_SESSION, "kr_session_set_string without sessions");
    check_status(kr_session_clear(req), KR_NO_SESSION, "kr_session_clear without sessions");
    check_status(kr_session_renew_id(req), KR_NO_SESSION, "kr_session_renew_id without sessions");
    size_t len;
    check_status(kr_session_key_at(req, 0, NULL, 0, &len), KR_NO_SESSION, "kr_session_key_at without sessions");
    char *scheme = read_str(req, kr_request_scheme);
    int rc = reply(req, 200, "text/plain", scheme ? scheme : "?");
    free(scheme);
    return rc;
}

/* API misuse inside a live callback; also saves the handle for the stale-handle checks. */
static int32_t misuse_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    __atomic_store_n(&g_saved_request, req, __ATOMIC_SEQ_CST);
    char buf[64], small[4];
    size_t len = 0;
    const char *bad = "bad\xff\xfe";

    check_status(kr_request_path(req, NULL, 5, &len), KR_NULL_ARGUMENT, "kr_request_path buf NULL with buf_len 5");
    check_status(kr_request_path(req, buf, sizeof buf, NULL), KR_NULL_ARGUMENT, "kr_request_path out_len NULL");
    memset(small, 'X', sizeof small);
    check_status(kr_request_path(req, small, sizeof small, &len), KR_BUFFER_TOO_SMALL, "kr_request_path into 4 bytes");
    check(len == strlen("/misuse") && memcmp(small, "XXXX", 4) == 0,
          "BUFFER_TOO_SMALL reports the length (%zu) and writes nothing", len);
    check_status(kr_request_path(req, buf, len, &len), KR_BUFFER_TOO_SMALL, "kr_request_path without room for NUL");
    check_status(kr_request_path(req, buf, len + 1, &len), KR_OK, "kr_request_path with exactly len+1 bytes");
    check(strcmp(buf, "/misuse") == 0, "path is /misuse (got %s)", buf);

    uint8_t body[3];
    check_status(kr_request_body(req, body, 2, &len), KR_BUFFER_TOO_SMALL, "kr_request_body into 2 bytes");
    check_status(kr_request_body(req, body, 3, &len), KR_OK, "kr_request_body with exactly len bytes (no NUL)");
    check(len == 3 && memcmp(body, "xyz", 3) == 0, "body is xyz");

    check_status(kr_request_header(req, NULL, buf, sizeof buf, &len), KR_NULL_ARGUMENT, "kr_request_header name NULL");
    check_status(kr_request_header(req, bad, buf, sizeof buf, &len), KR_INVALID_UTF8, "kr_request_header invalid UTF-8 name");
    check_status(kr_request_header(req, "x-absent", buf, sizeof buf, &len), KR_NOT_FOUND, "kr_request_header absent");
    check_status(kr_request_cookie(req, "absent", buf, sizeof buf, &len), KR_NOT_FOUND, "kr_request_cookie absent");
    check_status(kr_request_query(req, "absent", 0, buf, sizeof buf, &len), KR_NOT_FOUND, "kr_request_query absent");
    size_t count = 9;
    check_status(kr_request_query_count(req, "absent", &count), KR_OK, "kr_request_query_count absent");
    check(count == 0, "query count of an absent name is 0");
    check_status(kr_request_query_count(req, "absent", NULL), KR_NULL_ARGUMENT, "kr_request_query_count out NULL");

    check_status(kr_response_set_status(req, 99), KR_INVALID_ARGUMENT, "kr_response_set_status 99");
    check_status(kr_response_set_status(req, 1000), KR_INVALID_ARGUMENT, "kr_response_set_status 1000");
    check_status(kr_response_add_header(req, "bad name", "v"), KR_INVALID_ARGUMENT, "kr_response_add_header bad name");
    check_status(kr_response_add_header(req, "X-Ok", NULL), KR_NULL_ARGUMENT, "kr_response_add_header value NULL");
    check_status(kr_response_add_header(req, "X-Ok", bad), KR_INVALID_UTF8, "kr_response_add_header invalid UTF-8");
    check_status(kr_response_set_body(req, NULL, 3), KR_NULL_ARGUMENT, "kr_response_set_body NULL with len 3");
    check_status(kr_response_set_body(req, NULL, 0), KR_OK, "kr_response_set_body NULL with len 0");
    check_status(kr_response_set_content_type(req, NULL), KR_NULL_ARGUMENT, "kr_response_set_content_type NULL");
    check_status(kr_response_add_cookie(req, "bad name", "v", NULL, NULL, -1, false, false, KR_SAME_SITE_LAX),
                 KR_INVALID_ARGUMENT, "kr_response_add_cookie bad name");
    check_status(kr_response_add_cookie(req, "ok", "v", NULL, NULL, -1, false, false, 17), KR_INVALID_ARGUMENT,
                 "kr_response_add_cookie same_site 17");

    bool available = false;
    check_status(kr_session_available(req, &available), KR_OK, "kr_session_available");
    check(available, "sessions are available on the HTTPS server");
    check_status(kr_session_set_int32(req, NULL, 1), KR_NULL_ARGUMENT, "kr_session_set_int32 key NULL");
    check_status(kr_session_set_int32(req, bad, 1), KR_INVALID_UTF8, "kr_session_set_int32 invalid UTF-8 key");
    check_status(kr_session_get_int32(req, "counter", NULL), KR_NULL_ARGUMENT, "kr_session_get_int32 out NULL");
    check_status(kr_session_get_string(req, "absent", buf, sizeof buf, &len), KR_NOT_FOUND, "kr_session_get_string absent");
    check_status(kr_session_set_string(req, "s", "h\xc3\xa9llo"), KR_OK, "kr_session_set_string");
    check_status(kr_session_get_string(req, "s", small, sizeof small, &len), KR_BUFFER_TOO_SMALL,
                 "kr_session_get_string into 4 bytes");
    check(len == 6, "session string length is 6 bytes (got %zu)", len);
    check_status(kr_session_get_string(req, "s", buf, sizeof buf, &len), KR_OK, "kr_session_get_string");
    check(strcmp(buf, "h\xc3\xa9llo") == 0, "session string round-trips");
    int32_t n = 0;
    check_status(kr_session_get_int32(req, "s", &n), KR_NOT_FOUND, "kr_session_get_int32 of a 6-byte value");
    const uint8_t bytes[4] = {0, 1, 2, 255};
    check_status(kr_session_set_bytes(req, "b", bytes, 4), KR_OK, "kr_session_set_bytes");
    check_status(kr_session_set_bytes(req, "b2", NULL, 1), KR_NULL_ARGUMENT, "kr_session_set_bytes NULL with len 1");
    uint8_t got[4] = {0};
    check_status(kr_session_get_bytes(req, "b", got, 4, &len), KR_OK, "kr_session_get_bytes");
    check(len == 4 && memcmp(got, bytes, 4) == 0, "session bytes round-trip");
    check_status(kr_session_get_int32(req, "b", &n), KR_OK, "kr_session_get_int32 of 4 bytes");
    check(n == 0x000102ff, "4 bytes read as big-endian int32 (got %#x)", n);
    size_t keys = 0;
    check_status(kr_session_key_count(req, &keys), KR_OK, "kr_session_key_count");
    check(keys >= 2, "session has at least 2 keys (got %zu)", keys);
    check_status(kr_session_key_at(req, 0, buf, sizeof buf, &len), KR_OK, "kr_session_key_at 0");
    check_status(kr_session_key_at(req, 1000, buf, sizeof buf, &len), KR_NOT_FOUND, "kr_session_key_at 1000");
    check_status(kr_session_remove(req, "s"), KR_OK, "kr_session_remove");
    check_status(kr_session_remove(req, "never-set"), KR_OK, "kr_session_remove of an absent key");
    check_status(kr_session_get_string(req, "s", buf, sizeof buf, &len), KR_NOT_FOUND, "removed key is absent");

    /* Wrong kind: the server handle used as a request. */
    check_status(kr_request_path((KrRequest *)g_https, buf, sizeof buf, &len), KR_INVALID_HANDLE,
                 "server handle used as a request handle");
    return reply(req, 200, "text/plain", "misuse done");
}

/* ------------------------------------------------------------------------------------------ */
/* client: curl                                                                                 */

static char g_tmp[256];

typedef struct {
    int status;
    char body[16384];
    char headers[16384];
} Resp;

static void read_file(const char *path, char *out, size_t cap) {
    out[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return;
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = 0;
    fclose(f);
}

/* method, url; jar may be NULL; data may be NULL; extra: additional curl arguments (quoted). */
static Resp *http(const char *method, const char *url, const char *jar, const char *data, const char *extra) {
    static Resp r;
    char cmd[4096], body_path[300], hdr_path[300], data_path[300], code[32] = {0};
    snprintf(body_path, sizeof body_path, "%s/body", g_tmp);
    snprintf(hdr_path, sizeof hdr_path, "%s/headers", g_tmp);
    snprintf(data_path, sizeof data_path, "%s/data", g_tmp);
    unlink(body_path);
    unlink(hdr_path);
    char data_arg[400] = "";
    if (data) {
        FILE *f = fopen(data_path, "wb");
        fwrite(data, 1, strlen(data), f);
        fclose(f);
        snprintf(data_arg, sizeof data_arg, "--data-binary @%s", data_path);
    }
    char jar_arg[700] = "";
    if (jar) snprintf(jar_arg, sizeof jar_arg, "-b %s/%s -c %s/%s", g_tmp, jar, g_tmp, jar);
    snprintf(cmd, sizeof cmd, "curl -sk --max-time 30 -X %s %s %s %s -D %s -o %s -w '%%{http_code}' '%s'", method,
             jar_arg, data_arg, extra ? extra : "", hdr_path, body_path, url);
    FILE *p = popen(cmd, "r");
    r.status = -1;
    if (p) {
        if (fgets(code, sizeof code, p)) r.status = atoi(code);
        pclose(p);
    }
    read_file(body_path, r.body, sizeof r.body);
    read_file(hdr_path, r.headers, sizeof r.headers);
    return &r;
}

static bool has_header(const Resp *r, const char *needle) {
    return strcasestr(r->headers, needle) != NULL;
}

static int count_lines(const char *path, const char *needle) {
    static char content[1 << 16];
    read_file(path, content, sizeof content);
    int n = 0;
    for (const char *p = content; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* slow routes: route timeout (kr_server_add_route_ex, on_cancel, kr_request_is_cancelled), the    */
/* growing callback pool (limits, idle release, stats) and the thread-exit callback                */

static int g_cancels, g_saw_cancel, g_blocked, g_release, g_exits, g_exit_freed; /* __atomic_* */

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* /work?sleep=1 polls kr_request_is_cancelled for up to 20 s; /work answers at once. */
static int32_t work_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    size_t len = 0;
    if (kr_request_query_string(req, NULL, 0, &len) == KR_BUFFER_TOO_SMALL && len > 0) {
        for (int i = 0; i < 4000; i++) {
            bool cancelled = false;
            if (kr_request_is_cancelled(req, &cancelled) != KR_OK) break;
            if (cancelled) {
                __atomic_add_fetch(&g_saw_cancel, 1, __ATOMIC_SEQ_CST);
                break;
            }
            sleep_ms(5);
        }
    }
    return reply(req, 200, "text/plain", "done");
}

static void on_cancel_cb(KrRequest *req, void *user_data) {
    (void)user_data;
    size_t len = 0;
    /* The request handle is live while the cancel callback runs. */
    if (kr_request_path(req, NULL, 0, &len) == KR_BUFFER_TOO_SMALL && len == strlen("/work"))
        __atomic_add_fetch(&g_cancels, 1, __ATOMIC_SEQ_CST);
}

static int32_t block_cb(KrRequest *req, void *user_data) {
    (void)req;
    (void)user_data;
    __atomic_add_fetch(&g_blocked, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&g_release, __ATOMIC_SEQ_CST)) sleep_ms(5);
    return 0;
}

static void thread_exit_cb(void *user_data) {
    (void)user_data;
    __atomic_add_fetch(&g_exits, 1, __ATOMIC_SEQ_CST);
}

static void thread_exit_free(void *user_data) {
    (void)user_data;
    __atomic_add_fetch(&g_exit_freed, 1, __ATOMIC_SEQ_CST);
}

/* Sends `GET path` on a new plain-HTTP connection without reading the answer (read it with raw_status). */
static int raw_send(uint16_t port, const char *path) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    if (write(fd, req, (size_t)n) != n) return -1;
    return fd;
}

static int raw_status(int fd) {
    char buf[64] = {0};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 12 ? atoi(buf + 9) : -1;
}

static KrCallbackPoolStats pool_stats(KrServer *s) {
    KrCallbackPoolStats st;
    memset(&st, 0, sizeof st);
    kr_server_callback_pool_stats(s, &st);
    return st;
}

static bool wait_threads(KrServer *s, uint64_t threads, double seconds) {
    double end = now_s() + seconds;
    while (now_s() < end) {
        if (pool_stats(s).threads == threads) return true;
        sleep_ms(20);
    }
    return false;
}

static void test_slow_routes(void) {
    KrServer *s = NULL;
    size_t index = 0;
    uint16_t port = 0;
    check_status(kr_server_new("capi-slow", &s), KR_OK, "slow: kr_server_new");
    check_status(kr_server_add_endpoint_http(s, "127.0.0.1", 0, &index), KR_OK, "slow: HTTP endpoint");
    check_status(kr_server_set_callback_thread_limits(s, 5, 4), KR_INVALID_ARGUMENT, "kr_server_set_callback_thread_limits 5, 4");
    check_status(kr_server_set_callback_thread_limits(s, 1, 4), KR_OK, "kr_server_set_callback_thread_limits 1, 4");
    check_status(kr_server_set_callback_idle_timeout_ms(s, 0), KR_INVALID_ARGUMENT, "kr_server_set_callback_idle_timeout_ms 0");
    check_status(kr_server_set_callback_idle_timeout_ms(s, 200), KR_OK, "kr_server_set_callback_idle_timeout_ms 200");
    check_status(kr_server_set_thread_exit_callback(s, thread_exit_cb, NULL, thread_exit_free), KR_OK,
                 "kr_server_set_thread_exit_callback");
    check_status(kr_server_callback_pool_stats(s, NULL), KR_NULL_ARGUMENT, "kr_server_callback_pool_stats NULL");
    KrCallbackPoolStats st = pool_stats(s);
    check(st.min_threads == 1 && st.max_threads == 4 && st.threads == 0, "stopped pool: bounds 1..4, no thread");
    KrRouteOptions ro;
    check_status(kr_route_options_default(&ro), KR_OK, "kr_route_options_default");
    check(ro.timeout_ms == 0 && ro.on_cancel == NULL, "route options default: no timeout, no cancel callback");
    ro.timeout_ms = 86400001;
    check_status(kr_server_add_route_ex(s, "GET", "/work", &ro, work_cb, NULL, NULL), KR_INVALID_ARGUMENT,
                 "kr_server_add_route_ex timeout above 24 h");
    ro.timeout_ms = 300;
    ro.on_cancel = on_cancel_cb;
    check_status(kr_server_add_route_ex(s, "GET", "/work", &ro, work_cb, NULL, NULL), KR_OK, "kr_server_add_route_ex /work 300 ms");
    check_status(kr_server_add_route_ex(s, "GET", "/block", NULL, block_cb, NULL, NULL), KR_OK, "kr_server_add_route_ex NULL options");
    check_status(kr_server_start(s), KR_OK, "slow: kr_server_start");
    kr_server_endpoint_port(s, 0, &port);
    check(pool_stats(s).threads == 1, "the minimum (1 thread) starts warm");

    char u[128];
    snprintf(u, sizeof u, "http://127.0.0.1:%u/work?sleep=1", port);
    double t0 = now_s();
    Resp *r = http("GET", u, NULL, NULL, NULL);
    double took = now_s() - t0;
    check(r->status == 504 && strstr(r->body, "\"status\":504") != NULL && strstr(r->body, "300 ms") != NULL,
          "timed-out route -> 504 JSON (got %d %s)", r->status, r->body);
    check(took < 5.0, "504 after %.2f s", took);
    for (int i = 0; i < 500 && __atomic_load_n(&g_saw_cancel, __ATOMIC_SEQ_CST) == 0; i++) sleep_ms(10);
    check(__atomic_load_n(&g_saw_cancel, __ATOMIC_SEQ_CST) == 1, "the callback saw kr_request_is_cancelled");
    check(__atomic_load_n(&g_cancels, __ATOMIC_SEQ_CST) == 1, "on_cancel ran once, with a live request handle");
    snprintf(u, sizeof u, "http://127.0.0.1:%u/work", port);
    r = http("GET", u, NULL, NULL, NULL);
    check(r->status == 200 && strcmp(r->body, "done") == 0, "the route works again after its timeout (got %d %s)", r->status, r->body);
    check(pool_stats(s).timed_out == 1, "stats count the timeout");

    int fds[4];
    for (int i = 0; i < 4; i++) fds[i] = raw_send(port, "/block");
    for (int i = 0; i < 1000 && __atomic_load_n(&g_blocked, __ATOMIC_SEQ_CST) < 4; i++) sleep_ms(10);
    st = pool_stats(s);
    check(st.threads == 4 && st.busy == 4 && st.peak_threads == 4, "the pool grew to its maximum of 4 (threads %llu, busy %llu)",
          (unsigned long long)st.threads, (unsigned long long)st.busy);
    __atomic_store_n(&g_release, 1, __ATOMIC_SEQ_CST);
    int ok = 0;
    for (int i = 0; i < 4; i++) ok += fds[i] >= 0 && raw_status(fds[i]) == 200;
    check(ok == 4, "4 blocked requests answered 200 (%d)", ok);
    bool released = wait_threads(s, 1, 15.0);
    check(released, "idle threads above the minimum are released (threads now %llu)", (unsigned long long)pool_stats(s).threads);
    check(pool_stats(s).threads_released == 3, "3 threads released");
    for (int i = 0; i < 500 && __atomic_load_n(&g_exits, __ATOMIC_SEQ_CST) < 3; i++) sleep_ms(10);
    check(__atomic_load_n(&g_exits, __ATOMIC_SEQ_CST) == 3, "each released thread ran the thread-exit callback");
    check_status(kr_server_set_callback_thread_limits(s, 1, 2), KR_INVALID_STATE, "thread limits while running");
    check_status(kr_server_free(s), KR_OK, "slow: kr_server_free");
    check(__atomic_load_n(&g_exits, __ATOMIC_SEQ_CST) == 4, "the stop ended the warm thread with the callback");
    check(__atomic_load_n(&g_exit_freed, __ATOMIC_SEQ_CST) == 1, "the thread-exit user_data was freed once");
}

/* ------------------------------------------------------------------------------------------ */

/* SQL session stores: configuration errors (never showing the password), and sessions in a SQLite file
 * that outlive the server. The PostgreSQL store against a live server is tested by the Rust suite. */
static void test_sql_stores(void) {
    KrServer *s = NULL;
    size_t index = 0;
    uint16_t port = 0;
    check_status(kr_server_new("capi-pg", &s), KR_OK, "sql: kr_server_new");
    check_status(kr_server_use_postgres_session_store(s, "Host=h;Username=u;Password=topsecret;SSL Mode=Require", NULL, NULL,
                                                      true, 0),
                 KR_INVALID_ARGUMENT, "PostgreSQL: SSL Mode=Require (no TLS connector)");
    check(strstr(last_error(), "SSL Mode") != NULL && strstr(last_error(), "topsecret") == NULL,
          "the error names SSL Mode, never the password (%s)", last_error());
    check_status(kr_server_use_postgres_session_store(s, "Host=h;Username=u", "public", "x;drop", true, 0),
                 KR_INVALID_ARGUMENT, "PostgreSQL: a table name that is not an identifier");
    check_status(kr_server_use_postgres_session_store(s, NULL, NULL, NULL, true, 0), KR_NULL_ARGUMENT,
                 "PostgreSQL: connection NULL");
    check_status(kr_server_use_postgres_session_store(s, "postgres://u:pw@127.0.0.1:1/db", NULL, NULL, true, 60), KR_OK,
                 "PostgreSQL store (no connection made yet)");
    check_status(kr_server_use_sqlite_session_store(s, "/tmp/x.db", NULL, 0), KR_INVALID_STATE, "a second store");
    check_status(kr_server_free(s), KR_OK, "sql: kr_server_free pg");

    char file[400];
    snprintf(file, sizeof file, "%s/sessions.db", g_tmp);
    static RouteData rd_lite = {"lite", 0};
    char url[128], u[256];
    size_t len = 0;
    for (int run = 1; run <= 2; run++) {
        check_status(kr_server_new("capi-lite", &s), KR_OK, "sqlite: kr_server_new");
        check_status(kr_server_use_sqlite_session_store(s, "/nonexistent-dir/x/s.db", NULL, 0), KR_IO_ERROR,
                     "SQLite: a file that cannot be opened");
        check_status(kr_server_use_sqlite_session_store(s, file, "Sessions", 0), KR_OK, "SQLite store");
        check_status(kr_server_add_endpoint_http(s, "127.0.0.1", 0, &index), KR_OK, "sqlite: HTTP endpoint");
        KrSessionOptions o;
        kr_session_options_default(&o);
        check_status(kr_server_configure_session(s, &o), KR_OK, "sqlite: sessions");
        check_status(kr_server_add_route(s, "GET", "/counter", counter_cb, &rd_lite, NULL), KR_OK, "sqlite: route");
        check_status(kr_server_start(s), KR_OK, "sqlite: start");
        check_status(kr_server_endpoint_url(s, 0, url, sizeof url, &len), KR_OK, "sqlite: url");
        snprintf(u, sizeof u, "%s/counter", url);
        for (int i = 1; i <= 2; i++) {
            Resp *r = http("GET", u, "lite-jar", NULL, NULL);
            char expect[64];
            snprintf(expect, sizeof expect, "{\"counter\":%d}", (run - 1) * 2 + i);
            check(r->status == 200 && strcmp(r->body, expect) == 0, "SQLite run %d: GET /counter -> %s (got %d %s)", run,
                  expect, r->status, r->body);
        }
        check_status(kr_server_free(s), KR_OK, "sqlite: kr_server_free (the sessions stay in the file)");
    }
    (void)port;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(g_tmp, sizeof g_tmp, "/tmp/kr-capi-c-XXXXXX");
    if (!mkdtemp(g_tmp)) { perror("mkdtemp"); return 2; }

    char buf[256];
    size_t len = 0;
    const char *bad = "bad\xff\xfe";

    /* Library, errors, logging. */
    check_status(kr_version(buf, sizeof buf, &len), KR_OK, "kr_version");
    check(len > 0 && strlen(buf) == len, "version \"%s\" has length %zu", buf, len);
    check_status(kr_version(NULL, 0, &len), KR_BUFFER_TOO_SMALL, "kr_version length query");
    check_status(kr_version(buf, sizeof buf, NULL), KR_NULL_ARGUMENT, "kr_version out_len NULL");
    /* Status names: static strings owned by the library (never freed); NULL for a non-status. */
    check(kr_status_name(KR_OK) && strcmp(kr_status_name(KR_OK), "KR_OK") == 0, "kr_status_name(KR_OK)");
    check(kr_status_name(KR_NO_SESSION) && strcmp(kr_status_name(KR_NO_SESSION), "KR_NO_SESSION") == 0,
          "kr_status_name(KR_NO_SESSION)");
    check(kr_status_name(KR_INTERNAL) == kr_status_name(KR_INTERNAL), "kr_status_name: one static string");
    check(kr_status_name((KrStatus)42) == NULL && kr_status_name((KrStatus)-1) == NULL,
          "kr_status_name of a non-status is NULL");
    char log_path[300];
    snprintf(log_path, sizeof log_path, "%s/logs/test.log", g_tmp);
    check_status(kr_log_add_file_sink(log_path), KR_OK, "kr_log_add_file_sink (creates directories)");
    check_status(kr_log_set_level(KR_LOG_LEVEL_DEBUG), KR_OK, "kr_log_set_level DEBUG");
    check_status(kr_log_set_level(6), KR_INVALID_ARGUMENT, "kr_log_set_level 6");
    check_status(kr_log_write(KR_LOG_LEVEL_INFORMATION, "hello from C"), KR_OK, "kr_log_write");
    check_status(kr_log_write(KR_LOG_LEVEL_INFORMATION, NULL), KR_NULL_ARGUMENT, "kr_log_write NULL");
    check_status(kr_log_write(KR_LOG_LEVEL_INFORMATION, bad), KR_INVALID_UTF8, "kr_log_write invalid UTF-8");
    check_status(kr_log_add_file_sink("/proc/kr-no/such.log"), KR_IO_ERROR, "kr_log_add_file_sink unwritable path");
    /* Output templates (Serilog's tokens), rolling files, the timestamps' offset. */
    check_status(kr_log_check_template("[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}"), KR_OK,
                 "kr_log_check_template (Kestrun's console template)");
    check_status(kr_log_check_template("{Level} {Bogus}"), KR_INVALID_ARGUMENT, "kr_log_check_template unknown token");
    check(strstr(last_error(), "{Bogus}") != NULL, "the last error names the unknown token (%s)", last_error());
    check_status(kr_log_check_template(NULL), KR_NULL_ARGUMENT, "kr_log_check_template NULL");
    check_status(kr_log_add_console_sink_template("{Message", KR_LOG_LEVEL_VERBOSE), KR_INVALID_ARGUMENT,
                 "kr_log_add_console_sink_template with an unclosed brace");
    check_status(kr_log_add_console_sink_template(NULL, 7), KR_INVALID_ARGUMENT, "kr_log_add_console_sink_template level 7");
    check_status(kr_log_set_utc_offset(3600), KR_OK, "kr_log_set_utc_offset +01:00");
    check_status(kr_log_set_utc_offset(26 * 3600), KR_INVALID_ARGUMENT, "kr_log_set_utc_offset out of range");
    char roll_dir[300], roll_pattern[320];
    snprintf(roll_dir, sizeof roll_dir, "%s/rolled", g_tmp);
    snprintf(roll_pattern, sizeof roll_pattern, "%s/log-.txt", roll_dir);
    check_status(kr_log_add_file_sink_ex(roll_pattern, NULL, KR_ROLLING_INTERVAL_MONTH, 0, KR_LOG_LEVEL_VERBOSE),
                 KR_INVALID_ARGUMENT, "kr_log_add_file_sink_ex: Month rolling is not supported");
    check_status(kr_log_add_file_sink_ex(roll_pattern, NULL, KR_ROLLING_INTERVAL_DAY, -1, KR_LOG_LEVEL_VERBOSE),
                 KR_INVALID_ARGUMENT, "kr_log_add_file_sink_ex: negative retained count");
    check_status(kr_log_add_file_sink_ex(roll_pattern, "{Timestamp:zzz} {Level:w3} {Message}{NewLine}",
                                         KR_ROLLING_INTERVAL_DAY, 7, KR_LOG_LEVEL_WARNING),
                 KR_OK, "kr_log_add_file_sink_ex: Day rolling, template, Warning and up");
    kr_log_write(KR_LOG_LEVEL_WARNING, "rolled warning");
    kr_log_write(KR_LOG_LEVEL_INFORMATION, "rolled info");
    char rolled[600] = "";
    DIR *d = opendir(roll_dir);
    int rolled_files = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        rolled_files++;
        snprintf(rolled, sizeof rolled, "%s/%s", roll_dir, e->d_name);
    }
    if (d) closedir(d);
    const char *name = strrchr(rolled, '/');
    check(rolled_files == 1 && name && strlen(name) == strlen("/log.2026-11-29.txt") && strncmp(name, "/log.", 5) == 0 &&
              strcmp(name + strlen(name) - 4, ".txt") == 0,
          "one rolled file named log.YYYY-MM-DD.txt (%s)", rolled);
    check(count_lines(rolled, "+01:00 wrn rolled warning\n") == 1, "the rolled file has the templated warning");
    check(count_lines(rolled, "rolled info") == 0, "the sink restricted to Warning skips Information");
    /* Reading the last error does not change it. */
    char before[256], tiny[2];
    kr_last_error_message(before, sizeof before, &len);
    check_status(kr_last_error_message(tiny, sizeof tiny, &len), KR_BUFFER_TOO_SMALL, "kr_last_error_message into 2 bytes");
    check(strcmp(last_error(), before) == 0, "kr_last_error_message leaves the last error unchanged");

    /* HTTPS server with sessions. */
    KrServer *server = NULL;
    check_status(kr_server_new(NULL, &server), KR_NULL_ARGUMENT, "kr_server_new name NULL");
    check_status(kr_server_new(bad, &server), KR_INVALID_UTF8, "kr_server_new invalid UTF-8");
    check_status(kr_server_new("x", NULL), KR_NULL_ARGUMENT, "kr_server_new out NULL");
    check_status(kr_server_new("capi-https", &g_https), KR_OK, "kr_server_new");
    size_t index = 99;
    check_status(kr_server_add_endpoint_https_self_signed(g_https, "127.0.0.1", 0, &index), KR_OK,
                 "kr_server_add_endpoint_https_self_signed 127.0.0.1:0");
    check(index == 0, "first endpoint index is 0");
    check_status(kr_server_add_endpoint_http(g_https, "not an address", 0, &index), KR_INVALID_ARGUMENT,
                 "kr_server_add_endpoint_http bad address");
    KrStatus pem = kr_server_add_endpoint_https_pem(g_https, "127.0.0.1", 0, "/nonexistent/cert.pem",
                                                    "/nonexistent/key.pem", &index);
    check((pem == KR_TLS_ERROR || pem == KR_IO_ERROR) && last_error()[0] != 0,
          "kr_server_add_endpoint_https_pem missing files -> KR_TLS_ERROR or KR_IO_ERROR at this call (got %d: %s)",
          pem, last_error());
    check_status(kr_server_add_endpoint_https_pem(g_https, "127.0.0.1", 0, NULL, "/k.pem", &index), KR_NULL_ARGUMENT,
                 "kr_server_add_endpoint_https_pem cert_path NULL");
    check_status(kr_server_set_callback_threads(g_https, 0), KR_INVALID_ARGUMENT, "kr_server_set_callback_threads 0");
    check_status(kr_server_set_callback_threads(g_https, 4), KR_OK, "kr_server_set_callback_threads 4");
    check_status(kr_server_set_worker_threads(g_https, 0), KR_INVALID_ARGUMENT, "kr_server_set_worker_threads 0");
    check_status(kr_server_set_worker_threads(g_https, 65), KR_INVALID_ARGUMENT, "kr_server_set_worker_threads 65");
    check_status(kr_server_set_worker_threads(g_https, 2), KR_OK, "kr_server_set_worker_threads 2");
    check_status(kr_server_set_callback_wait_ms(g_https, 10000), KR_OK, "kr_server_set_callback_wait_ms");
    check_status(kr_server_set_shutdown_timeout_ms(g_https, 3000), KR_OK, "kr_server_set_shutdown_timeout_ms");
    check_status(kr_server_set_max_body_bytes(g_https, 1024), KR_OK, "kr_server_set_max_body_bytes 1024");
    /* HTTP options: protocols of endpoint 0, TLS handshakes, request header limits. */
    int32_t protocols = 0;
    check_status(kr_server_endpoint_protocols(g_https, 0, &protocols), KR_OK, "kr_server_endpoint_protocols");
    check(protocols == KR_HTTP_PROTOCOLS_HTTP1_AND_HTTP2, "endpoints serve HTTP/1.1 and HTTP/2 by default (got %d)", protocols);
    check_status(kr_server_set_endpoint_protocols(g_https, 0, 7), KR_INVALID_ARGUMENT, "kr_server_set_endpoint_protocols 7");
    check_status(kr_server_set_endpoint_protocols(g_https, 9, KR_HTTP_PROTOCOLS_HTTP1), KR_INVALID_ARGUMENT,
                 "kr_server_set_endpoint_protocols index 9");
    check_status(kr_server_set_endpoint_protocols(g_https, 0, KR_HTTP_PROTOCOLS_HTTP1_AND_HTTP2), KR_OK,
                 "kr_server_set_endpoint_protocols HTTP1_AND_HTTP2");
    check_status(kr_server_endpoint_protocols(g_https, 0, NULL), KR_NULL_ARGUMENT, "kr_server_endpoint_protocols out NULL");
    check_status(kr_server_set_tls_handshake_timeout_ms(g_https, 0), KR_INVALID_ARGUMENT, "kr_server_set_tls_handshake_timeout_ms 0");
    check_status(kr_server_set_tls_handshake_timeout_ms(g_https, 10000), KR_OK, "kr_server_set_tls_handshake_timeout_ms 10000");
    check_status(kr_server_set_max_concurrent_tls_handshakes(g_https, 0), KR_INVALID_ARGUMENT,
                 "kr_server_set_max_concurrent_tls_handshakes 0");
    check_status(kr_server_set_max_concurrent_tls_handshakes(g_https, 64), KR_OK, "kr_server_set_max_concurrent_tls_handshakes 64");
    check_status(kr_server_set_request_header_limits(g_https, 97, 0), KR_INVALID_ARGUMENT, "kr_server_set_request_header_limits 97");
    check_status(kr_server_set_request_header_limits(g_https, 0, 0), KR_OK, "kr_server_set_request_header_limits 0, 0 (keep both)");

    KrSessionOptions opts;
    check_status(kr_session_options_default(&opts), KR_OK, "kr_session_options_default");
    check(opts.http_only && opts.same_site == KR_SAME_SITE_LAX && opts.idle_timeout_seconds == 1200 &&
              opts.cookie_max_age_seconds == -1 && opts.max_sessions == 1000000,
          "session option defaults");
    check_status(kr_server_configure_session(g_https, NULL), KR_NULL_ARGUMENT, "kr_server_configure_session NULL");
    opts.same_site = 42;
    check_status(kr_server_configure_session(g_https, &opts), KR_INVALID_ARGUMENT, "kr_server_configure_session same_site 42");
    opts.same_site = KR_SAME_SITE_LAX;
    check(opts.cookie_key == NULL && opts.cookie_key_len == 0, "cookie_key defaults to NULL (the store's key ring, else a random key)");
    check(opts.key_lifetime_seconds == 90ull * 24 * 3600, "a ring key seals for 90 days by default");
    opts.key_lifetime_seconds = 0;
    check_status(kr_server_configure_session(g_https, &opts), KR_INVALID_ARGUMENT, "kr_server_configure_session key lifetime 0");
    opts.key_lifetime_seconds = 90ull * 24 * 3600;
    static const uint8_t short_key[15] = {1};
    opts.cookie_key = short_key;
    opts.cookie_key_len = sizeof short_key;
    check_status(kr_server_configure_session(g_https, &opts), KR_INVALID_ARGUMENT, "kr_server_configure_session 15-byte cookie_key");
    opts.cookie_key = NULL;
    opts.cookie_key_len = 0;
    opts.cookie_name = ".CApi.Session";
    check_status(kr_server_configure_session(g_https, &opts), KR_OK, "kr_server_configure_session");
    check_status(kr_server_use_redis_session_store(g_https, "127.0.0.1:6379", "", 0, 0), KR_INVALID_STATE,
                 "Redis store after kr_server_configure_session");

    /* The Redis store: validated at configuration, never connects then (nothing listens on port 1). */
    KrServer *farm = NULL;
    check_status(kr_server_new("c-redis", &farm), KR_OK, "kr_server_new c-redis");
    check_status(kr_server_use_redis_session_store(farm, "http://h:1", "", 0, 0), KR_INVALID_ARGUMENT, "Redis: http:// scheme");
    check_status(kr_server_use_redis_session_store(farm, "h:1,nonsense=1", "", 0, 0), KR_INVALID_ARGUMENT, "Redis: unknown option");
    check_status(kr_server_use_redis_session_store(farm, "h:1", NULL, 0, 0), KR_NULL_ARGUMENT, "Redis: key_prefix NULL");
    check_status(kr_server_use_redis_session_store(farm, "127.0.0.1:1,password=pw,ssl=false,defaultDatabase=3", "c:", 200, 200),
                 KR_OK, "Redis: StackExchange-style string");
    check_status(kr_server_use_redis_session_store(farm, "redis://127.0.0.1:1/0", "c:", 0, 0), KR_INVALID_STATE, "Redis: second store");
    static const uint8_t farm_key[] = "a shared secret for the whole farm";
    KrSessionOptions farm_opts;
    kr_session_options_default(&farm_opts);
    farm_opts.cookie_key = farm_key;
    farm_opts.cookie_key_len = sizeof farm_key - 1;
    check_status(kr_server_configure_session(farm, &farm_opts), KR_OK, "sessions on the Redis store with a cookie_key");
    check_status(kr_server_free(farm), KR_OK, "kr_server_free c-redis");

    check_status(kr_server_add_route(g_https, "GET", "/counter", counter_cb, &rd_counter, free_route), KR_OK, "route GET /counter");
    check_status(kr_server_add_route(g_https, "get,post", "/echo", echo_cb, &rd_echo, free_route), KR_OK, "route GET,POST /echo");
    check_status(kr_server_add_route(g_https, "GET", "/items/{id}", items_cb, &rd_items, free_route), KR_OK, "route /items/{id}");
    check_status(kr_server_add_route(g_https, "*", "/fail", fail_cb, &rd_fail, free_route), KR_OK, "route * /fail");
    check_status(kr_server_add_route(g_https, "POST", "/misuse", misuse_cb, &rd_misuse, free_route), KR_OK, "route POST /misuse");
    check_status(kr_server_add_route(g_https, "GET", "/clear", clear_cb, &rd_clear, free_route), KR_OK, "route GET /clear");
    static RouteData rd_renew = {"renew", 0};
    check_status(kr_server_add_route(g_https, "GET", "/renew", renew_cb, &rd_renew, free_route), KR_OK, "route GET /renew");
    static RouteData rd_dup = {"dup", 0};
    check_status(kr_server_add_route(g_https, "get", "/counter", counter_cb, &rd_dup, free_route), KR_INVALID_ARGUMENT,
                 "duplicate route GET /counter");
    check_status(kr_server_add_route(g_https, "GET", "/x", NULL, &rd_dup, free_route), KR_NULL_ARGUMENT, "route with NULL callback");
    check_status(kr_server_add_route(g_https, "GET", NULL, counter_cb, &rd_dup, free_route), KR_NULL_ARGUMENT, "route with NULL pattern");
    check_status(kr_server_add_route(g_https, bad, "/x", counter_cb, &rd_dup, free_route), KR_INVALID_UTF8, "route with invalid UTF-8 verbs");

    bool running = true;
    check_status(kr_server_is_running(g_https, &running), KR_OK, "kr_server_is_running");
    check(!running, "not running before start");
    struct sigaction before_start;
    sigaction(SIGPIPE, NULL, &before_start);
    check(before_start.sa_handler == SIG_DFL, "SIGPIPE is at its default before the first start (a C host's usual state)");
    check_status(kr_server_start(g_https), KR_OK, "kr_server_start HTTPS");
    struct sigaction after_start;
    sigaction(SIGPIPE, NULL, &after_start);
    check(after_start.sa_handler == SIG_IGN,
          "the first start ignores SIGPIPE, so a client closing its connection cannot end the host");
    check_status(kr_server_start(g_https), KR_INVALID_STATE, "kr_server_start twice");
    check_status(kr_server_set_worker_threads(g_https, 3), KR_INVALID_STATE, "kr_server_set_worker_threads while running");
    check_status(kr_server_add_endpoint_http(g_https, "127.0.0.1", 0, &index), KR_INVALID_STATE,
                 "kr_server_add_endpoint_http on a running server");
    check_status(kr_server_add_route(g_https, "GET", "/late", counter_cb, &rd_dup, free_route), KR_INVALID_STATE,
                 "kr_server_add_route on a running server");
    kr_server_is_running(g_https, &running);
    check(running, "running after start");
    size_t endpoints = 0;
    check_status(kr_server_endpoint_count(g_https, &endpoints), KR_OK, "kr_server_endpoint_count");
    check(endpoints == 1, "one endpoint (got %zu)", endpoints);
    uint16_t port = 0;
    check_status(kr_server_endpoint_port(g_https, 0, &port), KR_OK, "kr_server_endpoint_port");
    check(port != 0, "bound port is not 0 (got %u)", port);
    check_status(kr_server_endpoint_port(g_https, 5, &port), KR_INVALID_ARGUMENT, "kr_server_endpoint_port index 5");
    char url[128], small_url[8];
    check_status(kr_server_endpoint_url(g_https, 0, small_url, sizeof small_url, &len), KR_BUFFER_TOO_SMALL,
                 "kr_server_endpoint_url into 8 bytes");
    check_status(kr_server_endpoint_url(g_https, 0, url, sizeof url, &len), KR_OK, "kr_server_endpoint_url");
    char expected_url[64];
    snprintf(expected_url, sizeof expected_url, "https://127.0.0.1:%u", port);
    check(strcmp(url, expected_url) == 0 && len == strlen(url), "url is %s (got %s)", expected_url, url);

    /* Sessions: counter 1, 2, 3, then 1 with a fresh jar. */
    char u[512];
    snprintf(u, sizeof u, "%s/counter", url);
    for (int i = 1; i <= 3; i++) {
        Resp *r = http("GET", u, "jar1", NULL, NULL);
        char expect[64];
        snprintf(expect, sizeof expect, "{\"counter\":%d}", i);
        check(r->status == 200 && strcmp(r->body, expect) == 0, "GET /counter #%d -> 200 %s (got %d %s)", i, expect,
              r->status, r->body);
        if (i == 1) {
            check(has_header(r, "content-type: application/json; charset=utf-8"), "counter reply is JSON with charset");
            check(has_header(r, "set-cookie: .CApi.Session="), "session cookie uses the configured name");
            check(has_header(r, "cache-control: no-cache,no-store") && has_header(r, "pragma: no-cache") &&
                      has_header(r, "expires: -1"),
                  "the response that establishes a session is not cacheable");
        } else {
            check(!has_header(r, "set-cookie:"), "GET /counter #%d: an update of the session sends no cookie", i);
        }
    }
    Resp *r = http("GET", u, "jar2", NULL, NULL);
    check(r->status == 200 && strcmp(r->body, "{\"counter\":1}") == 0, "fresh jar starts at 1 (got %d %s)", r->status, r->body);

    /* Failure: 500 JSON, session change discarded, server still works. */
    snprintf(u, sizeof u, "%s/fail", url);
    r = http("GET", u, "jar1", NULL, NULL);
    check(r->status == 500, "GET /fail -> 500 (got %d)", r->status);
    check(has_header(r, "content-type: application/json") && strstr(r->body, "\"status\":500") != NULL,
          "500 body is JSON with status (got %s)", r->body);
    snprintf(u, sizeof u, "%s/counter", url);
    r = http("GET", u, "jar1", NULL, NULL);
    check(r->status == 200 && strcmp(r->body, "{\"counter\":4}") == 0,
          "after /fail the counter continues at 4 (failed route's session change discarded) (got %d %s)", r->status, r->body);

    /* A new id at login: the data stays with the client, the old cookie reaches nothing. */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cp %s/jar1 %s/jar1-before-login", g_tmp, g_tmp);
    check(system(cmd) == 0, "copy the cookie jar");
    snprintf(u, sizeof u, "%s/renew", url);
    r = http("GET", u, "jar1", NULL, NULL);
    check(r->status == 200 && strcmp(r->body, "renewed=0") == 0, "GET /renew -> renewed=0 (got %d %s)", r->status, r->body);
    check(has_header(r, "set-cookie: .CApi.Session=") && has_header(r, "cache-control: no-cache,no-store"),
          "the renewed id goes out in a new, not cacheable cookie");
    snprintf(u, sizeof u, "%s/counter", url);
    r = http("GET", u, "jar1", NULL, NULL);
    check(r->status == 200 && strcmp(r->body, "{\"counter\":5}") == 0, "the data kept its value under the new id (got %s)",
          r->body);
    r = http("GET", u, "jar1-before-login", NULL, NULL);
    check(r->status == 200 && strcmp(r->body, "{\"counter\":1}") == 0,
          "the cookie from before the new id reaches nothing: a fresh session (got %s)", r->body);

    /* HTTP/2 through ALPN, HTTP/1.1 kept; paths match case-insensitively, with or without a trailing slash. */
    snprintf(u, sizeof u, "%s/ITEMS/Ab/", url);
    r = http("GET", u, NULL, NULL, "--http2");
    check(r->status == 200 && strncmp(r->headers, "HTTP/2 200", 10) == 0 && strncmp(r->body, "id=Ab ", 6) == 0,
          "GET /ITEMS/Ab/ over HTTP/2 -> 200 id=Ab (got %d %.20s %s)", r->status, r->headers, r->body);
    r = http("GET", u, NULL, NULL, "--http1.1");
    check(r->status == 200 && strncmp(r->headers, "HTTP/1.1 200", 12) == 0, "GET /ITEMS/Ab/ over HTTP/1.1 -> 200 (got %d %.20s)",
          r->status, r->headers);
    check_status(kr_server_set_endpoint_protocols(g_https, 0, KR_HTTP_PROTOCOLS_HTTP1), KR_INVALID_STATE,
                 "kr_server_set_endpoint_protocols while running");

    /* 404 / 405 / 413. */
    snprintf(u, sizeof u, "%s/nope", url);
    r = http("GET", u, NULL, NULL, NULL);
    check(r->status == 404 && strstr(r->body, "\"status\":404") != NULL, "GET /nope -> 404 JSON (got %d %s)", r->status, r->body);
    snprintf(u, sizeof u, "%s/counter", url);
    r = http("DELETE", u, NULL, NULL, NULL);
    check(r->status == 405 && strstr(r->body, "\"status\":405") != NULL, "DELETE /counter -> 405 JSON (got %d %s)", r->status, r->body);
    check(has_header(r, "allow: "), "405 has an Allow header");
    snprintf(u, sizeof u, "%s/echo", url);
    {
        char big[2100];
        memset(big, 'a', sizeof big - 1);
        big[sizeof big - 1] = 0;
        r = http("POST", u, NULL, big, NULL);
        check(r->status == 413, "POST /echo with 2 KiB body over the 1 KiB limit -> 413 (got %d)", r->status);
    }

    /* Echo: query (decoded, repeated), header, cookie, body, method, scheme, response header/cookie. */
    snprintf(u, sizeof u, "%s/echo?q=hello%%20world&q=two&x=%%C3%%A9", url);
    r = http("POST", u, NULL, "the body", "-H 'X-Test: abc' -H 'Cookie: c=cookieval'");
    check(r->status == 200, "POST /echo -> 200 (got %d)", r->status);
    check(strstr(r->body, "method=POST\n") != NULL, "echo method");
    check(strstr(r->body, "path=/echo\n") != NULL, "echo path");
    check(strstr(r->body, "qs=q=hello%20world&q=two&x=%C3%A9\n") != NULL, "echo raw query string");
    check(strstr(r->body, "scheme=https\n") != NULL, "echo scheme");
    check(strstr(r->body, "host=127.0.0.1") != NULL, "echo host");
    check(strstr(r->body, "remote=127.0.0.1:") != NULL, "echo remote address");
    check(strstr(r->body, "qcount=2\nq0=hello world\nq1=two\n") != NULL, "echo repeated, decoded query values");
    check(strstr(r->body, "header=abc\n") != NULL, "echo header (case-insensitive)");
    check(strstr(r->body, "cookie=cookieval\n") != NULL, "echo cookie");
    check(strstr(r->body, "body=the body\n") != NULL, "echo body");
    check(has_header(r, "x-echo: yes"), "response header added");
    check(has_header(r, "set-cookie: echoed=1") && has_header(r, "samesite=strict"), "response cookie added");
    check(has_header(r, "content-type: text/plain; charset=utf-8"), "text/plain gets charset=utf-8");
    if (g_failed) printf("# echo body:\n%s\n", r->body);
    snprintf(u, sizeof u, "%s/items/42", url);
    r = http("GET", u, NULL, NULL, NULL);
    char expect_items[64];
    snprintf(expect_items, sizeof expect_items, "id=42 missing=%d", KR_NOT_FOUND);
    check(r->status == 200 && strcmp(r->body, expect_items) == 0, "route param id=42 (got %d %s)", r->status, r->body);

    /* Misuse inside a callback, then the stale request handle. */
    snprintf(u, sizeof u, "%s/misuse", url);
    r = http("POST", u, "jar3", "xyz", NULL);
    check(r->status == 200 && strcmp(r->body, "misuse done") == 0, "POST /misuse -> 200 (got %d %s)", r->status, r->body);
    KrRequest *saved = __atomic_load_n(&g_saved_request, __ATOMIC_SEQ_CST);
    check(saved != NULL, "the callback saved its request handle");
    check_status(kr_request_path(saved, buf, sizeof buf, &len), KR_INVALID_HANDLE, "stale request handle: kr_request_path");
    check_status(kr_response_set_status(saved, 200), KR_INVALID_HANDLE, "stale request handle: kr_response_set_status");
    check_status(kr_session_set_int32(saved, "k", 1), KR_INVALID_HANDLE, "stale request handle: kr_session_set_int32");
    check_status(kr_server_start((KrServer *)saved), KR_INVALID_HANDLE, "request handle used as a server handle");
    snprintf(u, sizeof u, "%s/clear", url);
    r = http("GET", u, "jar3", NULL, NULL);
    check(r->status == 200 && strcmp(r->body, "cleared=0 keys=0") == 0, "GET /clear empties the session (got %s)", r->body);

    /* A plain HTTP server without sessions; bind conflict; stop / restart. */
    check_status(kr_server_new("capi-http", &g_http), KR_OK, "kr_server_new second server");
    check_status(kr_server_add_endpoint_http(g_http, "127.0.0.1", 0, &index), KR_OK, "kr_server_add_endpoint_http");
    check_status(kr_server_add_route(g_http, "GET", "/nosess", nosess_cb, &rd_nosess, free_route), KR_OK, "route GET /nosess");
    check_status(kr_server_start(g_http), KR_OK, "kr_server_start HTTP");
    char http_url[128];
    kr_server_endpoint_url(g_http, 0, http_url, sizeof http_url, &len);
    check(strncmp(http_url, "http://127.0.0.1:", 17) == 0, "http url %s", http_url);
    snprintf(u, sizeof u, "%s/nosess", http_url);
    r = http("GET", u, NULL, NULL, NULL);
    check(r->status == 200 && strcmp(r->body, "http") == 0, "GET /nosess over HTTP (got %d %s)", r->status, r->body);

    KrServer *clash = NULL;
    kr_server_new("clash", &clash);
    kr_server_add_endpoint_http(clash, "127.0.0.1", port, &index);
    KrStatus st = kr_server_start(clash);
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%u", port);
    check(st == KR_BIND_FAILED && strstr(last_error(), portstr) != NULL,
          "binding a port in use -> KR_BIND_FAILED naming the port (got %d: %s)", st, last_error());
    check_status(kr_server_free(clash), KR_OK, "kr_server_free never-started server");

    check_status(kr_server_stop(g_http, 5000), KR_OK, "kr_server_stop");
    check_status(kr_server_stop(g_http, 5000), KR_OK, "kr_server_stop when stopped");
    kr_server_is_running(g_http, &running);
    check(!running, "not running after stop");
    check_status(kr_server_start(g_http), KR_OK, "restart after stop");
    kr_server_endpoint_url(g_http, 0, http_url, sizeof http_url, &len);
    snprintf(u, sizeof u, "%s/nosess", http_url);
    r = http("GET", u, NULL, NULL, NULL);
    check(r->status == 200, "GET /nosess after restart (got %d)", r->status);

    /* Logging went to the file. */
    check(count_lines(log_path, "[INF] hello from C") == 1, "log file has the kr_log_write line");
    check(count_lines(log_path, "+01:00 [WRN] rolled warning") == 1, "default file format: yyyy-MM-dd HH:mm:ss.fff zzz [LVL]");
    check(count_lines(log_path, "GET /counter 200") >= 4, "log file has request lines at Debug");
    check_status(kr_log_clear_sinks(), KR_OK, "kr_log_clear_sinks");
    kr_log_write(KR_LOG_LEVEL_ERROR, "after clear");
    check(count_lines(log_path, "after clear") == 0, "nothing written after kr_log_clear_sinks");

    /* Free: finalizers exactly once; freed / double / random handles. */
    check(rd_counter.freed == 0, "no finalizer before kr_server_free");
    check_status(kr_server_free(g_https), KR_OK, "kr_server_free HTTPS (running)");
    check(rd_counter.freed == 1 && rd_echo.freed == 1 && rd_items.freed == 1 && rd_fail.freed == 1 &&
              rd_misuse.freed == 1 && rd_clear.freed == 1,
          "every route's finalizer ran exactly once");
    check(rd_dup.freed == 0, "rejected routes' finalizers never ran (caller keeps user_data)");
    check(rd_nosess.freed == 0, "the other server's finalizer has not run");
    check_status(kr_server_free(g_https), KR_INVALID_HANDLE, "double kr_server_free");
    check_status(kr_server_start(g_https), KR_INVALID_HANDLE, "kr_server_start on a freed server");
    check_status(kr_server_endpoint_port(g_https, 0, &port), KR_INVALID_HANDLE, "kr_server_endpoint_port on a freed server");
    check_status(kr_server_free(NULL), KR_INVALID_HANDLE, "kr_server_free NULL");
    check_status(kr_server_free((KrServer *)(uintptr_t)0xdeadbeef), KR_INVALID_HANDLE, "kr_server_free random handle");
    check_status(kr_server_start((KrServer *)(uintptr_t)0x5300000100000007ULL), KR_INVALID_HANDLE,
                 "kr_server_start forged server-kind handle");
    check_status(kr_server_free(g_http), KR_OK, "kr_server_free HTTP");
    check(rd_nosess.freed == 1, "HTTP server's finalizer ran exactly once");
    check(rd_counter.freed == 1, "earlier finalizers not run again");

    test_slow_routes();
    test_sql_stores();

    /* Clean up the temp directory. */
    char cleanup[400];
    snprintf(cleanup, sizeof cleanup, "rm -rf '%s'", g_tmp);
    if (system(cleanup) != 0) fprintf(stderr, "could not remove %s\n", g_tmp);

    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
