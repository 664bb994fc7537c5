//! Slow routes (issue 13): the callback pool grows so that slow callbacks do not delay the others,
//! releases the threads it no longer needs (running the thread-exit hook on each), and a route's
//! timeout answers 504 JSON and asks the callback to stop; the route works again afterwards.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{assert_json_error, bare_client, https_server, stop, text_route, wait_for};
use kestrun_native::{handler_fn, ErrorKind, RouteOptions, Server};
use parking_lot::{Condvar, Mutex};

/// A "sleep" of at most `max` that the test can cut short (so a test never waits for its slow calls).
#[derive(Clone, Default)]
struct Sleeper(Arc<(Mutex<bool>, Condvar, AtomicUsize)>);

impl Sleeper {
    fn sleep(&self, max: Duration) {
        self.0 .2.fetch_add(1, Ordering::SeqCst);
        let deadline = Instant::now() + max;
        let mut woken = self.0 .0.lock();
        while !*woken && !self.0 .1.wait_until(&mut woken, deadline).timed_out() {}
    }

    fn entered(&self) -> usize {
        self.0 .2.load(Ordering::SeqCst)
    }

    fn wake_all(&self) {
        *self.0 .0.lock() = true;
        self.0 .1.notify_all();
    }

    /// Maps `GET path` to a callback that sleeps (at most 20 s) on this sleeper.
    fn route(&self, server: &Server, path: &str) {
        let sleeper = self.clone();
        server
            .add_route(
                "GET",
                path,
                handler_fn(move |_| {
                    sleeper.sleep(Duration::from_secs(20));
                    Ok(())
                }),
            )
            .unwrap();
    }
}

#[test]
fn twelve_slow_calls_do_not_delay_a_fast_route_with_the_default_pool() {
    let sleeper = Sleeper::default();
    let s2 = sleeper.clone();
    let (server, url) = https_server("slow12", |s| {
        // Default bounds: 2 x cores warm, grows up to max(32, 4 x cores).
        s.add_route(
            "GET",
            "/slow",
            handler_fn(move |ctx| {
                s2.sleep(Duration::from_secs(20));
                ctx.set_body_text("slow");
                Ok(())
            }),
        )
        .unwrap();
        text_route(s, "/hello", "hello");
    });
    let defaults = server.callback_pool_stats();
    assert_eq!(defaults.min_threads, kestrun_native::server::default_callback_threads());
    assert!(defaults.max_threads >= 32, "{defaults:?}");

    let c = bare_client();
    let slow: Vec<_> = (0..12)
        .map(|_| {
            let (c, url) = (c.clone(), url.clone());
            std::thread::spawn(move || c.get(format!("{url}/slow")).send().map(|r| r.status().as_u16()))
        })
        .collect();
    wait_for("12 slow calls inside their callback", Duration::from_secs(30), || sleeper.entered() == 12);
    let t0 = Instant::now();
    let resp = c.get(format!("{url}/hello")).send().unwrap();
    let took = t0.elapsed();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().unwrap(), "hello");
    assert!(took < Duration::from_secs(1), "/hello took {took:?} with 12 slow calls running");
    let stats = server.callback_pool_stats();
    assert!(stats.threads >= 13 && stats.busy >= 12, "{stats:?}");
    assert_eq!(stats.queued, 0, "{stats:?}");

    sleeper.wake_all();
    for h in slow {
        assert_eq!(h.join().unwrap().unwrap(), 200);
    }
    stop(&server);
    assert_eq!(server.callback_pool_stats().threads, 0);
}

#[test]
fn idle_threads_above_the_minimum_are_released_with_the_exit_hook() {
    let sleeper = Sleeper::default();
    let s2 = sleeper.clone();
    let exits = Arc::new(AtomicUsize::new(0));
    let e2 = exits.clone();
    let (server, url) = https_server("release", |s| {
        s.set_callback_thread_limits(Some(1), Some(8)).unwrap();
        s.set_callback_idle_timeout(Duration::from_millis(300)).unwrap();
        s.set_callback_thread_exit_hook(Some(Arc::new(move || {
            assert!(
                std::thread::current().name().unwrap_or("").starts_with("kr-cb-"),
                "hook runs on the exiting thread"
            );
            e2.fetch_add(1, Ordering::SeqCst);
        })))
        .unwrap();
        s2.route(s, "/slow");
    });
    assert_eq!(server.callback_pool_stats().threads, 1, "the minimum starts warm");
    let c = bare_client();
    let slow: Vec<_> = (0..6)
        .map(|_| {
            let (c, url) = (c.clone(), url.clone());
            std::thread::spawn(move || c.get(format!("{url}/slow")).send().unwrap().status().as_u16())
        })
        .collect();
    wait_for("6 calls inside their callback", Duration::from_secs(30), || sleeper.entered() == 6);
    assert_eq!(server.callback_pool_stats().threads, 6);
    sleeper.wake_all();
    for h in slow {
        assert_eq!(h.join().unwrap(), 200);
    }
    // Released within one to two idle periods.
    wait_for("the pool back at its minimum", Duration::from_secs(10), || server.callback_pool_stats().threads == 1);
    let stats = server.callback_pool_stats();
    assert_eq!((stats.peak_threads, stats.threads_started, stats.threads_released), (6, 6, 5), "{stats:?}");
    wait_for("5 exit hooks", Duration::from_secs(5), || exits.load(Ordering::SeqCst) == 5);
    stop(&server);
    assert_eq!(exits.load(Ordering::SeqCst), 6, "the stop ends the warm thread, with the hook");
}

