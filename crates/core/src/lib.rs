//! berth-core: everything Berth does with Docker engines, with no UI and no Tauri.
//!
//! [`Berth`] owns one [`Watcher`] per host for the window, or, for berthctl, reaches the hosts
//! a command needs on demand. The shell (desktop app) and the CLI are thin front ends over it.

mod actions;
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
pub mod swarm;
pub mod watch;

pub use actions::Pull;
pub use engine::container_filter::ContainerFilter;
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
pub use history::activity::FrontEnd;
pub use history::store::Store;
pub use hosts::discovery::{EndpointSource, LocalDiscovery, LocalEnv, Runtime, TriedEndpoint};
pub use hosts::saved::SavedHost;
pub use hosts::select::HostChoice;
pub use hosts::ssh::forget_host_key;
pub use hosts::{
    Endpoint, HostId, HostSpec, JumpHost, KeySource, KnownHostsFiles, Secret, SshTarget,
};
pub use streams::backlog::LogBacklog;
pub use streams::events::{EngineEvent, EventKind};
pub use streams::exec::{ExecRequest, ExecSession};
pub use streams::logs::{LogBatch, LogLine, LogOptions};
pub use streams::stats::StatsSample;
pub use watch::{HostChange, HostOrigin, HostState, HostStatus, HostUpdate, Watcher};

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use tokio::sync::broadcast;

use crate::history::activity::ActivityLog;
use crate::hosts::on_demand::OnDemand;
use crate::recovery::SetAside;
use crate::settings::{Settings, SettingsFile};

/// How many updates a slow consumer may fall behind before it must resync from
/// [`Berth::states`] (it then sees `RecvError::Lagged`).
const UPDATE_BUFFER: usize = 1024;

/// How long opening the window's profile waits for the hosts' last-known lists.
const RESTORE_WITHIN: Duration = Duration::from_millis(200);

/// How often old stats are folded into per-minute averages and expired.
const COMPACT_EVERY: Duration = Duration::from_secs(60);

/// The running core: the watched hosts and the stream of their updates, and, for a front end,
/// what the user keeps in their profile.
pub struct Berth {
    /// In the order hosts were added; a watcher stops when its host is removed.
    watchers: RwLock<Vec<Arc<Watcher>>>,
    updates: broadcast::Sender<HostUpdate>,
    store: Option<Store>,
    /// `None` for a Berth that only watches (tests, benchmarks).
    profile: Option<Profile>,
    front_end: FrontEnd,
    /// Hosts berthctl reaches without watching them; unused by a watching Berth.
    on_demand: Option<OnDemand>,
}

/// What a front end opens Berth on: the user's data folder and the environment it runs in.
struct Profile {
    /// Shared with the history's compaction, which keeps stats as long as they say.
    settings: Arc<SettingsFile>,
    /// Where host keys are checked, and the ones the user accepts kept.
    known_hosts: KnownHostsFiles,
    /// The home folder and Docker's settings: where keys are made and hosts imported from.
    env: LocalEnv,
    /// The saved hosts as this front end last knew them, to tell what another one (berthctl
    /// beside the window) changed since (see `follow_saved_hosts`).
    known_saved: std::sync::Mutex<Vec<SavedHost>>,
}

impl Berth {
    /// Starts watching `hosts`, keeping their events in `store` when given. Must be called
    /// inside a Tokio runtime.
    pub fn start(hosts: Vec<HostSpec>, store: Option<Store>) -> Self {
        Self::new(store, None, FrontEnd::Window, hosts, false)
    }

