//! [`PostgresBackend`]: sessions in a PostgreSQL table (see the parent module for the table and the
//! semantics), through a pool of `tokio-postgres` connections (deadpool) on the store's own I/O
//! thread.
//!
//! # Connection strings ([`PostgresConnection::parse`])
//! - Npgsql's form, as ASP.NET Core users write it: `Host=…;Port=…;Username=…;Password=…;
//!   Database=…;SSL Mode=…;Timeout=…;Command Timeout=…;Application Name=…` (keys are
//!   case-insensitive, spaces in them ignored; `Server`, `User ID`, `User`, `Pwd`, `Db` are accepted
//!   too);
//! - a URL: `postgres://user:password@host:port/database?sslmode=…&connect_timeout=…`.
//!
//! TLS: `SSL Mode=Disable` / `Prefer` / `Allow` connect without TLS (no TLS connector for
//! `tokio-postgres` is in the vendored crate set); `Require`, `VerifyCA` and `VerifyFull` are refused
//! with a clear error rather than connecting in clear text. The password never appears in logs or
//! errors (see [`PostgresConnection::display`]).
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio::sync::OnceCell;
use tokio_postgres::config::SslMode;
use tokio_postgres::NoTls;

use super::{check_identifier, lease_ms, ttl_seconds, KEY_RING_ID};
use crate::error::{Error, Result};
use crate::logging;
use crate::session::io_runtime::IoRuntime;
use crate::session::store::{state_from_json, state_to_json, BoxFuture, LockedLoad, SessionBackend, SessionState};

/// Connect timeout when the connection string sets none.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Per-statement bound when the connection string sets none.
const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections per server.
const POOL_SIZE: usize = 16;

/// PostgreSQL session store settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Npgsql-style or `postgres://` connection string (see the module docs).
    pub connection: String,
    /// Schema of the table; default `public`.
    pub schema: String,
    /// The table; default `Sessions`.
    pub table: String,
    /// Create the schema, table and index when missing (at first use).
    pub create_if_not_exists: bool,
    /// How often expired rows are deleted.
    pub expired_items_deletion_interval: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            connection: String::new(),
            schema: "public".into(),
            table: "Sessions".into(),
            create_if_not_exists: false,
            expired_items_deletion_interval: super::DEFAULT_DELETION_INTERVAL,
        }
    }
}

/// A parsed connection string.
#[derive(Debug, Clone)]
pub struct PostgresConnection {
    /// Where and how to connect.
    pub config: tokio_postgres::Config,
    /// The bound of one statement (`Command Timeout`).
    pub command_timeout: Duration,
    /// `postgres://user@host:port/database`, no password.
    pub display: String,
}

fn bad(why: impl std::fmt::Display) -> Error {
    Error::invalid_argument(format!("invalid PostgreSQL connection string: {why}"))
}

fn seconds(key: &str, v: &str) -> Result<Duration> {
    match v.trim().parse::<u64>() {
        Ok(s) if (1..=3600).contains(&s) => Ok(Duration::from_secs(s)),
        _ => Err(bad(format!("{key}={v:?} is not a number of seconds in 1..=3600"))),
    }
}

fn ssl_mode(v: &str) -> Result<SslMode> {
    match v.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
        "disable" => Ok(SslMode::Disable),
        "allow" | "prefer" => Ok(SslMode::Prefer),
        "require" | "verifyca" | "verifyfull" => Err(bad(format!(
            "SSL Mode={} needs TLS to PostgreSQL, which this build cannot do (no TLS connector for tokio-postgres in its crate set); use SSL Mode=Disable on a trusted network or a local socket",
            v.trim()
        ))),
        other => Err(bad(format!("SSL Mode={other:?} is not Disable, Allow, Prefer, Require, VerifyCA or VerifyFull"))),
    }
}

/// One `;`-separated part of an Npgsql connection string.
enum Part {
    Pair(String, String),
    /// A part without `=`.
    Bare,
}

