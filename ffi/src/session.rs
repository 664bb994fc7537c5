//! Sessions: options (`KrSessionOptions`, `kr_server_configure_session`, Redis store) and the
//! per-request session API `kr_session_*` (values are bytes, as ASP.NET Core's `ISession`).
//! Every `kr_session_*` call returns `KR_NO_SESSION` when the server has no sessions.
use std::borrow::Cow;
use std::ffi::c_char;

use std::time::Duration;

use kestrun_native::session::sql::{PostgresOptions, SqliteOptions};
use kestrun_native::{CookieSecret, RedisOptions, RequestContext, SessionData, SessionOptions};

use crate::boundary::ffi_boundary;
use crate::enums::{same_site, secure_policy, KrSameSite, KrSecurePolicy};
use crate::handles::{request_id, server_ref, KrRequest, KrServer};
use crate::request::{absent, on_request, request_bytes_out, request_str_args, request_str_out, with_request};
use crate::status::{FfiError, FfiResult, KrStatus};
use crate::strings::{bytes_arg, opt_str_arg, str_args, write_out};

/// Session configuration for `kr_server_configure_session`; fill with `kr_session_options_default`
/// first. The strings are borrowed for the `kr_server_configure_session` call only (copied).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct KrSessionOptions {
    /// NULL → `".Kestrun.Session"`.
    pub cookie_name: *const c_char,
    /// NULL → `"/"`.
    pub cookie_path: *const c_char,
    /// NULL → no `Domain` attribute.
    pub cookie_domain: *const c_char,
    /// Default true.
    pub http_only: bool,
    /// A `KrSameSite`; default `KR_SAME_SITE_LAX`.
    pub same_site: i32,
    /// A `KrSecurePolicy`; default `KR_SECURE_POLICY_SAME_AS_REQUEST`.
    pub secure_policy: i32,
    /// `< 0` → browser-session cookie (default -1).
    pub cookie_max_age_seconds: i64,
    /// Sliding idle timeout; default 1200.
    pub idle_timeout_seconds: u64,
    /// Bound on every session store call; default 60.
    pub io_timeout_seconds: u64,
    /// In-memory store bound (sessions); default 1 000 000. When full, sessions in use are kept and
    /// a new session is refused (503) unless it is used more than the least recently used one.
    pub max_sessions: u64,
    /// Secret the session cookie key is derived from (HKDF-SHA512), `cookie_key_len` bytes
    /// (16..=4096); servers given the same secret read each other's session cookies. NULL (default)
    /// → the key ring kept in a shared store (Redis: servers sharing it read each other's cookies
    /// with no secret), else a random key per server. Borrowed for the call (copied).
    pub cookie_key: *const u8,
    /// Length of `cookie_key` in bytes (0 when it is NULL).
    pub cookie_key_len: usize,
    /// Seconds a key of the store's key ring seals new cookies before a starting server adds a new
    /// one (older keys still open their cookies for one more lifetime); default 7 776 000 (90 days).
    pub key_lifetime_seconds: u64,
}

/// Fills `*out` with the defaults (string fields NULL, i.e. the defaults above).
///
/// # Safety
/// `out`: non-NULL, writable `KrSessionOptions`, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_session_options_default(out: *mut KrSessionOptions) -> KrStatus {
    ffi_boundary! {
        // SAFETY: `out` is NULL or valid for writes (contract above).
        unsafe { write_out(out, "out", || Ok(default_options())) }
    }
}

/// The defaults of [`SessionOptions`] as a `KrSessionOptions` (string and key fields NULL).
fn default_options() -> KrSessionOptions {
    let d = SessionOptions::default();
    KrSessionOptions {
        cookie_name: std::ptr::null(),
        cookie_path: std::ptr::null(),
        cookie_domain: std::ptr::null(),
        http_only: d.http_only,
        same_site: KrSameSite::from(d.same_site) as i32,
        secure_policy: KrSecurePolicy::from(d.secure_policy) as i32,
        cookie_max_age_seconds: d.cookie_max_age_seconds,
        idle_timeout_seconds: d.idle_timeout_seconds,
        io_timeout_seconds: d.io_timeout_seconds,
        max_sessions: d.max_sessions,
        cookie_key: std::ptr::null(),
        cookie_key_len: 0,
        key_lifetime_seconds: d.key_lifetime_seconds,
    }
}

