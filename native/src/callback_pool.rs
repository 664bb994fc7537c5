//! [`CallbackPool`]: the dedicated OS threads on which route callbacks run (never on actix's async
//! workers), one bounded pool per running server.
//!
//! A request hands its job to the pool's FIFO queue; the callback threads take jobs from it one after
//! the other (a thread that finishes a callback takes the next queued job directly, without a round
//! trip through the async worker). A job not started within the configured wait is taken out of the
//! queue again (→ 503), so a request never queues behind busy threads for longer than that. When a
//! thread is idle at submission the job is known to start at once and no timer is armed at all. At
//! stop the pool is closed (queued jobs are dropped: their requests get 503) and its threads are
//! joined once their current callback returned.
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::error::{Error, Result};
use crate::logging;

/// Stack reserved for each callback thread. Hosts run whole interpreters on these threads
/// (PowerShell gives its own pipeline threads 10 MB), so reserve more than Rust's 2 MiB default;
/// only the pages actually touched cost memory.
pub(crate) const CALLBACK_STACK_BYTES: usize = 16 * 1024 * 1024;

/// A unit of work for a callback thread.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

/// The pool is shutting down: no job is accepted any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// A queued job, as returned by [`CallbackPool::submit`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    id: u64,
    /// A thread was idle when the job was queued behind fewer jobs than idle threads: it starts
    /// without waiting for any callback to finish (no need to bound the wait).
    pub(crate) immediate: bool,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<(u64, Job)>,
    next_id: u64,
    /// Threads waiting for a job (spinning or sleeping).
    idle: usize,
    /// Of those, the ones sleeping on the condition variable.
    sleeping: usize,
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    cv: Condvar,
    /// `queue.jobs.len()`, readable without the lock by spinning threads.
    pending: AtomicUsize,
    /// At most this many idle threads spin at a time (one per core; the others sleep right away).
    max_spinners: usize,
}

impl Shared {
    fn sync_pending(&self, q: &Queue) {
        self.pending.store(q.jobs.len(), Ordering::Relaxed);
    }

    fn pop(&self, q: &mut Queue) -> Option<Job> {
        let job = q.jobs.pop_front().map(|(_, job)| job);
        if job.is_some() {
            self.sync_pending(q);
        }
        job
    }
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
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    live: Arc<Live>,
}

/// How many times an idle thread yields, watching for a job, before it sleeps: a request of a busy
/// server usually arrives within that, and taking it without a sleep / wake-up pair halves the
/// hand-off latency (which is what serialized requests, e.g. of one session, wait for).
const SPIN_YIELDS: u32 = 60;

fn worker_loop(shared: &Shared) {
    loop {
        let job = {
            let mut q = shared.queue.lock();
            match shared.pop(&mut q) {
                Some(job) => job,
                None if q.closed => return,
                None => {
                    let spin = q.idle - q.sleeping < shared.max_spinners;
                    q.idle += 1;
                    drop(q);
                    if spin {
                        for _ in 0..SPIN_YIELDS {
                            if shared.pending.load(Ordering::Relaxed) > 0 {
                                break;
                            }
                            std::thread::yield_now();
                        }
                    }
                    let mut q = shared.queue.lock();
                    let job = loop {
                        if let Some(job) = shared.pop(&mut q) {
                            break Some(job);
                        }
                        if q.closed {
                            break None;
                        }
                        q.sleeping += 1;
                        shared.cv.wait(&mut q);
                        q.sleeping -= 1;
                    };
                    q.idle -= 1;
                    match job {
                        Some(job) => job,
                        None => return,
                    }
                }
            }
        };
        job();
    }
}

impl CallbackPool {
    /// Starts `size` threads named `kr-cb-<name>-<i>` (names are truncated by the OS).
    pub(crate) fn start(name: &str, size: usize, wait: Duration) -> Result<Arc<CallbackPool>> {
        let size = size.max(1);
        let live = Arc::new(Live::default());
        let pool = Arc::new(CallbackPool {
            size,
            wait,
            shared: Arc::new(Shared {
                queue: Mutex::default(),
                cv: Condvar::new(),
                pending: AtomicUsize::new(0),
                max_spinners: num_cpus::get().clamp(1, size),
            }),
            threads: Mutex::new(Vec::with_capacity(size)),
            live: live.clone(),
        });
        let short: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect();
        for i in 0..size {
            let shared = pool.shared.clone();
            *live.count.lock() += 1;
            let guard = LiveGuard(live.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("kr-cb-{short}-{i}"))
                .stack_size(CALLBACK_STACK_BYTES)
                .spawn(move || {
                    let _guard = guard;
                    worker_loop(&shared);
                });
            match spawned {
                Ok(handle) => pool.threads.lock().push(handle),
                Err(e) => {
                    // This thread never ran: its guard was dropped with the closure.
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

    /// How long a job may stay queued before [`cancel`](Self::cancel) should be tried.
    pub(crate) fn wait(&self) -> Duration {
        self.wait
    }

    /// Queues `job` for the next free thread. `Closed` (the job dropped) when the pool is stopping.
    pub(crate) fn submit(&self, job: Job) -> std::result::Result<Ticket, Closed> {
        let ticket = {
            let mut q = self.shared.queue.lock();
            if q.closed {
                drop(q);
                drop(job);
                return Err(Closed);
            }
            let id = q.next_id;
            q.next_id += 1;
            let immediate = q.jobs.len() < q.idle;
            q.jobs.push_back((id, job));
            self.shared.sync_pending(&q);
            // Spinning threads take jobs by themselves; wake a sleeping one for the rest.
            let spinning = q.idle - q.sleeping;
            (Ticket { id, immediate }, q.sleeping > 0 && q.jobs.len() > spinning)
        };
        if ticket.1 {
            self.shared.cv.notify_one();
        }
        Ok(ticket.0)
    }

    /// Takes a job that no thread has started yet out of the queue (dropping it). `true` if it was
    /// still queued, `false` if a thread already took it (it runs to completion).
    pub(crate) fn cancel(&self, ticket: Ticket) -> bool {
        let removed = {
            let mut q = self.shared.queue.lock();
            match q.jobs.iter().position(|(id, _)| *id == ticket.id) {
                Some(i) => {
                    let removed = q.jobs.remove(i);
                    self.shared.sync_pending(&q);
                    removed
                }
                None => None,
            }
        };
        removed.is_some()
    }

    /// Closes the pool and joins its threads, waiting at most `timeout` for running callbacks.
    /// Jobs still queued are dropped. Threads still inside a callback after that are detached (they
    /// exit when it returns) and `ErrorKind::Timeout` is returned.
    pub(crate) fn shutdown(&self, timeout: Duration) -> Result<()> {
        let dropped: Vec<(u64, Job)> = {
            let mut q = self.shared.queue.lock();
            q.closed = true;
            let dropped = q.jobs.drain(..).collect();
            self.shared.sync_pending(&q);
            dropped
        };
        self.shared.cv.notify_all();
        drop(dropped);
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