/// The parts of an Npgsql-style string: `key=value` separated by `;`, a value may be quoted with `'` or
/// `"` (the quote doubled inside it) so that it can hold `;`.
fn npgsql_parts(s: &str) -> Result<Vec<Part>> {
    let mut parts = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c == ';' {
                break;
            }
            key.push(c);
            chars.next();
        }
        match chars.next() {
            None | Some(';') => {
                if !key.trim().is_empty() {
                    parts.push(Part::Bare);
                }
                if chars.peek().is_none() {
                    return Ok(parts);
                }
                continue;
            }
            _ => {} // '='
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if let Some(&q) = chars.peek().filter(|c| **c == '\'' || **c == '"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(bad(format!("a value quoted with {q} is not closed"))),
                    Some(c) if c == q && chars.peek() == Some(&q) => {
                        value.push(q);
                        chars.next();
                    }
                    Some(c) if c == q => break,
                    Some(c) => value.push(c),
                }
            }
            while chars.peek().is_some_and(|c| *c != ';') {
                if !chars.next().is_some_and(char::is_whitespace) {
                    return Err(bad("text after a quoted value (a ';' is missing)"));
                }
            }
            chars.next();
        } else {
            for c in chars.by_ref() {
                if c == ';' {
                    break;
                }
                value.push(c);
            }
            value = value.trim().to_string();
        }
        parts.push(Part::Pair(key, value));
        if chars.peek().is_none() {
            return Ok(parts);
        }
    }
}