/// Enables sessions on a server that is not running (`KR_INVALID_ARGUMENT` for bad options,
/// `KR_INVALID_STATE` when running).
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `options`: non-NULL, readable, borrowed for the call; its strings are NULL or NUL-terminated
///   UTF-8 borrowed for the call (copied); `cookie_key` is NULL (with `cookie_key_len` 0) or
///   `cookie_key_len` readable bytes borrowed for the call (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_server_configure_session(
    server: *mut KrServer,
    options: *const KrSessionOptions,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        if options.is_null() {
            return Err(FfiError::null("options"));
        }
        // SAFETY: non-NULL and readable for the call (contract above); the struct is Copy.
        let o = unsafe { options.read() };
        let d = SessionOptions::default();
        let options = SessionOptions {
            // SAFETY: NULL or a NUL-terminated string valid for the call (contract above).
            cookie_name: unsafe { opt_str_arg(o.cookie_name, "cookie_name") }?.map_or(d.cookie_name, str::to_owned),
            // SAFETY: as above.
            cookie_path: unsafe { opt_str_arg(o.cookie_path, "cookie_path") }?.map_or(d.cookie_path, str::to_owned),
            // SAFETY: as above.
            cookie_domain: unsafe { opt_str_arg(o.cookie_domain, "cookie_domain") }?.map(str::to_owned),
            http_only: o.http_only,
            same_site: same_site(o.same_site)?,
            secure_policy: secure_policy(o.secure_policy)?,
            cookie_max_age_seconds: o.cookie_max_age_seconds,
            idle_timeout_seconds: o.idle_timeout_seconds,
            io_timeout_seconds: o.io_timeout_seconds,
            max_sessions: o.max_sessions,
            cookie_key: if o.cookie_key.is_null() && o.cookie_key_len == 0 {
                None
            } else {
                // SAFETY: NULL (len 0) or `cookie_key_len` readable bytes valid for the call (contract above).
                Some(CookieSecret::new(unsafe { bytes_arg(o.cookie_key, o.cookie_key_len, "cookie_key") }?.to_vec()))
            },
            key_lifetime_seconds: o.key_lifetime_seconds,
        };
        srv.configure_session(options)?;
        Ok(())
    }
}

/// Selects the Redis session store (must precede `kr_server_configure_session`; once per server).
/// `connection`: `redis://[[user]:password@]host[:port][/db]`, `rediss://…` (TLS), `unix://…`, or
/// StackExchange.Redis's `host[:port][,password=…][,user=…][,ssl=true][,defaultDatabase=N]
/// [,connectTimeout=ms][,syncTimeout=ms]`. `key_prefix` (ASP.NET's InstanceName, may be "") is put
/// before every session key. Timeouts of 0 take the string's `connectTimeout` / `syncTimeout`, else
/// 5000 ms. No connection is made here: the store connects on first use and reconnects after
/// failures (Redis down → sessions read as empty and a write is answered 503, each wait bounded by
/// the IO timeout). `KR_INVALID_ARGUMENT` for a bad string, `KR_INVALID_STATE` when sessions are
/// already configured, a store was already chosen, or the server runs. Servers sharing the store
/// read each other's session cookies through the key ring kept in it (or a common
/// `KrSessionOptions.cookie_key`).
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `connection` (e.g. `redis://127.0.0.1:6379/0`), `key_prefix`: NUL-terminated UTF-8, borrowed for
///   the call (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_server_use_redis_session_store(
    server: *mut KrServer,
    connection: *const c_char,
    key_prefix: *const c_char,
    connect_timeout_ms: u32,
    operation_timeout_ms: u32,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        // SAFETY: NUL-terminated strings valid for the call (contract above).
        let [connection, key_prefix] = unsafe { str_args([(connection, "connection"), (key_prefix, "key_prefix")]) }?;
        srv.use_redis_session_store(RedisOptions {
            connection: connection.to_owned(),
            key_prefix: key_prefix.to_owned(),
            connect_timeout: millis_or_default(connect_timeout_ms),
            operation_timeout: millis_or_default(operation_timeout_ms),
        })?;
        Ok(())
    }
}

