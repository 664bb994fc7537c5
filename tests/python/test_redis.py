#!/usr/bin/env python3
"""Session stores through the C API (ctypes). The SQL stores: configuration errors (never showing the
password) and SQLite sessions that outlive their server and are shared through the file with no secret.
The Redis store, against a real redis-server this test starts on a free
loopback port (--save '' --appendonly no): configuration errors; two servers (different ports, one Redis, the
same KrSessionOptions.cookie_key) sharing a session through one cookie jar; idle expiry by Redis key expiry
(checked with raw RESP commands); redis-server killed mid-test (requests still answered, writes 503, bounded) and restarted
on the same port (sessions work again); Redis down at start-up.

Without redis-server on PATH the Redis tests are reported as skipped with the reason (never passed).
Run: python3 tests/python/test_redis.py   (last line: `N passed, N failed[, N skipped]`)
"""
import ctypes
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from ctypes import byref, c_size_t, c_void_p, create_string_buffer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_capi as capi  # noqa: E402  (the library, its prototypes and helpers)

LIB = capi.LIB
# Constants parsed from ffi/include/kestrun_rust.h (test_capi.header_constants), never copied by hand.
KR_OK, KR_INVALID_ARGUMENT, KR_INVALID_STATE, KR_NULL_ARGUMENT, KR_IO_ERROR = capi.constants(
    "KR_OK", "KR_INVALID_ARGUMENT", "KR_INVALID_STATE", "KR_NULL_ARGUMENT", "KR_IO_ERROR")
