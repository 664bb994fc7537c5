//! [`CallbackPool`]: the dedicated OS threads on which route callbacks run (never on actix's async
//! workers), one pool per running server, growing on demand between a minimum and a maximum.
//!
//! - **Warm minimum.** `min` threads start with the server and stay until it stops.
//! - **Growth.** A job queued while no thread is idle may get a new thread, up to `max`, when it
//!   is still waiting after [`GROW_AFTER`] (5 ms; the dispatcher asks, [`CallbackPool::grow_for`]):
//!   when no job finished meanwhile (slow callbacks hold the threads), one thread per
//!   `GROW_AFTER`; when the queue moves, only for a job that waited [`GROW_ANYWAY_FACTOR`] times as
//!   long, one thread per that time. So a few slow callbacks never hold up the others for long as
//!   long as the maximum is not reached, while fast callbacks keep running on the threads there
//!   are instead of being spread over more threads than cores. At the maximum a job waits in the
//!   FIFO queue for the next free thread, at most the configured wait (then it is taken out of the
//!   queue again → 503). A job that found an idle thread is known to start at once: no timer is
//!   armed for it.
//! - **Which thread.** A thread that becomes idle spins for [`SPIN_FOR`] before it sleeps, the
//!   thread that became idle last takes over the spinning, and a job wakes the thread that went to
//!   sleep last: requests that follow one another run on the same (cache-hot) thread, and threads
//!   not needed stay asleep until they are released.
//! - **Release.** Threads above the minimum are released when the pool did not need them for a
//!   whole idle period: the pool tracks the fewest threads that were idle at any moment of the
//!   current period (its *surplus*); when the period ends, that many threads above the minimum exit.
//!   So after a burst the pool is back at its minimum within one to two idle periods, while a steady
//!   load keeps the threads it uses (whichever threads take the jobs). Each exiting thread — released
//!   or at stop — runs the thread-exit hook on itself first (hosts dispose per-thread state there,
//!   e.g. the PowerShell runspace that thread opened).
//! - **Stop.** The pool is closed (queued jobs are dropped: their requests get 503) and its threads
//!   are joined once their current callback returned.
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::error::{Error, Result};
use crate::logging;
use crate::panics::panic_message;

/// Stack reserved for each callback thread. Hosts run whole interpreters on these threads
/// (PowerShell gives its own pipeline threads 10 MB), so reserve more than Rust's 2 MiB default;
/// only the pages actually touched cost memory.
pub(crate) const CALLBACK_STACK_BYTES: usize = 16 * 1024 * 1024;

/// A unit of work for a callback thread.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

/// Runs on each callback thread right before it exits (released when idle, or at stop).
pub type ThreadExitHook = Arc<dyn Fn() + Send + Sync + 'static>;

/// How a pool is sized and how long a request may wait for one of its threads.
#[derive(Clone)]
pub(crate) struct PoolOptions {
    /// Threads started with the pool and kept until it stops (≥ 1).
    pub(crate) min: usize,
    /// Most threads at a time (≥ `min`).
    pub(crate) max: usize,
    /// How long threads above `min` may stay unused before they are released.
    pub(crate) idle_timeout: Duration,
    /// How long a job may stay queued before [`CallbackPool::cancel`] should be tried.
    pub(crate) wait: Duration,
    /// How long a queued job waits before a thread is started for it ([`GROW_AFTER`] for servers).
    pub(crate) grow_after: Duration,
    pub(crate) on_thread_exit: Option<ThreadExitHook>,
}

/// A snapshot of a server's callback pool (see [`Server::callback_pool_stats`](crate::Server::callback_pool_stats)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallbackPoolStats {
    /// The configured minimum (threads kept warm).
    pub min_threads: usize,
    /// The configured maximum.
    pub max_threads: usize,
    /// Callback threads alive now (0 while the server is stopped).
    pub threads: usize,
    /// Of those, the ones running a callback.
    pub busy: usize,
    /// Requests waiting for a free thread.
    pub queued: usize,
    /// Most threads alive at once since the server started.
    pub peak_threads: usize,
    /// Threads started since the server started (the minimum included).
    pub threads_started: u64,
    /// Threads released because they were not needed (not counting those ended by a stop).
    pub threads_released: u64,
    /// Requests answered 504 because their route's timeout elapsed, since the server started.
    pub timed_out: u64,
}