/// Selects the PostgreSQL session store (must precede `kr_server_configure_session`; once per server).
/// `connection`: Npgsql's `Host=…;Port=…;Username=…;Password=…;Database=…;SSL Mode=Disable;
/// Timeout=s;Command Timeout=s` or `postgres://user:password@host:port/database` (TLS modes that need
/// TLS are refused: no TLS connector in this build). `schema` / `table`: NULL → `public` / `Sessions`
/// (letters, digits, `_`). `create_if_not_exists`: create the schema, table and index when missing.
/// `deletion_interval_seconds`: how often expired rows are deleted (0 → 1800). No connection is made
/// here. Semantics as the Redis store: sliding expiry, the IO timeout on every wait, 503 for a write
/// that was not stored, one request of a session at a time across servers (a row lease), the cookie
/// key ring in the table. `KR_INVALID_ARGUMENT` for a bad string or name (the password is never in
/// the message), `KR_INVALID_STATE` as for Redis.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `connection`: NUL-terminated UTF-8; `schema`, `table`: NULL or NUL-terminated UTF-8; borrowed for
///   the call (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_server_use_postgres_session_store(
    server: *mut KrServer,
    connection: *const c_char,
    schema: *const c_char,
    table: *const c_char,
    create_if_not_exists: bool,
    deletion_interval_seconds: u32,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        // SAFETY: NUL-terminated strings valid for the call (contract above).
        let [connection] = unsafe { str_args([(connection, "connection")]) }?;
        let d = PostgresOptions::default();
        srv.use_postgres_session_store(PostgresOptions {
            connection: connection.to_owned(),
            // SAFETY: NULL or a NUL-terminated string valid for the call (contract above).
            schema: unsafe { opt_str_arg(schema, "schema") }?.map_or(d.schema, str::to_owned),
            // SAFETY: as above.
            table: unsafe { opt_str_arg(table, "table") }?.map_or(d.table, str::to_owned),
            create_if_not_exists,
            expired_items_deletion_interval: seconds_or(deletion_interval_seconds, d.expired_items_deletion_interval),
        })?;
        Ok(())
    }
}

/// Selects the SQLite session store (must precede `kr_server_configure_session`; once per server):
/// sessions and the cookie key ring in the file `path` (created when missing, WAL mode; several
/// processes may share it), so one server keeps its sessions across restarts. `table`: NULL →
/// `Sessions`. `deletion_interval_seconds`: how often expired rows are deleted (0 → 1800). The file
/// is opened here: `KR_IO_ERROR` when it cannot be, `KR_INVALID_ARGUMENT` for a bad name,
/// `KR_INVALID_STATE` as for Redis.
///
/// # Safety
/// - `server`: a handle from `kr_server_new` (not dereferenced).
/// - `path`: NUL-terminated UTF-8; `table`: NULL or NUL-terminated UTF-8; borrowed for the call (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_server_use_sqlite_session_store(
    server: *mut KrServer,
    path: *const c_char,
    table: *const c_char,
    deletion_interval_seconds: u32,
) -> KrStatus {
    ffi_boundary! {
        let srv = server_ref(server)?;
        // SAFETY: NUL-terminated strings valid for the call (contract above).
        let [path] = unsafe { str_args([(path, "path")]) }?;
        let d = SqliteOptions::default();
        srv.use_sqlite_session_store(SqliteOptions {
            path: path.into(),
            // SAFETY: NULL or a NUL-terminated string valid for the call (contract above).
            table: unsafe { opt_str_arg(table, "table") }?.map_or(d.table, str::to_owned),
            expired_items_deletion_interval: seconds_or(deletion_interval_seconds, d.expired_items_deletion_interval),
        })?;
        Ok(())
    }
}

/// A seconds argument: 0 → `default`.
fn seconds_or(seconds: u32, default: Duration) -> Duration {
    if seconds == 0 {
        default
    } else {
        Duration::from_secs(seconds.into())
    }
}