impl PostgresConnection {
    /// Parses `s` (see the module docs); `InvalidArgument` naming what is wrong (never the password).
    pub fn parse(s: &str) -> Result<PostgresConnection> {
        let s = s.trim();
        if s.is_empty() {
            return Err(bad("it is empty"));
        }
        let mut command_timeout = DEFAULT_COMMAND_TIMEOUT;
        let mut config = if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            // TLS modes tokio-postgres' URL parser does not know: the same clear refusal as Require.
            if let Some((_, query)) = s.split_once('?') {
                for (k, v) in form_urlencoded::parse(query.as_bytes()) {
                    if k == "sslmode" {
                        ssl_mode(&v)?;
                    }
                }
            }
            let config: tokio_postgres::Config = s.parse().map_err(|e| bad(format!("{e}")))?;
            if config.get_ssl_mode() == SslMode::Require {
                return Err(ssl_mode("require").unwrap_err());
            }
            config
        } else {
            let mut config = tokio_postgres::Config::new();
            let mut after_password = false;
            for (n, part) in npgsql_parts(s)?.into_iter().enumerate() {
                let (key, value) = match part {
                    Part::Pair(key, value) => (key, value),
                    // Never quote the text: after a password it may be a piece of it.
                    Part::Bare => {
                        return Err(bad(format!(
                            "part {} is not key=value (quote a value that contains ';', e.g. Password='a;b')",
                            n + 1
                        )))
                    }
                };
                let key = key.trim().to_ascii_lowercase().replace(' ', "");
                let value = value.as_str();
                let was_after_password =
                    std::mem::replace(&mut after_password, matches!(key.as_str(), "password" | "pwd"));
                match key.as_str() {
                    "host" | "server" => {
                        for h in value.split(',').map(str::trim).filter(|h| !h.is_empty()) {
                            config.host(h);
                        }
                    }
                    "port" => {
                        let port = value.parse::<u16>().ok().filter(|p| *p > 0);
                        config.port(port.ok_or_else(|| bad(format!("Port={value:?} is not 1..=65535")))?);
                    }
                    "username" | "userid" | "user" => {
                        config.user(value);
                    }
                    "password" | "pwd" => {
                        config.password(value);
                    }
                    "database" | "db" => {
                        config.dbname(value);
                    }
                    "sslmode" => {
                        config.ssl_mode(ssl_mode(value)?);
                    }
                    "timeout" => {
                        config.connect_timeout(seconds("Timeout", value)?);
                    }
                    "commandtimeout" => command_timeout = seconds("Command Timeout", value)?,
                    "applicationname" => {
                        config.application_name(value);
                    }
                    other => {
                        // Right after a password an unknown "key" may be a piece of it: not shown.
                        let which = if was_after_password { format!("part {}", n + 1) } else { format!("{other:?}") };
                        return Err(bad(format!(
                            "option {which} is not supported (use Host, Port, Username, Password, Database, SSL Mode, Timeout, Command Timeout, Application Name; quote a password that contains ';')"
                        )));
                    }
                }
            }
            config
        };
        if config.get_hosts().is_empty() {
            return Err(bad("no Host"));
        }
        if config.get_user().is_none() {
            return Err(bad("no Username"));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        let host = match &config.get_hosts()[0] {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let display = format!(
            "postgres://{}@{host}:{port}/{}",
            config.get_user().unwrap_or_default(),
            config.get_dbname().unwrap_or(config.get_user().unwrap_or_default())
        );
        Ok(PostgresConnection { config, command_timeout, display })
    }
}

/// The statements of one table (its quoted name formatted in once).
struct Statements {
    create: String,
    load_touch: String,
    lock_load: String,
    exists: String,
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
    fn new(schema: &str, table: &str) -> Statements {
        let t = format!("\"{schema}\".\"{table}\"");
        let ttl = "now() + $X::bigint * interval '1 second'";
        let with = |x: &str| ttl.replace("$X", x);
        Statements {
            create: format!(
                "CREATE SCHEMA IF NOT EXISTS \"{schema}\";
                 CREATE TABLE IF NOT EXISTS {t} (
                     \"Id\" text PRIMARY KEY,
                     \"Value\" text NOT NULL,
                     \"ExpiresAtTime\" timestamptz NOT NULL,
                     \"SlidingExpirationInSeconds\" bigint NOT NULL,
                     \"LockToken\" text NULL,
                     \"LockExpiresAtTime\" timestamptz NULL);
                 CREATE INDEX IF NOT EXISTS \"{table}_ExpiresAtTime\" ON {t} (\"ExpiresAtTime\");"
            ),
            load_touch: format!(
                "UPDATE {t} SET \"ExpiresAtTime\" = {}, \"SlidingExpirationInSeconds\" = $2
                 WHERE \"Id\" = $1 AND \"ExpiresAtTime\" > now() RETURNING \"Value\"",
                with("$2")
            ),
            lock_load: format!(
                "UPDATE {t} SET \"ExpiresAtTime\" = {}, \"SlidingExpirationInSeconds\" = $4,
                     \"LockToken\" = $2, \"LockExpiresAtTime\" = now() + $3::bigint * interval '1 millisecond'
                 WHERE \"Id\" = $1 AND \"ExpiresAtTime\" > now()
                   AND (\"LockToken\" IS NULL OR \"LockToken\" = $2 OR \"LockExpiresAtTime\" <= now())
                 RETURNING \"Value\"",
                with("$4")
            ),
            exists: format!("SELECT 1 FROM {t} WHERE \"Id\" = $1 AND \"ExpiresAtTime\" > now()"),
            load: format!("SELECT \"Value\" FROM {t} WHERE \"Id\" = $1 AND \"ExpiresAtTime\" > now()"),
            save: format!(
                "INSERT INTO {t} (\"Id\", \"Value\", \"ExpiresAtTime\", \"SlidingExpirationInSeconds\") VALUES ($1, $2, {}, $3)",
                with("$3")
            ),
            upsert: format!(
                "INSERT INTO {t} (\"Id\", \"Value\", \"ExpiresAtTime\", \"SlidingExpirationInSeconds\") VALUES ($1, $2, {}, $3)
                 ON CONFLICT (\"Id\") DO UPDATE SET \"Value\" = EXCLUDED.\"Value\", \"ExpiresAtTime\" = EXCLUDED.\"ExpiresAtTime\",
                     \"SlidingExpirationInSeconds\" = EXCLUDED.\"SlidingExpirationInSeconds\"",
                with("$3")
            ),
            update_locked: format!(
                "UPDATE {t} SET \"Value\" = $3, \"ExpiresAtTime\" = {}, \"SlidingExpirationInSeconds\" = $4,
                     \"LockToken\" = NULL, \"LockExpiresAtTime\" = NULL
                 WHERE \"Id\" = $1 AND \"LockToken\" = $2",
                with("$4")
            ),
            touch: format!(
                "UPDATE {t} SET \"ExpiresAtTime\" = {} WHERE \"Id\" = $1 AND \"ExpiresAtTime\" > now()",
                with("$2")
            ),
            delete: format!("DELETE FROM {t} WHERE \"Id\" = $1"),
            unlock: format!(
                "UPDATE {t} SET \"LockToken\" = NULL, \"LockExpiresAtTime\" = NULL WHERE \"Id\" = $1 AND \"LockToken\" = $2"
            ),
            ring_get: format!("SELECT \"Value\" FROM {t} WHERE \"Id\" = $1"),
            ring_create: format!(
                "INSERT INTO {t} (\"Id\", \"Value\", \"ExpiresAtTime\", \"SlidingExpirationInSeconds\") VALUES ($1, $2, 'infinity', 0)
                 ON CONFLICT (\"Id\") DO NOTHING"
            ),
            ring_swap: format!("UPDATE {t} SET \"Value\" = $3 WHERE \"Id\" = $1 AND \"Value\" = $2"),
            sweep: format!("DELETE FROM {t} WHERE \"ExpiresAtTime\" <= now()"),
        }
    }
}

struct Inner {
    pool: Pool,
    display: String,
    table: String,
    statements: Statements,
    create: bool,
    /// Set once the table is known to exist (created when missing with `create`).
    ready: OnceCell<()>,
}

/// Sessions in PostgreSQL (see the module docs).
pub struct PostgresBackend {
    inner: Arc<Inner>,
    bound: Duration,
    interval: Duration,
    io: IoRuntime,
}

impl std::fmt::Debug for PostgresBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresBackend")
            .field("server", &self.inner.display)
            .field("table", &self.inner.table)
            .finish()
    }
}

fn pg_error(display: &str, e: impl std::fmt::Display) -> Error {
    Error::io(format!("PostgreSQL on {display}: {e}"))
}

impl Inner {
    /// A pooled connection, the table ensured first.
    async fn client(&self) -> Result<deadpool_postgres::Object> {
        let client = self.pool.get().await.map_err(|e| pg_error(&self.display, e))?;
        if self.create {
            self.ready
                .get_or_try_init(|| async {
                    match client.batch_execute(&self.statements.create).await {
                        Ok(()) => Ok(()),
                        // Two servers creating it at once: one of them fails on the catalog; fine if it exists now.
                        Err(e)
                            if client
                                .query_opt(&format!("SELECT 1 FROM {} LIMIT 1", self.table), &[])
                                .await
                                .is_ok() =>
                        {
                            logging::debug(&format!("PostgreSQL session table already created ({e})"));
                            Ok(())
                        }
                        Err(e) => {
                            Err(pg_error(&self.display, format!("creating the session table {}: {e}", self.table)))
                        }
                    }
                })
                .await?;
        }
        Ok(client)
    }

    async fn query_value(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Option<String>> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(|e| pg_error(&self.display, e))?;
        let row = client.query_opt(&stmt, params).await.map_err(|e| pg_error(&self.display, e))?;
        Ok(row.map(|r| r.get::<_, String>(0)))
    }

    async fn execute(&self, sql: &str, params: &[&(dyn tokio_postgres::types::ToSql + Sync)]) -> Result<u64> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(|e| pg_error(&self.display, e))?;
        client.execute(&stmt, params).await.map_err(|e| pg_error(&self.display, e))
    }

    fn place(&self, key: &str) -> String {
        format!("PostgreSQL table {} row {key:?}", self.table)
    }
}

impl PostgresBackend {
    /// A backend for `options` (validated here; no connection is made until the first use).
    pub fn new(options: &PostgresOptions) -> Result<PostgresBackend> {
        check_identifier("schema name", &options.schema)?;
        check_identifier("table name", &options.table)?;
        if options.expired_items_deletion_interval < Duration::from_secs(1) {
            return Err(Error::invalid_argument("the expired items deletion interval must be at least 1 second"));
        }
        let conn = PostgresConnection::parse(&options.connection)?;
        let connect_timeout = conn.config.get_connect_timeout().copied().unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let io = IoRuntime::new("kr-postgres")?;
        let manager =
            Manager::from_config(conn.config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(conn.command_timeout))
            .create_timeout(Some(connect_timeout))
            .recycle_timeout(Some(conn.command_timeout))
            .build()
            .map_err(|e| Error::internal(format!("PostgreSQL pool: {e}")))?;
        let table = format!("\"{}\".\"{}\"", options.schema, options.table);
        Ok(PostgresBackend {
            inner: Arc::new(Inner {
                pool,
                display: conn.display.clone(),
                statements: Statements::new(&options.schema, &options.table),
                table,
                create: options.create_if_not_exists,
                ready: OnceCell::new(),
            }),
            bound: connect_timeout + 2 * conn.command_timeout,
            interval: options.expired_items_deletion_interval,
            io,
        })
    }

