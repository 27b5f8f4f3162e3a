//! What the user saved — settings, saved hosts, history — opened as the app is built, and the
//! files found unusable on the way, which the UI tells the user about once.

use std::path::PathBuf;
use std::sync::Mutex;

use berth_core::recovery::SetAside;
use berth_core::{Berth, HostSpec, LocalEnv};
use tauri::plugin::TauriPlugin;
use tauri::{Manager, Runtime, State};

/// Files set aside at start because they could not be used, until the UI has read them.
pub struct StartupNotices(Mutex<Vec<SetAside>>);

/// Opens what is saved in `folder` and starts watching `hosts` and the saved hosts, as the app
/// is built: a plugin's setup runs then, before any command can be called (the app's own setup
/// hook waits for the event loop, which tests never start) and after the plugins registered
/// before it — the single-instance check, so a second Berth touches no file.
pub fn plugin<R: Runtime>(folder: PathBuf, env: LocalEnv, hosts: Vec<HostSpec>) -> TauriPlugin<R> {
    tauri::plugin::Builder::new("berth-saved")
        .setup(move |app, _api| {
            // Watchers spawn onto Tauri's Tokio runtime and start connecting before the window shows.
            let opening = std::time::Instant::now();
            let (berth, set_aside) =
                tauri::async_runtime::block_on(Berth::open(&folder, env, hosts));
            // The one wait before the window: logged, for the start's breakdown.
            tracing::info!(ms = opening.elapsed().as_millis(), "opened the profile");
            app.manage(berth);
            app.manage(StartupNotices(Mutex::new(set_aside)));
            Ok(())
        })
        .build()
}

/// Files that could not be used at start and were kept aside under another name, for the UI
/// to tell the user: each is answered once, so a reloaded page does not tell it again.
#[tauri::command]
#[specta::specta]
pub fn startup_notices(notices: State<'_, StartupNotices>) -> Vec<SetAside> {
    std::mem::take(&mut *notices.0.lock().unwrap_or_else(|p| p.into_inner()))
}
