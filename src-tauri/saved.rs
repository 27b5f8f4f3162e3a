//! What the user saved — settings, saved hosts, history — opened as the app is built, and the
//! files found unusable on the way, which the UI tells the user about once.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use berth_core::recovery::SetAside;
use berth_core::{Berth, HostSpec, KnownHostsFiles, Store};
use tauri::plugin::TauriPlugin;
use tauri::{Manager, Runtime, State};

use berth_core::settings::{self, SettingsFile};

/// How often old stats are folded into per-minute averages and expired.
const COMPACT_EVERY: Duration = Duration::from_secs(60);

/// Files set aside at start because they could not be used, until the UI has read them.
pub struct StartupNotices(Mutex<Vec<SetAside>>);

/// Opens what is saved in `folder` and starts watching `hosts` and the saved hosts, as the app
/// is built: a plugin's setup runs then, before any command can be called (the app's own setup
/// hook waits for the event loop, which tests never start) and after the plugins registered
/// before it — the single-instance check, so a second Berth touches no file.
pub fn plugin<R: Runtime>(folder: PathBuf, hosts: Vec<HostSpec>) -> TauriPlugin<R> {
    tauri::plugin::Builder::new("berth-saved")
        .setup(move |app, _api| {
            let mut set_aside = Vec::new();
            app.manage(SettingsFile::open(
                folder.join(settings::FILE),
                &mut set_aside,
            ));
            let store = open_store(&folder, &mut set_aside);
            let files = app.state::<KnownHostsFiles>();
            let hosts = hosts
                .into_iter()
                .chain(saved_hosts(store.as_ref(), &files))
                .collect();
            // Watchers spawn onto Tauri's Tokio runtime and start connecting before the window shows.
            let berth =
                tauri::async_runtime::block_on(async { Berth::start(hosts, store.clone()) });
            if let Some(store) = store.clone() {
                tauri::async_runtime::spawn(compact_periodically(app.clone(), store));
            }
            app.manage(berth);
            app.manage(store);
            app.manage(StartupNotices(Mutex::new(set_aside)));
            Ok(())
        })
        .build()
}

/// The databases in `folder`; none when they cannot be opened even afresh.
fn open_store(folder: &Path, set_aside: &mut Vec<SetAside>) -> Option<Store> {
    match tauri::async_runtime::block_on(Store::open(folder, set_aside)) {
        Ok(store) => Some(store),
        Err(err) => {
            // Berth still works; only hosts and history are not kept.
            tracing::error!(%err, "the databases could not be opened");
            None
        }
    }
}

/// The saved hosts to watch from the start. Their passphrases are not kept, so a host whose
/// key needs one waits offline for it.
fn saved_hosts(store: Option<&Store>, files: &KnownHostsFiles) -> Vec<HostSpec> {
    let Some(store) = store else {
        return Vec::new();
    };
    let specs = async {
        let saved = store.saved_hosts().await?;
        let specs = saved.iter().map(|host| async {
            host.spec_with_remembered_passphrase(files)
                .await
                .inspect_err(
                    |err| tracing::error!(%err, host = %host.id, "a saved host is not valid"),
                )
                .ok()
        });
        let specs = futures_util::future::join_all(specs).await;
        Ok::<_, berth_core::Error>(specs.into_iter().flatten().collect())
    };
    match tauri::async_runtime::block_on(specs) {
        Ok(specs) => specs,
        Err(err) => {
            tracing::error!(%err, "the saved hosts could not be read");
            Vec::new()
        }
    }
}

/// Compacts the history every minute, keeping stats as long as the settings say at the time.
async fn compact_periodically<R: Runtime>(app: tauri::AppHandle<R>, store: Store) {
    let mut every = tokio::time::interval(COMPACT_EVERY);
    loop {
        every.tick().await;
        let retention = app.state::<SettingsFile>().load().stats_retention();
        if let Err(err) = store
            .compact(berth_core::history::store::now_ms(), retention)
            .await
        {
            tracing::warn!(%err, "could not compact the history");
        }
    }
}

/// Files that could not be used at start and were kept aside under another name, for the UI
/// to tell the user: each is answered once, so a reloaded page does not tell it again.
#[tauri::command]
#[specta::specta]
pub fn startup_notices(notices: State<'_, StartupNotices>) -> Vec<SetAside> {
    std::mem::take(&mut *notices.0.lock().unwrap_or_else(|p| p.into_inner()))
}
