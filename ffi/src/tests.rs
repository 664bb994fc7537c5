//! Boundary tests: NULL pointers, invalid UTF-8, the buffer-too-small protocol, stale / foreign /
//! wrong-kind handles, double free, finalizers, panics.
use std::ffi::{c_char, c_void, CStr};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::*;

const BAD_UTF8: &[u8] = b"bad \xff\xfe utf8\0";

fn cs(s: &CStr) -> *const c_char {
    s.as_ptr()
}

fn bad_utf8() -> *const c_char {
    BAD_UTF8.as_ptr().cast()
}

/// This thread's last error message, read through the C API.
fn last_error() -> String {
    let mut len = 0usize;
    // SAFETY: NULL buffer with length 0 is a length query; `len` is a valid out pointer.
    let st = unsafe { kr_last_error_message(null_mut(), 0, &mut len) };
    assert!(st == KrStatus::KR_BUFFER_TOO_SMALL || st == KrStatus::KR_OK);
    let mut buf = vec![0u8; len + 1];
    // SAFETY: `buf` has `len + 1` writable bytes.
    let st = unsafe { kr_last_error_message(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(st, KrStatus::KR_OK);
    assert_eq!(buf[len], 0, "NUL terminated");
    String::from_utf8(buf[..len].to_vec()).unwrap()
}

fn assert_failed(st: KrStatus, expected: KrStatus) {
    assert_eq!(st, expected);
    assert!(!last_error().is_empty(), "{expected:?} comes with a last error message");
}

fn new_server(name: &CStr) -> *mut KrServer {
    let mut server = null_mut();
    // SAFETY: valid C string and out pointer.
    assert_eq!(unsafe { kr_server_new(cs(name), &mut server) }, KrStatus::KR_OK);
    assert!(!server.is_null());
    server
}

#[test]
fn version_and_string_out_protocol() {
    let version = env!("CARGO_PKG_VERSION");
    let mut len = usize::MAX;
    // Pure length query.
    // SAFETY: NULL buffer with buf_len 0; valid out_len.
    let st = unsafe { kr_version(null_mut(), 0, &mut len) };
    assert_eq!(st, KrStatus::KR_BUFFER_TOO_SMALL);
    assert_eq!(len, version.len());
    assert!(last_error().contains("buffer too small"), "{}", last_error());

    // One byte short (no room for the NUL): nothing written.
    let mut buf = vec![0xAAu8; version.len()];
    // SAFETY: `buf` has buf.len() writable bytes.
    let st = unsafe { kr_version(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(st, KrStatus::KR_BUFFER_TOO_SMALL);
    assert!(buf.iter().all(|&b| b == 0xAA), "nothing written on BUFFER_TOO_SMALL");

    // Exact fit.
    let mut buf = vec![0xAAu8; version.len() + 1];
    // SAFETY: as above.
    let st = unsafe { kr_version(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(st, KrStatus::KR_OK);
    assert_eq!(len, version.len());
    assert_eq!(&buf[..len], version.as_bytes());
    assert_eq!(buf[len], 0);

    // NULL out_len / NULL buffer with a length.
    // SAFETY: the NULLs are what is tested; nothing is dereferenced.
    assert_failed(unsafe { kr_version(buf.as_mut_ptr().cast(), buf.len(), null_mut()) }, KrStatus::KR_NULL_ARGUMENT);
    // SAFETY: as above.
    assert_failed(unsafe { kr_version(null_mut(), 10, &mut len) }, KrStatus::KR_NULL_ARGUMENT);
}

#[test]
fn last_error_is_per_thread_and_not_changed_by_reading_it() {
    std::thread::spawn(|| assert_eq!(last_error(), "", "fresh thread has no last error")).join().unwrap();

    // SAFETY: NULL is what is tested.
    assert_eq!(unsafe { kr_log_write(2, null()) }, KrStatus::KR_NULL_ARGUMENT);
    let message = last_error();
    assert!(message.contains("message"), "{message}");
    // A failing read (buffer too small, NULL out_len) leaves the message as it was.
    let mut small = [0u8; 2];
    let mut len = 0;
    // SAFETY: `small` has 2 writable bytes.
    let st = unsafe { kr_last_error_message(small.as_mut_ptr().cast(), small.len(), &mut len) };
    assert_eq!(st, KrStatus::KR_BUFFER_TOO_SMALL);
    assert_eq!(len, message.len());
    // SAFETY: NULL out_len is what is tested.
    assert_eq!(unsafe { kr_last_error_message(null_mut(), 0, null_mut()) }, KrStatus::KR_NULL_ARGUMENT);
    assert_eq!(last_error(), message);
    std::thread::spawn(|| assert_eq!(last_error(), "", "other threads do not see it")).join().unwrap();
}

#[test]
fn null_and_invalid_utf8_strings() {
    // SAFETY: NULL / invalid UTF-8 pointers to NUL-terminated data are what is tested.
    unsafe {
        assert_failed(kr_log_write(2, bad_utf8()), KrStatus::KR_INVALID_UTF8);
        assert!(last_error().contains("UTF-8"));
        assert_failed(kr_log_add_file_sink(null()), KrStatus::KR_NULL_ARGUMENT);
        assert_failed(kr_log_add_file_sink(bad_utf8()), KrStatus::KR_INVALID_UTF8);
        let mut server = null_mut();
        assert_failed(kr_server_new(null(), &mut server), KrStatus::KR_NULL_ARGUMENT);
        assert_failed(kr_server_new(bad_utf8(), &mut server), KrStatus::KR_INVALID_UTF8);
        assert_failed(kr_server_new(cs(c"x"), null_mut()), KrStatus::KR_NULL_ARGUMENT);
        assert!(server.is_null(), "out_server untouched on failure");

        let server = new_server(c"utf8");
        let mut index = 0usize;
        assert_failed(kr_server_add_endpoint_http(server, null(), 0, &mut index), KrStatus::KR_NULL_ARGUMENT);
        assert_failed(kr_server_add_endpoint_http(server, bad_utf8(), 0, &mut index), KrStatus::KR_INVALID_UTF8);
        assert_failed(kr_server_add_endpoint_http(server, cs(c"127.0.0.1"), 0, null_mut()), KrStatus::KR_NULL_ARGUMENT);
        assert_failed(
            kr_server_add_endpoint_https_pem(server, cs(c"127.0.0.1"), 0, null(), cs(c"k.pem"), &mut index),
            KrStatus::KR_NULL_ARGUMENT,
        );
        assert_failed(
            kr_server_add_route(server, bad_utf8(), cs(c"/x"), Some(ok_callback), null_mut(), None),
            KrStatus::KR_INVALID_UTF8,
        );
        assert_failed(
            kr_server_add_route(server, cs(c"GET"), null(), Some(ok_callback), null_mut(), None),
            KrStatus::KR_NULL_ARGUMENT,
        );
        assert_failed(
            kr_server_add_route(server, cs(c"GET"), cs(c"/x"), None, null_mut(), None),
            KrStatus::KR_NULL_ARGUMENT,
        );
        assert_eq!(kr_server_free(server), KrStatus::KR_OK);
    }
}

#[test]
fn log_levels_are_checked() {
    assert_eq!(kr_log_set_level(KrLogLevel::Information as i32), KrStatus::KR_OK);
    assert_failed(kr_log_set_level(6), KrStatus::KR_INVALID_ARGUMENT);
    assert_failed(kr_log_set_level(-1), KrStatus::KR_INVALID_ARGUMENT);
    // SAFETY: valid C string.
    assert_failed(unsafe { kr_log_write(42, cs(c"x")) }, KrStatus::KR_INVALID_ARGUMENT);
    // No sink: writing is fine and prints nothing.
    // SAFETY: valid C string.
    assert_eq!(unsafe { kr_log_write(KrLogLevel::Debug as i32, cs(c"nothing")) }, KrStatus::KR_OK);
}

#[test]
fn server_handles_freed_foreign_wrong_kind_double_free() {
    let server = new_server(c"handles");
    assert_eq!(kr_server_set_callback_threads(server, 2), KrStatus::KR_OK);
    let mut running = true;
    // SAFETY: valid out pointer.
    assert_eq!(unsafe { kr_server_is_running(server, &mut running) }, KrStatus::KR_OK);
    assert!(!running);

    assert_eq!(kr_server_free(server), KrStatus::KR_OK);
    assert_failed(kr_server_free(server), KrStatus::KR_INVALID_HANDLE);
    assert!(last_error().contains("not a live server handle"), "{}", last_error());
    assert_failed(kr_server_start(server), KrStatus::KR_INVALID_HANDLE);
    // SAFETY: the handle is never dereferenced; `running` is a valid out pointer.
    assert_failed(unsafe { kr_server_is_running(server, &mut running) }, KrStatus::KR_INVALID_HANDLE);

    // NULL and foreign values.
    assert_failed(kr_server_free(null_mut()), KrStatus::KR_INVALID_HANDLE);
    for raw in [1usize, 0xdead_beef, usize::MAX, 0x5300_0000_0000_0001, 0x53ff_ffff_0000_0000, 0x5300_0001_ffff_ffff] {
        assert_failed(kr_server_start(raw as *mut KrServer), KrStatus::KR_INVALID_HANDLE);
        assert_failed(kr_server_free(raw as *mut KrServer), KrStatus::KR_INVALID_HANDLE);
    }

    // Wrong kind: a live server handle used as a request, a request-kind id used as a server.
    let live = new_server(c"kinds");
    let mut len = 0;
    // SAFETY: handles are not dereferenced; the buffer pointers are valid.
    unsafe {
        assert_failed(kr_request_method(live.cast(), null_mut(), 0, &mut len), KrStatus::KR_INVALID_HANDLE);
        assert_failed(kr_response_set_status(live.cast(), 200), KrStatus::KR_INVALID_HANDLE);
        assert_failed(kr_session_clear(live.cast()), KrStatus::KR_INVALID_HANDLE);
    }
    let request_kind = (((crate::handles::KIND_REQUEST as u64) << 56) | (1 << 32)) as usize;
    assert_failed(kr_server_start(request_kind as *mut KrServer), KrStatus::KR_INVALID_HANDLE);
    assert_failed(kr_server_free(request_kind as *mut KrServer), KrStatus::KR_INVALID_HANDLE);
    assert_eq!(kr_server_free(live), KrStatus::KR_OK);
}

#[test]
fn request_handles_outside_a_callback_are_invalid() {
    let mut len = 0usize;
    let mut count = 0usize;
    let mut flag = false;
    let mut value = 0i32;
    let foreign = (((crate::handles::KIND_REQUEST as u64) << 56) | (7 << 32) | 3) as usize as *mut KrRequest;
    for request in [null_mut(), foreign, 0x1234 as *mut KrRequest] {
        // SAFETY: handles are never dereferenced; all other pointers are valid.
        unsafe {
            assert_failed(kr_request_path(request, null_mut(), 0, &mut len), KrStatus::KR_INVALID_HANDLE);
            assert_failed(kr_request_query_count(request, cs(c"a"), &mut count), KrStatus::KR_INVALID_HANDLE);
            assert_failed(kr_request_body(request, null_mut(), 0, &mut len), KrStatus::KR_INVALID_HANDLE);
            assert_failed(kr_response_set_body_text(request, cs(c"x")), KrStatus::KR_INVALID_HANDLE);
            assert_failed(kr_response_write(request, 200, null(), null(), 0), KrStatus::KR_INVALID_HANDLE);
            assert_failed(kr_session_available(request, &mut flag), KrStatus::KR_INVALID_HANDLE);
            assert_failed(kr_session_get_int32(request, cs(c"k"), &mut value), KrStatus::KR_INVALID_HANDLE);
            assert_failed(kr_session_set_int32(request, cs(c"k"), 1), KrStatus::KR_INVALID_HANDLE);
        }
    }
    // Bytes in: NULL data with a non-zero length is rejected before the handle is even looked up.
    // SAFETY: NULL with len 5 is what is tested.
    assert_failed(unsafe { kr_response_set_body(foreign, null(), 5) }, KrStatus::KR_NULL_ARGUMENT);
}

unsafe extern "C" fn ok_callback(_request: *mut KrRequest, _user_data: *mut c_void) -> i32 {
    0
}

unsafe extern "C" fn count_free(user_data: *mut c_void) {
    // SAFETY: the tests pass a pointer to a static AtomicUsize.
    let counter = unsafe { &*(user_data as *const AtomicUsize) };
    counter.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn finalizer_runs_exactly_once_on_free_and_never_on_failed_add() {
    static FREED: AtomicUsize = AtomicUsize::new(0);
    static REJECTED: AtomicUsize = AtomicUsize::new(0);
    let server = new_server(c"finalizers");
    let data = &FREED as *const AtomicUsize as *mut c_void;
    let rejected = &REJECTED as *const AtomicUsize as *mut c_void;
    // SAFETY: valid strings; callbacks are valid functions; user_data points to statics.
    unsafe {
        assert_eq!(
            kr_server_add_route(server, cs(c"GET"), cs(c"/a"), Some(ok_callback), data, Some(count_free)),
            KrStatus::KR_OK
        );
        assert_eq!(
            kr_server_add_route(server, cs(c"post"), cs(c"/a/{id}"), Some(ok_callback), data, Some(count_free)),
            KrStatus::KR_OK
        );
        // Rejected routes leave user_data with the caller: no finalizer call.
        assert_failed(
            kr_server_add_route(server, cs(c"GET"), cs(c"/a"), Some(ok_callback), rejected, Some(count_free)),
            KrStatus::KR_INVALID_ARGUMENT,
        );
        assert_failed(
            kr_server_add_route(server, cs(c"NOT A VERB"), cs(c"/b"), Some(ok_callback), rejected, Some(count_free)),
            KrStatus::KR_INVALID_ARGUMENT,
        );
        assert_failed(
            kr_server_add_route(server, cs(c"GET"), cs(c"/b"), None, rejected, Some(count_free)),
            KrStatus::KR_NULL_ARGUMENT,
        );
        // A NULL finalizer is fine.
        assert_eq!(
            kr_server_add_route(server, cs(c"*"), cs(c"/c"), Some(ok_callback), null_mut(), None),
            KrStatus::KR_OK
        );
    }
    assert_eq!(FREED.load(Ordering::SeqCst), 0, "not before the server is freed");
    assert_eq!(kr_server_free(server), KrStatus::KR_OK);
    assert_eq!(FREED.load(Ordering::SeqCst), 2, "once per route");
    assert_failed(kr_server_free(server), KrStatus::KR_INVALID_HANDLE);
    assert_eq!(FREED.load(Ordering::SeqCst), 2, "double free does not run finalizers again");
    assert_eq!(REJECTED.load(Ordering::SeqCst), 0);
}

#[test]
fn session_options() {
    let mut o = std::mem::MaybeUninit::<KrSessionOptions>::uninit();
    // SAFETY: `o` is writable.
    assert_eq!(unsafe { kr_session_options_default(o.as_mut_ptr()) }, KrStatus::KR_OK);
    // SAFETY: initialized by the call above.
    let mut o = unsafe { o.assume_init() };
    assert!(o.cookie_name.is_null() && o.cookie_path.is_null() && o.cookie_domain.is_null());
    assert!(o.http_only);
    assert_eq!(o.same_site, KrSameSite::Lax as i32);
    assert_eq!(o.secure_policy, KrSecurePolicy::SameAsRequest as i32);
    assert_eq!(o.cookie_max_age_seconds, -1);
    assert_eq!(o.idle_timeout_seconds, 1200);
    assert_eq!(o.io_timeout_seconds, 60);
    assert_eq!(o.max_sessions, 1_000_000);
    assert!(o.cookie_key.is_null() && o.cookie_key_len == 0);
    // SAFETY: NULL is what is tested.
    assert_failed(unsafe { kr_session_options_default(null_mut()) }, KrStatus::KR_NULL_ARGUMENT);

    let server = new_server(c"sessions");
    // SAFETY: `o` and its strings are valid for each call; NULL / bad UTF-8 are what is tested.
    unsafe {
        assert_failed(kr_server_configure_session(server, null()), KrStatus::KR_NULL_ARGUMENT);
        let bad = KrSessionOptions { same_site: 9, ..o };
        assert_failed(kr_server_configure_session(server, &bad), KrStatus::KR_INVALID_ARGUMENT);
        let bad = KrSessionOptions { secure_policy: -1, ..o };
        assert_failed(kr_server_configure_session(server, &bad), KrStatus::KR_INVALID_ARGUMENT);
        let bad = KrSessionOptions { cookie_name: bad_utf8(), ..o };
        assert_failed(kr_server_configure_session(server, &bad), KrStatus::KR_INVALID_UTF8);
        let bad = KrSessionOptions { cookie_name: cs(c"a b"), ..o };
        assert_failed(kr_server_configure_session(server, &bad), KrStatus::KR_INVALID_ARGUMENT);
        let bad = KrSessionOptions { cookie_key: null(), cookie_key_len: 32, ..o };
        assert_failed(kr_server_configure_session(server, &bad), KrStatus::KR_NULL_ARGUMENT);
        let short = [7u8; 15];
        let bad = KrSessionOptions { cookie_key: short.as_ptr(), cookie_key_len: short.len(), ..o };
        assert_failed(kr_server_configure_session(server, &bad), KrStatus::KR_INVALID_ARGUMENT);
        let secret = [7u8; 16];
        o.cookie_key = secret.as_ptr();
        o.cookie_key_len = secret.len();
        o.cookie_name = cs(c".Test.Session");
        assert_eq!(kr_server_configure_session(server, &o), KrStatus::KR_OK);
        assert_failed(kr_server_configure_session(null_mut(), &o), KrStatus::KR_INVALID_HANDLE);
        // The store is chosen before sessions are configured.
        assert_failed(
            kr_server_use_redis_session_store(server, cs(c"localhost:6379"), cs(c"p:"), 0, 0),
            KrStatus::KR_INVALID_STATE,
        );
    }
    assert_eq!(kr_server_free(server), KrStatus::KR_OK);
}

#[test]
fn redis_session_store_configuration() {
    let server = new_server(c"redis-config");
    // SAFETY: the strings are valid for each call; NULL / bad UTF-8 are what is tested.
    unsafe {
        assert_failed(kr_server_use_redis_session_store(server, null(), cs(c""), 0, 0), KrStatus::KR_NULL_ARGUMENT);
        assert_failed(kr_server_use_redis_session_store(server, cs(c"x:1"), null(), 0, 0), KrStatus::KR_NULL_ARGUMENT);
        assert_failed(kr_server_use_redis_session_store(server, bad_utf8(), cs(c""), 0, 0), KrStatus::KR_INVALID_UTF8);
        for bad in [c"", c"http://h:1", c"h:0", c"h:1,bogus=1", c"redis://h:x"] {
            assert_failed(
                kr_server_use_redis_session_store(server, cs(bad), cs(c""), 0, 0),
                KrStatus::KR_INVALID_ARGUMENT,
            );
        }
        assert_failed(
            kr_server_use_redis_session_store(server, cs(c"h:1"), cs(c""), 4_000_000, 0),
            KrStatus::KR_INVALID_ARGUMENT,
        );
        // Nothing listens there: configuring never connects.
        assert_eq!(
            kr_server_use_redis_session_store(
                server,
                cs(c"127.0.0.1:1,password=pw,defaultDatabase=2"),
                cs(c"app:"),
                200,
                200
            ),
            KrStatus::KR_OK
        );
        assert_failed(
            kr_server_use_redis_session_store(server, cs(c"127.0.0.1:1"), cs(c"app:"), 0, 0),
            KrStatus::KR_INVALID_STATE,
        );
        let mut o = std::mem::MaybeUninit::<KrSessionOptions>::uninit();
        assert_eq!(kr_session_options_default(o.as_mut_ptr()), KrStatus::KR_OK);
        assert_eq!(kr_server_configure_session(server, o.as_ptr()), KrStatus::KR_OK);
    }
    assert_eq!(kr_server_free(server), KrStatus::KR_OK);
}

#[test]
fn panics_become_kr_panic_with_the_message() {
    use crate::boundary::guard;
    assert_eq!(guard(|| panic!("boom {}", 42)), KrStatus::KR_PANIC);
    assert_eq!(last_error(), "panic: boom 42");
    assert_eq!(guard(|| panic!("static str")), KrStatus::KR_PANIC);
    assert_eq!(last_error(), "panic: static str");
    assert_eq!(guard(|| std::panic::panic_any(7u32)), KrStatus::KR_PANIC);
    assert_eq!(last_error(), "panic: unknown panic payload");
    // A later success does not clear the message; a later failure replaces it.
    assert_eq!(guard(|| Ok(())), KrStatus::KR_OK);
    assert_eq!(last_error(), "panic: unknown panic payload");
}

#[test]
fn bytes_in_convention() {
    // SAFETY: NULL with len 0 is allowed; NULL with len > 0 is what is tested.
    unsafe {
        assert_eq!(crate::strings::bytes_arg(null(), 0, "data"), Ok(&[][..]));
        let e = crate::strings::bytes_arg(null(), 3, "data").unwrap_err();
        assert_eq!(e.status, KrStatus::KR_NULL_ARGUMENT);
        let data = [1u8, 2, 3];
        assert_eq!(crate::strings::bytes_arg(data.as_ptr(), 3, "data"), Ok(&data[..]));
    }
}

#[test]
fn status_names_are_static_and_unknown_values_give_null() {
    for status in KrStatus::ALL {
        let name = kr_status_name(status as i32);
        assert!(!name.is_null());
        // SAFETY: non-NULL names are static NUL-terminated strings.
        let name = unsafe { CStr::from_ptr(name) }.to_str().unwrap();
        assert_eq!(name, format!("{status:?}"), "the name is the header's spelling");
        assert_eq!(kr_status_name(status as i32), kr_status_name(status as i32), "same static string every time");
    }
    // SAFETY: NULL is what is tested.
    assert_eq!(unsafe { kr_log_write(2, null()) }, KrStatus::KR_NULL_ARGUMENT);
    let before = last_error();
    for unknown in [-1, 3, 20, 97, 100, i32::MIN, i32::MAX] {
        assert!(kr_status_name(unknown).is_null(), "{unknown}");
    }
    assert_eq!(last_error(), before, "kr_status_name leaves the last error alone");
}

#[test]
fn http_options_are_checked() {
    let server = new_server(c"http-options");
    let mut index = usize::MAX;
    assert_eq!(
        // SAFETY: valid C string and out pointer.
        unsafe { kr_server_add_endpoint_https_self_signed(server, cs(c"127.0.0.1"), 0, &mut index) },
        KrStatus::KR_OK
    );
    let mut protocols = 0i32;
    // SAFETY: valid out pointer.
    assert_eq!(unsafe { kr_server_endpoint_protocols(server, index, &mut protocols) }, KrStatus::KR_OK);
    assert_eq!(protocols, KrHttpProtocols::Http1AndHttp2 as i32);
    assert_eq!(kr_server_set_endpoint_protocols(server, index, KrHttpProtocols::Http2 as i32), KrStatus::KR_OK);
    // SAFETY: valid out pointer.
    assert_eq!(unsafe { kr_server_endpoint_protocols(server, index, &mut protocols) }, KrStatus::KR_OK);
    assert_eq!(protocols, 2);
    assert_failed(kr_server_set_endpoint_protocols(server, index, 0), KrStatus::KR_INVALID_ARGUMENT);
    assert!(last_error().contains("protocols 0 is not 1..=3"), "{}", last_error());
    assert_failed(kr_server_set_endpoint_protocols(server, 5, 1), KrStatus::KR_INVALID_ARGUMENT);
    // SAFETY: NULL out pointer (checked by the callee).
    assert_failed(unsafe { kr_server_endpoint_protocols(server, index, null_mut()) }, KrStatus::KR_NULL_ARGUMENT);
    assert_eq!(kr_server_set_tls_handshake_timeout_ms(server, 2000), KrStatus::KR_OK);
    assert_failed(kr_server_set_tls_handshake_timeout_ms(server, 0), KrStatus::KR_INVALID_ARGUMENT);
    assert_eq!(kr_server_set_max_concurrent_tls_handshakes(server, 8), KrStatus::KR_OK);
    assert_failed(kr_server_set_max_concurrent_tls_handshakes(server, 0), KrStatus::KR_INVALID_ARGUMENT);
    assert_eq!(kr_server_set_request_header_limits(server, 0, 0), KrStatus::KR_OK, "0 keeps both");
    assert_eq!(kr_server_set_request_header_limits(server, 50, 0), KrStatus::KR_OK);
    assert_failed(kr_server_set_request_header_limits(server, 97, 0), KrStatus::KR_INVALID_ARGUMENT);
    assert_failed(kr_server_set_request_header_limits(server, 0, 200_000), KrStatus::KR_INVALID_ARGUMENT);
    assert_failed(kr_server_set_endpoint_protocols(null_mut(), 0, 1), KrStatus::KR_INVALID_HANDLE);
    assert_eq!(kr_server_free(server), KrStatus::KR_OK);
}
