#!/usr/bin/env python3
"""C API test of Kestrun.Rust through ctypes (libkestrun_rust.so from $KR_LIB or target/debug).

Same coverage as tests/c/test_capi.c: an HTTPS server (self-signed, 127.0.0.1, port 0) with sessions
and Python callback routes queried with urllib (unverified TLS context, cookie jars); 500 / 404 / 405
JSON errors; the request / response / session API inside callbacks; NULL pointers, invalid UTF-8,
too-small buffers, stale / freed / random / wrong-kind handles, double free; finalizers exactly once.

Run: python3 tests/python/test_capi.py   (last line: `N passed, N failed`)
"""
import ctypes
import http.cookiejar
import json
import os
import re
import ssl
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from ctypes import (CFUNCTYPE, POINTER, byref, c_bool, c_char_p, c_int32, c_int64, c_size_t, c_uint16,
                    c_uint32, c_uint64, c_void_p, create_string_buffer)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB_PATH = os.environ.get("KR_LIB") or os.path.join(ROOT, "target", os.environ.get("KR_PROFILE", "debug"),
                                                    "libkestrun_rust.so")

HEADER_PATH = os.path.join(ROOT, "ffi", "include", "kestrun_rust.h")


def header_constants(path=HEADER_PATH):
    """The enumerators of the C header's enums ({"KR_OK": 0, ...}): the one source of the constants."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    constants = {}
    for body in re.findall(r"\benum\s+\w+[^{;]*\{([^}]*)\}", text):
        for name, value in re.findall(r"\b(KR_[A-Z0-9_]+)\s*=\s*(-?\d+)", body):
            constants[name] = int(value)
    if "KR_OK" not in constants:
        raise RuntimeError(f"no KrStatus constants found in {path}")
    return constants


HEADER_CONSTANTS = header_constants()


def constants(*names):
    return [HEADER_CONSTANTS[name] for name in names]


KR_OK, KR_NOT_FOUND, KR_BUFFER_TOO_SMALL = constants("KR_OK", "KR_NOT_FOUND", "KR_BUFFER_TOO_SMALL")
KR_NULL_ARGUMENT, KR_INVALID_UTF8, KR_INVALID_ARGUMENT, KR_INVALID_HANDLE = constants(
    "KR_NULL_ARGUMENT", "KR_INVALID_UTF8", "KR_INVALID_ARGUMENT", "KR_INVALID_HANDLE")
KR_INVALID_STATE, KR_BIND_FAILED, KR_TLS_ERROR, KR_IO_ERROR, KR_NO_SESSION, KR_TIMEOUT = constants(
    "KR_INVALID_STATE", "KR_BIND_FAILED", "KR_TLS_ERROR", "KR_IO_ERROR", "KR_NO_SESSION", "KR_TIMEOUT")
KR_PANIC, KR_INTERNAL = constants("KR_PANIC", "KR_INTERNAL")
KR_LOG_LEVEL_VERBOSE, KR_LOG_LEVEL_DEBUG, KR_LOG_LEVEL_INFORMATION, KR_LOG_LEVEL_WARNING, KR_LOG_LEVEL_ERROR = constants(
    "KR_LOG_LEVEL_VERBOSE", "KR_LOG_LEVEL_DEBUG", "KR_LOG_LEVEL_INFORMATION", "KR_LOG_LEVEL_WARNING",
    "KR_LOG_LEVEL_ERROR")
KR_ROLLING_INTERVAL_INFINITE, KR_ROLLING_INTERVAL_YEAR, KR_ROLLING_INTERVAL_HOUR, KR_ROLLING_INTERVAL_MINUTE = constants(
    "KR_ROLLING_INTERVAL_INFINITE", "KR_ROLLING_INTERVAL_YEAR", "KR_ROLLING_INTERVAL_HOUR", "KR_ROLLING_INTERVAL_MINUTE")
KR_SAME_SITE_LAX, KR_SAME_SITE_STRICT = constants("KR_SAME_SITE_LAX", "KR_SAME_SITE_STRICT")
KR_SECURE_POLICY_SAME_AS_REQUEST, = constants("KR_SECURE_POLICY_SAME_AS_REQUEST")
STATUS_NAMES = [name for name in HEADER_CONSTANTS if re.match(r"KR_[A-Z0-9_]+$", name)
                and not name.startswith(("KR_LOG_LEVEL_", "KR_ROLLING_INTERVAL_", "KR_SAME_SITE_", "KR_SECURE_POLICY_",
                                         "KR_HTTP_PROTOCOLS_"))]

BAD_UTF8 = b"bad\xff\xfe"

ROUTE_CB = CFUNCTYPE(c_int32, c_void_p, c_void_p)
FREE_CB = CFUNCTYPE(None, c_void_p)
CANCEL_CB = CFUNCTYPE(None, c_void_p, c_void_p)
THREAD_EXIT_CB = CFUNCTYPE(None, c_void_p)


class KrRouteOptions(ctypes.Structure):
    _fields_ = [("timeout_ms", c_uint32), ("on_cancel", CANCEL_CB)]


class KrCallbackPoolStats(ctypes.Structure):
    _fields_ = [(name, c_uint64) for name in (
        "min_threads", "max_threads", "threads", "busy", "queued", "peak_threads", "threads_started",
        "threads_released", "timed_out")]


class KrSessionOptions(ctypes.Structure):
    _fields_ = [
        ("cookie_name", c_char_p),
        ("cookie_path", c_char_p),
        ("cookie_domain", c_char_p),
        ("http_only", c_bool),
        ("same_site", c_int32),
        ("secure_policy", c_int32),
        ("cookie_max_age_seconds", c_int64),
        ("idle_timeout_seconds", c_uint64),
        ("io_timeout_seconds", c_uint64),
        ("max_sessions", c_uint64),
        ("cookie_key", c_void_p),  # const uint8_t*; NULL -> the store's key ring, else a random key per server
        ("cookie_key_len", c_size_t),
        ("key_lifetime_seconds", c_uint64),
    ]


def load_library(path):
    lib = ctypes.CDLL(path)
    H = c_void_p  # KrServer* / KrRequest*
    sz = POINTER(c_size_t)
    protos = {
        "kr_version": [c_char_p, c_size_t, sz],
        "kr_last_error_message": [c_char_p, c_size_t, sz],
        "kr_log_set_level": [c_int32],
        "kr_log_add_console_sink": [],
        "kr_log_add_file_sink": [c_char_p],
        "kr_log_clear_sinks": [],
        "kr_log_write": [c_int32, c_char_p],
        "kr_log_add_console_sink_template": [c_char_p, c_int32],
        "kr_log_add_file_sink_ex": [c_char_p, c_char_p, c_int32, c_int32, c_int32],
        "kr_log_check_template": [c_char_p],
        "kr_log_set_utc_offset": [c_int32],
        "kr_server_new": [c_char_p, POINTER(c_void_p)],
        "kr_server_free": [H],
        "kr_server_add_endpoint_http": [H, c_char_p, c_uint16, sz],
        "kr_server_add_endpoint_https_self_signed": [H, c_char_p, c_uint16, sz],
        "kr_server_add_endpoint_https_pem": [H, c_char_p, c_uint16, c_char_p, c_char_p, sz],
        "kr_server_set_callback_threads": [H, c_uint32],
        "kr_server_set_worker_threads": [H, c_uint32],
        "kr_server_set_callback_wait_ms": [H, c_uint32],
        "kr_server_set_shutdown_timeout_ms": [H, c_uint32],
        "kr_server_set_max_body_bytes": [H, c_uint64],
        "kr_server_add_route": [H, c_char_p, c_char_p, ROUTE_CB, c_void_p, FREE_CB],
        "kr_server_set_callback_thread_limits": [H, c_uint32, c_uint32],
        "kr_server_set_callback_idle_timeout_ms": [H, c_uint32],
        "kr_server_set_thread_exit_callback": [H, THREAD_EXIT_CB, c_void_p, FREE_CB],
        "kr_server_callback_pool_stats": [H, POINTER(KrCallbackPoolStats)],
        "kr_route_options_default": [POINTER(KrRouteOptions)],
        "kr_server_add_route_ex": [H, c_char_p, c_char_p, POINTER(KrRouteOptions), ROUTE_CB, c_void_p, FREE_CB],
        "kr_request_is_cancelled": [H, POINTER(c_bool)],
        "kr_session_options_default": [POINTER(KrSessionOptions)],
        "kr_server_configure_session": [H, POINTER(KrSessionOptions)],
        "kr_server_use_redis_session_store": [H, c_char_p, c_char_p, c_uint32, c_uint32],
        "kr_server_start": [H],
        "kr_server_stop": [H, c_uint32],
        "kr_server_is_running": [H, POINTER(c_bool)],
        "kr_server_endpoint_count": [H, sz],
        "kr_server_endpoint_port": [H, c_size_t, POINTER(c_uint16)],
        "kr_server_endpoint_url": [H, c_size_t, c_char_p, c_size_t, sz],
        "kr_request_method": [H, c_char_p, c_size_t, sz],
        "kr_request_path": [H, c_char_p, c_size_t, sz],
        "kr_request_query_string": [H, c_char_p, c_size_t, sz],
        "kr_request_scheme": [H, c_char_p, c_size_t, sz],
        "kr_request_host": [H, c_char_p, c_size_t, sz],
        "kr_request_remote_addr": [H, c_char_p, c_size_t, sz],
        "kr_request_query": [H, c_char_p, c_size_t, c_char_p, c_size_t, sz],
        "kr_request_query_count": [H, c_char_p, sz],
        "kr_request_route_param": [H, c_char_p, c_char_p, c_size_t, sz],
        "kr_request_header": [H, c_char_p, c_char_p, c_size_t, sz],
        "kr_request_cookie": [H, c_char_p, c_char_p, c_size_t, sz],
        "kr_request_body": [H, c_char_p, c_size_t, sz],
        "kr_response_set_status": [H, c_uint16],
        "kr_response_set_content_type": [H, c_char_p],
        "kr_response_set_body": [H, c_char_p, c_size_t],
        "kr_response_set_body_text": [H, c_char_p],
        "kr_response_write": [H, c_uint16, c_char_p, c_char_p, c_size_t],
        "kr_response_add_header": [H, c_char_p, c_char_p],
        "kr_response_add_cookie": [H, c_char_p, c_char_p, c_char_p, c_char_p, c_int64, c_bool, c_bool, c_int32],
        "kr_session_available": [H, POINTER(c_bool)],
        "kr_session_get_int32": [H, c_char_p, POINTER(c_int32)],
        "kr_session_set_int32": [H, c_char_p, c_int32],
        "kr_session_get_string": [H, c_char_p, c_char_p, c_size_t, sz],
        "kr_session_set_string": [H, c_char_p, c_char_p],
        "kr_session_get_bytes": [H, c_char_p, c_char_p, c_size_t, sz],
        "kr_session_set_bytes": [H, c_char_p, c_char_p, c_size_t],
        "kr_session_remove": [H, c_char_p],
        "kr_server_use_postgres_session_store": [H, c_char_p, c_char_p, c_char_p, c_bool, c_uint32],
        "kr_server_use_sqlite_session_store": [H, c_char_p, c_char_p, c_uint32],
        "kr_session_clear": [H],
        "kr_session_renew_id": [H],
        "kr_session_key_count": [H, sz],
        "kr_session_key_at": [H, c_size_t, c_char_p, c_size_t, sz],
    }
    for name, argtypes in protos.items():
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = c_int32
    # The one function that returns no KrStatus: a static name owned by the library (never freed).
    lib.kr_status_name.argtypes = [c_int32]
    lib.kr_status_name.restype = c_char_p
    return lib


LIB = load_library(LIB_PATH)


def last_error():
    n = c_size_t(0)
    LIB.kr_last_error_message(None, 0, byref(n))
    buf = create_string_buffer(n.value + 1)
    st = LIB.kr_last_error_message(buf, len(buf), byref(n))
    assert st == KR_OK, st
    return buf.raw[: n.value].decode("utf-8")


def read_string(fn, *args):
    """Length query then copy (the string-out protocol). Returns (status, str or None)."""
    n = c_size_t(0)
    st = fn(*args, None, 0, byref(n))
    if st != KR_BUFFER_TOO_SMALL:
        return st, None
    buf = create_string_buffer(n.value + 1)
    st = fn(*args, buf, len(buf), byref(n))
    return st, buf.raw[: n.value].decode("utf-8") if st == KR_OK else None


def read_bytes(fn, *args):
    n = c_size_t(0)
    fn(*args, None, 0, byref(n))
    buf = create_string_buffer(max(n.value, 1))
    st = fn(*args, buf, n.value, byref(n))
    return st, buf.raw[: n.value] if st == KR_OK else None


def new_server(name=b"py"):
    handle = c_void_p()
    st = LIB.kr_server_new(name, byref(handle))
    assert st == KR_OK, (st, last_error())
    return handle.value


class Checks:
    """Checks made on callback threads, asserted later on the test thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def status(self, got, expected, what):
        msg = last_error() if got != KR_OK else ""
        ok = got == expected and (expected == KR_OK or msg != "")
        self.add(ok, f"{what}: expected {expected}, got {got} ({msg!r})")

    def add(self, ok, what):
        with self.lock:
            self.items.append((bool(ok), what))

    def failures(self):
        with self.lock:
            return [w for ok, w in self.items if not ok]