/// A timeout argument in milliseconds: 0 → `None` (the store's default).
fn millis_or_default(ms: u32) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(ms.into()))
}

/// Runs `f` on the session of the live request behind `request` (`KR_NO_SESSION` when its server has none).
fn on_session<R>(request: *const KrRequest, f: impl FnOnce(&mut SessionData) -> R) -> FfiResult<R> {
    on_request(request, |ctx| Ok(f(ctx.session_mut()?)))
}

/// The value at `key` in the session of `ctx` (`KR_NOT_FOUND` when absent).
fn session_value<'a>(ctx: &'a RequestContext, key: &str) -> FfiResult<&'a [u8]> {
    ctx.session()?.get(key).ok_or_else(|| absent("session key", key))
}

/// The first checks of a `kr_session_*` function with a key: the handle (NULL), then `key`.
///
/// # Safety
/// `key` is NULL or a NUL-terminated string valid for `'a`.
unsafe fn session_key<'a>(request: *const KrRequest, key: *const c_char) -> FfiResult<&'a str> {
    // SAFETY: forwarded caller guarantee.
    let [key] = unsafe { request_str_args(request, [(key, "key")]) }?;
    Ok(key)
}

/// `*out` = whether the request's server has sessions (false, with `KR_OK`, when it has none).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `out`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_session_available(request: *mut KrRequest, out: *mut bool) -> KrStatus {
    ffi_boundary! {
        request_id(request)?;
        // SAFETY: `out` is NULL or valid for writes (contract above).
        unsafe { write_out(out, "out", || with_request(request, |ctx| ctx.session_available())) }
    }
}

/// `*out` = the int32 stored at `key` (4 bytes big-endian); `KR_NOT_FOUND` if absent or not 4 bytes.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `key`: NUL-terminated UTF-8, borrowed for the call.
/// - `out`: non-NULL, writable, borrowed for the call (untouched unless `KR_OK`).
#[no_mangle]
pub unsafe extern "C" fn kr_session_get_int32(request: *mut KrRequest, key: *const c_char, out: *mut i32) -> KrStatus {
    ffi_boundary! {
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let key = unsafe { session_key(request, key) }?;
        let value = || {
            let not_int32 = || FfiError::not_found(format!("session key `{key}` is absent or not a 4-byte int32"));
            on_session(request, |s| s.get_int32(key))?.ok_or_else(not_int32)
        };
        // SAFETY: `out` is NULL or valid for writes (contract above).
        unsafe { write_out(out, "out", value) }
    }
}

/// Stores `value` at `key` as 4 bytes big-endian (ASP.NET Core's `SetInt32`).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `key`: NUL-terminated UTF-8, borrowed for the call (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_session_set_int32(request: *mut KrRequest, key: *const c_char, value: i32) -> KrStatus {
    ffi_boundary! {
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let key = unsafe { session_key(request, key) }?;
        on_session(request, |s| s.set_int32(key, value))
    }
}

/// The value at `key` as UTF-8 text (invalid sequences replaced), string-out convention;
/// `KR_NOT_FOUND` if absent.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `key`: NUL-terminated UTF-8, borrowed for the call.
/// - `buf` / `out_len`: the string-out convention (borrowed for the call).
#[no_mangle]
pub unsafe extern "C" fn kr_session_get_string(
    request: *mut KrRequest,
    key: *const c_char,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let key = unsafe { session_key(request, key) }?;
        // SAFETY: buf / out_len per this function's contract.
        unsafe {
            request_str_out(request, buf, buf_len, out_len, |ctx| session_value(ctx, key).map(String::from_utf8_lossy))
        }
    }
}

/// Stores the UTF-8 bytes of `value` at `key`.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `key`, `value`: NUL-terminated UTF-8, borrowed for the call (copied).
#[no_mangle]
pub unsafe extern "C" fn kr_session_set_string(
    request: *mut KrRequest,
    key: *const c_char,
    value: *const c_char,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: NUL-terminated strings valid for the call (contract above).
        let [key, value] = unsafe { request_str_args(request, [(key, "key"), (value, "value")]) }?;
        on_session(request, |s| s.set_string(key, value))
    }
}

