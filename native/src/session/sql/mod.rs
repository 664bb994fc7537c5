//! SQL session stores: [`PostgresBackend`] (several servers on one database) and [`SqliteBackend`]
//! (one machine, sessions that survive a restart), with the semantics of the Redis store.
//!
//! # Table
//! One row per session (ASP.NET Core's SQL cache columns, plus the lease that serializes a
//! session's requests across servers):
//!
//! | column | PostgreSQL | SQLite | holds |
//! |---|---|---|---|
//! | `Id` | `text PRIMARY KEY` | `TEXT PRIMARY KEY` | the session key (64 letters and digits), or the key ring's id |
//! | `Value` | `text NOT NULL` | `TEXT NOT NULL` | the state as JSON (actix-session's format, as in Redis) |
//! | `ExpiresAtTime` | `timestamptz NOT NULL` | `INTEGER NOT NULL` (Unix ms) | idle expiry: now + the idle timeout at every use |
//! | `SlidingExpirationInSeconds` | `bigint NOT NULL` | `INTEGER NOT NULL` | the idle timeout |
//! | `LockToken` | `text NULL` | `TEXT NULL` | the random token of the request holding the session |
//! | `LockExpiresAtTime` | `timestamptz NULL` | `INTEGER NULL` | when that lease ends (now + the IO timeout) |
//!
//! plus an index on `ExpiresAtTime`. The key ring is the row `Kestrun.Rust:SessionKeyRing`, which
//! never expires.
//!
//! # Semantics
//! - Sliding idle expiry: loading a session moves its `ExpiresAtTime`; an expired row is never
//!   served, and the periodic sweep (`ExpiredItemsDeletionInterval`) deletes expired rows.
//! - One request of a session at a time across servers: loading takes a lease (`LockToken`, at most
//!   the IO timeout) in the same statement, unless another live lease holds the row; the commit
//!   writes only while the token still holds it, and releases it.
//! - The IO timeout bounds every call (the engine's store adapter), so a dead or paused database
//!   gives 503 for a write, never an acknowledged write that was not stored.
mod postgres;
mod sqlite;

pub use postgres::{PostgresBackend, PostgresConnection, PostgresOptions};
pub use sqlite::{SqliteBackend, SqliteOptions};

use crate::error::{Error, Result};

/// The `Id` of the key ring's row.
pub(crate) const KEY_RING_ID: &str = "Kestrun.Rust:SessionKeyRing";

/// Default interval between two sweeps of expired rows (ASP.NET Core's SQL cache: 30 minutes).
pub const DEFAULT_DELETION_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Checks a schema / table name: letters, digits and `_`, not starting with a digit, at most 63
/// bytes (PostgreSQL's limit); it is quoted in every statement.
pub(crate) fn check_identifier(what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "invalid {what} {name:?}: use 1 to 63 letters, digits or '_', not starting with a digit"
        )))
    }
}

/// Seconds of a TTL as stored (at least 1).
pub(crate) fn ttl_seconds(ttl: std::time::Duration) -> i64 {
    i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX).max(1)
}

/// Milliseconds of a lease (at least 1).
pub(crate) fn lease_ms(lease: std::time::Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        for ok in ["Sessions", "public", "kr_sessions_2", "_x"] {
            check_identifier("table", ok).unwrap();
        }
        for bad in ["", "1abc", "a-b", "a b", "a\"b", "x;drop", &"a".repeat(64)] {
            assert!(check_identifier("table", bad).is_err(), "{bad}");
        }
    }
}
