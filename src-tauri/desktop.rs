//! What a tray app does on the desktop, as the user set it: closing the window keeps Berth in
//! the tray (said once, the first time), starting at login, starting hidden.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{AppHandle, Manager, Runtime, Window, WindowEvent};
use tauri_plugin_autostart::AutoLaunchManager;

use berth_core::settings::Settings;
use berth_core::Berth;

/// The file whose presence says the user was told that closing the window keeps Berth in the
/// tray: told once, ever, per profile.
const TOLD_FILE: &str = "told-still-running-in-tray";

/// Whether the tray icon is up: without one, closing the window must quit and the window
/// cannot start hidden, or Berth would be out of the user's reach.
#[derive(Default)]
pub struct TrayUp(AtomicBool);

impl TrayUp {
    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Where the "still running in the tray" notice is remembered as told.
pub struct ToldInTray(PathBuf);

impl ToldInTray {
    pub fn in_folder(folder: &std::path::Path) -> Self {
        Self(folder.join(TOLD_FILE))
    }

    /// True the first time only (of this profile), remembering it.
    fn first_time(&self) -> bool {
        if self.0.exists() {
            return false;
        }
        if let Err(err) = berth_core::files::write_atomically(&self.0, b"") {
            // Told again next time rather than never: the user loses nothing but a repeat.
            tracing::warn!(%err, "could not remember the tray notice as told");
        }
        true
    }
}

/// The main window is asked to close: with "close to tray" on and a tray up, it hides instead,
/// and the first time the user is told where Berth went.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    let app = window.app_handle();
    if window.label() != "main"
        || !app.state::<TrayUp>().get()
        || !app.state::<Berth>().settings().close_to_tray
    {
        return;
    }
    api.prevent_close();
    if let Err(err) = window.hide() {
        tracing::warn!(%err, "the window could not be hidden");
    }
    if app.state::<ToldInTray>().first_time() {
        crate::notifications::tell(
            app,
            "Berth is still running in the tray",
            "Closing the window keeps Berth watching your engines. Quit from the tray menu, or \
             change this in Settings.",
        );
    }
}

/// Shows the window as Berth starts, unless the user wants it to start hidden and a tray is
/// there to show it from. The window is made hidden (tauri.conf.json) so it never flashes.
pub fn show_at_start<R: Runtime>(app: &AppHandle<R>) {
    let hidden = app.state::<Berth>().settings().start_hidden;
    if hidden && app.state::<TrayUp>().get() {
        tracing::info!("starting hidden, in the tray");
        return;
    }
    crate::notifications::show_window(app);
}

/// The settings as the window shows them: start at login as the platform has it.
pub fn current_settings(berth: &Berth, autostart: Option<&AutoLaunchManager>) -> Settings {
    let mut settings = berth.settings();
    if let Some(enabled) = autostart.and_then(starts_at_login) {
        settings.start_at_login = enabled;
    }
    settings
}

/// Whether Berth starts at login, as the platform has it; None when it cannot tell.
pub fn starts_at_login(autostart: &AutoLaunchManager) -> Option<bool> {
    autostart
        .is_enabled()
        .inspect_err(|err| tracing::warn!(%err, "could not tell whether Berth starts at login"))
        .ok()
}

/// Makes Berth start at login, or not, when that is not already so.
pub fn start_at_login(autostart: &AutoLaunchManager, wanted: bool) -> berth_core::Result<()> {
    if starts_at_login(autostart) == Some(wanted) {
        return Ok(());
    }
    let done = if wanted {
        autostart.enable()
    } else {
        autostart.disable()
    };
    done.map_err(|err| {
        berth_core::Error::Internal(format!(
            "Berth could not {} starting at login: {err}",
            if wanted { "turn on" } else { "turn off" }
        ))
    })
}
