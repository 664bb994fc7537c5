//! [`IoRuntime`]: the one-thread tokio runtime a network session store (Redis, PostgreSQL, SQLite)
//! does its I/O on, not on the server's actix workers: its connections' driver tasks do not die with a
//! worker when a server stops, and a stopped / restarted server keeps using the same store.
use std::future::Future;
use std::time::Duration;

use super::store::BoxFuture;
use crate::error::{Error, Result};

/// A store's I/O thread.
pub(crate) struct IoRuntime {
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
}

impl IoRuntime {
    /// Starts the thread `thread_name`.
    pub(crate) fn new(thread_name: &str) -> Result<IoRuntime> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(2)
            .thread_name(thread_name)
            .enable_all()
            .build()
            .map_err(|e| Error::internal(format!("cannot start the session store's I/O thread: {e}")))?;
        let handle = runtime.handle().clone();
        Ok(IoRuntime { runtime: Some(runtime), handle })
    }

    /// Runs `fut` on the I/O thread, bounded by `bound` (`Timeout` naming `what` past it).
    pub(crate) fn run<T: Send + 'static>(
        &self,
        bound: Duration,
        what: String,
        fut: impl Future<Output = Result<T>> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        // The timer is created inside the task: only this runtime has a time driver for sure.
        let task = self.handle.spawn(async move { tokio::time::timeout(bound, fut).await });
        Box::pin(async move {
            match task.await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => Err(Error::timeout(format!("{what} did not answer within {bound:?}"))),
                Err(e) => Err(Error::internal(format!("session store task failed: {e}"))),
            }
        })
    }

    /// Runs the blocking `f` (SQLite) on the I/O thread's blocking pool, bounded like [`run`](Self::run).
    pub(crate) fn run_blocking<T: Send + 'static>(
        &self,
        bound: Duration,
        what: String,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> BoxFuture<'static, Result<T>> {
        let handle = self.handle.clone();
        self.run(bound, what, async move {
            handle.spawn_blocking(f).await.map_err(|e| Error::internal(format!("session store task failed: {e}")))?
        })
    }

    /// Spawns `fut` on the I/O thread, not waiting for it.
    pub(crate) fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        self.handle.spawn(fut);
    }
}

impl Drop for IoRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            // Blocking on the shutdown is not allowed inside an async context.
            if tokio::runtime::Handle::try_current().is_ok() {
                rt.shutdown_background();
            } else {
                rt.shutdown_timeout(Duration::from_secs(2));
            }
        }
    }
}