REDIS_SERVER = os.environ.get("KR_REDIS_SERVER") or shutil.which("redis-server")
SKIP_REASON = "redis-server is not installed (apt-get install redis-server)"
SECRET = b"python farm secret: at least sixteen bytes"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resp(port, *args, timeout=2.0):
    """One raw RESP command to 127.0.0.1:port; returns the decoded reply (int, str, None, list)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        out = b"*%d\r\n" % len(args) + b"".join(
            b"$%d\r\n%s\r\n" % (len(a), a) for a in (x if isinstance(x, bytes) else str(x).encode() for x in args))
        s.sendall(out)
        f = s.makefile("rb")

        def read():
            line = f.readline().rstrip(b"\r\n")
            kind, rest = line[:1], line[1:]
            if kind == b"+":
                return rest.decode()
            if kind == b"-":
                raise RuntimeError(rest.decode())
            if kind == b":":
                return int(rest)
            if kind == b"$":
                n = int(rest)
                if n < 0:
                    return None
                data = f.read(n + 2)[:n]
                return data.decode()
            if kind == b"*":
                return [read() for _ in range(int(rest))]
            raise RuntimeError(f"unexpected reply {line!r}")

        return read()


class RedisServer:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="kr-redis-")
        self.proc = None
        self.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0".encode()

    def start(self):
        deadline = time.monotonic() + 20
        while True:
            self.proc = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--daemonize", "no", "--loglevel", "warning", "--dir", self.dir],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    if resp(self.port, "PING", timeout=0.5) == "PONG":
                        return
                except OSError:
                    pass
                time.sleep(0.05)
            self.kill()
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.2)

    def kill(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def close(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def keys(self, pattern):
        return sorted(resp(self.port, "KEYS", pattern))


def login(req):
    st, user = capi.read_string(LIB.kr_request_query, req, b"user", 0)
    LIB.kr_session_set_string(req, b"user", (user or "").encode())
    return capi.reply(req, 200, b"text/plain", f"Logged in {user}")


def whoami(req):
    st, user = capi.read_string(LIB.kr_session_get_string, req, b"user")
    if st != KR_OK:
        return capi.reply(req, 401, b"text/plain", "no user")
    return capi.reply(req, 200, b"text/plain", user)


def counter(req):
    v = ctypes.c_int32(0)
    LIB.kr_session_get_int32(req, b"counter", byref(v))  # KR_NOT_FOUND leaves 0
    LIB.kr_session_set_int32(req, b"counter", v.value + 1)
    return capi.reply(req, 200, b"application/json", '{"counter":%d}' % (v.value + 1))


def hello(req):
    return capi.reply(req, 200, b"text/plain", "Hello")


class Farm:
    """HTTP servers (127.0.0.1:0) with sessions in Redis; routes keep their ctypes callbacks alive here."""

    def __init__(self):
        self.checks = capi.Checks()
        self.servers = []
        self.routes = []

    def server(self, name, connection, prefix=b"py:", idle=60, io=5, op_ms=1000, secret=SECRET, store=None):
        """A started server with the tutorial routes; its sessions in Redis at `connection`, or in the
        store that `store(handle)` selects (returning its status)."""
        h = capi.new_server(name)
        idx = c_size_t()
        assert LIB.kr_server_add_endpoint_http(h, b"127.0.0.1", 0, byref(idx)) == KR_OK, capi.last_error()
        if store is None:
            assert LIB.kr_server_use_redis_session_store(h, connection, prefix, 1000, op_ms) == KR_OK, capi.last_error()
        else:
            assert store(h) == KR_OK, capi.last_error()
        o = capi.KrSessionOptions()
        LIB.kr_session_options_default(byref(o))
        o.cookie_name = b"Kr.Session"
        o.idle_timeout_seconds, o.io_timeout_seconds = idle, io
        key = None
        if secret is not None:
            key = create_string_buffer(secret, len(secret))
            o.cookie_key, o.cookie_key_len = ctypes.cast(key, c_void_p), len(secret)
        assert LIB.kr_server_configure_session(h, byref(o)) == KR_OK, capi.last_error()
        for fn, pattern in ((login, b"/session/login"), (whoami, b"/session/whoami"),
                            (counter, b"/session/counter"), (hello, b"/hello")):
            r = capi.Route(fn, self.checks)
            self.routes.append(r)
            assert r.add_to(h, b"GET", pattern) == KR_OK, capi.last_error()
        assert LIB.kr_server_start(h) == KR_OK, capi.last_error()
        self.servers.append(h)
        return h, capi.read_string(LIB.kr_server_endpoint_url, h, 0)[1]

    def close(self):
        for h in self.servers:
            LIB.kr_server_free(h)
        self.servers = []


def get(http, url):
    st, _, body = http.request("GET", url)
    return st, body.decode()


def count(http, base):
    st, body = get(http, base + "/session/counter")
    assert st == 200, (st, body)
    return int(body.split(":")[1].rstrip("}"))


def refused(http, base):
    """GET /session/counter is answered 503 JSON: the change could not be stored."""
    st, body = get(http, base + "/session/counter")
    return st == 503 and '"message":"The session store is unavailable' in body


def try_count(http, base):
    """The counter, or 0 while the store cannot store it (503)."""
    st, body = get(http, base + "/session/counter")
    return int(body.split(":")[1].rstrip("}")) if st == 200 else 0


class RedisConfigTests(unittest.TestCase):
    """No Redis needed: configuring never connects."""

    def assertFailed(self, got, expected):
        self.assertEqual(got, expected)
        self.assertNotEqual(capi.last_error(), "")

    def test_configuration_errors(self):
        h = capi.new_server(b"py-redis-config")
        try:
            for bad in (b"", b"http://h:1", b"h:0", b"h:1,bogus=1", b"redis://h:notaport", b"h:1,ssl=maybe"):
                self.assertFailed(LIB.kr_server_use_redis_session_store(h, bad, b"", 0, 0), KR_INVALID_ARGUMENT)
            self.assertFailed(LIB.kr_server_use_redis_session_store(h, b"h:1,password=hunter2,x=1", b"", 0, 0),
                              KR_INVALID_ARGUMENT)
            self.assertNotIn("hunter2", capi.last_error(), "passwords are never echoed")
            self.assertFailed(LIB.kr_server_use_redis_session_store(h, b"h:1", None, 0, 0), KR_NULL_ARGUMENT)
            port = free_port()  # nothing listens there
            self.assertEqual(LIB.kr_server_use_redis_session_store(
                h, f"127.0.0.1:{port},password=pw,defaultDatabase=1,abortConnect=false".encode(), b"app:", 300, 300),
                KR_OK)
            self.assertFailed(LIB.kr_server_use_redis_session_store(h, b"127.0.0.1:1", b"", 0, 0), KR_INVALID_STATE)
            o = capi.KrSessionOptions()
            LIB.kr_session_options_default(byref(o))
            self.assertEqual(LIB.kr_server_configure_session(h, byref(o)), KR_OK)
        finally:
            self.assertEqual(LIB.kr_server_free(h), KR_OK)


class SqlStoreTests(unittest.TestCase):
    """The SQL stores through the C API: configuration errors, and SQLite sessions that outlive servers
    (the PostgreSQL store against a live server is tested by the Rust suite)."""

    def test_configuration_errors_never_show_the_password(self):
        h = capi.new_server(b"py-sql-config")
        try:
            st = LIB.kr_server_use_postgres_session_store(
                h, b"Host=h;Username=u;Password=hunter2;SSL Mode=Require", None, None, True, 0)
            self.assertEqual(st, KR_INVALID_ARGUMENT)
            self.assertIn("SSL Mode", capi.last_error())
            self.assertNotIn("hunter2", capi.last_error())
            self.assertEqual(LIB.kr_server_use_postgres_session_store(
                h, b"Host=h;Username=u", b"public", b"bad name", True, 0), KR_INVALID_ARGUMENT)
            self.assertEqual(LIB.kr_server_use_sqlite_session_store(h, b"/nonexistent-dir/x/s.db", None, 0), KR_IO_ERROR)
            self.assertIn("/nonexistent-dir/x/s.db", capi.last_error())
            self.assertEqual(LIB.kr_server_use_postgres_session_store(
                h, b"postgres://u:pw@127.0.0.1:1/db", None, None, True, 60), KR_OK)
            self.assertEqual(LIB.kr_server_use_sqlite_session_store(h, b"/tmp/x.db", None, 0), KR_INVALID_STATE)
        finally:
            self.assertEqual(LIB.kr_server_free(h), KR_OK)

    def test_sqlite_sessions_outlive_the_server_and_are_shared_through_the_file(self):
        farm = Farm()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "sessions.db").encode()
            store = lambda h: LIB.kr_server_use_sqlite_session_store(h, path, None, 0)  # noqa: E731
            try:
                jar = capi.Http()
                a, url_a = farm.server(b"py-lite-a", None, secret=None, store=store)
                self.assertEqual(get(jar, url_a + "/session/login?user=max"), (200, "Logged in max"))
                self.assertEqual(count(jar, url_a), 1)
                farm.close()
                # A new server on the same file, with no secret: the key ring and the session are in the file.
                _, url_b = farm.server(b"py-lite-b", None, secret=None, store=store)
                _, url_c = farm.server(b"py-lite-c", None, secret=None, store=store)
                self.assertEqual(get(jar, url_b + "/session/whoami"), (200, "max"))
                self.assertEqual(count(jar, url_c), 2)
                self.assertEqual(count(jar, url_b), 3)
            finally:
                farm.close()
        self.assertEqual(farm.checks.failures(), [])


@unittest.skipIf(REDIS_SERVER is None, SKIP_REASON)
class RedisSessionTests(unittest.TestCase):
    def setUp(self):
        self.redis = RedisServer()
        self.farm = Farm()

    def tearDown(self):
        self.farm.close()
        self.redis.close()
        self.assertEqual(self.farm.checks.failures(), [])

    def test_two_servers_one_redis_share_the_session(self):
        _, a = self.farm.server(b"py-redis-a", self.redis.url, b"farm:")
        _, b = self.farm.server(b"py-redis-b", f"127.0.0.1:{self.redis.port}".encode(), b"farm:")
        self.assertNotEqual(a, b)
        jar = capi.Http()
        self.assertEqual(get(jar, a + "/session/whoami")[0], 401)
        self.assertEqual(get(jar, a + "/session/login?user=max"), (200, "Logged in max"))
        self.assertEqual(get(jar, b + "/session/whoami"), (200, "max"), "server B reads the session A wrote")
        self.assertEqual([count(jar, a), count(jar, b), count(jar, a), count(jar, b)], [1, 2, 3, 4])
        keys = self.redis.keys("farm:*")
        self.assertEqual(len(keys), 1)
        self.assertEqual(len(keys[0]), len("farm:") + 64)
        self.assertIn('"user"', resp(self.redis.port, "GET", keys[0]))
        self.assertEqual(get(capi.Http(), b + "/session/whoami")[0], 401, "another jar, another session")
        # A server with its own random cookie key cannot read the farm's cookie.
        _, c = self.farm.server(b"py-redis-c", self.redis.url, b"farm:", secret=None)
        self.assertEqual(get(jar, c + "/session/whoami")[0], 401)

    def test_idle_session_expires_in_redis(self):
        _, url = self.farm.server(b"py-redis-idle", self.redis.url, b"idle:", idle=2)
        jar = capi.Http()
        get(jar, url + "/session/login?user=max")
        (key,) = self.redis.keys("idle:*")
        self.assertIn(resp(self.redis.port, "TTL", key), (1, 2))
        for _ in range(3):  # used every second for 3 s: extended each time
            time.sleep(1)
            self.assertEqual(get(jar, url + "/session/whoami"), (200, "max"))
        deadline = time.monotonic() + 10
        while resp(self.redis.port, "EXISTS", key) == 1:
            self.assertLess(time.monotonic(), deadline, "the key did not expire")
            time.sleep(0.2)
        self.assertEqual(get(jar, url + "/session/whoami")[0], 401)

    def test_redis_killed_then_restarted(self):
        _, url = self.farm.server(b"py-redis-kill", self.redis.url, b"kill:", io=2, op_ms=500)
        jar = capi.Http()
        get(jar, url + "/session/login?user=max")
        self.assertEqual(count(jar, url), 1)
        self.redis.kill()
        for _ in range(3):
            t = time.monotonic()
            self.assertEqual(get(jar, url + "/hello"), (200, "Hello"))
            self.assertEqual(get(jar, url + "/session/whoami")[0], 401, "reads act as an empty session")
            self.assertTrue(refused(jar, url), "a write that cannot be stored is answered 503, never 200")
            self.assertLess(time.monotonic() - t, 6, "bounded by the timeouts")
        self.redis.start()  # same port, empty
        deadline = time.monotonic() + 15
        while True:
            get(jar, url + "/session/login?user=max")
            if get(jar, url + "/session/whoami") == (200, "max"):
                break
            self.assertLess(time.monotonic(), deadline, "sessions did not work again after the restart")
            time.sleep(0.2)
        n = count(jar, url)
        self.assertEqual(count(jar, url), n + 1)

    def test_redis_down_at_start_up(self):
        self.redis.kill()
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "redis.log")
            self.assertEqual(LIB.kr_log_add_file_sink(log.encode()), KR_OK)
            try:
                _, url = self.farm.server(b"py-redis-late", self.redis.url, b"late:", io=2, op_ms=500)
                jar = capi.Http()
                self.assertEqual(get(jar, url + "/hello"), (200, "Hello"))
                self.assertTrue(refused(jar, url), "a new session that cannot be stored is answered 503")
                self.redis.start()
                deadline = time.monotonic() + 15
                while try_count(jar, url) < 2:
                    self.assertLess(time.monotonic(), deadline, "sessions did not start working")
                    time.sleep(0.2)
                with open(log, encoding="utf-8") as f:
                    text = f.read()
                self.assertIn(f"redis://127.0.0.1:{self.redis.port}/0 is unreachable", text)
            finally:
                LIB.kr_log_clear_sinks()


def main():
    if REDIS_SERVER is None:
        print(f"Redis session tests: skipped ({SKIP_REASON})")
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