    /// `postgres://user@host:port/database` (no password).
    pub fn server_display(&self) -> &str {
        &self.inner.display
    }

    fn run<T: Send + 'static, F, Fut>(&self, f: F) -> BoxFuture<'static, Result<T>>
    where
        F: FnOnce(Arc<Inner>) -> Fut,
        Fut: std::future::Future<Output = Result<T>> + Send + 'static,
    {
        let inner = self.inner.clone();
        self.io.run(self.bound, format!("PostgreSQL on {}", inner.display), f(inner.clone()))
    }
}

impl SessionBackend for PostgresBackend {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionState>>> {
        let key = key.to_string();
        self.run(move |inner| async move {
            let value = inner.query_value(&inner.statements.load, &[&key]).await?;
            value.map(|v| state_from_json(&inner.place(&key), &v)).transpose()
        })
    }

    fn load_and_touch<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<Option<SessionState>>> {
        let (key, ttl) = (key.to_string(), ttl_seconds(ttl));
        self.run(move |inner| async move {
            let value = inner.query_value(&inner.statements.load_touch, &[&key, &ttl]).await?;
            value.map(|v| state_from_json(&inner.place(&key), &v)).transpose()
        })
    }

    fn save<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let (key, ttl, body) = (key.to_string(), ttl_seconds(ttl), state_to_json(&state));
        self.run(
            move |inner| async move { inner.execute(&inner.statements.save, &[&key, &body?, &ttl]).await.map(|_| ()) },
        )
    }

