//! The per-host watcher: one engine events subscription keeps a container table fresh.
//!
//! No polling: after (re)connecting, the watcher lists the containers once, then only follows
//! the engine's event stream (containers, images, volumes, networks), looking up just the
//! containers an event names, and keeps the most recent events for the timeline. When the stream
//! breaks the host is marked offline and the watcher reconnects with backoff, re-listing
//! everything once it is back. A login refused for a reason only the user can change (the key,
//! its passphrase, the host key) is not tried again until the user acts: repeated refusals
//! would only lock the user out of their own server (fail2ban and friends).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use serde::Serialize;
use specta::Type;
use tokio::sync::{broadcast, Notify};
use tokio::task::JoinHandle;

use crate::engine::containers::{Container, ContainerState};
use crate::engine::{Engine, EngineInfo};
use crate::error::{AcceptedHostKey, Error, ErrorCode, ErrorDetails, Result};
use crate::history::store::Store;
use crate::hosts::discovery::LocalDiscovery;
use crate::hosts::{Endpoint, HostId, HostSpec, Transport};
use crate::streams::events::{EngineEvent, EventKind};

/// Reconnect delays: quick first retries for a restarting engine, doubling to about a minute
/// for one that stays away (each wait jittered, so many hosts do not retry in step).
const BACKOFF_FIRST: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// Events already waiting when a batch starts are folded into it (bounded), so a burst of
/// events costs one lookup instead of one per event.
const MAX_EVENTS_PER_BATCH: usize = 256;
/// Recent engine events kept per host for the timeline; older ones are dropped.
pub const RECENT_EVENTS: usize = 500;
/// The engine sends a container's `die` before its list shows it stopped, so a lookup right
/// after can still say "running": such a container is looked up again this often, this many
/// times at most.
const RECHECK_AFTER: Duration = Duration::from_millis(100);
const RECHECKS: u8 = 20;
/// A changed container list is kept (for the next start to show at once) this long after it
/// changed, so that a burst of changes costs one write, and an idle host none.
const KEEP_LIST_AFTER: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum HostStatus {
    Connecting,
    /// Boxed: the engine's details are much larger than the other states.
    Online {
        engine: Box<EngineInfo>,
    },
    Offline {
        code: ErrorCode,
        reason: String,
        /// The error's typed facts (a host key's fingerprints, say).
        details: Option<ErrorDetails>,
        /// When Berth tries again by itself, in milliseconds from now; `None` when it waits for
        /// the user (a refused login).
        retry_in_ms: Option<u32>,
    },
}

/// One change of one host's state. `seq` grows by one per change of that host, so a consumer
/// holding a [`HostState`] can skip updates it already has.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HostUpdate {
    pub host: HostId,
    pub seq: u32,
    pub change: HostChange,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum HostChange {
    Status {
        status: HostStatus,
    },
    /// The whole table, after a (re)connect or when a consumer fell behind.
    Snapshot {
        status: HostStatus,
        containers: Vec<Container>,
        /// As [`HostState::discovery`].
        discovery: Option<LocalDiscovery>,
    },
    Containers {
        upserted: Vec<Container>,
        removed: Vec<String>,
    },
    /// Engine events, oldest first. Views of images, volumes and networks reload on theirs.
    Events {
        events: Vec<EngineEvent>,
    },
    /// The local engine was looked for again and found elsewhere, or not at all (`None`: the
    /// status says why).
    Discovery {
        discovery: Option<LocalDiscovery>,
    },
}

/// A host's current state, as a consumer starts from.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HostState {
    pub host: HostId,
    pub name: String,
    /// Where the host's published ports are reached from here: `localhost` for an engine on
    /// this machine, else the host's name or address.
    pub web_address: String,
    /// How the engine's traffic travels (the local engine's may change with
    /// [`HostChange::Discovery`], which says so too).
    pub transport: Transport,
    pub origin: HostOrigin,
    pub seq: u32,
    pub status: HostStatus,
    pub containers: Vec<Container>,
    /// The most recent engine events seen while Berth runs, oldest first.
    pub events: Vec<EngineEvent>,
    /// For the local engine, which address was chosen and why, and where else Berth looked.
    pub discovery: Option<LocalDiscovery>,
}

