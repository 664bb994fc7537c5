//! [`CallbackPool`]: the dedicated OS threads on which route callbacks run (never on actix's async
//! workers), one bounded pool per running server.
//!
//! A request first takes a permit (an async semaphore with one permit per thread) within the
//! configured wait, so it never queues behind busy threads for longer than that (→ 503), then hands
//! its job to a free thread. The permit travels with the job and is released when the callback
//! returns, even if the client went away meanwhile. At stop the pool is closed (waiting requests get
//! 503) and its threads are joined once their current callback returned.
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use parking_lot::{Condvar, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Error, Result};
use crate::logging;

/// Stack reserved for each callback thread. Hosts run whole interpreters on these threads
/// (PowerShell gives its own pipeline threads 10 MB), so reserve more than Rust's 2 MiB default;
/// only the pages actually touched cost memory.
pub(crate) const CALLBACK_STACK_BYTES: usize = 16 * 1024 * 1024;

/// A unit of work for a callback thread.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

/// Why no callback thread could be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unavailable {
    /// Every thread stayed busy for the whole wait.
    Busy,
    /// The pool is shutting down.
    Closed,
}

#[derive(Default)]
struct Live {
    count: Mutex<usize>,
    cv: Condvar,
}

struct LiveGuard(Arc<Live>);

impl Drop for LiveGuard {
    fn drop(&mut self) {
        *self.0.count.lock() -= 1;
        self.0.cv.notify_all();
    }
}

/// A fixed set of named callback threads.
pub(crate) struct CallbackPool {
    size: usize,
    wait: Duration,
    semaphore: Arc<Semaphore>,
    sender: Mutex<Option<Sender<Job>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    live: Arc<Live>,
}

impl CallbackPool {
    /// Starts `size` threads named `kr-cb-<name>-<i>` (names are truncated by the OS).
    pub(crate) fn start(name: &str, size: usize, wait: Duration) -> Result<Arc<CallbackPool>> {
        let size = size.max(1);
        let (tx, rx) = crossbeam_channel::bounded::<Job>(size);
        let live = Arc::new(Live::default());
        let pool = Arc::new(CallbackPool {
            size,
            wait,
            semaphore: Arc::new(Semaphore::new(size)),
            sender: Mutex::new(Some(tx)),
            threads: Mutex::new(Vec::with_capacity(size)),
            live: live.clone(),
        });
        let short: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect();
        for i in 0..size {
            let rx: Receiver<Job> = rx.clone();
            *live.count.lock() += 1;
            let guard = LiveGuard(live.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("kr-cb-{short}-{i}"))
                .stack_size(CALLBACK_STACK_BYTES)
                .spawn(move || {
                    let _guard = guard;
                    while let Ok(job) = rx.recv() {
                        job();
                    }
                });
            match spawned {
                Ok(handle) => pool.threads.lock().push(handle),
                Err(e) => {
                    let _ = pool.shutdown(Duration::from_secs(5));
                    return Err(Error::internal(format!("cannot spawn callback thread: {e}")));
                }
            }
        }
        Ok(pool)
    }

    /// Number of threads.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Waits (up to the configured wait) for a free thread.
    pub(crate) async fn acquire(&self) -> std::result::Result<OwnedSemaphorePermit, Unavailable> {
        match tokio::time::timeout(self.wait, self.semaphore.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(Unavailable::Closed),
            Err(_) => Err(Unavailable::Busy),
        }
    }

    /// Hands `job` to a thread (call with a permit held, so a thread is free).
    pub(crate) fn submit(&self, job: Job) -> std::result::Result<(), Unavailable> {
        let sender = self.sender.lock();
        match sender.as_ref() {
            Some(tx) => tx.send(job).map_err(|_| Unavailable::Closed),
            None => Err(Unavailable::Closed),
        }
    }

    /// Closes the pool and joins its threads, waiting at most `timeout` for running callbacks.
    /// Threads still inside a callback after that are detached (they exit when it returns) and
    /// `ErrorKind::Timeout` is returned.
    pub(crate) fn shutdown(&self, timeout: Duration) -> Result<()> {
        self.semaphore.close();
        drop(self.sender.lock().take());
        let deadline = Instant::now() + timeout;
        let all_done = {
            let mut count = self.live.count.lock();
            while *count > 0 {
                if self.live.cv.wait_until(&mut count, deadline).timed_out() {
                    break;
                }
            }
            *count == 0
        };
        let me = std::thread::current().id();
        let mut stuck = 0;
        for handle in self.threads.lock().drain(..) {
            if handle.thread().id() == me {
                // Stopping from inside a callback: this thread cannot join itself.
                stuck += 1;
            } else if all_done || handle.is_finished() {
                let _ = handle.join();
            } else {
                stuck += 1;
            }
        }
        if stuck > 0 {
            let msg = format!("{stuck} callback thread(s) still busy after {timeout:?}; detached");
            logging::warn(&msg);
            return Err(Error::timeout(msg));
        }
        Ok(())
    }
}
