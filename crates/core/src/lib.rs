//! berth-core: everything Berth does with Docker engines, with no UI and no Tauri.
//!
//! [`Berth`] owns one [`Watcher`] per host. The shell (desktop app) and the CLI are thin
//! front ends over it.

pub mod container;
pub mod engine;
pub mod error;
pub mod event;
pub mod exec;
pub mod host;
pub mod logs;
pub mod resources;
mod ssh;
pub mod stats;
pub mod store;
pub mod stream;
pub mod watch;

pub use container::{Container, ContainerAction, ContainerState, RemoveOptions};
pub use engine::{Engine, EngineInfo};
pub use error::{Error, ErrorCode, Result};
pub use event::{EngineEvent, EventKind};
pub use exec::{ExecRequest, ExecSession};
pub use host::{Endpoint, HostId, HostSpec, KeySource, KnownHostsFiles, Secret, SshTarget};
pub use logs::{LogBatch, LogLine, LogOptions};
pub use resources::{Image, Network, Volume};
pub use stats::StatsSample;
pub use store::Store;
pub use watch::{HostChange, HostState, HostStatus, HostUpdate, Watcher};

use tokio::sync::broadcast;

/// How many updates a slow consumer may fall behind before it must resync from
/// [`Berth::states`] (it then sees `RecvError::Lagged`).
const UPDATE_BUFFER: usize = 1024;

/// The running core: the watched hosts and the stream of their updates.
pub struct Berth {
    watchers: Vec<Watcher>,
    updates: broadcast::Sender<HostUpdate>,
}

impl Berth {
    /// Starts watching `hosts`, keeping their events in `store` when given. Must be called
    /// inside a Tokio runtime.
    pub fn start(hosts: Vec<HostSpec>, store: Option<Store>) -> Self {
        let (updates, _) = broadcast::channel(UPDATE_BUFFER);
        let watchers = hosts
            .into_iter()
            .map(|spec| Watcher::spawn(spec, updates.clone(), store.clone()))
            .collect();
        Self { watchers, updates }
    }

    /// Every host's updates, in order per host.
    pub fn subscribe(&self) -> broadcast::Receiver<HostUpdate> {
        self.updates.subscribe()
    }

    pub fn states(&self) -> Vec<HostState> {
        self.watchers.iter().map(Watcher::state).collect()
    }

    pub fn watcher(&self, host: &HostId) -> Result<&Watcher> {
        self.watchers
            .iter()
            .find(|w| w.id() == host)
            .ok_or_else(|| Error::NotFound(format!("no host with id {host:?}")))
    }

    pub fn engine(&self, host: &HostId) -> Result<Engine> {
        self.watcher(host)?.engine()
    }
}
