//! The Berth desktop shell: window, IPC commands and event forwarding over berth-core.

mod activity;
mod commands;
mod containers;
mod desktop;
mod error;
mod hosts;
mod images;
mod instance;
mod logs;
mod networks;
mod notifications;
mod painting;
mod saved;
mod start_state;
mod streams;
mod swarm;
mod system;
mod tray;
mod updates;
mod volumes;

use std::path::PathBuf;

use berth_core::history::store;
use berth_core::profile::{self, Moved, IDENTIFIER, OLD_IDENTIFIER};
use berth_core::settings;
use berth_core::{Berth, HostSpec, LocalEnv};
use tauri::{Manager, Runtime};
use tauri_specta::{collect_commands, collect_events};

pub use error::IpcError;
pub use logs::init as init_logging;

/// The IPC surface: every command and event the UI may use. The TypeScript bindings are
/// generated from it (see src-tauri/tests/bindings.rs).
pub fn ipc<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(collect_commands![
            commands::hosts_state,
            commands::hosts_reconnect,
            commands::hosts_trust_key,
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
            commands::stream_ack,
            commands::stream_close,
            commands::streams_open,
            tray::tray_items,
            commands::link_open,
            hosts::hosts_saved,
            hosts::hosts_follow_saved,
            hosts::hosts_test,
            hosts::hosts_forget_key,
            hosts::hosts_save,
            hosts::hosts_remove,
            hosts::hosts_unlock,
            hosts::hosts_import,
            hosts::keys_generate,
            activity::activity_list,
            activity::activity_export,
            commands::settings_get,
            commands::settings_update,
            logs::log_folder_open,
            saved::startup_notices,
            swarm::swarm_overview,
            swarm::swarm_init,
            swarm::swarm_join,
            swarm::swarm_leave,
            swarm::swarm_join_ticket,
            swarm::node_update,
            swarm::node_remove,
            swarm::service_inspect,
            swarm::service_create,
            swarm::service_scale,
            swarm::service_update_image,
            swarm::service_rollback,
            swarm::service_remove,
            swarm::stack_remove,
            swarm::swarm_values,
            swarm::swarm_value_create,
            swarm::swarm_value_remove,
            swarm::service_logs_open,
        ])
        .events(collect_events![updates::HostUpdated, notifications::Reveal])
        .typ::<start_state::StartState>()
        .constant("STREAM_WINDOW", streams::STREAM_WINDOW)
        // Limits and defaults the UI uses too, written once here.
        .constant("DEFAULT_SETTINGS", settings::Settings::default())
        .constant("MAX_LOG_TAIL", settings::MAX_LOG_TAIL)
        .constant("MIN_TERMINAL_FONT_SIZE", settings::MIN_TERMINAL_FONT_SIZE)
        .constant("MAX_TERMINAL_FONT_SIZE", settings::MAX_TERMINAL_FONT_SIZE)
        .constant(
            "MIN_STATS_RETENTION_HOURS",
            store::MIN_STATS_RETENTION_HOURS,
        )
        .constant(
            "MAX_STATS_RETENTION_HOURS",
            store::MAX_STATS_RETENTION_HOURS,
        )
        .constant("RECENT_EVENTS", berth_core::watch::RECENT_EVENTS)
        .constant(
            "BUILT_IN_NETWORKS",
            berth_core::engine::networks::BUILT_IN_NETWORKS,
        )
        .constant("DEFAULT_SOCKET", berth_core::hosts::saved::DEFAULT_SOCKET)
        .constant("SSH_PORT", berth_core::hosts::SSH_PORT)
        // Payloads travel one way (Rust to UI, or UI to Rust), so one shape per type suffices.
        .disable_serde_phases()
        // Counts and unix times are far below 2^53, where a JS number stops being exact.
        .dangerously_cast_bigints_to_number()
}

