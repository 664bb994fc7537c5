//! [`SqliteBackend`]: sessions in one SQLite file (bundled SQLite), so that a single server keeps its
//! sessions across restarts. The table and the semantics are the parent module's (times are Unix
//! milliseconds); the file is in WAL mode, so several processes may share it: SQLite locks the file
//! for each write (waiting up to the IO timeout), and the row lease serializes a session's requests
//! across them. Statements run on the store's I/O thread (blocking pool), one at a time per process.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::{check_identifier, lease_ms, ttl_seconds, KEY_RING_ID};
use crate::error::{Error, Result};
use crate::logging;
use crate::session::io_runtime::IoRuntime;
use crate::session::store::{state_from_json, state_to_json, BoxFuture, LockedLoad, SessionBackend, SessionState};

/// The bound of one statement, including the wait for the file's write lock.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite session store settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// The database file (created when missing, with its table).
    pub path: PathBuf,
    /// The table; default `Sessions`.
    pub table: String,
    /// How often expired rows are deleted.
    pub expired_items_deletion_interval: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            path: PathBuf::new(),
            table: "Sessions".into(),
            expired_items_deletion_interval: super::DEFAULT_DELETION_INTERVAL,
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

struct Inner {
    conn: Mutex<Connection>,
    display: String,
    sql: Statements,
}

/// Sessions in a SQLite file (see the module docs).
pub struct SqliteBackend {
    inner: Arc<Inner>,
    interval: Duration,
    io: IoRuntime,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend").field("file", &self.inner.display).finish()
    }
}

impl Inner {
    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::io(format!("SQLite {}: {e}", self.display))
    }

    /// `sql` with `params`; the first column of the first row, if any.
    fn value(&self, sql: &str, params: impl rusqlite::Params) -> Result<Option<String>> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        stmt.query_row(params, |r| r.get::<_, String>(0)).optional().map_err(|e| self.err(e))
    }

    fn execute(&self, sql: &str, params: impl rusqlite::Params) -> Result<usize> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        stmt.execute(params).map_err(|e| self.err(e))
    }

    fn place(&self, key: &str) -> String {
        format!("SQLite {} row {key:?}", self.display)
    }

    fn state(&self, key: &str, value: Option<String>) -> Result<Option<SessionState>> {
        value.map(|v| state_from_json(&self.place(key), &v)).transpose()
    }
}

impl SqliteBackend {
    /// Opens (creating when missing) the file and its table; `Io` when it cannot.
    pub fn new(options: &SqliteOptions) -> Result<SqliteBackend> {
        check_identifier("table name", &options.table)?;
        if options.path.as_os_str().is_empty() {
            return Err(Error::invalid_argument("the SQLite session store needs a file path"));
        }
        if options.expired_items_deletion_interval < Duration::from_secs(1) {
            return Err(Error::invalid_argument("the expired items deletion interval must be at least 1 second"));
        }
        let display = options.path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&options.path, flags)
            .map_err(|e| Error::io(format!("cannot open the SQLite session store {display}: {e}")))?;
        let table = format!("\"{}\"", options.table);
        let setup = format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             CREATE TABLE IF NOT EXISTS {table} (
                 \"Id\" TEXT PRIMARY KEY,
                 \"Value\" TEXT NOT NULL,
                 \"ExpiresAtTime\" INTEGER NOT NULL,
                 \"SlidingExpirationInSeconds\" INTEGER NOT NULL,
                 \"LockToken\" TEXT NULL,
                 \"LockExpiresAtTime\" INTEGER NULL);
             CREATE INDEX IF NOT EXISTS \"{}_ExpiresAtTime\" ON {table} (\"ExpiresAtTime\");",
            options.table
        );
        conn.busy_timeout(STATEMENT_TIMEOUT)
            .and_then(|()| conn.execute_batch(&setup))
            .map_err(|e| Error::io(format!("cannot prepare the SQLite session store {display}: {e}")))?;
        Ok(SqliteBackend {
            inner: Arc::new(Inner { conn: Mutex::new(conn), display, sql: Statements::new(&table) }),
            interval: options.expired_items_deletion_interval,
            io: IoRuntime::new("kr-sqlite")?,
        })
    }

    /// SQLite's `PRAGMA integrity_check` of the file: `ok` when intact (diagnostics, tests).
    pub fn integrity_check(&self) -> Result<String> {
        self.inner.value("PRAGMA integrity_check", []).map(Option::unwrap_or_default)
    }

    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        let inner = self.inner.clone();
        let what = format!("SQLite {}", inner.display);
        self.io.run_blocking(STATEMENT_TIMEOUT + Duration::from_secs(1), what, move || f(&inner))
    }
}

