//! The Berth desktop shell: window, IPC commands and event forwarding over berth-core.

mod activity;
mod commands;
mod containers;
mod error;
mod hosts;
mod images;
mod networks;
mod notifications;
mod settings;
mod streams;
mod system;
mod tray;
mod updates;
mod volumes;

use std::time::Duration;

use berth_core::{Berth, HostSpec, Store};
use tauri::{Manager, Runtime};
use tauri_specta::{collect_commands, collect_events};

pub use error::IpcError;

/// The IPC surface: every command and event the UI may use. The TypeScript bindings are
/// generated from it (see tests/bindings.rs).
pub fn ipc<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(collect_commands![
            commands::hosts_state,
            commands::hosts_reconnect,
            commands::container_action,
            commands::container_remove,
            containers::container_create,
            containers::container_inspect,
            containers::container_request,
            containers::container_rename,
            containers::container_recreate,
            containers::project_action,
            containers::project_remove,
            containers::port_open,
            system::containers_prune,
            system::system_info,
            system::system_disk_usage,
            system::system_prune,
            commands::images_list,
            images::image_pull,
            images::image_remove,
            images::image_tag,
            images::image_inspect,
            images::image_history,
            images::images_prune,
            commands::volumes_list,
            volumes::volume_create,
            volumes::volume_remove,
            volumes::volumes_prune,
            volumes::volumes_sizes,
            commands::networks_list,
            networks::network_create,
            networks::network_remove,
            networks::network_connect,
            networks::network_disconnect,
            networks::networks_prune,
            commands::logs_open,
            commands::logs_save,
            commands::stats_open,
            commands::stats_history,
            commands::exec_open,
            commands::exec_input,
            commands::exec_resize,
            commands::stream_close,
            commands::streams_open,
            hosts::hosts_saved,
            hosts::hosts_test,
            hosts::hosts_save,
            hosts::hosts_remove,
            hosts::hosts_unlock,
            hosts::hosts_import,
            hosts::keys_generate,
            activity::activity_list,
            activity::activity_export,
            commands::settings_get,
            commands::settings_update,
        ])
        .events(collect_events![updates::HostUpdated, notifications::Reveal])
        // Payloads travel one way (Rust to UI, or UI to Rust), so one shape per type suffices.
        .disable_serde_phases()
        // Counts and unix times are far below 2^53, where a JS number stops being exact.
        .dangerously_cast_bigints_to_number()
}

/// How often old stats are folded into per-minute averages and expired.
const COMPACT_EVERY: Duration = Duration::from_secs(60);

/// Builds the app on any runtime, so tests can use Tauri's mock runtime. Without a `store`,
/// nothing is kept across restarts.
pub fn build<R: Runtime>(
    builder: tauri::Builder<R>,
    hosts: Vec<HostSpec>,
    store: Option<Store>,
) -> tauri::Builder<R> {
    let ipc = ipc::<R>();
    // Watchers spawn onto Tauri's Tokio runtime and start connecting before the window shows.
    let berth = tauri::async_runtime::block_on(async { Berth::start(hosts, store.clone()) });
    if let Some(store) = store.clone() {
        tauri::async_runtime::spawn(compact_periodically(store));
    }
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(settings::plugin())
        .manage(berth)
        .manage(store)
        .manage(hosts::known_hosts_files())
        .manage(std::sync::Arc::new(streams::OpenStreams::default()))
        .manage(notifications::AlertRulesInForce::new())
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            ipc.mount_events(app);
            updates::forward(app.handle());
            let rules = app.state::<settings::SettingsFile>().load().alerts;
            notifications::start(app.handle(), rules);
            if let Err(err) = tray::start(app.handle()) {
                tracing::warn!(%err, "no tray icon");
            }
            Ok(())
        })
}

async fn compact_periodically(store: Store) {
    let mut every = tokio::time::interval(COMPACT_EVERY);
    loop {
        every.tick().await;
        if let Err(err) = store.compact(berth_core::store::now_ms()).await {
            tracing::warn!(%err, "could not compact the history");
        }
    }
}

/// Berth's files: the database and its known hosts (where Tauri keeps the settings too).
fn data_folder() -> std::path::PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("dev.berth.app")
}

/// A new file in the user's Downloads folder (else their home), named after `subject` and the
/// time, for what the user saves from Berth.
fn download_path(subject: &str, extension: &str) -> std::path::PathBuf {
    let folder = dirs::download_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(std::env::temp_dir);
    let stamp = berth_core::store::now_ms() / 1000;
    folder.join(format!("{subject}-{stamp}.{extension}"))
}

/// The database, or an error saying that `what` follows from it not having opened.
fn opened<'a>(store: &'a Option<Store>, what: &str) -> Result<&'a Store, berth_core::Error> {
    store
        .as_ref()
        .ok_or_else(|| berth_core::Error::Internal(format!("{what}: the database did not open")))
}

/// The history database in the user's data folder.
fn open_store() -> Option<Store> {
    let folder = data_folder();
    let opened = std::fs::create_dir_all(&folder)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            tauri::async_runtime::block_on(Store::open(&folder.join("history.sqlite")))
                .map_err(|e| e.to_string())
        });
    match opened {
        Ok(store) => Some(store),
        Err(err) => {
            // Berth still works; only history is not kept.
            tracing::error!(%err, "no history: the database could not be opened");
            None
        }
    }
}

/// Runs Tauri's async work (watchers, streams, commands) on one thread of its own. Berth's
/// core waits on sockets rather than computing, and a log streams one engine chunk at a time
/// between the connection task and its reader: on one thread those hand-offs cost no wake-ups
/// across cores (the log benchmark's CPU drops by a fifth), and the app keeps fewer threads.
fn use_one_io_thread() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts");
    let handle = runtime.handle().clone();
    std::thread::Builder::new()
        .name("berth-io".to_owned())
        .spawn(move || runtime.block_on(std::future::pending::<()>()))
        .expect("the I/O thread starts");
    tauri::async_runtime::set(handle);
}

/// The saved hosts to watch from the start. Their passphrases are not kept, so a host whose
/// key needs one waits offline for it.
fn saved_hosts(store: Option<&Store>) -> Vec<HostSpec> {
    let Some(store) = store else {
        return Vec::new();
    };
    let files = hosts::known_hosts_files();
    let specs = async {
        let saved = store.saved_hosts().await?;
        let specs = saved.iter().map(|host| async {
            host.spec_with_remembered_passphrase(&files)
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

pub fn run() {
    use_one_io_thread();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    let local = match HostSpec::local() {
        Ok(local) => local,
        Err(err) => {
            // Like the docker CLI: a malformed DOCKER_HOST is the user's to fix, not to guess.
            tracing::error!("{err}");
            eprintln!("berth: {err}");
            std::process::exit(2);
        }
    };
    let store = open_store();
    let hosts = std::iter::once(local)
        .chain(saved_hosts(store.as_ref()))
        .collect();
    build(tauri::Builder::default(), hosts, store)
        .run(tauri::generate_context!("tauri.conf.json"))
        .unwrap_or_else(|err| {
            eprintln!("berth: the window could not start: {err}");
            std::process::exit(1);
        });
}
