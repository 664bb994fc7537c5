//! [`StoreHealth`]: the session store's failures, logged at a bounded rate.
//!
//! While a store is down every request that touches a session fails its store call; logging each
//! would flood the log (one line per request). Instead a failure is logged when no line was logged
//! within [`REPORT_INTERVAL`], with the count of failures since the last line, and one line says
//! when the store answers again: at most two lines per interval, even when failures and successes
//! alternate (a store that is full, or flapping).
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::logging;

/// At most one failure line per interval.
pub(crate) const REPORT_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Default)]
struct State {
    /// Failures since the store last worked (0: healthy).
    failures_since_ok: u64,
    /// Failures not yet reported.
    unreported: u64,
    /// When the last line (failure or recovery) was logged.
    last_report: Option<Instant>,
    /// Whether the last line logged announced a failure (a recovery line follows only such a one).
    announced: bool,
}

/// Failure / recovery tracking of one server's session store.
pub(crate) struct StoreHealth {
    state: Mutex<State>,
    interval: Duration,
}

impl Default for StoreHealth {
    fn default() -> Self {
        StoreHealth::with_interval(REPORT_INTERVAL)
    }
}

impl StoreHealth {
    pub(crate) fn with_interval(interval: Duration) -> Self {
        StoreHealth { state: Mutex::new(State::default()), interval }
    }

    /// Records a failed store operation described by `message`; logs a warning when no line was
    /// logged within the interval (with the count of failures since the last line).
    pub(crate) fn failure(&self, message: &str) {
        let line = {
            let mut s = self.state.lock();
            s.failures_since_ok += 1;
            s.unreported += 1;
            let due = s.last_report.is_none_or(|at| at.elapsed() >= self.interval);
            if !due {
                return;
            }
            let count = std::mem::take(&mut s.unreported);
            s.last_report = Some(Instant::now());
            s.announced = true;
            if count == 1 {
                format!("session store unavailable: {message}")
            } else {
                format!(
                    "session store unavailable: {message} ({count} failed session operations since the last report)"
                )
            }
        };
        logging::warn(&line);
    }

    /// Records a store operation that worked; logs once when it follows failures.
    pub(crate) fn success(&self) {
        let failed = {
            let mut s = self.state.lock();
            if s.failures_since_ok == 0 {
                return;
            }
            let n = std::mem::take(&mut s.failures_since_ok);
            if !s.announced {
                return;
            }
            s.announced = false;
            s.last_report = Some(Instant::now());
            n
        };
        logging::info(&format!("session store available again ({failed} failed session operations while it was not)"));
    }

    /// Failures since the store last worked.
    #[cfg(test)]
    pub(crate) fn failures(&self) -> u64 {
        self.state.lock().failures_since_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_recovers() {
        let h = StoreHealth::with_interval(Duration::from_secs(3600));
        for _ in 0..5 {
            h.failure("Redis GET timed out");
        }
        assert_eq!(h.failures(), 5);
        assert_eq!(h.state.lock().unreported, 4, "the first failure was reported, the others wait for the interval");
        h.success();
        assert_eq!(h.failures(), 0);
        assert!(!h.state.lock().announced, "the recovery was announced");
        h.success();
        h.failure("again");
        assert_eq!(h.state.lock().unreported, 5, "within the interval of the last line: counted, not logged");
        h.success();
        assert_eq!(h.failures(), 0);
        let quick = StoreHealth::with_interval(Duration::ZERO);
        quick.failure("x");
        assert_eq!(quick.state.lock().unreported, 0, "reported at once when the interval has passed");
    }
}