/// The bytes at `key` (bytes-out convention); `KR_NOT_FOUND` if absent.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `key`: NUL-terminated UTF-8, borrowed for the call.
/// - `buf`: borrowed for the call; NULL only with `buf_len == 0`; else `buf_len` writable bytes.
/// - `out_len`: non-NULL, borrowed for the call; receives the value's length.
#[no_mangle]
pub unsafe extern "C" fn kr_session_get_bytes(
    request: *mut KrRequest,
    key: *const c_char,
    buf: *mut u8,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let key = unsafe { session_key(request, key) }?;
        // SAFETY: buf / out_len per this function's contract.
        unsafe { request_bytes_out(request, buf, buf_len, out_len, |ctx| session_value(ctx, key)) }
    }
}

/// Stores a copy of `data[0..len]` at `key`.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `key`: NUL-terminated UTF-8, borrowed for the call (copied).
/// - `data`: borrowed for the call (copied); NULL only when `len == 0`.
#[no_mangle]
pub unsafe extern "C" fn kr_session_set_bytes(
    request: *mut KrRequest,
    key: *const c_char,
    data: *const u8,
    len: usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let key = unsafe { session_key(request, key) }?;
        // SAFETY: NULL (len 0) or `len` readable bytes valid for the call (contract above).
        let data = unsafe { bytes_arg(data, len, "data") }?;
        on_session(request, |s| s.set(key, data))
    }
}

/// Removes `key` (`KR_OK` even if absent).
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `key`: NUL-terminated UTF-8, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_session_remove(request: *mut KrRequest, key: *const c_char) -> KrStatus {
    ffi_boundary! {
        // SAFETY: NUL-terminated string valid for the call (contract above).
        let key = unsafe { session_key(request, key) }?;
        on_session(request, |s| s.remove(key))
    }
}

/// Ends the session (logout): every key is removed, and when the callback succeeds the session is
/// deleted from the store, so its id (a cookie captured before) reaches nothing, and the removal
/// cookie is sent. A value set afterwards, in this callback or a later request, starts a new session
/// with a new id and cookie.
///
/// `request`: the callback's handle (not dereferenced; valid until the callback returns).
#[no_mangle]
pub extern "C" fn kr_session_clear(request: *mut KrRequest) -> KrStatus {
    ffi_boundary! {
        on_session(request, SessionData::clear)
    }
}

/// Gives the session a new random id and keeps its data (call it at login, against session
/// fixation): when the callback succeeds, the old id is deleted from the store, so a cookie planted
/// or captured before reaches nothing, and the new cookie is sent. On a session that has no id yet
/// (nothing stored so far) it changes nothing.
///
/// `request`: the callback's handle (not dereferenced; valid until the callback returns).
#[no_mangle]
pub extern "C" fn kr_session_renew_id(request: *mut KrRequest) -> KrStatus {
    ffi_boundary! {
        on_session(request, SessionData::renew_id)
    }
}

/// `*out` = the number of keys in the session.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `out`: non-NULL, writable, borrowed for the call.
#[no_mangle]
pub unsafe extern "C" fn kr_session_key_count(request: *mut KrRequest, out: *mut usize) -> KrStatus {
    ffi_boundary! {
        request_id(request)?;
        // SAFETY: `out` is NULL or valid for writes (contract above).
        unsafe { write_out(out, "out", || on_request(request, |ctx| Ok(ctx.session()?.len()))) }
    }
}

/// The `index`-th key (keys are ordered), string-out convention; `KR_NOT_FOUND` past the last key.
///
/// # Safety
/// - `request`: the callback's handle (not dereferenced).
/// - `buf` / `out_len`: the string-out convention (borrowed for the call).
#[no_mangle]
pub unsafe extern "C" fn kr_session_key_at(
    request: *mut KrRequest,
    index: usize,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> KrStatus {
    ffi_boundary! {
        // SAFETY: buf / out_len per this function's contract.
        unsafe {
            request_str_out(request, buf, buf_len, out_len, |ctx| {
                let session = ctx.session()?;
                session.key_at(index).map(Cow::from).ok_or_else(|| {
                    FfiError::not_found(format!("session has {} keys; index {index} is absent", session.len()))
                })
            })
        }
    }
}