/// Where a host comes from, which says what the user may do with it: only saved hosts are
/// edited or removed in Berth; a context is changed with `docker context`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum HostOrigin {
    /// The local engine, found the way the docker CLI finds it.
    Local,
    Saved,
    /// A context of the docker CLI's store other than the current one.
    DockerContext,
}

struct Table {
    seq: u32,
    status: HostStatus,
    containers: HashMap<String, Container>,
    events: VecDeque<EngineEvent>,
    engine: Option<Engine>,
    /// Where the engine is reached: the spec's, or the local engine as last found.
    endpoint: Endpoint,
    discovery: Option<LocalDiscovery>,
}

struct Shared {
    spec: HostSpec,
    table: Mutex<Table>,
    updates: broadcast::Sender<HostUpdate>,
    wake: Notify,
    /// A host key the user accepted for the next attempt (taken by it).
    accepted: Mutex<Option<AcceptedHostKey>>,
    /// Where the events timeline is kept across restarts, if anywhere.
    store: Option<Store>,
    /// Counts the times the host came online: streams that lost their engine wait on it to
    /// open again (`resume`).
    online: tokio::sync::watch::Sender<u64>,
    /// Set once what was kept of the host (its last-known list, its recent events) is shown.
    restored: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    fn table(&self) -> MutexGuard<'_, Table> {
        // A panic while holding the lock leaves the table consistent (each change is applied
        // whole), so a poisoned lock is still safe to use.
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies a change and publishes it under the same lock, so `seq` order is send order.
    fn apply(&self, change: HostChange) {
        let mut table = self.table();
        match &change {
            HostChange::Status { status } => table.status = status.clone(),
            HostChange::Snapshot {
                status,
                containers,
                discovery,
            } => {
                table.status = status.clone();
                table.discovery = discovery.clone();
                table.containers = containers
                    .iter()
                    .map(|c| (c.id.clone(), c.clone()))
                    .collect();
            }
            HostChange::Containers { upserted, removed } => {
                for id in removed {
                    table.containers.remove(id);
                }
                for c in upserted {
                    table.containers.insert(c.id.clone(), c.clone());
                }
            }
            HostChange::Events { events } => {
                table.events.extend(events.iter().cloned());
                let excess = table.events.len().saturating_sub(RECENT_EVENTS);
                table.events.drain(..excess);
            }
            HostChange::Discovery { discovery } => table.discovery = discovery.clone(),
        }
        table.seq += 1;
        // No receiver is fine: the table itself is the source of truth.
        let _ = self.updates.send(HostUpdate {
            host: self.spec.id.clone(),
            seq: table.seq,
            change,
        });
    }

    /// Where to connect now: the spec's endpoint, or for the local engine wherever it is found
    /// this time (the files and sockets are looked at off the async threads). A change of
    /// where, or why, is published.
    async fn endpoint(&self) -> Result<Endpoint> {
        let Some(env) = self.spec.local.clone() else {
            return Ok(self.spec.endpoint.clone());
        };
        let found = tokio::task::spawn_blocking(move || crate::hosts::discovery::discover(&env))
            .await
            .unwrap_or_else(|err| Err(Error::Internal(format!("looking for the engine: {err}"))));
        let (endpoint, discovery) = match found {
            Ok((endpoint, discovery)) => (Ok(endpoint), Some(discovery)),
            Err(err) => (Err(err), None),
        };
        if let Ok(endpoint) = &endpoint {
            self.table().endpoint = endpoint.clone();
        }
        if self.table().discovery != discovery {
            self.apply(HostChange::Discovery { discovery });
        }
        endpoint
    }

    fn set_status(&self, status: HostStatus) {
        if self.table().status != status {
            self.apply(HostChange::Status { status });
        }
    }

    /// Keeps the container list as it stands now as the host's last-known one.
    async fn keep_list(&self) {
        let Some(store) = &self.store else { return };
        let containers = self.state().containers;
        if let Err(err) = store.keep_container_list(&self.spec.id, &containers).await {
            tracing::warn!(host = %self.spec.id, %err, "could not keep the container list");
        }
    }