    /// Opens what the user keeps in `folder` (settings, databases, known hosts) and watches
    /// `hosts` and the saved hosts. What could not be used is set aside and returned, for the
    /// user to be told. Must be called inside a Tokio runtime.
    pub async fn open(folder: &Path, env: LocalEnv, hosts: Vec<HostSpec>) -> (Self, Vec<SetAside>) {
        let (store, profile, opened) = open_profile(folder, env, true).await;
        let saved = saved_hosts(store.as_ref(), &profile).await;
        if let Some(store) = store.clone() {
            tokio::spawn(compact_periodically(store, profile.settings.clone()));
        }
        let hosts = hosts.into_iter().chain(saved).collect();
        let berth = Self::new(store, Some(profile), FrontEnd::Window, hosts, false);
        // The window's first frame shows the hosts as they were last seen: worth a moment, not
        // a wait on a busy database.
        let _ = tokio::time::timeout(RESTORE_WITHIN, berth.restored()).await;
        (berth, opened.set_aside)
    }

    /// Waits until each watched host's state holds what was kept of it: its last-known list
    /// (shown as refreshing) and its recent events.
    pub async fn restored(&self) {
        futures_util::future::join_all(self.watchers().iter().map(|w| w.restored())).await;
    }

    /// Opens the profile in `folder` for berthctl, which runs one command and ends: the local
    /// engine, the Docker contexts and the saved hosts are known, and none is watched; a host
    /// is connected when a command first needs it (see [`Berth::connect`]). Its actions are
    /// logged as the CLI's. Must be called inside a Tokio runtime.
    ///
    /// Files it cannot use are left as they are, never set aside: they are the window's too.
    /// What could not be opened is returned, for the user to be told; the command goes on
    /// without saved hosts and without logging.
    pub async fn open_for_commands(folder: &Path, env: LocalEnv) -> (Self, Option<Error>) {
        let (store, profile, opened) = open_profile(folder, env, false).await;
        let local = hosts::discovery::local_hosts(&profile.env, folder);
        let saved = saved_hosts(store.as_ref(), &profile).await;
        let hosts = local.into_iter().chain(saved).collect();
        let berth = Self::new(store, Some(profile), FrontEnd::Cli, hosts, true);
        (berth, opened.not_opened)
    }

    fn new(
        store: Option<Store>,
        profile: Option<Profile>,
        front_end: FrontEnd,
        hosts: Vec<HostSpec>,
        on_demand: bool,
    ) -> Self {
        let (updates, _) = broadcast::channel(UPDATE_BUFFER);
        let berth = Self {
            watchers: RwLock::default(),
            updates,
            store,
            profile,
            front_end,
            on_demand: on_demand.then(OnDemand::default),
        };
        for spec in hosts {
            // Ids of the hosts given at start are distinct (local, then saved ones).
            let _ = berth.add(spec);
        }
        berth
    }

    /// Keeps each host's container list as it stands (for the next start to show at once),
    /// then closes the databases, each folding its WAL back in: a clean quit leaves one file
    /// apiece.
    pub async fn close(&self) {
        let watchers: Vec<Arc<Watcher>> = self
            .watchers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for watcher in watchers {
            watcher.keep_list().await;
        }
        if let Some(store) = &self.store {
            store.close().await;
        }
    }