class Http:
    """urllib with an unverified TLS context (self-signed) and an optional cookie jar."""

    CTX = ssl._create_unverified_context()

    def __init__(self, with_jar=True):
        handlers = [urllib.request.HTTPSHandler(context=self.CTX)]
        self.jar = http.cookiejar.CookieJar() if with_jar else None
        if self.jar is not None:
            handlers.append(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, method, url, data=None, headers=None):
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()


class Route:
    """A ctypes route callback plus its user_data and finalizer; counts finalizer calls."""

    def __init__(self, fn, checks):
        self.fn = fn
        self.checks = checks
        self.freed = 0
        self.freed_with = []
        self.user_data = ctypes.c_int(0)  # any stable address
        self.cb = ROUTE_CB(self._call)
        self.free_cb = FREE_CB(self._free)

    @property
    def data_ptr(self):
        return ctypes.cast(ctypes.pointer(self.user_data), c_void_p).value

    def _call(self, request, user_data):
        try:
            if user_data != self.data_ptr:
                self.checks.add(False, "callback got its user_data back untouched")
            return int(self.fn(request) or 0)
        except Exception as e:  # noqa: BLE001 - a Python exception must not look like success
            self.checks.add(False, f"callback raised {e!r}")
            return 99

    def _free(self, user_data):
        self.freed += 1
        self.freed_with.append(user_data)

    def add_to(self, server, verbs, pattern):
        return LIB.kr_server_add_route(server, verbs, pattern, self.cb, self.data_ptr, self.free_cb)


