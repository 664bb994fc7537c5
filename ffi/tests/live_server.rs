//! The C API against a running (plain HTTP) server, from Rust: callbacks, stale request handles,
//! 500 on a failing callback, no-session errors, finalizers on free.
use std::ffi::{c_void, CStr};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

use kestrun_rust::*;

mod common;
use common::get;

static SAVED_REQUEST: AtomicUsize = AtomicUsize::new(0);
static IN_CALLBACK_STATUS: AtomicI32 = AtomicI32::new(-1);
static FREED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn hello(request: *mut KrRequest, _user_data: *mut c_void) -> i32 {
    SAVED_REQUEST.store(request as usize, Ordering::SeqCst);
    let mut n = 0i32;
    // SAFETY: valid key string and out pointer; the handle is live during the callback.
    let st = unsafe { kr_session_get_int32(request, c"k".as_ptr(), &mut n) };
    IN_CALLBACK_STATUS.store(st as i32, Ordering::SeqCst);
    let body = b"hello";
    // SAFETY: valid content type string and body slice.
    let st = unsafe { kr_response_write(request, 200, c"text/plain".as_ptr(), body.as_ptr(), body.len()) };
    if st == KrStatus::KR_OK {
        0
    } else {
        1
    }
}

unsafe extern "C" fn failing(_request: *mut KrRequest, _user_data: *mut c_void) -> i32 {
    3
}

unsafe extern "C" fn count_free(_user_data: *mut c_void) {
    FREED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn callbacks_stale_handles_and_finalizers() {
    let mut server = null_mut();
    let mut index = 0usize;
    let mut port = 0u16;
    // SAFETY: every pointer passed is a valid C string or a valid out pointer.
    unsafe {
        assert_eq!(kr_server_new(c"live".as_ptr(), &mut server), KrStatus::KR_OK);
        assert_eq!(kr_server_add_endpoint_http(server, c"127.0.0.1".as_ptr(), 0, &mut index), KrStatus::KR_OK);
        assert_eq!(
            kr_server_add_route(server, c"GET".as_ptr(), c"/hello".as_ptr(), Some(hello), null_mut(), Some(count_free)),
            KrStatus::KR_OK
        );
        assert_eq!(
            kr_server_add_route(
                server,
                c"GET".as_ptr(),
                c"/fail".as_ptr(),
                Some(failing),
                null_mut(),
                Some(count_free)
            ),
            KrStatus::KR_OK
        );
        assert_eq!(kr_server_start(server), KrStatus::KR_OK);
        assert_eq!(kr_server_endpoint_port(server, index, &mut port), KrStatus::KR_OK);
    }

    let reply = get(port, "/hello");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.ends_with("hello"), "{reply}");
    assert_eq!(IN_CALLBACK_STATUS.load(Ordering::SeqCst), KrStatus::KR_NO_SESSION as i32);

    let reply = get(port, "/fail");
    assert!(reply.starts_with("HTTP/1.1 500"), "{reply}");
    assert!(reply.contains("\"status\":500"), "{reply}");

    // The request handle saved by the callback is stale now.
    let stale = SAVED_REQUEST.load(Ordering::SeqCst) as *mut KrRequest;
    assert!(!stale.is_null());
    let mut len = 0usize;
    // SAFETY: the stale handle is never dereferenced; `len` is a valid out pointer.
    assert_eq!(unsafe { kr_request_path(stale, null_mut(), 0, &mut len) }, KrStatus::KR_INVALID_HANDLE);
    assert_eq!(kr_response_set_status(stale, 200), KrStatus::KR_INVALID_HANDLE);
    let mut buf = [0u8; 256];
    // SAFETY: `buf` has 256 writable bytes.
    assert_eq!(unsafe { kr_last_error_message(buf.as_mut_ptr().cast(), buf.len(), &mut len) }, KrStatus::KR_OK);
    let message = CStr::from_bytes_until_nul(&buf).unwrap().to_str().unwrap();
    assert!(message.contains("not a live request handle"), "{message}");

    assert_eq!(FREED.load(Ordering::SeqCst), 0);
    assert_eq!(kr_server_free(server), KrStatus::KR_OK);
    assert_eq!(FREED.load(Ordering::SeqCst), 2, "each finalizer exactly once");
    assert_eq!(kr_server_free(server), KrStatus::KR_INVALID_HANDLE);
    assert_eq!(FREED.load(Ordering::SeqCst), 2);
}