    fn update<'a>(&'a self, key: &'a str, state: SessionState, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let (key, ttl, body) = (key.to_string(), ttl_seconds(ttl), state_to_json(&state));
        self.run(move |inner| async move {
            inner.execute(&inner.statements.upsert, &[&key, &body?, &ttl]).await.map(|_| ())
        })
    }

    fn update_ttl<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<()>> {
        let (key, ttl) = (key.to_string(), ttl_seconds(ttl));
        self.run(move |inner| async move { inner.execute(&inner.statements.touch, &[&key, &ttl]).await.map(|_| ()) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        let key = key.to_string();
        self.run(move |inner| async move { inner.execute(&inner.statements.delete, &[&key]).await.map(|_| ()) })
    }

    /// Yes: a lease in the row (`LockToken`, `LockExpiresAtTime`), taken by the load's `UPDATE`.
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
        self.run(move |inner| async move {
            if let Some(v) = inner.query_value(&inner.statements.lock_load, &[&key, &token, &lease, &ttl]).await? {
                return state_from_json(&inner.place(&key), &v).map(|s| LockedLoad::Acquired(Some(s)));
            }
            let client = inner.client().await?;
            let stmt =
                client.prepare_cached(&inner.statements.exists).await.map_err(|e| pg_error(&inner.display, e))?;
            let live = client.query_opt(&stmt, &[&key]).await.map_err(|e| pg_error(&inner.display, e))?;
            Ok(if live.is_some() { LockedLoad::Busy } else { LockedLoad::Acquired(None) })
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
        self.run(move |inner| async move {
            inner.execute(&inner.statements.update_locked, &[&key, &token, &body?, &ttl]).await.map(|n| n == 1)
        })
    }

    fn unlock<'a>(&'a self, key: &'a str, token: &'a str) -> BoxFuture<'a, Result<()>> {
        let (key, token) = (key.to_string(), token.to_string());
        self.run(move |inner| async move { inner.execute(&inner.statements.unlock, &[&key, &token]).await.map(|_| ()) })
    }

    /// Yes: the row `Kestrun.Rust:SessionKeyRing` of the table (never expires).
    fn keeps_key_ring(&self) -> bool {
        true
    }

    fn load_key_ring(&self) -> BoxFuture<'_, Result<Option<String>>> {
        self.run(move |inner| async move { inner.query_value(&inner.statements.ring_get, &[&KEY_RING_ID]).await })
    }

