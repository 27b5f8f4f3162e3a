//! Streams the UI has open (logs, terminals), by id, so a view can close what it opened.
//! Closing aborts the task that drives the stream; dropping the stream closes its engine
//! connection. A stream whose channel is gone (the window reloaded) ends by itself.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use berth_core::ExecSession;
use tauri::async_runtime::JoinHandle;

pub type StreamId = u32;

#[derive(Default)]
pub struct OpenStreams {
    next: AtomicU32,
    running: Mutex<HashMap<StreamId, (&'static str, JoinHandle<()>)>>,
    terminals: Mutex<HashMap<StreamId, Arc<ExecSession>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Entries are inserted and removed whole; a poisoned map is still consistent.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl OpenStreams {
    /// Runs `task` as a new stream of `kind` ("logs", "stats", "terminal") until it ends or is
    /// closed; returns the stream's id.
    pub fn spawn<F>(self: &Arc<Self>, kind: &'static str, task: F) -> StreamId
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let streams = self.clone();
        // Hold the map while spawning so a stream that ends at once still finds its entry.
        let mut running = lock(&self.running);
        let handle = tauri::async_runtime::spawn(async move {
            task.await;
            streams.forget(id);
        });
        running.insert(id, (kind, handle));
        id
    }

    pub fn add_terminal(&self, id: StreamId, session: Arc<ExecSession>) {
        lock(&self.terminals).insert(id, session);
    }

    pub fn terminal(&self, id: StreamId) -> Option<Arc<ExecSession>> {
        lock(&self.terminals).get(&id).cloned()
    }

    pub fn close(&self, id: StreamId) {
        if let Some((_, task)) = lock(&self.running).remove(&id) {
            task.abort();
        }
        lock(&self.terminals).remove(&id);
    }

    fn forget(&self, id: StreamId) {
        lock(&self.running).remove(&id);
        lock(&self.terminals).remove(&id);
    }

    /// The kinds of the open streams, sorted.
    pub fn kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = lock(&self.running)
            .values()
            .map(|(kind, _)| (*kind).to_owned())
            .collect();
        kinds.sort();
        kinds
    }
}