const LOAD_TOUCH: &str = "UPDATE {t} SET \"ExpiresAtTime\" = ?2 + ?3 * 1000, \"SlidingExpirationInSeconds\" = ?3
    WHERE \"Id\" = ?1 AND \"ExpiresAtTime\" > ?2 RETURNING \"Value\"";
const LOCK_LOAD: &str = "UPDATE {t} SET \"ExpiresAtTime\" = ?5 + ?4 * 1000, \"SlidingExpirationInSeconds\" = ?4,
        \"LockToken\" = ?2, \"LockExpiresAtTime\" = ?5 + ?3
    WHERE \"Id\" = ?1 AND \"ExpiresAtTime\" > ?5
      AND (\"LockToken\" IS NULL OR \"LockToken\" = ?2 OR \"LockExpiresAtTime\" <= ?5)
    RETURNING \"Value\"";
const LIVE: &str = "SELECT \"Id\" FROM {t} WHERE \"Id\" = ?1 AND \"ExpiresAtTime\" > ?2";
const LOAD: &str = "SELECT \"Value\" FROM {t} WHERE \"Id\" = ?1 AND \"ExpiresAtTime\" > ?2";
const SAVE: &str = "INSERT INTO {t} (\"Id\", \"Value\", \"ExpiresAtTime\", \"SlidingExpirationInSeconds\")
    VALUES (?1, ?2, ?4 + ?3 * 1000, ?3)";
const UPSERT: &str = "INSERT INTO {t} (\"Id\", \"Value\", \"ExpiresAtTime\", \"SlidingExpirationInSeconds\")
    VALUES (?1, ?2, ?4 + ?3 * 1000, ?3)
    ON CONFLICT (\"Id\") DO UPDATE SET \"Value\" = excluded.\"Value\", \"ExpiresAtTime\" = excluded.\"ExpiresAtTime\",
        \"SlidingExpirationInSeconds\" = excluded.\"SlidingExpirationInSeconds\"";
const UPDATE_LOCKED: &str = "UPDATE {t} SET \"Value\" = ?3, \"ExpiresAtTime\" = ?5 + ?4 * 1000,
        \"SlidingExpirationInSeconds\" = ?4, \"LockToken\" = NULL, \"LockExpiresAtTime\" = NULL
    WHERE \"Id\" = ?1 AND \"LockToken\" = ?2";
const TOUCH: &str = "UPDATE {t} SET \"ExpiresAtTime\" = ?3 + ?2 * 1000 WHERE \"Id\" = ?1 AND \"ExpiresAtTime\" > ?3";
const DELETE: &str = "DELETE FROM {t} WHERE \"Id\" = ?1";
const UNLOCK: &str =
    "UPDATE {t} SET \"LockToken\" = NULL, \"LockExpiresAtTime\" = NULL WHERE \"Id\" = ?1 AND \"LockToken\" = ?2";
const RING_GET: &str = "SELECT \"Value\" FROM {t} WHERE \"Id\" = ?1";
const RING_CREATE: &str = "INSERT INTO {t} (\"Id\", \"Value\", \"ExpiresAtTime\", \"SlidingExpirationInSeconds\")
    VALUES (?1, ?2, 9223372036854775807, 0) ON CONFLICT (\"Id\") DO NOTHING";
const RING_SWAP: &str = "UPDATE {t} SET \"Value\" = ?3 WHERE \"Id\" = ?1 AND \"Value\" = ?2";
const SWEEP: &str = "DELETE FROM {t} WHERE \"ExpiresAtTime\" <= ?1";

/// The statements above with the table's quoted name in place of `{t}` (made once per store).
struct Statements {
    load_touch: String,
    lock_load: String,
    live: String,
    load: String,
    save: String,
    upsert: String,
    update_locked: String,
    touch: String,
    delete: String,
    unlock: String,
    ring_get: String,
    ring_create: String,
    ring_swap: String,
    sweep: String,
}

impl Statements {
    fn new(table: &str) -> Statements {
        let table_sql = |template: &str| template.replace("{t}", table);
        Statements {
            load_touch: table_sql(LOAD_TOUCH),
            lock_load: table_sql(LOCK_LOAD),
            live: table_sql(LIVE),
            load: table_sql(LOAD),
            save: table_sql(SAVE),
            upsert: table_sql(UPSERT),
            update_locked: table_sql(UPDATE_LOCKED),
            touch: table_sql(TOUCH),
            delete: table_sql(DELETE),
            unlock: table_sql(UNLOCK),
            ring_get: table_sql(RING_GET),
            ring_create: table_sql(RING_CREATE),
            ring_swap: table_sql(RING_SWAP),
            sweep: table_sql(SWEEP),
        }
    }
}

impl SessionBackend for SqliteBackend {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionState>>> {
        let key = key.to_string();
        self.run(move |inner| inner.state(&key, inner.value(&inner.sql.load, params![key, now_ms()])?))
    }

    fn load_and_touch<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<SessionState>>> {
        let (key, ttl) = (key.to_string(), ttl_seconds(ttl));
        self.run(move |inner| inner.state(&key, inner.value(&inner.sql.load_touch, params![key, now_ms(), ttl])?))
    }

    fn save<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let (key, ttl, body) = (key.to_string(), ttl_seconds(ttl), state_to_json(&state));
        self.run(move |inner| inner.execute(&inner.sql.save, params![key, body?, ttl, now_ms()]).map(|_| ()))
    }

    fn update<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let (key, ttl, body) = (key.to_string(), ttl_seconds(ttl), state_to_json(&state));
        self.run(move |inner| inner.execute(&inner.sql.upsert, params![key, body?, ttl, now_ms()]).map(|_| ()))
    }

    fn update_ttl<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let (key, ttl) = (key.to_string(), ttl_seconds(ttl));
        self.run(move |inner| inner.execute(&inner.sql.touch, params![key, ttl, now_ms()]).map(|_| ()))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        let key = key.to_string();
        self.run(move |inner| inner.execute(&inner.sql.delete, params![key]).map(|_| ()))
    }

    /// Yes: the row lease, which holds across processes sharing the file.
    fn locks_across_processes(&self) -> bool {
        true
    }

    fn lock_and_load<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        lock_ttl: Duration,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<LockedLoad>> {
        let (key, token, lease, ttl) = (key.to_string(), token.to_string(), lease_ms(lock_ttl), ttl_seconds(ttl));
        self.run(move |inner| {
            let now = now_ms();
            if let Some(v) = inner.value(&inner.sql.lock_load, params![key, token, lease, ttl, now])? {
                return inner.state(&key, Some(v)).map(LockedLoad::Acquired);
            }
            let live = inner.value(&inner.sql.live, params![key, now])?.is_some();
            Ok(if live { LockedLoad::Busy } else { LockedLoad::Acquired(None) })
        })
    }

    fn update_locked<'a>(
        &'a self,
        key: &'a str,
        token: &'a str,
        state: SessionState,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool>> {
        let (key, token, ttl, body) = (key.to_string(), token.to_string(), ttl_seconds(ttl), state_to_json(&state));
        self.run(move |inner| {
            inner.execute(&inner.sql.update_locked, params![key, token, body?, ttl, now_ms()]).map(|n| n == 1)
        })
    }

    fn unlock<'a>(&'a self, key: &'a str, token: &'a str) -> BoxFuture<'a, Result<()>> {
        let (key, token) = (key.to_string(), token.to_string());
        self.run(move |inner| inner.execute(&inner.sql.unlock, params![key, token]).map(|_| ()))
    }

    /// Yes: the row `Kestrun.Rust:SessionKeyRing` (never expires).
    fn keeps_key_ring(&self) -> bool {
        true
    }

    fn load_key_ring(&self) -> BoxFuture<'_, Result<Option<String>>> {
        self.run(move |inner| inner.value(&inner.sql.ring_get, params![KEY_RING_ID]))
    }

    fn swap_key_ring(&self, expected: Option<String>, new: String) -> BoxFuture<'_, Result<bool>> {
        self.run(move |inner| {
            let n = match expected {
                None => inner.execute(&inner.sql.ring_create, params![KEY_RING_ID, new])?,
                Some(old) => inner.execute(&inner.sql.ring_swap, params![KEY_RING_ID, old, new])?,
            };
            Ok(n == 1)
        })
    }

    fn sweep_interval(&self) -> Option<Duration> {
        Some(self.interval)
    }

    fn sweep_expired(&self) -> BoxFuture<'_, Result<u64>> {
        self.run(move |inner| inner.execute(&inner.sql.sweep, params![now_ms()]).map(|n| n as u64))
    }

    fn server_starting(&self, server_name: &str) {
        logging::info(&format!("Server '{server_name}': sessions in the SQLite file {}", self.inner.display));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(v: &str) -> SessionState {
        [("n".to_string(), v.to_string())].into_iter().collect()
    }

    #[tokio::test]
    async fn round_trip_expiry_lease_and_ring_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteOptions { path: dir.path().join("s.db"), ..Default::default() };
        let b = SqliteBackend::new(&options).unwrap();
        let ttl = Duration::from_secs(60);
        b.save("k", state("1"), ttl).await.unwrap();
        assert_eq!(b.load_and_touch("k", ttl).await.unwrap(), Some(state("1")));
        b.update("k", state("2"), ttl).await.unwrap();
        // The lease: one holder at a time, the commit only with the token, then free again.
        assert_eq!(b.lock_and_load("k", "t1", ttl, ttl).await.unwrap(), LockedLoad::Acquired(Some(state("2"))));
        assert_eq!(b.lock_and_load("k", "t2", ttl, ttl).await.unwrap(), LockedLoad::Busy);
        assert!(!b.update_locked("k", "t2", state("x"), ttl).await.unwrap(), "not the holder");
        assert!(b.update_locked("k", "t1", state("3"), ttl).await.unwrap());
        assert_eq!(b.lock_and_load("k", "t2", ttl, ttl).await.unwrap(), LockedLoad::Acquired(Some(state("3"))));
        b.unlock("k", "t2").await.unwrap();
        assert_eq!(b.lock_and_load("absent", "t", ttl, ttl).await.unwrap(), LockedLoad::Acquired(None));
        // An expired lease does not hold.
        assert!(matches!(
            b.lock_and_load("k", "t3", Duration::from_millis(1), ttl).await.unwrap(),
            LockedLoad::Acquired(_)
        ));
        std::thread::sleep(Duration::from_millis(5));
        assert!(matches!(b.lock_and_load("k", "t4", ttl, ttl).await.unwrap(), LockedLoad::Acquired(_)));
        // Idle expiry.
        b.save("short", state("1"), Duration::from_secs(1)).await.unwrap();
        // The key ring: created once.
        assert!(b.swap_key_ring(None, "{\"keys\":[]}".into()).await.unwrap());
        assert!(!b.swap_key_ring(None, "other".into()).await.unwrap());
        drop(b);

        let b = SqliteBackend::new(&options).unwrap();
        assert_eq!(b.load("k").await.unwrap(), Some(state("3")), "sessions survive a reopen");
        assert_eq!(b.load_key_ring().await.unwrap().as_deref(), Some("{\"keys\":[]}"));
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(b.load("short").await.unwrap(), None, "an expired row is never served");
        assert_eq!(b.sweep_expired().await.unwrap(), 1, "the sweep deletes it (never the ring)");
        assert!(b.load_key_ring().await.unwrap().is_some());
        b.delete("k").await.unwrap();
        assert_eq!(b.load("k").await.unwrap(), None);
    }

    #[test]
    fn a_path_that_cannot_be_opened_is_a_clear_error() {
        let e = SqliteBackend::new(&SqliteOptions { path: "/nonexistent-dir/x/s.db".into(), ..Default::default() })
            .unwrap_err();
        assert!(e.message().contains("cannot open the SQLite session store /nonexistent-dir/x/s.db"), "{e}");
    }
}