    fn swap_key_ring(&self, expected: Option<String>, new: String) -> BoxFuture<'_, Result<bool>> {
        self.run(move |inner| async move {
            let n = match expected {
                None => inner.execute(&inner.statements.ring_create, &[&KEY_RING_ID, &new]).await?,
                Some(old) => inner.execute(&inner.statements.ring_swap, &[&KEY_RING_ID, &old, &new]).await?,
            };
            Ok(n == 1)
        })
    }

    fn sweep_interval(&self) -> Option<Duration> {
        Some(self.interval)
    }

    fn sweep_expired(&self) -> BoxFuture<'_, Result<u64>> {
        self.run(move |inner| async move { inner.execute(&inner.statements.sweep, &[]).await })
    }

    fn server_starting(&self, server_name: &str) {
        logging::info(&format!(
            "Server '{server_name}': sessions in PostgreSQL on {} (table {}; connected lazily)",
            self.inner.display, self.inner.table
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_npgsql_strings_and_urls_without_showing_passwords() {
        let c = PostgresConnection::parse(
            "Host=db.internal;Port=5433;Username=app;Password=s3cret;Database=shop;SSL Mode=Disable;Timeout=3;Command Timeout=7",
        )
        .unwrap();
        assert_eq!(c.display, "postgres://app@db.internal:5433/shop");
        assert_eq!(c.command_timeout, Duration::from_secs(7));
        assert_eq!(c.config.get_connect_timeout(), Some(&Duration::from_secs(3)));
        assert_eq!(c.config.get_password(), Some(&b"s3cret"[..]));
        assert!(!c.display.contains("s3cret"));
        let u = PostgresConnection::parse("postgres://app:s3cret@127.0.0.1:6543/shop?connect_timeout=2").unwrap();
        assert_eq!(u.display, "postgres://app@127.0.0.1:6543/shop");
        assert_eq!(u.config.get_connect_timeout(), Some(&Duration::from_secs(2)));
        let q = PostgresConnection::parse("Host=h;Username=u;Password='pa;ss''word';Database=\"d\"").unwrap();
        assert_eq!(q.config.get_password(), Some(&b"pa;ss'word"[..]), "quoted values hold ';' and doubled quotes");
        assert_eq!(q.config.get_dbname(), Some("d"));
        let d = PostgresConnection::parse("server=h; user id=u; pwd=p").unwrap();
        assert_eq!((d.display.as_str(), d.command_timeout), ("postgres://u@h:5432/u", DEFAULT_COMMAND_TIMEOUT));

        for (bad, says) in [
            ("", "empty"),
            ("Host=h;Username=u;SSL Mode=Require;Password=topsecret", "needs TLS"),
            ("postgres://u:topsecret@h/db?sslmode=require", "needs TLS"),
            ("postgres://u:topsecret@h/db?sslmode=verify-full", "needs TLS"),
            ("postgres://u:topsecret@h/db?sslmode=verify-ca", "needs TLS"),
            ("Host=h;Username=u;Frobnicate=1;Password=topsecret", "\"frobnicate\" is not supported"),
            ("Host=h;Username=u;Port=0;Password=topsecret", "Port"),
            ("Username=u;Password=topsecret", "no Host"),
            ("Host=h;Password=topsecret", "no Username"),
            ("Host=h;Username=u;Timeout=x", "Timeout"),
            ("Host=h;Username=u;Password=topsecret;2xyzzy", "part 4 is not key=value"),
            ("Host=h;Username=u;Password=topsecret;w0rd=2", "option part 4 is not supported"),
            ("Host=h;Username=u;Password='top;secret", "not closed"),
        ] {
            let e = PostgresConnection::parse(bad).unwrap_err();
            assert!(e.message().contains(says), "{bad}: {e}");
            for secret in ["topsecret", "top;secret", "xyzzy", "w0rd"] {
                assert!(!e.message().contains(secret), "{e}");
            }
        }
    }

    #[test]
    fn options_are_checked() {
        let o = |schema: &str, table: &str| PostgresOptions {
            connection: "Host=h;Username=u".into(),
            schema: schema.into(),
            table: table.into(),
            ..Default::default()
        };
        PostgresBackend::new(&o("public", "Sessions")).unwrap();
        assert!(PostgresBackend::new(&o("public", "Sessions; DROP TABLE x")).is_err());
        assert!(PostgresBackend::new(&o("1x", "Sessions")).is_err());
    }
}
