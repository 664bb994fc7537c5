//! The C API of issue 13 against a running (plain HTTP) server: a route timeout through
//! `kr_server_add_route_ex` (504 JSON, `on_cancel` called off the callback thread with a live request
//! handle, `kr_request_is_cancelled`), the growing pool's bounds and statistics, and the thread-exit
//! callback run by released threads and at stop.
use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kestrun_rust::*;

mod common;
use common::get;

static CANCELS: AtomicUsize = AtomicUsize::new(0);
static CANCEL_SAW_LIVE_HANDLE: AtomicBool = AtomicBool::new(false);
static CALLBACK_SAW_CANCEL: AtomicUsize = AtomicUsize::new(0);
static BLOCKED: AtomicUsize = AtomicUsize::new(0);
static RELEASE: AtomicBool = AtomicBool::new(false);
static EXITS: AtomicUsize = AtomicUsize::new(0);
static EXIT_FREED: AtomicUsize = AtomicUsize::new(0);

/// `/work`: `?sleep` polls `kr_request_is_cancelled` for up to 20 s; otherwise answers at once.
unsafe extern "C" fn work(request: *mut KrRequest, _user_data: *mut c_void) -> i32 {
    let mut len = 0usize;
    // SAFETY: a length query (NULL buffer with length 0) with a valid out pointer.
    let st = unsafe { kr_request_query_string(request, null_mut(), 0, &mut len) };
    if st == KrStatus::KR_BUFFER_TOO_SMALL && len > 0 {
        let t0 = Instant::now();
        let mut cancelled = false;
        while t0.elapsed() < Duration::from_secs(20) {
            // SAFETY: the handle is live during the callback; `cancelled` is a valid out pointer.
            assert_eq!(unsafe { kr_request_is_cancelled(request, &mut cancelled) }, KrStatus::KR_OK);
            if cancelled {
                CALLBACK_SAW_CANCEL.fetch_add(1, Ordering::SeqCst);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let body = b"done";
    // SAFETY: valid content type string and body slice.
    unsafe { kr_response_write(request, 200, c"text/plain".as_ptr(), body.as_ptr(), body.len()) as i32 }
}

unsafe extern "C" fn on_cancel(request: *mut KrRequest, _user_data: *mut c_void) {
    let mut len = 0usize;
    // SAFETY: a length query; the handle is still live while the cancel callback runs.
    let st = unsafe { kr_request_path(request, null_mut(), 0, &mut len) };
    CANCEL_SAW_LIVE_HANDLE.store(st == KrStatus::KR_BUFFER_TOO_SMALL && len == "/work".len(), Ordering::SeqCst);
    CANCELS.fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn block(_request: *mut KrRequest, _user_data: *mut c_void) -> i32 {
    BLOCKED.fetch_add(1, Ordering::SeqCst);
    while !RELEASE.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
    0
}

unsafe extern "C" fn thread_exit(_user_data: *mut c_void) {
    assert!(std::thread::current().name().unwrap_or("").starts_with("kr-cb-"));
    EXITS.fetch_add(1, Ordering::SeqCst);
}

unsafe extern "C" fn exit_free(_user_data: *mut c_void) {
    EXIT_FREED.fetch_add(1, Ordering::SeqCst);
}

fn stats(server: *mut KrServer) -> KrCallbackPoolStats {
    let mut s = KrCallbackPoolStats::default();
    // SAFETY: `s` is a valid out pointer.
    assert_eq!(unsafe { kr_server_callback_pool_stats(server, &mut s) }, KrStatus::KR_OK);
    s
}

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn timeouts_growth_release_and_thread_exit_callback() {
    let mut server = null_mut();
    let mut index = 0usize;
    let mut port = 0u16;
    let mut options = KrRouteOptions { timeout_ms: 1, on_cancel: Some(on_cancel) };
    // SAFETY: every pointer passed is a valid C string or a valid in / out pointer.
    unsafe {
        assert_eq!(kr_server_new(c"slow".as_ptr(), &mut server), KrStatus::KR_OK);
        assert_eq!(kr_server_add_endpoint_http(server, c"127.0.0.1".as_ptr(), 0, &mut index), KrStatus::KR_OK);
        assert_eq!(kr_server_set_callback_thread_limits(server, 5, 4), KrStatus::KR_INVALID_ARGUMENT);
        assert_eq!(kr_server_set_callback_thread_limits(server, 0, 1025), KrStatus::KR_INVALID_ARGUMENT);
        assert_eq!(kr_server_set_callback_thread_limits(server, 1, 4), KrStatus::KR_OK);
        assert_eq!(kr_server_set_callback_idle_timeout_ms(server, 0), KrStatus::KR_INVALID_ARGUMENT);
        assert_eq!(kr_server_set_callback_idle_timeout_ms(server, 200), KrStatus::KR_OK);
        assert_eq!(kr_server_callback_pool_stats(server, null_mut()), KrStatus::KR_NULL_ARGUMENT);
        let s = stats(server);
        assert_eq!((s.min_threads, s.max_threads, s.threads), (1, 4, 0));
        assert_eq!(
            kr_server_set_thread_exit_callback(server, Some(thread_exit), null_mut(), Some(exit_free)),
            KrStatus::KR_OK
        );

        assert_eq!(kr_route_options_default(&mut options), KrStatus::KR_OK);
        assert_eq!((options.timeout_ms, options.on_cancel.is_none()), (0, true));
        options.timeout_ms = 86_400_001;
        assert_eq!(
            kr_server_add_route_ex(server, c"GET".as_ptr(), c"/work".as_ptr(), &options, Some(work), null_mut(), None),
            KrStatus::KR_INVALID_ARGUMENT
        );
        options.timeout_ms = 300;
        options.on_cancel = Some(on_cancel);
        assert_eq!(
            kr_server_add_route_ex(server, c"GET".as_ptr(), c"/work".as_ptr(), &options, Some(work), null_mut(), None),
            KrStatus::KR_OK
        );
        assert_eq!(
            kr_server_add_route_ex(
                server,
                c"GET".as_ptr(),
                c"/block".as_ptr(),
                null_mut(),
                Some(block),
                null_mut(),
                None
            ),
            KrStatus::KR_OK
        );
        assert_eq!(kr_server_start(server), KrStatus::KR_OK);
        assert_eq!(kr_server_endpoint_port(server, index, &mut port), KrStatus::KR_OK);
        assert_eq!(kr_server_set_callback_thread_limits(server, 1, 2), KrStatus::KR_INVALID_STATE);
        assert_eq!(
            kr_server_set_thread_exit_callback(server, Some(thread_exit), null_mut(), Some(exit_free)),
            KrStatus::KR_INVALID_STATE
        );
    }
    assert_eq!(EXIT_FREED.load(Ordering::SeqCst), 0, "a refused callback's user_data stays the caller's");
    assert_eq!(stats(server).threads, 1, "the minimum starts warm");

    // The timeout: 504 JSON, the cancel callback ran with a live handle, the callback saw the flag.
    let t0 = Instant::now();
    let reply = get(port, "/work?sleep=1");
    assert!(reply.starts_with("HTTP/1.1 504"), "{reply}");
    assert!(reply.contains("\"status\":504") && reply.contains("300 ms"), "{reply}");
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    wait_for("the callback to notice", || CALLBACK_SAW_CANCEL.load(Ordering::SeqCst) == 1);
    assert_eq!(CANCELS.load(Ordering::SeqCst), 1);
    assert!(CANCEL_SAW_LIVE_HANDLE.load(Ordering::SeqCst));
    let reply = get(port, "/work");
    assert!(reply.starts_with("HTTP/1.1 200") && reply.ends_with("done"), "{reply}");
    assert_eq!(stats(server).timed_out, 1);

    // Growth to the maximum, then release back to the minimum, each released thread running the callback.
    let blocked: Vec<_> = (0..4).map(|_| std::thread::spawn(move || get(port, "/block"))).collect();
    wait_for("4 blocked callbacks", || BLOCKED.load(Ordering::SeqCst) == 4);
    let s = stats(server);
    assert_eq!((s.threads, s.busy, s.peak_threads), (4, 4, 4), "{s:?}");
    RELEASE.store(true, Ordering::SeqCst);
    for b in blocked {
        let reply = b.join().unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
    wait_for("the release", || stats(server).threads == 1);
    assert_eq!(stats(server).threads_released, 3);
    wait_for("3 thread-exit callbacks", || EXITS.load(Ordering::SeqCst) == 3);

    assert_eq!(kr_server_free(server), KrStatus::KR_OK);
    assert_eq!(EXITS.load(Ordering::SeqCst), 4, "the stop ends the warm thread, with the callback");
    assert_eq!(EXIT_FREED.load(Ordering::SeqCst), 1, "the exit callback's user_data freed exactly once");
}