/// What [`CallbackPool::grow_for`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Growth {
    /// A thread was started (the job may still wait: a new thread takes the oldest job).
    Grew,
    /// No thread started yet; ask again later: the queue moves (a job finished within `grow_after`)
    /// and the job has not waited [`GROW_ANYWAY_FACTOR`] × `grow_after` yet, or a thread was
    /// started too recently (less than `grow_after` ago; when the queue moves, less than
    /// `GROW_ANYWAY_FACTOR` × `grow_after` ago).
    Moving,
    /// The job was taken (or is about to be), the pool is at its maximum or stopping: nothing more
    /// to do.
    Done,
}

/// A job that waited this many times `grow_after` gets a thread even if the queue moves (one such
/// thread per that time): the threads there are do not keep up (e.g. routes that wait a few ms on
/// I/O each).
pub(crate) const GROW_ANYWAY_FACTOR: u32 = 100;

/// The pool is shutting down: no job is accepted any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// A queued job, as returned by [`CallbackPool::submit`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    id: u64,
    /// An idle or newly started thread will take the job without waiting for any callback to
    /// finish (no need to bound the wait).
    pub(crate) immediate: bool,
    /// Queued by [`CallbackPool::submit_deferred`] below the maximum: [`CallbackPool::grow_for`]
    /// may start a thread for it if it is still waiting after [`GROW_AFTER`].
    pub(crate) may_grow: bool,
}

/// How long a job submitted with [`CallbackPool::submit_deferred`] waits before a new thread may be
/// started for it: when it is still queued then and no job finished during that time (the threads
/// are held by slow callbacks: waiting on I/O, sleeping), or once it has waited
/// [`GROW_ANYWAY_FACTOR`] times as long (the threads do not keep up). A queue of fast callbacks
/// moves every few tens of µs and gets no thread: on a busy server the jobs keep running on a few
/// hot threads (each with its interpreter, e.g. a PowerShell runspace, whose data stay in the CPU
/// caches) instead of being spread over more threads than there are cores, each job then waiting
/// for a core and the caches holding none of the interpreters.
pub(crate) const GROW_AFTER: Duration = Duration::from_millis(5);

struct Queue {
    jobs: VecDeque<(u64, Job)>,
    next_id: u64,
    /// Threads alive (or being started).
    threads: usize,
    /// Of those, the ones not running a job (spinning, sleeping, or just started).
    idle: usize,
    /// Of the idle ones, those sleeping, each on its own condition variable, the one that went to
    /// sleep last on top: a job wakes the top one (see `wake_one`).
    sleepers: Vec<Arc<Condvar>>,
    closed: bool,
    /// Start of the current idle period.
    period_start: Instant,
    /// The fewest idle threads beyond the queued jobs seen during the current period.
    low_water: usize,
    /// Threads still to release for the period that ended last.
    to_release: usize,
    peak: usize,
    /// When a job last finished.
    last_done: Option<Instant>,
    /// When [`CallbackPool::grow_for`] last started a thread.
    last_grow: Option<Instant>,
    started: u64,
    released: u64,
    next_thread_no: u64,
}

impl Queue {
    fn surplus(&self) -> usize {
        self.idle.saturating_sub(self.jobs.len())
    }

    fn note_surplus(&mut self) {
        self.low_water = self.low_water.min(self.surplus());
    }
}

#[derive(Default)]
struct Live {
    count: Mutex<usize>,
    cv: Condvar,
}

/// Counts a thread as alive until it is dropped (its last action), so that `shutdown` can wait.
struct LiveGuard(Arc<Live>);

impl LiveGuard {
    fn new(live: &Arc<Live>) -> LiveGuard {
        *live.count.lock() += 1;
        LiveGuard(live.clone())
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        *self.0.count.lock() -= 1;
        self.0.cv.notify_all();
    }
}

struct Shared {
    name: String,
    opts: PoolOptions,
    queue: Mutex<Queue>,
    /// `queue.jobs.len()`, readable without the lock by spinning threads.
    pending: AtomicUsize,
    /// At most this many idle threads spin at a time (one per core; the others sleep right away).
    max_spinners: usize,
    /// Bumped by each thread that starts spinning: a spinner that sees it change stops and sleeps, so
    /// the thread that became idle last is the one that takes the next job (its runspace, stack and
    /// data are the ones still in the CPU caches: hosts keep per-thread interpreters).
    spin_turn: AtomicU64,
    live: Arc<Live>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    timed_out: AtomicU64,
}