    /// Starts watching one more host (or, for berthctl, knows it). Must be called inside a
    /// Tokio runtime.
    pub fn add(&self, spec: HostSpec) -> Result<()> {
        if let Some(on_demand) = &self.on_demand {
            on_demand.put(spec);
            return Ok(());
        }
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
        if let Some(on_demand) = &self.on_demand {
            return match on_demand.forget(host) {
                true => Ok(()),
                false => Err(not_watched(host)),
            };
        }
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

    /// The name the user gave `host`, while it is watched (or known, for berthctl).
    pub fn host_name(&self, host: &HostId) -> Option<String> {
        self.hosts()
            .into_iter()
            .find(|spec| &spec.id == host)
            .map(|spec| spec.name)
    }

    /// Every host, watched or known, in the order they were added.
    pub fn hosts(&self) -> Vec<HostSpec> {
        match &self.on_demand {
            Some(on_demand) => on_demand.specs(),
            None => self.watchers().iter().map(|w| w.spec().clone()).collect(),
        }
    }

    /// The engines of the watched hosts online now.
    pub fn online_engines(&self) -> Vec<(HostId, Engine)> {
        self.watchers()
            .iter()
            .filter_map(|w| Some((w.spec().id.clone(), w.engine().ok()?)))
            .collect()
    }

    /// A watched host's engine, while it is online.
    pub fn engine(&self, host: &HostId) -> Result<Engine> {
        self.watcher(host)?.engine()
    }

    /// The host's engine: a watched host's while it is online; for berthctl, connected on
    /// first use.
    pub async fn connect(&self, host: &HostId) -> Result<Engine> {
        match &self.on_demand {
            Some(on_demand) => on_demand.connect(host).await,
            None => self.engine(host),
        }
    }

    /// The containers of `host`: as watched, or listed now for berthctl.
    pub async fn containers(&self, host: &HostId) -> Result<Vec<Container>> {
        match &self.on_demand {
            Some(on_demand) => on_demand.containers(host).await,
            None => Ok(self.watcher(host)?.state().containers),
        }
    }

    /// Where this Berth's actions are logged, marked with its front end.
    pub(crate) fn activity_log(&self) -> ActivityLog {
        ActivityLog::new(self.store.clone(), self.front_end)
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

    /// Saves the (filtered) logs of `ids` on `host` as they stand to a new file in `folder`,
    /// named after the container (`merged` for several) and the time; returns its path.
    pub async fn save_logs(
        &self,
        host: &HostId,
        ids: &[String],
        options: &LogOptions,
        folder: &Path,
    ) -> Result<PathBuf> {
        let watcher = self.watcher(host)?;
        let names: Vec<String> = ids.iter().map(|id| watcher.container_name(id)).collect();
        let subject = match &names[..] {
            [name] => name,
            _ => "merged",
        };
        let path = files::saved_file_path(folder, subject, "log");
        watcher
            .engine()?
            .save_logs(ids, &names, options, &path)
            .await?;
        Ok(path)
    }

    /// Stats of `ids` on `host`, opened again by itself once the host is back from an outage.
    /// Every sample is also kept in the history.
    pub fn stats(
        &self,
        host: &HostId,
        ids: &[String],
    ) -> Result<BoxStream<'static, Result<Vec<StatsSample>>>> {
        let opened_ids = ids.to_vec();
        let stats = streams::resume::resumable(&self.watcher(host)?, ids, move |engine, _| {
            engine.stats(&opened_ids)
        })?;
        let Some(store) = self.store.clone() else {
            return Ok(stats);
        };
        let host = host.clone();
        let kept = stats.then(move |batch| {
            let (store, host) = (store.clone(), host.clone());
            async move {
                if let Ok(samples) = &batch {
                    if let Err(err) = store.record_stats(&host, samples).await {
                        tracing::warn!(%err, "could not keep stats");
                    }
                }
                batch
            }
        });
        Ok(kept.boxed())
    }

    /// A container's kept stats from `since_ms` (unix milliseconds) on, oldest first; none
    /// when no history is kept.
    pub async fn stats_history(
        &self,
        host: &HostId,
        container: &str,
        since_ms: i64,
    ) -> Result<Vec<StatsSample>> {
        match &self.store {
            Some(store) => store.stats_history(host, container, since_ms).await,
            None => Ok(Vec::new()),
        }
    }

    /// The user's preferences; defaults until something is changed. A default host no longer
    /// watched (it was removed) reads as the local one.
    pub fn settings(&self) -> Settings {
        let settings = self
            .profile
            .as_ref()
            .map(|profile| profile.settings.load())
            .unwrap_or_default();
        settings.with_default_host_among(&self.openable_hosts())
    }

    /// Checks and keeps new preferences; invalid ones are refused and nothing is written.
    /// `apply` is what the front end carries out itself (starting at login, which the
    /// platform records): it runs once they are checked, and when it fails nothing is kept.
    pub fn update_settings(
        &self,
        settings: &Settings,
        apply: impl FnOnce(&Settings) -> Result<()>,
    ) -> Result<()> {
        settings.validate()?;
        settings.check_default_host(&self.openable_hosts())?;
        let file = &self.profile("settings cannot be kept")?.settings;
        apply(settings)?;
        file.save(settings)
    }

    /// The hosts a window can open on: those watched, and the local one always, which is where
    /// it falls back to.
    fn openable_hosts(&self) -> Vec<HostId> {
        let mut hosts: Vec<HostId> = self.hosts().into_iter().map(|spec| spec.id).collect();
        hosts.push(HostId::local());
        hosts
    }

    /// The profile, or an error saying that `what` follows from Berth running without one.
    fn profile(&self, what: &str) -> Result<&Profile> {
        self.profile
            .as_ref()
            .ok_or_else(|| Error::Internal(format!("{what}: Berth runs without a profile")))
    }

    /// The databases, or an error saying that `what` follows from them not having opened.
    fn store(&self, what: &str) -> Result<&Store> {
        self.store
            .as_ref()
            .ok_or_else(|| Error::Internal(format!("{what}: the database did not open")))
    }

    fn watchers(&self) -> Vec<Arc<Watcher>> {
        self.watchers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The name `value` (one of Berth's enums: an error code, a container state, an event kind)
/// has on the wire, as the window and berthctl's JSON show it; empty for a value that is not
/// written as a string.
pub fn wire_name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Opens the settings, the databases and the known hosts of the profile in `folder`. With
/// `recover`, a file that cannot be used is set aside (returned in the list) and started
/// afresh; without, it is left as it is, and why the databases did not open is returned.
async fn open_profile(
    folder: &Path,
    env: LocalEnv,
    recover: bool,
) -> (Option<Store>, Profile, Opened) {
    let mut set_aside = Vec::new();
    let settings = Arc::new(match recover {
        true => SettingsFile::open(folder.join(settings::FILE), &mut set_aside),
        false => SettingsFile::open_as_is(folder.join(settings::FILE)),
    });
    let opened = match recover {
        true => Store::open(folder, &mut set_aside).await,
        false => Store::open_as_is(folder).await,
    };
    let (store, not_opened) = match opened {
        Ok(store) => (Some(store), None),
        Err(err) => {
            // Berth still works; only hosts and history are not kept.
            tracing::error!(%err, "the databases could not be opened");
            (None, Some(err))
        }
    };
    let known_hosts = KnownHostsFiles::in_profile(env.home.as_deref(), folder);
    let profile = Profile {
        settings,
        known_hosts,
        env,
        known_saved: std::sync::Mutex::default(),
    };
    (
        store,
        profile,
        Opened {
            set_aside,
            not_opened,
        },
    )
}

/// What opening a profile could not use.
struct Opened {
    set_aside: Vec<SetAside>,
    not_opened: Option<Error>,
}

/// The hosts the user saved, ready to connect (with the passphrases they asked to remember);
/// the profile remembers them as known.
async fn saved_hosts(store: Option<&Store>, profile: &Profile) -> Vec<HostSpec> {
    let Some(store) = store else {
        return Vec::new();
    };
    let (saved, specs) = hosts::saved::watched(store, &profile.known_hosts).await;
    *profile
        .known_saved
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = saved;
    specs
}

/// Compacts the history every minute, keeping stats as long as the settings say at the time.
async fn compact_periodically(store: Store, settings: Arc<SettingsFile>) {
    let mut every = tokio::time::interval(COMPACT_EVERY);
    loop {
        every.tick().await;
        let retention = settings.load().stats_retention();
        if let Err(err) = store.compact(history::store::now_ms(), retention).await {
            tracing::warn!(%err, "could not compact the history");
        }
    }
}

fn not_watched(host: &HostId) -> Error {
    Error::NotFound(format!("no host with id {host:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::activity::ActivityQuery;
    use crate::settings::Theme;

    /// A profile folder of the test's own, empty.
    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("berth-open-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[tokio::test]
    async fn settings_are_checked_carried_out_then_kept() {
        let dir = folder("settings");
        let (berth, set_aside) = Berth::open(&dir, LocalEnv::default(), Vec::new()).await;
        assert!(set_aside.is_empty(), "{set_aside:?}");
        assert_eq!(berth.settings(), Settings::default());

        let refused = |settings: Settings| {
            berth
                .update_settings(&settings, |_| Ok(()))
                .expect_err("refused")
                .field()
                .map(str::to_owned)
        };
        let no_lines = Settings {
            log_tail: 0,
            ..Settings::default()
        };
        assert_eq!(refused(no_lines).as_deref(), Some("logTail"));
        let unknown_host = Settings {
            default_host: HostId::new("far"),
            ..Settings::default()
        };
        assert_eq!(refused(unknown_host).as_deref(), Some("defaultHost"));

        let dark = Settings {
            theme: Theme::Dark,
            ..Settings::default()
        };
        let platform_refused = berth.update_settings(&dark, |_| {
            Err(Error::Internal("no autostart here".to_owned()))
        });
        assert!(platform_refused.is_err());
        assert_eq!(berth.settings(), Settings::default(), "nothing kept");
        berth.update_settings(&dark, |_| Ok(())).unwrap();
        berth.close().await;
        drop(berth);

        let (again, _) = Berth::open(&dir, LocalEnv::default(), Vec::new()).await;
        assert_eq!(again.settings(), dark);
        again.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn berthctl_leaves_a_database_it_cannot_use_for_the_window_to_set_aside() {
        let dir = folder("as-is");
        std::fs::create_dir_all(&dir).unwrap();
        let hosts = dir.join(history::store::HOSTS_FILE);
        std::fs::write(&hosts, b"not a database").unwrap();
        std::fs::write(dir.join(settings::FILE), b"{ cut short").unwrap();

        let (cli, not_opened) = Berth::open_for_commands(&dir, LocalEnv::default()).await;
        assert!(not_opened.is_some(), "told why");
        assert_eq!(
            std::fs::read(&hosts).unwrap(),
            b"not a database",
            "left as it is"
        );
        assert_eq!(
            std::fs::read(dir.join(settings::FILE)).unwrap(),
            b"{ cut short"
        );
        assert_eq!(cli.settings(), Settings::default());
        cli.close().await;

        let (window, set_aside) = Berth::open(&dir, LocalEnv::default(), Vec::new()).await;
        let files: Vec<&str> = set_aside.iter().map(|kept| kept.file.as_str()).collect();
        assert!(files.contains(&history::store::HOSTS_FILE), "{set_aside:?}");
        assert!(files.contains(&settings::FILE), "{set_aside:?}");
        window.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn an_action_is_logged_by_its_name_even_when_it_fails() {
        let dir = folder("activity");
        let (berth, _) = Berth::open(&dir, LocalEnv::default(), Vec::new()).await;
        let nowhere = HostId::new("nowhere");
        let failed = berth
            .project_action(&nowhere, "web", ContainerAction::Unpause)
            .await;
        assert_eq!(failed.unwrap_err().code(), ErrorCode::NotFound);
        let query = ActivityQuery {
            limit: 10,
            ..ActivityQuery::default()
        };
        let logged = berth.activity(&query).await.unwrap();
        assert_eq!(logged.len(), 1, "{logged:?}");
        assert_eq!(
            (logged[0].action.as_str(), logged[0].target.as_str()),
            ("unpause project", "web")
        );
        assert_eq!(logged[0].host, nowhere);
        assert!(logged[0].error.is_some());
        berth.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