def reply(request, status, content_type, text):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return 0 if LIB.kr_response_write(request, status, content_type, data, len(data)) == KR_OK else 90


class LibraryTests(unittest.TestCase):
    def assertFailed(self, got, expected):
        self.assertEqual(got, expected)
        self.assertNotEqual(last_error(), "", "a non-OK status comes with a last error message")

    def test_version_and_buffer_protocol(self):
        n = c_size_t(0)
        self.assertFailed(LIB.kr_version(None, 0, byref(n)), KR_BUFFER_TOO_SMALL)
        length = n.value
        self.assertGreater(length, 0)
        buf = create_string_buffer(b"\xaa" * length, length)
        self.assertFailed(LIB.kr_version(buf, length, byref(n)), KR_BUFFER_TOO_SMALL)
        self.assertEqual(buf.raw, b"\xaa" * length, "nothing written when too small")
        buf = create_string_buffer(length + 1)
        self.assertEqual(LIB.kr_version(buf, length + 1, byref(n)), KR_OK)
        self.assertEqual(buf.raw[length], 0)
        self.assertRegex(buf.value.decode(), r"^\d+\.\d+\.\d+")
        self.assertFailed(LIB.kr_version(buf, len(buf), None), KR_NULL_ARGUMENT)
        self.assertFailed(LIB.kr_version(None, 5, byref(n)), KR_NULL_ARGUMENT)

    def test_status_names_come_from_the_library(self):
        self.assertEqual(len(STATUS_NAMES), 15)
        for name in STATUS_NAMES:
            self.assertEqual(LIB.kr_status_name(HEADER_CONSTANTS[name]), name.encode())
        self.assertFailed(LIB.kr_log_write(KR_LOG_LEVEL_INFORMATION, None), KR_NULL_ARGUMENT)
        before = last_error()
        for unknown in (-1, 3, 42, 100, 2**31 - 1):
            self.assertIsNone(LIB.kr_status_name(unknown), unknown)
        self.assertEqual(last_error(), before, "kr_status_name leaves the last error alone")

    def test_last_error_per_thread_and_unchanged_by_reading(self):
        seen = []
        t = threading.Thread(target=lambda: seen.append(last_error()))
        self.assertFailed(LIB.kr_log_write(KR_LOG_LEVEL_INFORMATION, None), KR_NULL_ARGUMENT)
        t.start()
        t.join()
        self.assertEqual(seen, [""], "another thread does not see this thread's error")
        before = last_error()
        n = c_size_t(0)
        tiny = create_string_buffer(2)
        self.assertEqual(LIB.kr_last_error_message(tiny, 2, byref(n)), KR_BUFFER_TOO_SMALL)
        self.assertEqual(n.value, len(before.encode()))
        self.assertEqual(LIB.kr_last_error_message(None, 0, None), KR_NULL_ARGUMENT)
        self.assertEqual(last_error(), before)

    def test_null_and_invalid_utf8(self):
        h = c_void_p()
        self.assertFailed(LIB.kr_server_new(None, byref(h)), KR_NULL_ARGUMENT)
        self.assertFailed(LIB.kr_server_new(BAD_UTF8, byref(h)), KR_INVALID_UTF8)
        self.assertIn("UTF-8", last_error())
        self.assertFailed(LIB.kr_server_new(b"x", None), KR_NULL_ARGUMENT)
        self.assertIsNone(h.value)
        self.assertFailed(LIB.kr_log_write(KR_LOG_LEVEL_INFORMATION, BAD_UTF8), KR_INVALID_UTF8)
        self.assertFailed(LIB.kr_log_add_file_sink(None), KR_NULL_ARGUMENT)
        server = new_server()
        idx = c_size_t()
        self.assertFailed(LIB.kr_server_add_endpoint_http(server, None, 0, byref(idx)), KR_NULL_ARGUMENT)
        self.assertFailed(LIB.kr_server_add_endpoint_http(server, BAD_UTF8, 0, byref(idx)), KR_INVALID_UTF8)
        self.assertFailed(LIB.kr_server_add_endpoint_http(server, b"127.0.0.1", 0, None), KR_NULL_ARGUMENT)
        self.assertFailed(LIB.kr_server_add_endpoint_http(server, b"not an address", 0, byref(idx)),
                          KR_INVALID_ARGUMENT)
        self.assertFailed(LIB.kr_server_add_endpoint_https_pem(server, b"127.0.0.1", 0, None, b"k", byref(idx)),
                          KR_NULL_ARGUMENT)
        self.assertFailed(LIB.kr_server_configure_session(server, None), KR_NULL_ARGUMENT)
        self.assertFailed(LIB.kr_server_use_redis_session_store(server, None, b"p", 100, 100), KR_NULL_ARGUMENT)
        self.assertEqual(LIB.kr_server_free(server), KR_OK)

    def test_logging(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "sub", "py.log")
            self.assertEqual(LIB.kr_log_add_file_sink(path.encode()), KR_OK)
            self.assertEqual(LIB.kr_log_set_level(KR_LOG_LEVEL_DEBUG), KR_OK)
            self.assertEqual(LIB.kr_log_write(KR_LOG_LEVEL_INFORMATION, "hello from Python é".encode()), KR_OK)
            self.assertFailed(LIB.kr_log_set_level(6), KR_INVALID_ARGUMENT)
            self.assertFailed(LIB.kr_log_write(-1, b"x"), KR_INVALID_ARGUMENT)
            self.assertEqual(LIB.kr_log_clear_sinks(), KR_OK)
            LIB.kr_log_write(KR_LOG_LEVEL_ERROR, b"after clear")
            with open(path, encoding="utf-8") as f:
                text = f.read()
            # Kestrun's default file template: {Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}
            self.assertRegex(text, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d \[INF\] hello from Python é\n")
            self.assertNotIn("after clear", text)
        self.assertFailed(LIB.kr_log_add_file_sink(b"/proc/kr-no/such.log"), KR_IO_ERROR)

    def test_logging_templates_rolling_and_offset(self):
        self.assertEqual(LIB.kr_log_check_template(b"[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}"), KR_OK)
        self.assertFailed(LIB.kr_log_check_template(b"{Level} {SourceContext}"), KR_INVALID_ARGUMENT)
        self.assertIn("{SourceContext}: unknown token", last_error())
        self.assertFailed(LIB.kr_log_check_template(BAD_UTF8), KR_INVALID_UTF8)
        self.assertFailed(LIB.kr_log_add_console_sink_template(b"{Level", KR_LOG_LEVEL_VERBOSE), KR_INVALID_ARGUMENT)
        self.assertFailed(LIB.kr_log_set_utc_offset(-26 * 3600), KR_INVALID_ARGUMENT)
        with tempfile.TemporaryDirectory() as d:
            pattern = os.path.join(d, "logs", "app_.log").encode()
            self.assertFailed(LIB.kr_log_add_file_sink_ex(pattern, None, KR_ROLLING_INTERVAL_YEAR, 0, 0),
                              KR_INVALID_ARGUMENT)
            self.assertIn("not supported", last_error())
            self.assertFailed(LIB.kr_log_add_file_sink_ex(pattern, None, 9, 0, 0), KR_INVALID_ARGUMENT)
            self.assertFailed(LIB.kr_log_add_file_sink_ex(None, None, 0, 0, 0), KR_NULL_ARGUMENT)
            self.assertEqual(LIB.kr_log_set_utc_offset(-(5 * 3600 + 30 * 60)), KR_OK)
            self.assertEqual(LIB.kr_log_set_level(KR_LOG_LEVEL_DEBUG), KR_OK)
            self.assertEqual(LIB.kr_log_add_file_sink_ex(pattern, b"{Timestamp:zzz}|{Level,-8}|{Message}{NewLine}",
                                                         KR_ROLLING_INTERVAL_HOUR, 3, KR_LOG_LEVEL_VERBOSE), KR_OK)
            infinite = os.path.join(d, "plain-.txt")
            self.assertEqual(LIB.kr_log_add_file_sink_ex(infinite.encode(), None, KR_ROLLING_INTERVAL_INFINITE, 0,
                                                         KR_LOG_LEVEL_WARNING), KR_OK)
            LIB.kr_log_write(KR_LOG_LEVEL_DEBUG, b"py debug")
            LIB.kr_log_write(KR_LOG_LEVEL_WARNING, b"py warning")
            self.assertEqual(LIB.kr_log_clear_sinks(), KR_OK)
            self.assertEqual(LIB.kr_log_set_utc_offset(0), KR_OK)
            names = os.listdir(os.path.join(d, "logs"))
            self.assertEqual(len(names), 1, names)
            self.assertRegex(names[0], r"^app\.\d{4}-\d\d-\d\d-\d\d\.log$")
            with open(os.path.join(d, "logs", names[0]), encoding="utf-8") as f:
                self.assertEqual(f.read(), "-05:30|Debug   |py debug\n-05:30|Warning |py warning\n")
            with open(infinite, encoding="utf-8") as f:
                text = f.read()
            self.assertRegex(text, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} -05:30 \[WRN\] py warning\n$")

    def test_session_options(self):
        o = KrSessionOptions()
        self.assertEqual(LIB.kr_session_options_default(byref(o)), KR_OK)
        self.assertIsNone(o.cookie_name)
        self.assertTrue(o.http_only)
        self.assertEqual((o.same_site, o.secure_policy, o.cookie_max_age_seconds),
                         (KR_SAME_SITE_LAX, KR_SECURE_POLICY_SAME_AS_REQUEST, -1))
        self.assertEqual((o.idle_timeout_seconds, o.io_timeout_seconds, o.max_sessions), (1200, 60, 1000000))
        self.assertEqual((o.cookie_key, o.cookie_key_len), (None, 0))
        self.assertEqual(o.key_lifetime_seconds, 90 * 24 * 3600)
        self.assertFailed(LIB.kr_session_options_default(None), KR_NULL_ARGUMENT)
        server = new_server()
        o.same_site = 9
        self.assertFailed(LIB.kr_server_configure_session(server, byref(o)), KR_INVALID_ARGUMENT)
        o.same_site = KR_SAME_SITE_LAX
        o.cookie_name = BAD_UTF8
        self.assertFailed(LIB.kr_server_configure_session(server, byref(o)), KR_INVALID_UTF8)
        o.cookie_name = b".Py.Session"
        o.cookie_key, o.cookie_key_len = None, 16
        self.assertFailed(LIB.kr_server_configure_session(server, byref(o)), KR_NULL_ARGUMENT)
        short = create_string_buffer(b"too short", 9)
        o.cookie_key, o.cookie_key_len = ctypes.cast(short, c_void_p), 9
        self.assertFailed(LIB.kr_server_configure_session(server, byref(o)), KR_INVALID_ARGUMENT)
        secret = create_string_buffer(b"a secret of sixteen+ bytes", 26)
        o.cookie_key, o.cookie_key_len = ctypes.cast(secret, c_void_p), 26
        self.assertEqual(LIB.kr_server_configure_session(server, byref(o)), KR_OK)
        self.assertEqual(LIB.kr_server_free(server), KR_OK)


class HandleTests(unittest.TestCase):
    def assertFailed(self, got, expected):
        self.assertEqual(got, expected)
        self.assertNotEqual(last_error(), "")

    def test_freed_double_free_random_and_wrong_kind(self):
        server = new_server()
        self.assertEqual(LIB.kr_server_set_callback_threads(server, 2), KR_OK)
        self.assertFailed(LIB.kr_server_set_callback_threads(server, 0), KR_INVALID_ARGUMENT)
        self.assertFailed(LIB.kr_server_set_worker_threads(server, 0), KR_INVALID_ARGUMENT)
        self.assertFailed(LIB.kr_server_set_worker_threads(server, 65), KR_INVALID_ARGUMENT)
        self.assertEqual(LIB.kr_server_free(server), KR_OK)
        self.assertFailed(LIB.kr_server_free(server), KR_INVALID_HANDLE)
        self.assertFailed(LIB.kr_server_start(server), KR_INVALID_HANDLE)
        running = c_bool(True)
        self.assertFailed(LIB.kr_server_is_running(server, byref(running)), KR_INVALID_HANDLE)
        for raw in (None, 1, 0xDEADBEEF, 0xFFFFFFFFFFFFFFFF, 0x5300000100000007, 0x53FFFFFF00000000):
            self.assertFailed(LIB.kr_server_free(raw), KR_INVALID_HANDLE)
            self.assertFailed(LIB.kr_server_start(raw), KR_INVALID_HANDLE)
        live = new_server()
        n = c_size_t()
        self.assertFailed(LIB.kr_request_method(live, None, 0, byref(n)), KR_INVALID_HANDLE)
        self.assertFailed(LIB.kr_session_clear(live), KR_INVALID_HANDLE)
        self.assertFailed(LIB.kr_server_start(0x5200000100000000), KR_INVALID_HANDLE)  # request kind
        self.assertEqual(LIB.kr_server_free(live), KR_OK)

    def test_request_handles_outside_callbacks(self):
        n = c_size_t()
        for raw in (None, 0x1234, 0x5200000700000003):
            self.assertFailed(LIB.kr_request_path(raw, None, 0, byref(n)), KR_INVALID_HANDLE)
            self.assertFailed(LIB.kr_response_set_status(raw, 200), KR_INVALID_HANDLE)
            self.assertFailed(LIB.kr_session_set_int32(raw, b"k", 1), KR_INVALID_HANDLE)

    def test_finalizers_exactly_once(self):
        checks = Checks()
        server = new_server()
        kept = Route(lambda r: 0, checks)
        other = Route(lambda r: 0, checks)
        rejected = Route(lambda r: 0, checks)
        self.assertEqual(kept.add_to(server, b"GET", b"/a"), KR_OK)
        self.assertEqual(other.add_to(server, b"post,PUT", b"/a/{id}"), KR_OK)
        self.assertFailed(rejected.add_to(server, b"get", b"/a"), KR_INVALID_ARGUMENT)
        self.assertFailed(rejected.add_to(server, b"NOT A VERB", b"/b"), KR_INVALID_ARGUMENT)
        self.assertFailed(rejected.add_to(server, BAD_UTF8, b"/b"), KR_INVALID_UTF8)
        self.assertFailed(LIB.kr_server_add_route(server, b"GET", b"/c", ROUTE_CB(), None, FREE_CB()),
                          KR_NULL_ARGUMENT)
        self.assertEqual(LIB.kr_server_add_route(server, b"*", b"/d", kept.cb, None, FREE_CB()), KR_OK)
        self.assertEqual(kept.freed, 0)
        self.assertEqual(LIB.kr_server_free(server), KR_OK)
        self.assertEqual((kept.freed, other.freed, rejected.freed), (1, 1, 0))
        self.assertEqual(kept.freed_with, [kept.data_ptr])
        self.assertFailed(LIB.kr_server_free(server), KR_INVALID_HANDLE)
        self.assertEqual(kept.freed, 1)


class ServerTests(unittest.TestCase):
    """One HTTPS server with sessions and one HTTP server without, shared by the tests below."""

    @classmethod
    def setUpClass(cls):
        cls.checks = Checks()
        cls.saved_request = None
        c = cls.checks

        def counter(req):
            n = c_int32(0)
            st = LIB.kr_session_get_int32(req, b"counter", byref(n))
            if st not in (KR_OK, KR_NOT_FOUND):
                return 2
            value = (n.value if st == KR_OK else 0) + 1
            if LIB.kr_session_set_int32(req, b"counter", value) != KR_OK:
                return 3
            return reply(req, 200, b"application/json", json.dumps({"counter": value}, separators=(",", ":")))

        def echo(req):
            out = {}
            for key, fn in (("method", LIB.kr_request_method), ("path", LIB.kr_request_path),
                            ("qs", LIB.kr_request_query_string), ("scheme", LIB.kr_request_scheme),
                            ("host", LIB.kr_request_host), ("remote", LIB.kr_request_remote_addr)):
                out[key] = read_string(fn, req)[1]
            count = c_size_t(0)
            LIB.kr_request_query_count(req, b"q", byref(count))
            out["q"] = [read_string(LIB.kr_request_query, req, b"q", i)[1] for i in range(count.value)]
            out["x"] = read_string(LIB.kr_request_query, req, b"x", 0)[1]
            out["header"] = read_string(LIB.kr_request_header, req, b"X-TEST")[1]
            out["cookie"] = read_string(LIB.kr_request_cookie, req, b"c")[1]
            st, body = read_bytes(LIB.kr_request_body, req)
            out["body"] = body.decode("utf-8") if body is not None else None
            LIB.kr_response_add_header(req, b"X-Echo", b"yes")
            LIB.kr_response_add_cookie(req, b"echoed", b"1", b"/", None, -1, True, True, KR_SAME_SITE_STRICT)
            LIB.kr_response_set_status(req, 201)
            LIB.kr_response_set_content_type(req, b"application/json")
            data = json.dumps(out).encode()
            return 0 if LIB.kr_response_set_body(req, data, len(data)) == KR_OK else 5

        def items(req):
            st, ident = read_string(LIB.kr_request_route_param, req, b"id")
            missing, _ = read_string(LIB.kr_request_route_param, req, b"nope")
            return 0 if LIB.kr_response_set_body_text(req, f"id={ident} missing={missing}".encode()) == KR_OK else 7

        def fail(req):
            LIB.kr_session_set_int32(req, b"counter", 100)  # discarded: the route fails
            reply(req, 200, b"text/plain", "never sent")
            return 7

        def misuse(req):
            cls.saved_request = req
            n = c_size_t(0)
            small = create_string_buffer(b"XXXX", 4)
            c.status(LIB.kr_request_path(req, None, 5, byref(n)), KR_NULL_ARGUMENT, "path: buf NULL, buf_len 5")
            c.status(LIB.kr_request_path(req, small, 4, None), KR_NULL_ARGUMENT, "path: out_len NULL")
            c.status(LIB.kr_request_path(req, small, 4, byref(n)), KR_BUFFER_TOO_SMALL, "path into 4 bytes")
            c.add(n.value == len("/misuse") and small.raw == b"XXXX", "too small: length reported, nothing written")
            buf = create_string_buffer(n.value)
            c.status(LIB.kr_request_path(req, buf, n.value, byref(n)), KR_BUFFER_TOO_SMALL, "path: no room for NUL")
            buf = create_string_buffer(n.value + 1)
            c.status(LIB.kr_request_path(req, buf, n.value + 1, byref(n)), KR_OK, "path with len+1 bytes")
            c.add(buf.value == b"/misuse", "path is /misuse")
            body = create_string_buffer(3)
            c.status(LIB.kr_request_body(req, body, 2, byref(n)), KR_BUFFER_TOO_SMALL, "body into 2 bytes")
            c.status(LIB.kr_request_body(req, body, 3, byref(n)), KR_OK, "body with exactly len bytes")
            c.add(body.raw == b"xyz", "body is xyz")
            c.status(LIB.kr_request_header(req, None, buf, len(buf), byref(n)), KR_NULL_ARGUMENT, "header name NULL")
            c.status(LIB.kr_request_header(req, BAD_UTF8, buf, len(buf), byref(n)), KR_INVALID_UTF8,
                     "header name invalid UTF-8")
            c.status(LIB.kr_request_header(req, b"x-absent", buf, len(buf), byref(n)), KR_NOT_FOUND, "header absent")
            c.status(LIB.kr_request_query(req, b"absent", 0, buf, len(buf), byref(n)), KR_NOT_FOUND, "query absent")
            c.status(LIB.kr_request_cookie(req, b"absent", buf, len(buf), byref(n)), KR_NOT_FOUND, "cookie absent")
            count = c_size_t(9)
            c.status(LIB.kr_request_query_count(req, b"absent", byref(count)), KR_OK, "query count absent")
            c.add(count.value == 0, "query count of an absent name is 0")
            c.status(LIB.kr_response_set_status(req, 99), KR_INVALID_ARGUMENT, "status 99")
            c.status(LIB.kr_response_set_status(req, 1000), KR_INVALID_ARGUMENT, "status 1000")
            c.status(LIB.kr_response_add_header(req, b"bad name", b"v"), KR_INVALID_ARGUMENT, "header bad name")
            c.status(LIB.kr_response_add_header(req, b"X-Ok", None), KR_NULL_ARGUMENT, "header value NULL")
            c.status(LIB.kr_response_set_body(req, None, 3), KR_NULL_ARGUMENT, "set_body NULL with len 3")
            c.status(LIB.kr_response_set_body(req, None, 0), KR_OK, "set_body NULL with len 0")
            c.status(LIB.kr_response_write(req, 200, BAD_UTF8, b"x", 1), KR_INVALID_UTF8, "write bad content type")
            c.status(LIB.kr_response_add_cookie(req, b"ok", b"v", None, None, -1, False, False, 17),
                     KR_INVALID_ARGUMENT, "cookie same_site 17")
            avail = c_bool(False)
            c.status(LIB.kr_session_available(req, byref(avail)), KR_OK, "session available")
            c.add(avail.value, "sessions available on the HTTPS server")
            c.status(LIB.kr_session_set_int32(req, None, 1), KR_NULL_ARGUMENT, "session key NULL")
            c.status(LIB.kr_session_set_int32(req, BAD_UTF8, 1), KR_INVALID_UTF8, "session key invalid UTF-8")
            c.status(LIB.kr_session_get_int32(req, b"counter", None), KR_NULL_ARGUMENT, "get_int32 out NULL")
            c.status(LIB.kr_session_set_string(req, b"s", "héllo".encode()), KR_OK, "set_string")
            st, s = read_string(LIB.kr_session_get_string, req, b"s")
            c.add(st == KR_OK and s == "héllo", f"string round-trips ({st}, {s!r})")
            v = c_int32()
            c.status(LIB.kr_session_get_int32(req, b"s", byref(v)), KR_NOT_FOUND, "get_int32 of a 6-byte value")
            c.status(LIB.kr_session_set_bytes(req, b"b", b"\x00\x01\x02\xff", 4), KR_OK, "set_bytes")
            c.status(LIB.kr_session_set_bytes(req, b"b2", None, 1), KR_NULL_ARGUMENT, "set_bytes NULL with len 1")
            st, b = read_bytes(LIB.kr_session_get_bytes, req, b"b")
            c.add(st == KR_OK and b == b"\x00\x01\x02\xff", "bytes round-trip")
            c.status(LIB.kr_session_get_int32(req, b"b", byref(v)), KR_OK, "get_int32 of 4 bytes")
            c.add(v.value == 0x000102FF, "big-endian int32")
            keys = c_size_t()
            c.status(LIB.kr_session_key_count(req, byref(keys)), KR_OK, "key count")
            c.add(keys.value >= 2, "at least 2 keys")
            names = [read_string(LIB.kr_session_key_at, req, i)[1] for i in range(keys.value)]
            c.add("b" in names and "s" in names, f"key_at lists the keys ({names})")
            c.status(LIB.kr_session_key_at(req, 1000, buf, len(buf), byref(n)), KR_NOT_FOUND, "key_at 1000")
            c.status(LIB.kr_session_remove(req, b"s"), KR_OK, "remove")
            c.status(LIB.kr_session_remove(req, b"never-set"), KR_OK, "remove absent")
            c.status(LIB.kr_session_get_string(req, b"s", buf, len(buf), byref(n)), KR_NOT_FOUND, "removed is absent")
            c.status(LIB.kr_request_path(cls.https, buf, len(buf), byref(n)), KR_INVALID_HANDLE,
                     "server handle used as request handle")
            return reply(req, 200, b"text/plain", "misuse done")

        def clear(req):
            st = LIB.kr_session_clear(req)
            keys = c_size_t(99)
            LIB.kr_session_key_count(req, byref(keys))
            return reply(req, 200, b"text/plain", f"cleared={st} keys={keys.value}")

        def nosess(req):
            avail = c_bool(True)
            c.status(LIB.kr_session_available(req, byref(avail)), KR_OK, "nosess: available")
            c.add(not avail.value, "nosess: sessions not available")
            v = c_int32()
            c.status(LIB.kr_session_get_int32(req, b"k", byref(v)), KR_NO_SESSION, "nosess: get_int32")
            c.status(LIB.kr_session_set_string(req, b"k", b"v"), KR_NO_SESSION, "nosess: set_string")
            c.status(LIB.kr_session_clear(req), KR_NO_SESSION, "nosess: clear")
            return reply(req, 200, b"text/plain", read_string(LIB.kr_request_scheme, req)[1])

        cls.routes = {name: Route(fn, c) for name, fn in (
            ("counter", counter), ("echo", echo), ("items", items), ("fail", fail), ("misuse", misuse),
            ("clear", clear), ("nosess", nosess))}

        cls.https = new_server(b"py-https")
        idx = c_size_t(9)
        assert LIB.kr_server_add_endpoint_https_self_signed(cls.https, b"127.0.0.1", 0, byref(idx)) == KR_OK
        assert idx.value == 0
        assert LIB.kr_server_set_callback_threads(cls.https, 4) == KR_OK
        assert LIB.kr_server_set_worker_threads(cls.https, 1) == KR_OK
        assert LIB.kr_server_set_max_body_bytes(cls.https, 1024) == KR_OK
        o = KrSessionOptions()
        LIB.kr_session_options_default(byref(o))
        o.cookie_name = b".Py.Session"
        assert LIB.kr_server_configure_session(cls.https, byref(o)) == KR_OK, last_error()
        r = cls.routes
        for name, verbs, pattern in (("counter", b"GET", b"/counter"), ("echo", b"get,post", b"/echo"),
                                     ("items", b"GET", b"/items/{id}"), ("fail", b"*", b"/fail"),
                                     ("misuse", b"POST", b"/misuse"), ("clear", b"GET", b"/clear")):
            assert r[name].add_to(cls.https, verbs, pattern) == KR_OK, (name, last_error())
        assert LIB.kr_server_start(cls.https) == KR_OK, last_error()
        cls.url = read_string(LIB.kr_server_endpoint_url, cls.https, 0)[1]

        cls.http = new_server(b"py-http")
        assert LIB.kr_server_add_endpoint_http(cls.http, b"127.0.0.1", 0, byref(idx)) == KR_OK
        assert r["nosess"].add_to(cls.http, b"GET", b"/nosess") == KR_OK
        assert LIB.kr_server_start(cls.http) == KR_OK, last_error()

    @classmethod
    def tearDownClass(cls):
        for server in (cls.https, cls.http):
            if server is not None:
                LIB.kr_server_free(server)

    def assertFailed(self, got, expected):
        self.assertEqual(got, expected)
        self.assertNotEqual(last_error(), "")

    def test_01_server_state(self):
        running = c_bool(False)
        self.assertEqual(LIB.kr_server_is_running(self.https, byref(running)), KR_OK)
        self.assertTrue(running.value)
        self.assertFailed(LIB.kr_server_start(self.https), KR_INVALID_STATE)
        self.assertFailed(LIB.kr_server_set_worker_threads(self.https, 2), KR_INVALID_STATE)
        idx = c_size_t()
        self.assertFailed(LIB.kr_server_add_endpoint_http(self.https, b"127.0.0.1", 0, byref(idx)),
                          KR_INVALID_STATE)
        count = c_size_t()
        self.assertEqual(LIB.kr_server_endpoint_count(self.https, byref(count)), KR_OK)
        self.assertEqual(count.value, 1)
        port = c_uint16()
        self.assertEqual(LIB.kr_server_endpoint_port(self.https, 0, byref(port)), KR_OK)
        self.assertNotEqual(port.value, 0)
        self.assertEqual(self.url, f"https://127.0.0.1:{port.value}")
        self.assertFailed(LIB.kr_server_endpoint_port(self.https, 3, byref(port)), KR_INVALID_ARGUMENT)
        n = c_size_t()
        small = create_string_buffer(8)
        self.assertFailed(LIB.kr_server_endpoint_url(self.https, 0, small, 8, byref(n)), KR_BUFFER_TOO_SMALL)
        self.assertEqual(n.value, len(self.url))

    def test_02_counter_sessions(self):
        client = Http()
        for i in (1, 2, 3):
            status, headers, body = client.request("GET", self.url + "/counter")
            self.assertEqual((status, body), (200, b'{"counter":%d}' % i))
            if i == 1:
                self.assertEqual(headers["Content-Type"], "application/json; charset=utf-8")
                self.assertIn(".Py.Session=", headers.get("Set-Cookie", ""))
        status, _, body = Http().request("GET", self.url + "/counter")
        self.assertEqual((status, body), (200, b'{"counter":1}'), "a fresh jar starts a new session")
        # A failing route: 500 JSON, its session change discarded, the server keeps working.
        status, headers, body = client.request("GET", self.url + "/fail")
        self.assertEqual(status, 500)
        self.assertTrue(headers["Content-Type"].startswith("application/json"))
        self.assertEqual(json.loads(body)["status"], 500)
        status, _, body = client.request("GET", self.url + "/counter")
        self.assertEqual((status, body), (200, b'{"counter":4}'))

    def test_03_errors_404_405_413(self):
        client = Http(with_jar=False)
        status, headers, body = client.request("GET", self.url + "/nope")
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["status"], 404)
        status, headers, body = client.request("DELETE", self.url + "/counter")
        self.assertEqual(status, 405)
        self.assertEqual(json.loads(body)["status"], 405)
        self.assertIn("GET", headers.get("Allow", ""))
        status, _, _ = client.request("POST", self.url + "/echo", data=b"a" * 2048)
        self.assertEqual(status, 413)

    def test_04_echo(self):
        status, headers, body = Http(with_jar=False).request(
            "POST", self.url + "/echo?q=hello%20world&q=two&x=%C3%A9", data=b"the body",
            headers={"X-Test": "abc", "Cookie": "c=cookieval"})
        self.assertEqual(status, 201)
        self.assertEqual(headers["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(headers["X-Echo"], "yes")
        self.assertIn("echoed=1", headers.get("Set-Cookie", ""))
        self.assertIn("SameSite=Strict", headers.get("Set-Cookie", ""))
        out = json.loads(body)
        self.assertEqual(out["method"], "POST")
        self.assertEqual(out["path"], "/echo")
        self.assertEqual(out["qs"], "q=hello%20world&q=two&x=%C3%A9")
        self.assertEqual(out["scheme"], "https")
        self.assertTrue(out["host"].startswith("127.0.0.1"))
        self.assertTrue(out["remote"].startswith("127.0.0.1:"))
        self.assertEqual(out["q"], ["hello world", "two"])
        self.assertEqual(out["x"], "é")
        self.assertEqual(out["header"], "abc")
        self.assertEqual(out["cookie"], "cookieval")
        self.assertEqual(out["body"], "the body")
        status, headers, body = Http(with_jar=False).request("GET", self.url + "/items/42")
        self.assertEqual((status, body), (200, b"id=42 missing=%d" % KR_NOT_FOUND))
        self.assertEqual(headers["Content-Type"], "text/plain; charset=utf-8")

    def test_05_misuse_in_callback_then_stale_handle(self):
        client = Http()
        status, _, body = client.request("POST", self.url + "/misuse", data=b"xyz")
        self.assertEqual((status, body), (200, b"misuse done"))
        self.assertEqual(self.checks.failures(), [])
        saved = type(self).saved_request
        self.assertIsNotNone(saved)
        n = c_size_t()
        self.assertFailed(LIB.kr_request_path(saved, None, 0, byref(n)), KR_INVALID_HANDLE)
        self.assertFailed(LIB.kr_response_set_status(saved, 200), KR_INVALID_HANDLE)
        self.assertFailed(LIB.kr_session_set_int32(saved, b"k", 1), KR_INVALID_HANDLE)
        self.assertFailed(LIB.kr_server_start(saved), KR_INVALID_HANDLE)
        status, _, body = client.request("GET", self.url + "/clear")
        self.assertEqual((status, body), (200, b"cleared=0 keys=0"))

    def test_06_http_server_without_sessions_stop_restart(self):
        url = read_string(LIB.kr_server_endpoint_url, self.http, 0)[1]
        self.assertTrue(url.startswith("http://127.0.0.1:"))
        status, _, body = Http().request("GET", url + "/nosess")
        self.assertEqual((status, body), (200, b"http"))
        self.assertEqual(self.checks.failures(), [])
        self.assertEqual(LIB.kr_server_stop(self.http, 5000), KR_OK)
        self.assertEqual(LIB.kr_server_stop(self.http, 5000), KR_OK)
        running = c_bool(True)
        LIB.kr_server_is_running(self.http, byref(running))
        self.assertFalse(running.value)
        self.assertEqual(LIB.kr_server_start(self.http), KR_OK, last_error())
        url = read_string(LIB.kr_server_endpoint_url, self.http, 0)[1]
        status, _, body = Http().request("GET", url + "/nosess")
        self.assertEqual((status, body), (200, b"http"))

    def test_07_bind_conflict(self):
        port = c_uint16()
        LIB.kr_server_endpoint_port(self.https, 0, byref(port))
        clash = new_server(b"clash")
        idx = c_size_t()
        self.assertEqual(LIB.kr_server_add_endpoint_http(clash, b"127.0.0.1", port.value, byref(idx)), KR_OK)
        self.assertFailed(LIB.kr_server_start(clash), KR_BIND_FAILED)
        self.assertIn(str(port.value), last_error())
        self.assertEqual(LIB.kr_server_free(clash), KR_OK)

    def test_08_free_runs_finalizers_once(self):
        routes = self.routes
        self.assertEqual([r.freed for r in routes.values()], [0] * len(routes))
        self.assertEqual(LIB.kr_server_free(self.https), KR_OK)
        https_routes = [routes[n] for n in ("counter", "echo", "items", "fail", "misuse", "clear")]
        self.assertEqual([r.freed for r in https_routes], [1] * 6)
        self.assertEqual(routes["nosess"].freed, 0)
        self.assertFailed(LIB.kr_server_free(self.https), KR_INVALID_HANDLE)
        self.assertFailed(LIB.kr_server_start(self.https), KR_INVALID_HANDLE)
        self.assertEqual(LIB.kr_server_free(self.http), KR_OK)
        self.assertEqual(routes["nosess"].freed, 1)
        self.assertEqual([r.freed for r in https_routes], [1] * 6)
        type(self).https = None
        type(self).http = None


class SlowRouteTests(unittest.TestCase):
    """Route timeouts (504, on_cancel, kr_request_is_cancelled), the growing pool, the thread-exit callback."""

    def stats(self, server):
        s = KrCallbackPoolStats()
        self.assertEqual(LIB.kr_server_callback_pool_stats(server, byref(s)), KR_OK)
        return s

    def test_timeout_growth_and_release(self):
        checks = Checks()
        cancels, exits, saw = [], [], []
        release = threading.Event()

        def work(request):
            if read_string(LIB.kr_request_query_string, request)[1]:
                flag = c_bool(False)
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    checks.status(LIB.kr_request_is_cancelled(request, byref(flag)), KR_OK, "kr_request_is_cancelled")
                    if flag.value:
                        saw.append(True)
                        break
                    time.sleep(0.005)
            return reply(request, 200, b"text/plain", "done")

        def on_cancel(request, _user_data):
            cancels.append(read_string(LIB.kr_request_path, request)[1])

        work_route = Route(work, checks)
        block_route = Route(lambda r: 0 if release.wait(20) else 1, checks)
        cancel_cb = CANCEL_CB(on_cancel)
        exit_cb = THREAD_EXIT_CB(lambda _ud: exits.append(threading.current_thread().ident))
        server = new_server(b"py-slow")
        idx = c_size_t()
        self.assertEqual(LIB.kr_server_add_endpoint_http(server, b"127.0.0.1", 0, byref(idx)), KR_OK)
        self.assertEqual(LIB.kr_server_set_callback_thread_limits(server, 5, 4), KR_INVALID_ARGUMENT)
        self.assertEqual(LIB.kr_server_set_callback_thread_limits(server, 1, 3), KR_OK)
        self.assertEqual(LIB.kr_server_set_callback_idle_timeout_ms(server, 200), KR_OK)
        self.assertEqual(LIB.kr_server_set_thread_exit_callback(server, exit_cb, None, FREE_CB()), KR_OK)
        s = self.stats(server)
        self.assertEqual((s.min_threads, s.max_threads, s.threads), (1, 3, 0))
        opts = KrRouteOptions()
        self.assertEqual(LIB.kr_route_options_default(byref(opts)), KR_OK)
        self.assertEqual(opts.timeout_ms, 0)
        opts.timeout_ms = 300
        opts.on_cancel = cancel_cb
        self.assertEqual(LIB.kr_server_add_route_ex(server, b"GET", b"/work", byref(opts), work_route.cb,
                                                    work_route.data_ptr, work_route.free_cb), KR_OK, last_error())
        self.assertEqual(block_route.add_to(server, b"GET", b"/block"), KR_OK)
        self.assertEqual(LIB.kr_server_start(server), KR_OK, last_error())
        url = read_string(LIB.kr_server_endpoint_url, server, 0)[1]

        t0 = time.monotonic()
        status, headers, body = Http(with_jar=False).request("GET", url + "/work?sleep=1")
        self.assertEqual(status, 504, body)
        self.assertEqual(json.loads(body)["error"], "Gateway Timeout")
        self.assertLess(time.monotonic() - t0, 5)
        deadline = time.monotonic() + 5
        # The flag and the cancel hook are set on different threads: wait for both.
        while not (saw and cancels) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual((saw, cancels), ([True], ["/work"]))
        self.assertEqual(Http(with_jar=False).request("GET", url + "/work")[0], 200)

        results = []
        threads = [threading.Thread(target=lambda: results.append(Http(with_jar=False).request("GET", url + "/block")[0]))
                   for _ in range(3)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while self.stats(server).busy < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(self.stats(server).threads, 3)
        release.set()
        for t in threads:
            t.join(30)
        self.assertEqual(results, [200, 200, 200])
        deadline = time.monotonic() + 10
        while self.stats(server).threads > 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        s = self.stats(server)
        self.assertEqual((s.threads, s.threads_released, s.timed_out), (1, 2, 1))
        self.assertEqual(LIB.kr_server_free(server), KR_OK)
        self.assertEqual(len(exits), 3, "2 released threads and the warm one at stop ran the exit callback")
        self.assertEqual(checks.failures(), [])


def main():
    if not os.path.exists(LIB_PATH):
        print(f"library not found: {LIB_PATH}")
        print("0 passed, 1 failed")
        return 1
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