/// How long a thread that just became idle watches for a job (yielding the CPU between looks) before
/// it sleeps: on a busy server the next request usually arrives within that, and taking it without a
/// sleep / wake-up pair halves the hand-off latency (which is what serialized requests, e.g. of one
/// session, wait for). Covers the gap between two requests of one session (the answer, the next
/// request's session load: some tens of µs) with room to spare.
const SPIN_FOR: Duration = Duration::from_micros(200);

impl Shared {
    fn sync_pending(&self, q: &Queue) {
        self.pending.store(q.jobs.len(), Ordering::Relaxed);
    }

    /// Takes the next job for the calling (idle) thread, which becomes busy.
    fn take(&self, q: &mut Queue) -> Option<Job> {
        let (_, job) = q.jobs.pop_front()?;
        self.sync_pending(q);
        q.idle -= 1;
        q.note_surplus();
        Some(job)
    }

    /// Ends the idle period if it is over: the threads above the minimum that were idle during all of
    /// it are to be released (the sleeping ones are woken to see that).
    fn end_period_if_over(&self, q: &mut Queue, now: Instant) {
        let Some(end) = q.period_start.checked_add(self.opts.idle_timeout) else { return };
        if now < end {
            return;
        }
        q.to_release = q.low_water.min(q.threads.saturating_sub(self.opts.min));
        q.period_start = now;
        q.low_water = q.surplus();
        if q.to_release > 0 {
            wake_all(q);
        }
    }

    /// Whether the calling idle thread (the queue being empty) should exit as released.
    fn release_me(&self, q: &mut Queue) -> bool {
        if q.to_release > 0 && q.threads > self.opts.min {
            q.to_release -= 1;
            q.released += 1;
            true
        } else {
            false
        }
    }
}

/// Wakes the thread that went to sleep last (its runspace and data are the likeliest to still be in
/// the CPU caches; the threads at the bottom stay asleep and are released when not needed).
fn wake_one(q: &mut Queue) -> Option<Arc<Condvar>> {
    q.sleepers.pop()
}

/// Wakes every sleeping thread (stop, release).
fn wake_all(q: &mut Queue) {
    for cv in q.sleepers.drain(..) {
        cv.notify_one();
    }
}

fn worker_loop(shared: &Shared) {
    let me = Arc::new(Condvar::new());
    let mut q = shared.queue.lock();
    // On entry this thread is already counted in `threads` and `idle`.
    let mut spun = false;
    let released = loop {
        if let Some(job) = shared.take(&mut q) {
            drop(q);
            if let Err(payload) = catch_unwind(AssertUnwindSafe(job)) {
                // Jobs catch their own panics (the dispatcher's do); this keeps the counts right regardless.
                logging::error(&format!(
                    "Server '{}': a callback job panicked: {}",
                    shared.name,
                    panic_message(payload.as_ref())
                ));
                let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            }
            q = shared.queue.lock();
            q.idle += 1;
            q.last_done = Some(Instant::now());
            spun = false;
            continue;
        }
        if q.closed {
            break false;
        }
        if shared.release_me(&mut q) {
            break true;
        }
        if !spun && q.idle - q.sleepers.len() <= shared.max_spinners {
            // Spin a little first: a request of a busy server usually arrives within that.
            spun = true;
            drop(q);
            let turn = shared.spin_turn.fetch_add(1, Ordering::Relaxed) + 1;
            let until = Instant::now() + SPIN_FOR;
            while shared.pending.load(Ordering::Relaxed) == 0
                && shared.spin_turn.load(Ordering::Relaxed) == turn
                && Instant::now() < until
            {
                std::thread::yield_now();
            }
            q = shared.queue.lock();
            continue;
        }
        q.sleepers.push(me.clone());
        let deadline =
            if q.threads > shared.opts.min { q.period_start.checked_add(shared.opts.idle_timeout) } else { None };
        let timed_out = match deadline {
            Some(deadline) => me.wait_until(&mut q, deadline).timed_out(),
            None => {
                me.wait(&mut q);
                false
            }
        };
        // Woken by `wake_one` / `wake_all` (which took this thread off the stack), or by the deadline
        // or spuriously (still on it).
        if let Some(i) = q.sleepers.iter().rposition(|cv| Arc::ptr_eq(cv, &me)) {
            q.sleepers.remove(i);
        }
        if timed_out {
            shared.end_period_if_over(&mut q, Instant::now());
        }
    };
    q.idle -= 1;
    q.threads -= 1;
    let left = q.threads;
    drop(q);
    if released {
        logging::debug(&format!(
            "Server '{}': idle callback thread released ({left} left, minimum {})",
            shared.name, shared.opts.min
        ));
    }
}

