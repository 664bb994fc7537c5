/*
 * bench_server: the Kestrun.Rust benchmark server, written against the C API only
 * (ffi/include/kestrun_rust.h, linked to target/release/libkestrun_rust.so through an rpath).
 * Each route is a C function called back by the library through a function pointer.
 *
 *   bench_server [--https] [--callback-threads N] [--max-sessions N] [--log]
 *                [--redis CONNECTION --redis-prefix PREFIX --secret SECRET]
 *                [--postgres CONNECTION] [--sqlite FILE]
 *
 * With --redis, sessions live in Redis under PREFIX (servers given the same SECRET read each other's
 * cookies, so several bench servers can share one session). With --postgres (the table
 * public.Sessions, created when missing) or --sqlite, in that SQL store.
 *
 * Endpoints: HTTP on 127.0.0.1, port 0 (a free port); with --https also HTTPS (self-signed
 * certificate generated in memory) on 127.0.0.1, port 0. Once started it prints, on stdout:
 *   http <port>
 *   https <port>      (with --https)
 *   ready
 * and runs until SIGTERM or SIGINT, then kr_server_stop + kr_server_free and exit status 0.
 *
 * Routes (GET):
 *   /hello            text/plain "Hello, World!" (no session access)
 *   /session/counter  reads the session int32 "counter", stores counter + 1 and answers
 *                     {"message":"Counter incremented","counter":N} -- the 19.1 tutorial's route
 *   /stats            {"hello":H,"counter":C,"new_sessions":S}: requests served by the routes above and
 *                     the number of counter requests that found no counter (each created a session)
 * Sessions: in-memory store, cookie "Kr.Session", HttpOnly, SameSite=Lax, secure policy NONE (the
 * benchmark runs over plain HTTP too), idle timeout 20 minutes.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kestrun_rust.h"

static atomic_ullong g_hello;
static atomic_ullong g_counter;
static atomic_ullong g_new_sessions;

static void fail(const char *what, KrStatus status)
{
    char message[1024];
    size_t len = 0;
    if (kr_last_error_message(message, sizeof message, &len) != KR_OK) {
        message[0] = '\0';
    }
    fprintf(stderr, "bench_server: %s failed with status %d: %s\n", what, (int)status, message);
    exit(1);
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        KrStatus status_ = (call);                                                                 \
        if (status_ != KR_OK) {                                                                    \
            fail(#call, status_);                                                                  \
        }                                                                                          \
    } while (0)

static const char HELLO[] = "Hello, World!";

static int32_t on_hello(KrRequest *request, void *user_data)
{
    (void)user_data;
    atomic_fetch_add_explicit(&g_hello, 1, memory_order_relaxed);
    return kr_response_write(request, 200, "text/plain", (const uint8_t *)HELLO, sizeof HELLO - 1) == KR_OK
               ? 0
               : 1;
}

static int32_t on_counter(KrRequest *request, void *user_data)
{
    (void)user_data;
    int32_t current = 0;
    KrStatus status = kr_session_get_int32(request, "counter", &current);
    if (status == KR_NOT_FOUND) {
        current = 0;
        atomic_fetch_add_explicit(&g_new_sessions, 1, memory_order_relaxed);
    } else if (status != KR_OK) {
        return 1;
    }
    int32_t next = current == INT32_MAX ? 1 : current + 1;
    if (kr_session_set_int32(request, "counter", next) != KR_OK) {
        return 1;
    }
    atomic_fetch_add_explicit(&g_counter, 1, memory_order_relaxed);
    char body[96];
    int len = snprintf(body, sizeof body, "{\"message\":\"Counter incremented\",\"counter\":%d}", (int)next);
    if (len < 0 || (size_t)len >= sizeof body) {
        return 1;
    }
    return kr_response_write(request, 200, "application/json", (const uint8_t *)body, (size_t)len) == KR_OK ? 0
                                                                                                          : 1;
}

static int32_t on_stats(KrRequest *request, void *user_data)
{
    (void)user_data;
    char body[160];
    int len = snprintf(body, sizeof body, "{\"hello\":%llu,\"counter\":%llu,\"new_sessions\":%llu}",
                       (unsigned long long)atomic_load(&g_hello), (unsigned long long)atomic_load(&g_counter),
                       (unsigned long long)atomic_load(&g_new_sessions));
    if (len < 0 || (size_t)len >= sizeof body) {
        return 1;
    }
    return kr_response_write(request, 200, "application/json", (const uint8_t *)body, (size_t)len) == KR_OK ? 0
                                                                                                          : 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_server [--https] [--callback-threads N] [--max-sessions N] [--log] "
                    "[--redis CONNECTION --redis-prefix PREFIX --secret SECRET] [--postgres CONNECTION] [--sqlite FILE]\n");
    exit(2);
}

static unsigned long long parse_number(const char *text)
{
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value == 0) {
        usage();
    }
    return value;
}

int main(int argc, char **argv)
{
    int https = 0;
    int log = 0;
    unsigned long long callback_threads = 0;
    unsigned long long max_sessions = 0;
    const char *redis = NULL, *redis_prefix = "", *secret = NULL, *postgres = NULL, *sqlite = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--https") == 0) {
            https = 1;
        } else if (strcmp(argv[i], "--log") == 0) {
            log = 1;
        } else if (strcmp(argv[i], "--callback-threads") == 0 && i + 1 < argc) {
            callback_threads = parse_number(argv[++i]);
        } else if (strcmp(argv[i], "--max-sessions") == 0 && i + 1 < argc) {
            max_sessions = parse_number(argv[++i]);
        } else if (strcmp(argv[i], "--redis") == 0 && i + 1 < argc) {
            redis = argv[++i];
        } else if (strcmp(argv[i], "--redis-prefix") == 0 && i + 1 < argc) {
            redis_prefix = argv[++i];
        } else if (strcmp(argv[i], "--secret") == 0 && i + 1 < argc) {
            secret = argv[++i];
        } else if (strcmp(argv[i], "--postgres") == 0 && i + 1 < argc) {
            postgres = argv[++i];
        } else if (strcmp(argv[i], "--sqlite") == 0 && i + 1 < argc) {
            sqlite = argv[++i];
        } else {
            usage();
        }
    }

    /* Block the stop signals before the library starts any thread: every thread inherits the mask,
     * and the main thread takes them synchronously with sigwait. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    int rc = pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    if (rc != 0) {
        fprintf(stderr, "bench_server: pthread_sigmask: %s\n", strerror(rc));
        return 1;
    }

    if (log) {
        CHECK(kr_log_add_console_sink());
        CHECK(kr_log_set_level(KR_LOG_LEVEL_INFORMATION));
    }

    KrServer *server = NULL;
    CHECK(kr_server_new("bench", &server));
    size_t http_index = 0, https_index = 0;
    CHECK(kr_server_add_endpoint_http(server, "127.0.0.1", 0, &http_index));
    if (https) {
        CHECK(kr_server_add_endpoint_https_self_signed(server, "127.0.0.1", 0, &https_index));
    }
    if (callback_threads > 0) {
        CHECK(kr_server_set_callback_threads(server, (uint32_t)callback_threads));
    }

    if (redis != NULL) {
        CHECK(kr_server_use_redis_session_store(server, redis, redis_prefix, 0, 0));
    }
    if (postgres != NULL) {
        CHECK(kr_server_use_postgres_session_store(server, postgres, NULL, NULL, true, 0));
    }
    if (sqlite != NULL) {
        CHECK(kr_server_use_sqlite_session_store(server, sqlite, NULL, 0));
    }
    KrSessionOptions options;
    CHECK(kr_session_options_default(&options));
    if (secret != NULL) {
        options.cookie_key = (const uint8_t *)secret;
        options.cookie_key_len = strlen(secret);
    }
    options.cookie_name = "Kr.Session";
    options.http_only = true;
    options.same_site = KR_SAME_SITE_LAX;
    options.secure_policy = KR_SECURE_POLICY_NONE;
    options.idle_timeout_seconds = 20 * 60;
    if (max_sessions > 0) {
        options.max_sessions = (uint64_t)max_sessions;
    }
    CHECK(kr_server_configure_session(server, &options));

    CHECK(kr_server_add_route(server, "GET", "/hello", on_hello, NULL, NULL));
    CHECK(kr_server_add_route(server, "GET", "/session/counter", on_counter, NULL, NULL));
    CHECK(kr_server_add_route(server, "GET", "/stats", on_stats, NULL, NULL));

    CHECK(kr_server_start(server));

    uint16_t port = 0;
    CHECK(kr_server_endpoint_port(server, http_index, &port));
    printf("http %u\n", (unsigned)port);
    if (https) {
        CHECK(kr_server_endpoint_port(server, https_index, &port));
        printf("https %u\n", (unsigned)port);
    }
    printf("ready\n");
    fflush(stdout);

    int signal_number = 0;
    rc = sigwait(&stop_signals, &signal_number);
    if (rc != 0) {
        fprintf(stderr, "bench_server: sigwait: %s\n", strerror(rc));
    }

    CHECK(kr_server_stop(server, 5000));
    CHECK(kr_server_free(server));
    return 0;
}