/// Builds the app on any runtime, so tests can use Tauri's mock runtime. Settings, saved hosts
/// and history are kept in `folder`; `hosts` (the local engine) are watched besides the saved
/// ones; `env` is where keys are made and hosts imported from.
pub fn build<R: Runtime>(
    builder: tauri::Builder<R>,
    env: LocalEnv,
    hosts: Vec<HostSpec>,
    folder: PathBuf,
) -> tauri::Builder<R> {
    let ipc = ipc::<R>();
    let told = desktop::ToldInTray::in_folder(&folder);
    builder
        // First, so that what the next ones log is in the file.
        .plugin(logs::plugin())
        .plugin(saved::plugin(folder, env, hosts))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::Builder::new().build())
        // After the profile is open and start at login known: its script carries both.
        .plugin(start_state::StartStatePlugin::new())
        .manage(told)
        .manage(desktop::TrayUp::default())
        .manage(std::sync::Arc::new(streams::OpenStreams::default()))
        // A page that reloads or goes away can no longer read or acknowledge what its streams
        // send: they end with it.
        .on_page_load(|webview, load| {
            if load.event() == tauri::webview::PageLoadEvent::Started {
                streams_of(webview).page_loading(webview.label());
            }
        })
        .on_window_event(|window, event| {
            if matches!(event, tauri::WindowEvent::Destroyed) {
                streams_of(window).close_webview(window.label());
            }
            desktop::on_window_event(window, event);
        })
        .manage(notifications::AlertRulesInForce::new())
        .manage(tray::Shown::default())
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            ipc.mount_events(app);
            updates::forward(app.handle());
            let rules = app.state::<Berth>().settings().alerts;
            notifications::start(app.handle(), rules);
            match tray::start(app.handle()) {
                Ok(()) => app.state::<desktop::TrayUp>().set(),
                Err(err) => tracing::warn!(%err, "no tray icon"),
            }
            desktop::show_at_start(app.handle());
            Ok(())
        })
}

/// Logs what [`profile::move_old_profile`] did, where it did anything.
fn log_profile_moves(moved: Vec<(PathBuf, std::io::Result<Moved>)>) {
    for (base, result) in moved {
        let folder = base.display();
        match result {
            Ok(Moved::NothingToMove | Moved::NewAlreadyThere) => {}
            Ok(how) => {
                tracing::info!(%folder, ?how, "moved the {OLD_IDENTIFIER} profile to {IDENTIFIER}")
            }
            // The old profile stays whole where it was; this start begins afresh beside it.
            Err(err) => {
                tracing::error!(%folder, %err, "could not move the {OLD_IDENTIFIER} profile to {IDENTIFIER}")
            }
        }
    }
}

fn streams_of<R: Runtime>(app: &impl Manager<R>) -> std::sync::Arc<streams::OpenStreams> {
    app.state::<std::sync::Arc<streams::OpenStreams>>()
        .inner()
        .clone()
}

/// Where what the user saves from Berth goes: their Downloads folder, else their home.
fn downloads_folder() -> PathBuf {
    dirs::download_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(std::env::temp_dir)
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

pub fn run() {
    // Before any thread starts: it sets the environment WebKit's processes start with.
    painting::choose();
    // First of all: a new profile folder made by anything below would keep the old one from
    // moving.
    let moved = profile::move_old_profile();
    use_one_io_thread();
    logs::init(&logs::default_file_filter());
    log_profile_moves(moved);

    let folder = profile::data_folder();
    let env = LocalEnv::from_process();
    let watched = berth_core::hosts::discovery::local_hosts(&env, &folder);
    // First, so that a second Berth hands over to the first before opening any file.
    let builder = tauri::Builder::default().plugin(instance::one_per_profile(&folder));
    let app = build(builder, env, watched, folder.clone())
        .build(tauri::generate_context!("tauri.conf.json"))
        .unwrap_or_else(|err| {
            if instance::handover_failed(&err) {
                instance::start_again(&folder, &err);
            }
            eprintln!("berth: the window could not start: {err}");
            std::process::exit(1);
        });
    app.run(|app, event| {
        if let tauri::RunEvent::Exit = event {
            tauri::async_runtime::block_on(app.state::<Berth>().close());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identifier_naming_the_folders_is_the_bundle_s() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(config["identifier"], IDENTIFIER);
        // The Tauri CLI warns that an identifier ending in .app clashes with macOS bundles.
        assert!(!IDENTIFIER.ends_with(".app"));
        assert_ne!(IDENTIFIER, OLD_IDENTIFIER);
    }
}
