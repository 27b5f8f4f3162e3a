//! berth-core: everything Berth does with Docker engines, with no UI and no Tauri.
//!
//! [`Berth`] owns one [`Watcher`] per host. The shell (desktop app) and the CLI are thin
//! front ends over it.

pub mod alerts;
pub mod engine;
pub mod error;
pub mod files;
pub mod history;
pub mod hosts;
pub mod profile;
pub mod recovery;
pub mod settings;
pub mod streams;
pub mod watch;

pub use engine::container_spec::ContainerRequest;
pub use engine::containers::{Container, ContainerAction, ContainerState, RemoveOptions};
pub use engine::image_ref::ImageRef;
pub use engine::images::{ImageDetails, ImageLayer, Pruned, PullProgress};
pub use engine::inspect::ContainerDetails;
pub use engine::networks::NetworkRequest;
pub use engine::resources::{Image, Network, Volume};
pub use engine::system::{DiskUsage, SystemPruned, Usage};
pub use engine::volumes::VolumeRequest;
pub use engine::{Engine, EngineInfo};
pub use error::{AcceptedHostKey, Error, ErrorCode, Result};
pub use history::store::Store;
pub use hosts::discovery::{EndpointSource, LocalDiscovery, LocalEnv, Runtime, TriedEndpoint};
pub use hosts::saved::SavedHost;
pub use hosts::ssh::forget_host_key;
pub use hosts::{
    Endpoint, HostId, HostSpec, JumpHost, KeySource, KnownHostsFiles, Secret, SshTarget,
};
pub use streams::events::{EngineEvent, EventKind};
pub use streams::exec::{ExecRequest, ExecSession};
pub use streams::logs::{LogBatch, LogLine, LogOptions};
pub use streams::stats::StatsSample;
pub use watch::{HostChange, HostOrigin, HostState, HostStatus, HostUpdate, Watcher};

use std::sync::{Arc, RwLock};

use futures_util::stream::BoxStream;
use tokio::sync::broadcast;

/// How many updates a slow consumer may fall behind before it must resync from
/// [`Berth::states`] (it then sees `RecvError::Lagged`).
const UPDATE_BUFFER: usize = 1024;

/// The running core: the watched hosts and the stream of their updates.
pub struct Berth {
    /// In the order hosts were added; a watcher stops when its host is removed.
    watchers: RwLock<Vec<Arc<Watcher>>>,
    updates: broadcast::Sender<HostUpdate>,
    store: Option<Store>,
}

impl Berth {
    /// Starts watching `hosts`, keeping their events in `store` when given. Must be called
    /// inside a Tokio runtime.
    pub fn start(hosts: Vec<HostSpec>, store: Option<Store>) -> Self {
        let (updates, _) = broadcast::channel(UPDATE_BUFFER);
        let berth = Self {
            watchers: RwLock::default(),
            updates,
            store,
        };
        for spec in hosts {
            // Ids of the hosts given at start are distinct (local, then saved ones).
            let _ = berth.add(spec);
        }
        berth
    }

    /// Starts watching one more host. Must be called inside a Tokio runtime.
    pub fn add(&self, spec: HostSpec) -> Result<()> {
        let mut watchers = self.watchers.write().unwrap_or_else(|e| e.into_inner());
        if watchers.iter().any(|w| w.id() == &spec.id) {
            return Err(Error::Conflict(format!(
                "a host with id {:?} is already watched",
                spec.id
            )));
        }
        watchers.push(Arc::new(Watcher::spawn(
            spec,
            self.updates.clone(),
            self.store.clone(),
        )));
        Ok(())
    }

    /// Stops watching a host; its connection closes once no stream uses it any more.
    pub fn remove(&self, host: &HostId) -> Result<()> {
        let mut watchers = self.watchers.write().unwrap_or_else(|e| e.into_inner());
        let before = watchers.len();
        watchers.retain(|w| w.id() != host);
        if watchers.len() == before {
            return Err(not_watched(host));
        }
        Ok(())
    }

    /// Every host's updates, in order per host.
    pub fn subscribe(&self) -> broadcast::Receiver<HostUpdate> {
        self.updates.subscribe()
    }

    pub fn states(&self) -> Vec<HostState> {
        self.watchers().iter().map(|w| w.state()).collect()
    }

    pub fn watcher(&self, host: &HostId) -> Result<Arc<Watcher>> {
        self.watchers()
            .into_iter()
            .find(|w| w.id() == host)
            .ok_or_else(|| not_watched(host))
    }

    /// The name the user gave `host`, while it is watched.
    pub fn host_name(&self, host: &HostId) -> Option<String> {
        self.watcher(host).ok().map(|w| w.name().to_owned())
    }

    pub fn engine(&self, host: &HostId) -> Result<Engine> {
        self.watcher(host)?.engine()
    }

    /// The logs of `ids` on `host`. A followed log outlives the host's outages (a dockerd
    /// restart, a lost SSH link): it opens again by itself once the host is back and a
    /// container runs, from the second it was lost at ([`streams::resume::resumable`]).
    pub fn logs(
        &self,
        host: &HostId,
        ids: &[String],
        options: &LogOptions,
    ) -> Result<BoxStream<'static, Result<LogBatch>>> {
        let watcher = self.watcher(host)?;
        if !options.follow || options.until.is_some() {
            return watcher.engine()?.logs(ids, options);
        }
        let options = options.clone();
        let opened_ids = ids.to_vec();
        streams::resume::resumable(&watcher, ids, move |engine, lost_at| match lost_at {
            None => engine.logs(&opened_ids, &options),
            Some(second) => engine.logs(
                &opened_ids,
                &LogOptions {
                    since: Some(i32::try_from(second).unwrap_or(i32::MAX)),
                    tail: None,
                    ..options.clone()
                },
            ),
        })
    }

    /// Stats of `ids` on `host`, opened again by itself once the host is back from an outage.
    pub fn stats(
        &self,
        host: &HostId,
        ids: &[String],
    ) -> Result<BoxStream<'static, Result<Vec<StatsSample>>>> {
        let opened_ids = ids.to_vec();
        streams::resume::resumable(&self.watcher(host)?, ids, move |engine, _| {
            engine.stats(&opened_ids)
        })
    }

    fn watchers(&self) -> Vec<Arc<Watcher>> {
        self.watchers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn not_watched(host: &HostId) -> Error {
    Error::NotFound(format!("no host with id {host:?}"))
}
