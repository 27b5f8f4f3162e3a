//! One Berth per profile: a second start hands over to the Berth already running on the same
//! data folder (it shows its window) and quits, and a start that finds the other one dying
//! starts again once it is gone (a Berth restarted right after a crash).

use std::path::Path;
use std::time::Duration;

use berth_core::profile::IDENTIFIER;
use tauri::plugin::TauriPlugin;
use tauri::Runtime;

/// The single-instance plugin's name, as its errors carry it.
const PLUGIN: &str = "single-instance";
/// Set for a Berth started again after a failed handover, so that it starts again once at most.
const STARTED_AGAIN: &str = "BERTH_STARTED_AGAIN";
/// How long a Berth that could not hand over waits for the other one to be gone (on Linux,
/// where the lock is a bus name). A killed process is gone at once; the bus frees its name as
/// soon as it reads the closed connection.
#[cfg(target_os = "linux")]
const OTHER_GONE_WITHIN: Duration = Duration::from_secs(5);

/// The plugin that keeps one Berth per data folder. Registered first, so that a second Berth
/// hands over before opening any file.
pub fn one_per_profile<R: Runtime>(folder: &Path) -> TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(bus_name(folder))
        .callback(|app, _args, _cwd| crate::notifications::show_window(app))
        .build()
}

/// Whether the app could not start because handing over to the Berth that holds its profile
/// failed. That Berth was there as this one started and then did not answer: it was quitting,
/// or killed, and the bus had yet to free its name (a Berth restarted right after a crash).
pub fn handover_failed(err: &tauri::Error) -> bool {
    matches!(err, tauri::Error::PluginInitialization(plugin, _) if plugin == PLUGIN)
        && std::env::var_os(STARTED_AGAIN).is_none()
}

/// Starts this Berth again, with the same arguments, once the Berth holding the profile in
/// `folder` is gone; returns only when it stays, or when this one cannot start again.
pub fn start_again(folder: &Path, err: &tauri::Error) {
    tracing::warn!(%err, "the Berth holding this profile did not answer; waiting for it to be gone");
    if !other_gone(folder) {
        tracing::error!("the Berth holding this profile still runs and does not answer");
        return;
    }
    let Ok(executable) = std::env::current_exe() else {
        return;
    };
    let mut again = std::process::Command::new(executable);
    again
        .args(std::env::args_os().skip(1))
        .env(STARTED_AGAIN, "1");
    // In place where the platform can: the same process, for whatever started it and waits
    // on it (a launcher, a WebDriver session).
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let failed = again.exec();
        tracing::error!(%failed, "could not start again");
    }
    #[cfg(not(unix))]
    match again.spawn() {
        Ok(_) => std::process::exit(0),
        Err(failed) => tracing::error!(%failed, "could not start again"),
    }
}

/// Waits, up to [`OTHER_GONE_WITHIN`], for the bus to free the name the Berth holding the
/// profile in `folder` owned; whether it did.
#[cfg(target_os = "linux")]
fn other_gone(folder: &Path) -> bool {
    use zbus::blocking::{fdo::DBusProxy, Connection};
    use zbus::names::{BusName, WellKnownName};

    let name = plugin_bus_name(folder);
    let Ok(name) = WellKnownName::try_from(name.as_str()) else {
        return false;
    };
    let Ok(bus) = Connection::session().and_then(|session| DBusProxy::new(&session)) else {
        return false;
    };
    let deadline = std::time::Instant::now() + OTHER_GONE_WITHIN;
    while std::time::Instant::now() < deadline {
        match bus.name_has_owner(BusName::from(name.clone())) {
            Ok(false) => return true,
            Ok(true) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => return false,
        }
    }
    false
}

/// Elsewhere the lock is the OS's, let go of with the process: a moment is enough.
#[cfg(not(target_os = "linux"))]
fn other_gone(_folder: &Path) -> bool {
    std::thread::sleep(Duration::from_millis(250));
    true
}

/// The name the single-instance plugin owns on the session bus for the profile in `folder`.
#[cfg(target_os = "linux")]
fn plugin_bus_name(folder: &Path) -> String {
    format!("{}.SingleInstance", bus_name(folder))
}

/// The D-Bus name a running Berth holds for its data folder (the single-instance plugin's, on
/// Linux): one Berth per folder, since two would write the same files, while another profile
/// (another XDG_DATA_HOME) runs beside it. The folder is hashed (FNV-1a, stable across builds,
/// unlike std's hasher) because a bus name allows only letters, digits, `_` and `-`.
fn bus_name(folder: &Path) -> String {
    let hash = folder
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{IDENTIFIER}.profile_{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_data_folder_has_a_bus_name_of_its_own_the_same_on_every_start() {
        let home = bus_name(Path::new("/home/me/.local/share/dev.berth.desktop"));
        // Fixed: two builds of Berth on one folder must find each other.
        assert_eq!(home, "dev.berth.desktop.profile_04e0b57aeff76c35");
        assert_ne!(home, bus_name(Path::new("/tmp/other/dev.berth.desktop")));
    }

    #[test]
    fn only_a_failed_handover_starts_berth_again() {
        let handover = tauri::Error::PluginInitialization(
            PLUGIN.to_owned(),
            "failed to forward arguments to the running instance: NoReply".to_owned(),
        );
        assert!(handover_failed(&handover));
        let other = tauri::Error::PluginInitialization("notification".to_owned(), String::new());
        assert!(!handover_failed(&other));
    }
}