    fn state(&self) -> HostState {
        let table = self.table();
        let mut containers: Vec<Container> = table.containers.values().cloned().collect();
        containers.sort_by(|a, b| a.name.cmp(&b.name));
        HostState {
            host: self.spec.id.clone(),
            name: self.spec.name.clone(),
            web_address: table.endpoint.web_address(),
            transport: table.endpoint.transport(),
            origin: self.spec.origin(),
            seq: table.seq,
            status: table.status.clone(),
            containers,
            events: table.events.iter().cloned().collect(),
            discovery: table.discovery.clone(),
        }
    }
}

/// Watches one host until dropped.
pub struct Watcher {
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Watcher {
    /// Starts watching `spec`; updates go to `updates`, events also to `store`. Must be called
    /// inside a Tokio runtime.
    pub fn spawn(
        spec: HostSpec,
        updates: broadcast::Sender<HostUpdate>,
        store: Option<Store>,
    ) -> Self {
        let endpoint = spec.endpoint.clone();
        let shared = Arc::new(Shared {
            spec,
            table: Mutex::new(Table {
                seq: 0,
                status: HostStatus::Connecting,
                containers: HashMap::new(),
                events: VecDeque::new(),
                engine: None,
                endpoint,
                discovery: None,
            }),
            updates,
            wake: Notify::new(),
            accepted: Mutex::new(None),
            store,
            online: tokio::sync::watch::Sender::new(0),
            restored: tokio::sync::watch::Sender::new(false),
        });
        let task = tokio::spawn(run(shared.clone()));
        Self { shared, task }
    }

    pub fn id(&self) -> &HostId {
        &self.shared.spec.id
    }

    /// Waits until what was kept of the host (its last-known list, its recent events) is in
    /// its state.
    pub async fn restored(&self) {
        let mut restored = self.shared.restored.subscribe();
        // Fails only when the watcher is gone, and this one holds it.
        let _ = restored.wait_for(|done| *done).await;
    }

    pub fn name(&self) -> &str {
        &self.shared.spec.name
    }

    pub fn spec(&self) -> &HostSpec {
        &self.shared.spec
    }

    /// The name of container `id` as last seen; its id when it is not in the table.
    pub fn container_name(&self, id: &str) -> String {
        self.shared
            .table()
            .containers
            .get(id)
            .map_or_else(|| id.to_owned(), |c| c.name.clone())
    }

    pub fn state(&self) -> HostState {
        self.shared.state()
    }

    /// Keeps the host's container list as it stands now as its last-known one.
    pub async fn keep_list(&self) {
        self.shared.keep_list().await;
    }

    /// Where container `id`'s TCP port `container_port` is published, as a web address: built
    /// here from the host and the container as the engine listed them, never taken from the
    /// window, so that only a container's own published port can be opened in a browser.
    pub fn port_url(&self, id: &str, container_port: u16) -> Result<String> {
        let table = self.shared.table();
        let container = table
            .containers
            .get(id)
            .ok_or_else(|| Error::NotFound(format!("there is no container {id:?} on this host")))?;
        let web_address = table.endpoint.web_address();
        container
            .ports
            .iter()
            .filter(|p| p.container_port == container_port)
            .find_map(|p| p.web_url(&web_address))
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{}'s port {container_port}/tcp is not published",
                    container.name
                ))
            })
    }

    /// The engine, while the host is online.
    pub fn engine(&self) -> Result<Engine> {
        let table = self.shared.table();
        match (&table.engine, &table.status) {
            (Some(engine), _) => Ok(engine.clone()),
            (None, HostStatus::Offline { reason, .. }) => Err(Error::EngineUnreachable {
                endpoint: table.endpoint.to_string(),
                reason: reason.clone(),
            }),
            (None, _) => Err(Error::EngineUnreachable {
                endpoint: table.endpoint.to_string(),
                reason: "still connecting".to_owned(),
            }),
        }
    }

    /// Told each time the host comes online (a count that goes up).
    pub(crate) fn online_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.shared.online.subscribe()
    }

    /// Whether any of `ids` is running, as last seen.
    pub(crate) fn any_running(&self, ids: &[String]) -> bool {
        let table = self.shared.table();
        ids.iter().any(|id| {
            table
                .containers
                .get(id)
                .is_some_and(|c| c.state == ContainerState::Running)
        })
    }

    /// This host's updates (and, on the same channel, the other hosts').
    pub(crate) fn updates(&self) -> broadcast::Receiver<HostUpdate> {
        self.shared.updates.subscribe()
    }

    /// Skips the current backoff wait, or ends the wait for the user, and tries to connect now.
    pub fn reconnect_now(&self) {
        self.shared.wake.notify_one();
    }

    /// Tries to connect now, trusting the host key the user accepted after comparing its
    /// fingerprint (for exactly that host, port and key).
    pub fn reconnect_accepting(&self, accepted: AcceptedHostKey) {
        *self
            .shared
            .accepted
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(accepted);
        self.shared.wake.notify_one();
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(shared: Arc<Shared>) {
    if let Some(store) = &shared.store {
        // The last-known list first: the window shows it, as refreshing, until the engine
        // answers.
        match store.container_list(&shared.spec.id).await {
            Ok(Some(containers)) => shared.apply(HostChange::Snapshot {
                status: HostStatus::Connecting,
                containers,
                discovery: None,
            }),
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(host = %shared.spec.id, %err, "could not load the last-known list")
            }
        }
        match store.recent_events(&shared.spec.id, RECENT_EVENTS).await {
            Ok(events) if !events.is_empty() => shared.apply(HostChange::Events { events }),
            Ok(_) => {}
            Err(err) => tracing::warn!(host = %shared.spec.id, %err, "could not load past events"),
        }
    }
    shared.restored.send_replace(true);
    let mut backoff = BACKOFF_FIRST;
    loop {
        let ended = follow(&shared, &mut backoff).await;
        shared.table().engine = None;
        let wait = (!ended.needs_the_user()).then(|| jittered(backoff));
        tracing::info!(host = %shared.spec.id, error = %ended, ?wait, "host offline");
        shared.set_status(HostStatus::Offline {
            code: ended.code(),
            reason: ended.to_string(),
            details: ended.details(),
            retry_in_ms: wait.map(|w| u32::try_from(w.as_millis()).unwrap_or(u32::MAX)),
        });
        match wait {
            Some(wait) => tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = shared.wake.notified() => {}
            },
            None => shared.wake.notified().await,
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// `backoff` give or take a quarter.
fn jittered(backoff: Duration) -> Duration {
    backoff.mul_f64(rand::random_range(0.75..1.25))
}

/// Connects, publishes a snapshot, then follows events until the connection breaks.
/// Returns why it ended.
async fn follow(shared: &Shared, backoff: &mut Duration) -> Error {
    let accepted = shared
        .accepted
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let endpoint = match shared.endpoint().await {
        Ok(endpoint) => endpoint,
        Err(e) => return e,
    };
    let engine = match Engine::connect_accepting(&endpoint, accepted.as_ref()).await {
        Ok(engine) => engine,
        Err(e) => return e,
    };
    let info = match engine.info().await {
        Ok(info) => info,
        Err(e) => return e,
    };
    // Subscribe from the engine's "now" taken before listing: an event that lands between the
    // list and the subscription is replayed rather than lost. Replays are harmless because each
    // event only triggers a fresh lookup.
    let mut events = Box::pin(engine.events(info.clock.as_deref()));
    let containers = match engine.containers().await {
        Ok(containers) => containers,
        Err(e) => return e,
    };
    let discovery = {
        let mut table = shared.table();
        table.engine = Some(engine.clone());
        table.discovery.clone()
    };
    shared.apply(HostChange::Snapshot {
        status: HostStatus::Online {
            engine: Box::new(info),
        },
        containers,
        discovery,
    });
    *backoff = BACKOFF_FIRST;
    shared.online.send_modify(|times| *times += 1);
    tracing::info!(host = %shared.spec.id, "host online");
    shared.keep_list().await;
    if let Some(store) = &shared.store {
        if let Err(err) = store
            .host_seen(&shared.spec.id, crate::history::store::now_ms())
            .await
        {
            tracing::warn!(host = %shared.spec.id, %err, "could not note when the host was seen");
        }
    }

    // Containers that died but were still listed as running, with how often they were rechecked.
    let mut dying: HashMap<String, u8> = HashMap::new();
    // When the changed list is next kept; `None` while the kept one is current.
    let mut keep_list_at: Option<tokio::time::Instant> = None;
    loop {
        let next = tokio::select! {
            next = events.next() => next,
            () = sleep_until(keep_list_at), if keep_list_at.is_some() => {
                keep_list_at = None;
                shared.keep_list().await;
                continue;
            }
            () = tokio::time::sleep(RECHECK_AFTER), if !dying.is_empty() => {
                let ids: Vec<String> = dying.keys().cloned().collect();
                let found = match engine.containers_by_id(&ids).await {
                    Ok(found) => found,
                    Err(e) => return e,
                };
                dying.retain(|id, rechecks| {
                    *rechecks += 1;
                    *rechecks < RECHECKS && still_running(&found, id)
                });
                let settled: Vec<Container> = found
                    .into_iter()
                    .filter(|c| !dying.contains_key(&c.id))
                    .collect();
                if !settled.is_empty() {
                    shared.apply(HostChange::Containers {
                        upserted: settled,
                        removed: Vec::new(),
                    });
                    keep_list_at.get_or_insert_with(keep_list_deadline);
                }
                continue;
            }
        };
        let Some(first) = next else {
            return Error::EngineUnreachable {
                endpoint: engine.endpoint().to_owned(),
                reason: "the engine closed its event stream".to_owned(),
            };
        };
        let mut batch = vec![first];
        while batch.len() < MAX_EVENTS_PER_BATCH {
            match events.next().now_or_never() {
                Some(Some(event)) => batch.push(event),
                _ => break,
            }
        }
        let batch: Vec<EngineEvent> = match batch.into_iter().collect() {
            Ok(batch) => batch,
            Err(e) => return e,
        };
        // The events go out first: a notice must wait neither for the disk nor for the
        // container lookup below.
        shared.apply(HostChange::Events {
            events: batch.clone(),
        });
        if let Some(store) = &shared.store {
            if let Err(err) = store.record_events(&shared.spec.id, &batch).await {
                tracing::warn!(host = %shared.spec.id, %err, "could not keep events");
            }
        }
        let mut changed = BTreeSet::new();
        let mut removed = BTreeSet::new();
        for event in batch.iter().filter(|e| e.kind == EventKind::Container) {
            if event.action == "destroy" {
                changed.remove(&event.id);
                removed.insert(event.id.clone());
            } else {
                removed.remove(&event.id);
                changed.insert(event.id.clone());
            }
        }
        let upserted = if changed.is_empty() {
            Vec::new()
        } else {
            let ids: Vec<String> = changed.iter().cloned().collect();
            match engine.containers_by_id(&ids).await {
                Ok(found) => found,
                Err(e) => return e,
            }
        };
        // A container that changed and is gone by the time we look was removed meanwhile.
        for id in &changed {
            if !upserted.iter().any(|c| &c.id == id) {
                removed.insert(id.clone());
            }
        }
        for event in batch.iter().filter(|e| e.kind == EventKind::Container) {
            match event.action.as_str() {
                "die" if still_running(&upserted, &event.id) => {
                    dying.insert(event.id.clone(), 0);
                }
                "start" | "destroy" => {
                    dying.remove(&event.id);
                }
                _ => {}
            }
        }
        if !upserted.is_empty() || !removed.is_empty() {
            shared.apply(HostChange::Containers {
                upserted,
                removed: removed.into_iter().collect(),
            });
            keep_list_at.get_or_insert_with(keep_list_deadline);
        }
    }
}

fn keep_list_deadline() -> tokio::time::Instant {
    tokio::time::Instant::now() + KEEP_LIST_AFTER
}

/// Sleeps until `at`; never when `None` (its select branch is off then).
async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn still_running(containers: &[Container], id: &str) -> bool {
    containers
        .iter()
        .any(|c| c.id == id && c.state == ContainerState::Running)
}