/// The callback threads of one running server.
pub(crate) struct CallbackPool {
    shared: Arc<Shared>,
}

impl CallbackPool {
    /// Starts the pool with its `min` threads, named `kr-cb-<name>-<n>` (names are truncated by the OS).
    pub(crate) fn start(name: &str, opts: PoolOptions) -> Result<Arc<CallbackPool>> {
        let min = opts.min.max(1);
        let max = opts.max.max(min);
        let opts = PoolOptions { min, max, idle_timeout: opts.idle_timeout.max(Duration::from_millis(1)), ..opts };
        let now = Instant::now();
        let pool = Arc::new(CallbackPool {
            shared: Arc::new(Shared {
                name: name.to_string(),
                queue: Mutex::new(Queue {
                    jobs: VecDeque::new(),
                    next_id: 0,
                    threads: 0,
                    idle: 0,
                    sleepers: Vec::new(),
                    closed: false,
                    period_start: now,
                    low_water: 0,
                    to_release: 0,
                    peak: 0,
                    last_done: None,
                    last_grow: None,
                    started: 0,
                    released: 0,
                    next_thread_no: 0,
                }),
                pending: AtomicUsize::new(0),
                max_spinners: num_cpus::get().clamp(1, max),
                spin_turn: AtomicU64::new(0),
                live: Arc::new(Live::default()),
                handles: Mutex::new(Vec::with_capacity(min)),
                timed_out: AtomicU64::new(0),
                opts,
            }),
        });
        for _ in 0..min {
            let no = pool.reserve_thread();
            if let Err(e) = pool.spawn_thread(no) {
                pool.unreserve_thread();
                let _ = pool.shutdown(Duration::from_secs(5));
                return Err(e);
            }
        }
        Ok(pool)
    }

    /// Counts a thread about to be started as alive and idle; returns its number.
    fn reserve_thread(&self) -> u64 {
        let mut q = self.shared.queue.lock();
        Self::reserve_locked(&mut q)
    }

    fn reserve_locked(q: &mut Queue) -> u64 {
        q.threads += 1;
        q.idle += 1;
        q.started += 1;
        q.peak = q.peak.max(q.threads);
        q.next_thread_no += 1;
        q.next_thread_no - 1
    }

    /// Undoes [`reserve_thread`](Self::reserve_thread) for a thread that could not be started.
    fn unreserve_thread(&self) {
        let mut q = self.shared.queue.lock();
        q.threads -= 1;
        q.idle -= 1;
        q.started -= 1;
        q.note_surplus();
    }