#[test]
fn route_timeout_answers_504_json_stops_the_callback_and_the_route_works_again() {
    let cancelled = Arc::new(AtomicUsize::new(0));
    let c2 = cancelled.clone();
    let (server, url) = https_server("timeout", |s| {
        // One thread: the next call can only be served if the timed-out callback gave its thread back.
        s.set_callback_threads(1).unwrap();
        let handler = handler_fn(move |ctx| {
            if ctx.query("sleep", 0) == Some("1") {
                // A long loop that checks for cancellation (hosts register a hook instead).
                let t0 = Instant::now();
                while !ctx.is_cancelled() && t0.elapsed() < Duration::from_secs(20) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                if ctx.is_cancelled() {
                    c2.fetch_add(1, Ordering::SeqCst);
                }
                ctx.set_body_text("too late");
            } else {
                ctx.set_body_text("quick");
            }
            Ok(())
        });
        s.add_route_with_options(
            "GET",
            "/work",
            handler,
            RouteOptions::default().with_timeout(Some(Duration::from_millis(500))),
        )
        .unwrap();
    });
    let c = bare_client();
    let t0 = Instant::now();
    let v = assert_json_error(c.get(format!("{url}/work?sleep=1")).send().unwrap(), 504);
    let took = t0.elapsed();
    assert_eq!(v["error"], "Gateway Timeout");
    assert!(v["message"].as_str().unwrap().contains("500 ms"), "{v}");
    assert!(took >= Duration::from_millis(450) && took < Duration::from_secs(5), "504 after {took:?}");
    wait_for("the callback to see the cancellation", Duration::from_secs(5), || cancelled.load(Ordering::SeqCst) == 1);
    let resp = c.get(format!("{url}/work")).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().unwrap(), "quick");
    assert_eq!(server.callback_pool_stats().timed_out, 1);
    stop(&server);
}

#[test]
fn route_timeout_also_bounds_the_wait_for_a_thread() {
    let sleeper = Sleeper::default();
    let s2 = sleeper.clone();
    let ran = Arc::new(AtomicUsize::new(0));
    let r2 = ran.clone();
    let (server, url) = https_server("timeout-queued", |s| {
        s.set_callback_threads(1).unwrap();
        s2.route(s, "/slow");
        let quick = handler_fn(move |_| {
            r2.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        s.add_route_with_options(
            "GET",
            "/quick",
            quick,
            RouteOptions::default().with_timeout(Some(Duration::from_millis(300))),
        )
        .unwrap();
    });
    let c = bare_client();
    let (c2, url2) = (c.clone(), url.clone());
    let slow = std::thread::spawn(move || c2.get(format!("{url2}/slow")).send().unwrap().status().as_u16());
    wait_for("the slow call", Duration::from_secs(10), || sleeper.entered() == 1);
    assert_json_error(c.get(format!("{url}/quick")).send().unwrap(), 504);
    sleeper.wake_all();
    assert_eq!(slow.join().unwrap(), 200);
    assert_eq!(ran.load(Ordering::SeqCst), 0, "the queued call was dropped, never run");
    assert_eq!(c.get(format!("{url}/quick")).send().unwrap().status(), 200);
    stop(&server);
}

#[test]
fn pool_and_timeout_options_are_validated() {
    let s = Server::new("validate").unwrap();
    let d = s.callback_pool_stats();
    assert!(d.min_threads >= 1 && d.max_threads >= 32 && d.threads == 0, "{d:?}");
    let bad = |r: kestrun_native::Result<()>| assert_eq!(r.unwrap_err().kind(), ErrorKind::InvalidArgument);
    bad(s.set_callback_thread_limits(Some(0), None));
    bad(s.set_callback_thread_limits(None, Some(1025)));
    bad(s.set_callback_thread_limits(Some(5), Some(4)));
    bad(s.set_callback_idle_timeout(Duration::ZERO));
    s.set_callback_thread_limits(Some(3), Some(10)).unwrap();
    assert_eq!((s.callback_pool_stats().min_threads, s.callback_pool_stats().max_threads), (3, 10));
    // One bound crossing the other moves it.
    s.set_callback_thread_limits(None, Some(2)).unwrap();
    assert_eq!((s.callback_pool_stats().min_threads, s.callback_pool_stats().max_threads), (2, 2));
    s.set_callback_thread_limits(Some(6), None).unwrap();
    assert_eq!((s.callback_pool_stats().min_threads, s.callback_pool_stats().max_threads), (6, 6));
    s.set_callback_threads(5).unwrap();
    assert_eq!((s.callback_pool_stats().min_threads, s.callback_pool_stats().max_threads), (5, 5));
    let noop = handler_fn(|_| Ok(()));
    for t in [Duration::ZERO, Duration::from_secs(24 * 3600 + 1)] {
        let e = s.add_route_with_options("GET", "/t", noop.clone(), RouteOptions::default().with_timeout(Some(t)));
        bad(e);
    }
    s.add_route_with_options("GET", "/t", noop, RouteOptions::default().with_timeout(Some(Duration::from_secs(2))))
        .unwrap();
}
