//! Sessions in SQL stores: a real PostgreSQL server started by each test (`initdb` in a temporary
//! folder, a free loopback port; as the `postgres` user when the tests run as root), and SQLite files.
//! Two servers sharing a session with no secret, 400 concurrent increments across two servers, idle
//! expiry and the sweep, a killed and a paused (SIGSTOP) PostgreSQL, SQLite across restarts and two
//! servers on one file.
//!
//! Without PostgreSQL's server programs (Debian's `postgresql`) the PostgreSQL tests fail with the
//! reason: a prerequisite that cannot be had is a failure.
mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use kestrun_native::session::sql::{PostgresOptions, SqliteOptions};
use kestrun_native::{Server, SessionOptions};

// ---- a PostgreSQL server of our own ---------------------------------------------------------------

/// The folder of PostgreSQL's server programs: `KR_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<version>/bin`, else the `PATH`.
fn pg_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("KR_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).collect())
        .unwrap_or_default();
    versions.sort();
    versions.pop().unwrap_or_default()
}

fn pg_program(name: &str) -> PathBuf {
    let dir = pg_bin();
    if dir.as_os_str().is_empty() {
        PathBuf::from(name)
    } else {
        dir.join(name)
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

/// `program args…`, as the `postgres` user when running as root (PostgreSQL refuses root); `setpriv`
/// execs in place, so the child's PID is the program's (signals reach it).
fn pg_command(program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=postgres", "--regid=postgres", "--init-groups", "--"]).arg(pg_program(program));
        c
    } else {
        Command::new(pg_program(program))
    }
}

struct PgServer {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl PgServer {
    /// A fresh cluster (trust authentication on loopback), started.
    fn start() -> PgServer {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        if is_root() {
            assert!(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success());
        }
        let out = pg_command("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(&data)
            .output()
            .unwrap_or_else(|e| {
                panic!("PostgreSQL's initdb cannot run ({e}): install Debian's postgresql (or set KR_PG_BIN)")
            });
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        let mut pg = PgServer { port: free_port(), dir, child: None };
        pg.restart();
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Starts `postgres` on the same port and waits until it accepts a query.
    fn restart(&mut self) {
        assert!(self.child.is_none());
        let child = pg_command("postgres")
            .arg("-D")
            .arg(self.data())
            .args(["-p", &self.port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .arg("-k")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start postgres");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.query("SELECT 1").is_err() {
            assert!(Instant::now() < deadline, "postgres did not start on port {}", self.port);
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn kill(&mut self) {
        kill_child(&mut self.child);
        // The postmaster's children exit when it is gone; wait until the port is free again.
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGSTOP / SIGCONT to the postmaster and its children (a hung server: connections stay open,
    /// nothing answers). The connections' backends are children of the postmaster.
    fn signal_all(&self, sig: &str) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        let children = Command::new("pgrep").args(["-P", &pid]).output().expect("pgrep");
        let mut pids: Vec<String> =
            String::from_utf8_lossy(&children.stdout).split_whitespace().map(String::from).collect();
        pids.push(pid);
        assert!(Command::new("kill").arg(sig).args(&pids).status().unwrap().success());
    }

    /// Runs `sql` with psql; its output (unaligned, tuples only).
    fn query(&self, sql: &str) -> Result<String, String> {
        let out = Command::new(pg_program("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", "-d", "postgres", "-Atc", sql])
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).to_string())
        }
    }

    /// A connection string in Npgsql's form (the password is ignored by trust authentication, but
    /// must never show in logs).
    fn connection(&self) -> String {
        format!(
            "Host=127.0.0.1;Port={};Username=postgres;Password=pg-secret-never-logged;Database=postgres;Timeout=2;Command Timeout=2",
            self.port
        )
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            // A fast shutdown (SIGINT), so that PostgreSQL removes its shared memory; SIGKILL if it hangs.
            let pid = child.id().to_string();
            let _ = Command::new("kill").args(["-CONT", &pid]).status();
            let _ = Command::new("kill").args(["-INT", &pid]).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.kill();
    }
}

// ---- servers ------------------------------------------------------------------------------------------

fn session_options(io: u64, idle: u64) -> SessionOptions {
    SessionOptions {
        cookie_name: "Kr.Session".into(),
        idle_timeout_seconds: idle,
        io_timeout_seconds: io,
        ..Default::default()
    }
}

/// An HTTP server with the tutorial routes and its sessions in PostgreSQL (table `kr.Sessions`).
fn pg_session_server(name: &str, pg: &PgServer, io: u64, idle: u64, sweep: Duration) -> (Server, String) {
    let server = Server::new(name).unwrap();
    server.add_endpoint_http("127.0.0.1", 0).unwrap();
    server
        .use_postgres_session_store(PostgresOptions {
            connection: pg.connection(),
            schema: "kr".into(),
            table: "Sessions".into(),
            create_if_not_exists: true,
            expired_items_deletion_interval: sweep,
        })
        .unwrap();
    server.configure_session(session_options(io, idle)).unwrap();
    tutorial_routes(&server);
    let url = start(&server);
    (server, url)
}

fn sqlite_session_server(name: &str, path: &Path) -> (Server, String) {
    let server = Server::new(name).unwrap();
    server.add_endpoint_http("127.0.0.1", 0).unwrap();
    server.use_sqlite_session_store(SqliteOptions { path: path.to_path_buf(), ..Default::default() }).unwrap();
    server.configure_session(session_options(5, 600)).unwrap();
    tutorial_routes(&server);
    let url = start(&server);
    (server, url)
}

/// 400 increments of the session of `jar` from 8 threads, alternately on `urls`; all answered 200.
fn increments_across(jar: &reqwest::blocking::Client, urls: [&str; 2]) {
    let ok = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for i in 0..8 {
            let (url, ok) = (urls[i % 2], &ok);
            s.spawn(move || {
                for _ in 0..50 {
                    assert_eq!(try_counter(jar, url).0, 200);
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(ok.into_inner(), 400);
}

// ---- PostgreSQL ---------------------------------------------------------------------------------------

#[test]
fn postgres_two_servers_share_a_session_with_no_secret_and_lose_no_concurrent_increment() {
    let pg = PgServer::start();
    let log = tempfile::NamedTempFile::new().unwrap();
    kestrun_native::logging::add_file_sink(log.path()).unwrap();
    let (a, url_a) = pg_session_server("pg-a", &pg, 5, 600, Duration::from_secs(60));
    let (b, url_b) = pg_session_server("pg-b", &pg, 5, 600, Duration::from_secs(60));
    let jar = client();
    assert_eq!(get(&jar, &format!("{url_a}/session/login?user=max")), (200, "Logged in max".into()));
    assert_eq!(get(&jar, &format!("{url_b}/session/whoami")), (200, "max".into()), "B opens A's cookie: the key ring");
    assert_eq!(
        pg.query("SELECT count(*) FROM kr.\"Sessions\" WHERE \"Id\" = 'Kestrun.Rust:SessionKeyRing'").unwrap(),
        "1"
    );

    assert_eq!(try_counter(&jar, &url_a), (200, Some(1)));
    increments_across(&jar, [&url_a, &url_b]);
    assert_eq!(try_counter(&jar, &url_b), (200, Some(402)), "400 concurrent increments over two servers: none lost");
    assert_eq!(pg.query("SELECT count(*) FROM kr.\"Sessions\" WHERE \"LockToken\" IS NOT NULL").unwrap(), "0");

    // Both restart: the ring and the session are in the database.
    stop(&a);
    stop(&b);
    drop((a, b));
    let (c, url_c) = pg_session_server("pg-c", &pg, 5, 600, Duration::from_secs(60));
    assert_eq!(get(&jar, &format!("{url_c}/session/whoami")), (200, "max".into()));
    stop(&c);
    let text = std::fs::read_to_string(log.path()).unwrap();
    assert!(text.contains("sessions in PostgreSQL on postgres://postgres@127.0.0.1"), "{text}");
    assert!(!text.contains("pg-secret-never-logged"), "the password is never logged");
}

#[test]
fn postgres_idle_sessions_expire_and_the_sweep_deletes_their_rows() {
    let pg = PgServer::start();
    let (server, url) = pg_session_server("pg-idle", &pg, 5, 2, Duration::from_secs(1));
    let jar = client();
    assert_eq!(get(&jar, &format!("{url}/session/login?user=max")).0, 200);
    // Used every second for 4 s (> the 2 s idle timeout): the expiry keeps moving.
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(1000));
        assert_eq!(get(&jar, &format!("{url}/session/whoami")), (200, "max".into()));
    }
    let sessions = "SELECT count(*) FROM kr.\"Sessions\" WHERE \"Id\" <> 'Kestrun.Rust:SessionKeyRing'";
    assert_eq!(pg.query(sessions).unwrap(), "1");
    // Idle longer than the timeout: never served again, and the sweep deletes the row.
    let deadline = Instant::now() + Duration::from_secs(15);
    while pg.query(sessions).unwrap() != "0" {
        assert!(Instant::now() < deadline, "the sweep did not delete the expired row");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(get(&jar, &format!("{url}/session/whoami")).0, 401);
    assert_eq!(pg.query("SELECT count(*) FROM kr.\"Sessions\"").unwrap(), "1", "the key ring is never swept");
    stop(&server);
}

#[test]
fn postgres_killed_then_restarted_and_paused_bounded_by_the_io_timeout_with_no_lost_acknowledged_write() {
    let mut pg = PgServer::start();
    let (server, url) = pg_session_server("pg-outage", &pg, 2, 600, Duration::from_secs(60));
    let jar = client();
    let mut acknowledged = Vec::new();
    for _ in 0..3 {
        acknowledged.push(try_counter(&jar, &url).1.unwrap());
    }

    // Paused: a write is answered 503 within the IO timeout; reads still answer.
    pg.signal_all("-STOP");
    for _ in 0..2 {
        let t = Instant::now();
        assert_eq!(try_counter(&jar, &url), (503, None));
        assert!(t.elapsed() < Duration::from_millis(2000 * 2 + 1500), "bounded: {:?}", t.elapsed());
    }
    assert_eq!(get(&jar, &format!("{url}/hello")), (200, "Hello".into()));
    pg.signal_all("-CONT");
    let after = counter_again(&jar, &url, Duration::from_secs(20), "sessions to work again after SIGCONT");
    assert!(after > *acknowledged.iter().max().unwrap(), "{after} after {acknowledged:?}");

    // Killed: 503, bounded; restarted (same data): the session is back.
    pg.kill();
    for _ in 0..2 {
        let t = Instant::now();
        assert_eq!(try_counter(&jar, &url), (503, None));
        assert!(t.elapsed() < Duration::from_secs(6), "bounded: {:?}", t.elapsed());
    }
    pg.restart();
    let n = counter_again(&jar, &url, Duration::from_secs(20), "sessions to work again after the restart");
    assert!(n > after, "the stored session continues: {n} after {after}");
    stop(&server);
}

// ---- SQLite -------------------------------------------------------------------------------------------

#[test]
fn sqlite_a_session_survives_a_restart_and_two_servers_on_one_file_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sessions.db");
    let (a, url_a) = sqlite_session_server("lite-a", &file);
    let jar = client();
    assert_eq!(get(&jar, &format!("{url_a}/session/login?user=max")).0, 200);
    assert_eq!(try_counter(&jar, &url_a), (200, Some(1)));
    stop(&a);
    drop(a);

    // A new server on the file: the same key ring, the same session.
    let (a, url_a) = sqlite_session_server("lite-a2", &file);
    assert_eq!(get(&jar, &format!("{url_a}/session/whoami")), (200, "max".into()), "the session survived a restart");
    let (b, url_b) = sqlite_session_server("lite-b", &file);
    increments_across(&jar, [&url_a, &url_b]);
    assert_eq!(try_counter(&jar, &url_b), (200, Some(402)), "two servers on one file lose no increment");
    stop(&a);
    stop(&b);
    drop((a, b));
    let store =
        kestrun_native::session::sql::SqliteBackend::new(&SqliteOptions { path: file.clone(), ..Default::default() })
            .unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok", "the file is intact");
}