    fn spawn_thread(&self, no: u64) -> Result<()> {
        let short: String = self.shared.name.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect();
        let shared = self.shared.clone();
        let guard = LiveGuard::new(&self.shared.live);
        let spawned = std::thread::Builder::new()
            .name(format!("kr-cb-{short}-{no}"))
            .stack_size(CALLBACK_STACK_BYTES)
            .spawn(move || {
                let _guard = guard;
                worker_loop(&shared);
                if let Some(hook) = &shared.opts.on_thread_exit {
                    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| hook())) {
                        logging::error(&format!(
                            "Server '{}': the callback thread exit hook panicked: {}",
                            shared.name,
                            panic_message(payload.as_ref())
                        ));
                        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
                    }
                }
            });
        match spawned {
            Ok(handle) => {
                let mut handles = self.shared.handles.lock();
                // Join the threads released since (they are finished: joining does not block).
                let (done, running): (Vec<_>, Vec<_>) = handles.drain(..).partition(|h| h.is_finished());
                *handles = running;
                handles.push(handle);
                drop(handles);
                for h in done {
                    let _ = h.join();
                }
                Ok(())
            }
            // The thread never ran: its guard was dropped with the closure.
            Err(e) => Err(Error::internal(format!("cannot spawn a callback thread: {e}"))),
        }
    }

    /// The configured maximum number of threads.
    pub(crate) fn max_threads(&self) -> usize {
        self.shared.opts.max
    }

    /// How long a job may stay queued before [`cancel`](Self::cancel) should be tried.
    pub(crate) fn wait(&self) -> Duration {
        self.shared.opts.wait
    }

    /// How long a queued job waits before [`grow_for`](Self::grow_for) is asked.
    pub(crate) fn grow_after(&self) -> Duration {
        self.shared.opts.grow_after
    }

    /// Counts a request answered 504 (route timeout).
    pub(crate) fn note_timeout(&self) {
        self.shared.timed_out.fetch_add(1, Ordering::Relaxed);
    }

    /// A snapshot of the pool.
    pub(crate) fn stats(&self) -> CallbackPoolStats {
        let q = self.shared.queue.lock();
        CallbackPoolStats {
            min_threads: self.shared.opts.min,
            max_threads: self.shared.opts.max,
            threads: q.threads,
            busy: q.threads - q.idle,
            queued: q.jobs.len(),
            peak_threads: q.peak,
            threads_started: q.started,
            threads_released: q.released,
            timed_out: self.shared.timed_out.load(Ordering::Relaxed),
        }
    }

    /// Queues `job` for the next free thread. When none is idle no thread is started yet: the caller
    /// calls [`grow_for`](Self::grow_for) if the job is still waiting after [`GROW_AFTER`]
    /// (`ticket.may_grow`). `Closed` (the job dropped) when the pool is stopping.
    pub(crate) fn submit_deferred(&self, job: Job) -> std::result::Result<Ticket, Closed> {
        let (ticket, wake) = {
            let mut q = self.shared.queue.lock();
            if q.closed {
                drop(q);
                drop(job);
                return Err(Closed);
            }
            let id = q.next_id;
            q.next_id += 1;
            let has_idle = q.jobs.len() < q.idle;
            q.jobs.push_back((id, job));
            self.shared.sync_pending(&q);
            q.note_surplus();
            // Spinning (and just started) threads take jobs by themselves; wake a sleeping one for the rest.
            let awake = q.idle - q.sleepers.len();
            let may_grow = !has_idle && q.threads < self.shared.opts.max;
            let wake = if q.jobs.len() > awake { wake_one(&mut q) } else { None };
            (Ticket { id, immediate: has_idle, may_grow }, wake)
        };
        if let Some(cv) = wake {
            cv.notify_one();
        }
        Ok(ticket)
    }

    /// Called when the job of `ticket` (submitted with [`submit_deferred`](Self::submit_deferred))
    /// has waited `waited` (at least the pool's `grow_after`): starts a thread for it if it is still
    /// queued, no idle thread is about to take it, the maximum is not reached, and either no job
    /// finished during the last `grow_after` and no thread was started during it, or the job has
    /// waited [`GROW_ANYWAY_FACTOR`] × `grow_after` and no thread was started during that time.
    pub(crate) fn grow_for(&self, ticket: Ticket, waited: Duration) -> Growth {
        let no = {
            let mut q = self.shared.queue.lock();
            let queued = q.jobs.iter().any(|(id, _)| *id == ticket.id);
            if q.closed || !queued || q.jobs.len() <= q.idle || q.threads >= self.shared.opts.max {
                return Growth::Done;
            }
            let grow_after = self.shared.opts.grow_after;
            let now = Instant::now();
            let within = |at: Option<Instant>, limit: Duration| at.is_some_and(|at| now.duration_since(at) < limit);
            // One thread at a time, at most one per `grow_after` (a new thread costs its host an
            // interpreter to open, which first slows the others down)...
            let mut every = grow_after;
            if within(q.last_done, grow_after) {
                // ... and when the queue moves, only for a job that waited long, one per that time.
                every = grow_after * GROW_ANYWAY_FACTOR;
                if waited < every {
                    return Growth::Moving;
                }
            }
            if within(q.last_grow, every) {
                return Growth::Moving;
            }
            q.last_grow = Some(now);
            q.to_release = 0;
            let no = Self::reserve_locked(&mut q);
            q.note_surplus();
            no
        };
        if let Err(e) = self.spawn_thread(no) {
            self.unreserve_thread();
            logging::warn(&format!("Server '{}': {}; the request waits for a busy one", self.shared.name, e.message()));
            return Growth::Done;
        }
        Growth::Grew
    }

    /// Runs `f` on a short-lived thread of its own that [`shutdown`](Self::shutdown) waits for like a
    /// callback thread (used to deliver cancellations off the async workers). Runs it on the calling
    /// thread if no thread can be started.
    pub(crate) fn run_aside(&self, f: impl FnOnce() + Send + 'static) {
        let short: String = self.shared.name.chars().filter(|c| c.is_ascii_alphanumeric()).take(6).collect();
        let guard = LiveGuard::new(&self.shared.live);
        let f = Arc::new(Mutex::new(Some(f)));
        let f2 = f.clone();
        let spawned = std::thread::Builder::new().name(format!("kr-cx-{short}")).spawn(move || {
            let _guard = guard;
            if let Some(f) = f2.lock().take() {
                f();
            }
        });
        match spawned {
            Ok(handle) => self.shared.handles.lock().push(handle),
            Err(_) => {
                if let Some(f) = f.lock().take() {
                    f();
                }
            }
        }
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
            wake_all(&mut q);
            dropped
        };
        drop(dropped);
        let deadline = Instant::now() + timeout;
        let all_done = {
            let live = &self.shared.live;
            let mut count = live.count.lock();
            while *count > 0 {
                if live.cv.wait_until(&mut count, deadline).timed_out() {
                    break;
                }
            }
            *count == 0
        };
        let me = std::thread::current().id();
        let mut stuck = 0;
        let handles: Vec<JoinHandle<()>> = self.shared.handles.lock().drain(..).collect();
        for handle in handles {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Barrier;

    fn opts(min: usize, max: usize, idle_ms: u64) -> PoolOptions {
        PoolOptions {
            min,
            max,
            idle_timeout: Duration::from_millis(idle_ms),
            wait: Duration::from_secs(5),
            // Grows as soon as asked (the tests that are about growth set their own).
            grow_after: Duration::ZERO,
            on_thread_exit: None,
        }
    }

    impl CallbackPool {
        /// What the dispatcher does, without waiting GROW_AFTER first: queue, then start a thread
        /// if none was idle.
        fn submit(&self, job: Job) -> std::result::Result<Ticket, Closed> {
            let ticket = self.submit_deferred(job)?;
            if ticket.may_grow {
                self.grow_for(ticket, self.shared.opts.grow_after * GROW_ANYWAY_FACTOR);
            }
            Ok(ticket)
        }
    }

    fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !cond() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn grows_to_the_maximum_then_queues() {
        let pool = CallbackPool::start("grow", opts(1, 3, 60_000)).unwrap();
        assert_eq!(pool.stats().threads, 1);
        let gate = Arc::new(Barrier::new(4));
        let mut tickets = Vec::new();
        for _ in 0..3 {
            let g = gate.clone();
            tickets.push(pool.submit(Box::new(move || {
                g.wait();
            })));
        }
        assert!(tickets.iter().all(|t| t.is_ok()));
        wait_for("3 busy threads", || pool.stats().busy == 3);
        let fourth = pool.submit(Box::new(|| {})).unwrap();
        assert!(!fourth.immediate && !fourth.may_grow, "at the maximum the job waits");
        let s = pool.stats();
        assert_eq!((s.threads, s.queued, s.peak_threads, s.threads_started), (3, 1, 3, 3));
        gate.wait();
        wait_for("the queue to drain", || pool.stats().queued == 0 && pool.stats().busy == 0);
        pool.shutdown(Duration::from_secs(5)).unwrap();
        assert_eq!(pool.stats().threads, 0);
    }

    #[test]
    fn a_thread_is_started_only_for_a_job_that_still_waits() {
        let pool = CallbackPool::start("deferred", opts(1, 3, 60_000)).unwrap();
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        let blocking = |entered: std::sync::mpsc::Sender<()>, release: Arc<Mutex<std::sync::mpsc::Receiver<()>>>| -> Job {
            Box::new(move || {
                entered.send(()).unwrap();
                let _ = release.lock().recv();
            })
        };
        // An idle thread: the job starts at once, nothing to grow.
        let first = pool.submit_deferred(blocking(entered_tx.clone(), release_rx.clone())).unwrap();
        assert!(first.immediate && !first.may_grow);
        entered_rx.recv().unwrap();
        // No idle thread: queued, no thread started yet.
        let second = pool.submit_deferred(blocking(entered_tx.clone(), release_rx.clone())).unwrap();
        assert!(!second.immediate && second.may_grow);
        assert_eq!((pool.stats().threads, pool.stats().queued), (1, 1));
        // Still waiting: a thread is started for it, and it runs.
        assert_eq!(pool.grow_for(second, Duration::ZERO), Growth::Grew, "no job finished yet");
        entered_rx.recv().unwrap();
        assert_eq!(pool.stats().threads, 2);
        // Taken already: nothing more to start.
        assert_eq!(pool.grow_for(second, Duration::ZERO), Growth::Done);
        // A job that a thread freed in the meantime took needs no new thread either.
        let third = pool.submit_deferred(Box::new(|| {})).unwrap();
        release_tx.send(()).unwrap();
        wait_for("the third job", || pool.stats().queued == 0);
        assert_eq!(pool.grow_for(third, Duration::ZERO), Growth::Done);
        release_tx.send(()).unwrap();
        pool.shutdown(Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn a_queue_that_moves_gets_a_thread_only_for_a_long_wait_and_one_at_a_time() {
        let pool = CallbackPool::start("moving", PoolOptions { grow_after: Duration::from_secs(1), ..opts(2, 4, 60_000) })
            .unwrap();
        let slow = Duration::from_secs(1) * GROW_ANYWAY_FACTOR;
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        let blocking = || -> Job {
            let (entered, release) = (entered_tx.clone(), release_rx.clone());
            Box::new(move || {
                entered.send(()).unwrap();
                let _ = release.lock().recv();
            })
        };
        for _ in 0..2 {
            pool.submit_deferred(blocking()).unwrap();
            entered_rx.recv().unwrap();
        }
        release_tx.send(()).unwrap(); // a job finishes: the queue moves
        wait_for("an idle thread", || pool.stats().busy == 1);
        pool.submit_deferred(blocking()).unwrap();
        entered_rx.recv().unwrap();
        // Both threads busy, a job finished within grow_after.
        let d = pool.submit_deferred(blocking()).unwrap();
        assert!(d.may_grow);
        assert_eq!(pool.grow_for(d, Duration::ZERO), Growth::Moving, "a short wait in a moving queue");
        assert_eq!(pool.grow_for(d, slow), Growth::Grew, "a long wait");
        entered_rx.recv().unwrap();
        let e = pool.submit_deferred(Box::new(|| {})).unwrap();
        assert_eq!(pool.grow_for(e, slow), Growth::Moving, "one such thread per GROW_ANYWAY_FACTOR × grow_after");
        assert_eq!(pool.stats().threads_started, 3);
        for _ in 0..3 {
            release_tx.send(()).unwrap();
        }
        wait_for("the queue to drain", || pool.stats().queued == 0 && pool.stats().busy == 0);
        pool.shutdown(Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn jobs_one_after_another_run_on_the_thread_that_became_idle_last() {
        let pool = CallbackPool::start("lifo", opts(4, 4, 60_000)).unwrap();
        // The 4 threads started, spun and went to sleep.
        wait_for("4 sleeping threads", || pool.shared.queue.lock().sleepers.len() == 4);
        let mut names = std::collections::HashSet::new();
        for round in 0..12 {
            let (tx, rx) = std::sync::mpsc::channel();
            pool.submit_deferred(Box::new(move || {
                tx.send(std::thread::current().name().unwrap_or_default().to_string()).unwrap();
            }))
            .unwrap();
            names.insert(rx.recv().unwrap());
            // The job has sent its answer; its thread is idle again once it has returned.
            wait_for("an idle pool", || pool.stats().busy == 0);
            // Every other round after the spin is over: the thread is asleep, on top of the others.
            if round % 2 == 0 {
                std::thread::sleep(SPIN_FOR * 5);
            }
        }
        assert_eq!(names.len(), 1, "one thread served them all: {names:?}");
        pool.shutdown(Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn idle_threads_above_the_minimum_are_released_and_run_the_exit_hook() {
        let exits = Arc::new(AtomicUsize::new(0));
        let e2 = exits.clone();
        let hook: ThreadExitHook = Arc::new(move || {
            assert!(std::thread::current().name().unwrap().starts_with("kr-cb-"));
            e2.fetch_add(1, Ordering::SeqCst);
        });
        let pool =
            CallbackPool::start("release", PoolOptions { on_thread_exit: Some(hook), ..opts(2, 6, 150) }).unwrap();
        let gate = Arc::new(Barrier::new(7));
        for _ in 0..6 {
            let g = gate.clone();
            pool.submit(Box::new(move || {
                g.wait();
            }))
            .unwrap();
        }
        wait_for("6 busy threads", || pool.stats().busy == 6);
        gate.wait();
        wait_for("the release down to the minimum", || pool.stats().threads == 2);
        let s = pool.stats();
        assert_eq!(s.threads_released, 4);
        assert_eq!(s.peak_threads, 6);
        wait_for("4 exit hooks", || exits.load(Ordering::SeqCst) == 4);
        // Served again, growing again.
        let ran = Arc::new(AtomicBool::new(false));
        let r2 = ran.clone();
        pool.submit(Box::new(move || r2.store(true, Ordering::SeqCst))).unwrap();
        wait_for("the job", || ran.load(Ordering::SeqCst));
        pool.shutdown(Duration::from_secs(5)).unwrap();
        assert_eq!(exits.load(Ordering::SeqCst), 6, "the stop ends the 2 warm threads, with the hook");
    }

    #[test]
    fn a_steady_load_keeps_its_threads() {
        // 3 threads in use all the time: none of them is released although each is idle now and then.
        let pool = CallbackPool::start("steady", opts(1, 4, 100)).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let mut clients = Vec::new();
        for _ in 0..3 {
            let (pool2, stop2) = (pool.clone(), stop.clone());
            clients.push(std::thread::spawn(move || {
                while !stop2.load(Ordering::SeqCst) {
                    let (tx, rx) = std::sync::mpsc::channel();
                    pool2
                        .submit(Box::new(move || {
                            std::thread::sleep(Duration::from_millis(5));
                            let _ = tx.send(());
                        }))
                        .unwrap();
                    rx.recv().unwrap();
                }
            }));
        }
        std::thread::sleep(Duration::from_millis(600));
        stop.store(true, Ordering::SeqCst);
        for c in clients {
            c.join().unwrap();
        }
        let s = pool.stats();
        assert!(s.threads >= 3, "the threads in use were released: {s:?}");
        pool.shutdown(Duration::from_secs(5)).unwrap();
    }

    #[test]
    fn queued_jobs_can_be_cancelled_and_are_dropped_at_stop() {
        let pool = CallbackPool::start("cancel", opts(1, 1, 60_000)).unwrap();
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        pool.submit(Box::new(move || {
            entered_tx.send(()).unwrap();
            let _ = release_rx.recv();
        }))
        .unwrap();
        entered_rx.recv().unwrap();
        let t = pool.submit(Box::new(|| panic!("cancelled job ran"))).unwrap();
        assert!(!t.immediate);
        assert!(pool.cancel(t));
        assert!(!pool.cancel(t));
        pool.submit(Box::new(|| panic!("dropped job ran"))).unwrap();
        release_tx.send(()).unwrap();
        // The second job may have started before the stop: then it panics inside the thread, which is
        // not this test's concern. Only check that the stop completes.
        let _ = pool.shutdown(Duration::from_secs(5));
    }

    #[test]
    fn run_aside_is_waited_for_at_stop() {
        let pool = CallbackPool::start("aside", opts(1, 1, 60_000)).unwrap();
        let done = Arc::new(AtomicBool::new(false));
        let d2 = done.clone();
        pool.run_aside(move || {
            std::thread::sleep(Duration::from_millis(100));
            d2.store(true, Ordering::SeqCst);
        });
        pool.shutdown(Duration::from_secs(5)).unwrap();
        assert!(done.load(Ordering::SeqCst));
    }
}
