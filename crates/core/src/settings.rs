//! The user's preferences, kept in `settings.json` in the app's data folder as
//! `{"settings": {…}}` (the layout tauri-plugin-store wrote before, so existing files still
//! read). One typed record crosses IPC; the file may be older or newer than this build, so
//! fields it lacks take their defaults and settings this build cannot use are never
//! overwritten until the user changes something. The file is replaced whole on each change
//! (crate::files): tauri-plugin-store truncated it and wrote in place, so a crash or a
//! full disk mid-write left half a file, which it then silently replaced with defaults.

use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::alerts::AlertRules;
use crate::error::{Error, Result};
use crate::history::store::StatsRetention;
use crate::hosts::HostId;
use crate::recovery::{self, JsonFile, SetAside};

/// The settings' file in the app's data folder.
pub const FILE: &str = "settings.json";
const KEY: &str = "settings";

/// Log views keep this many lines (xterm.js scrollback), so a longer tail shows nothing more.
pub const MAX_LOG_TAIL: u32 = 10_000;
/// Terminal font sizes one may choose, in CSS pixels.
pub const MIN_TERMINAL_FONT_SIZE: u16 = 8;
pub const MAX_TERMINAL_FONT_SIZE: u16 = 32;
const TERMINAL_FONT_SIZES: std::ops::RangeInclusive<u16> =
    MIN_TERMINAL_FONT_SIZE..=MAX_TERMINAL_FONT_SIZE;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the desktop's light or dark preference.
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub theme: Theme,
    /// Lines a log view shows from the end of each log before following.
    pub log_tail: u32,
    /// Font size of terminals and log views, in CSS pixels.
    pub terminal_font_size: u16,
    /// Which changes are told as desktop notifications.
    pub alerts: AlertRules,
    /// Closing the window keeps Berth running in the tray (where there is one).
    pub close_to_tray: bool,
    /// Berth starts as the user logs in. The platform's own record (an XDG autostart entry, a
    /// LaunchAgent, the Run key) is the truth: this field is read from it and written to it.
    pub start_at_login: bool,
    /// The window stays hidden as Berth starts, until shown from the tray.
    pub start_hidden: bool,
    /// The host the window opens on; one no longer watched (removed) reads as the local one.
    pub default_host: HostId,
    /// Hours the stats history is kept (its per-minute averages).
    pub stats_retention_hours: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::System,
            log_tail: 500,
            terminal_font_size: 13,
            alerts: AlertRules::default(),
            close_to_tray: true,
            start_at_login: false,
            start_hidden: false,
            default_host: HostId::local(),
            stats_retention_hours: 24,
        }
    }
}

impl Settings {
    /// Checks every field; a refusal names the setting by its key (`logTail`), so the UI can
    /// show it beside it.
    pub fn validate(&self) -> Result<()> {
        if !(1..=MAX_LOG_TAIL).contains(&self.log_tail) {
            return Err(invalid(
                "logTail",
                format!("Log lines to show must be between 1 and {MAX_LOG_TAIL}."),
            ));
        }
        if !TERMINAL_FONT_SIZES.contains(&self.terminal_font_size) {
            return Err(invalid(
                "terminalFontSize",
                format!(
                    "Terminal font size must be between {} and {} pixels.",
                    TERMINAL_FONT_SIZES.start(),
                    TERMINAL_FONT_SIZES.end()
                ),
            ));
        }
        self.alerts.check().map_err(|err| err.in_field("alerts"))?;
        StatsRetention::hours(self.stats_retention_hours)
            .map_err(|err| err.in_field("statsRetentionHours"))?;
        Ok(())
    }

    /// Refuses a default host that is not among `watched` (the local engine and the saved
    /// hosts).
    pub fn check_default_host(&self, watched: &[HostId]) -> Result<()> {
        if watched.contains(&self.default_host) {
            return Ok(());
        }
        Err(invalid(
            "defaultHost",
            format!("There is no host {} to open on.", self.default_host),
        ))
    }

    /// The default host, or the local engine when it is no longer watched (it was removed).
    pub fn with_default_host_among(mut self, watched: &[HostId]) -> Self {
        if !watched.contains(&self.default_host) {
            self.default_host = HostId::local();
        }
        self
    }

    /// How long the core keeps the stats history, as chosen.
    pub fn stats_retention(&self) -> StatsRetention {
        // Settings are validated before they are kept or used, so this is the chosen value.
        StatsRetention::hours(self.stats_retention_hours).unwrap_or_default()
    }
}

impl Settings {
    /// Reads what a file holds: fields it lacks, at any depth (it was written by an older
    /// Berth), keep their defaults; unknown ones (a newer Berth) are ignored.
    fn from_saved(saved: serde_json::Value) -> Option<Self> {
        let mut merged = serde_json::to_value(Self::default()).ok()?;
        if !saved.is_object() {
            return None;
        }
        merge(&mut merged, saved);
        serde_json::from_value(merged).ok()
    }
}

/// Lays `saved` over `defaults`, object by object.
fn merge(defaults: &mut serde_json::Value, saved: serde_json::Value) {
    match (defaults, saved) {
        (serde_json::Value::Object(defaults), serde_json::Value::Object(saved)) => {
            for (key, value) in saved {
                match defaults.get_mut(&key) {
                    Some(default) => merge(default, value),
                    None => {
                        defaults.insert(key, value);
                    }
                }
            }
        }
        (default, saved) => *default = saved,
    }
}

/// The settings file, read once at start.
pub struct SettingsFile {
    path: PathBuf,
    /// What the file holds under `settings`: as read at start, then as last written.
    saved: Mutex<Option<serde_json::Value>>,
}

impl SettingsFile {
    /// Reads the settings at `path`. A file that cannot be read or is not JSON is set aside
    /// (added to `set_aside`, for the user to be told) and the settings start from defaults.
    pub fn open(path: PathBuf, set_aside: &mut Vec<SetAside>) -> Self {
        let saved = match recovery::read_json(&path) {
            Ok(JsonFile::Read(mut file)) => file.get_mut(KEY).map(serde_json::Value::take),
            Ok(JsonFile::Missing) => None,
            Ok(JsonFile::SetAside(kept)) => {
                set_aside.push(kept);
                None
            }
            Err(err) => {
                tracing::error!(%err, "settings.json could not be read nor set aside; showing defaults");
                None
            }
        };
        Self {
            path,
            saved: Mutex::new(saved),
        }
    }

    /// Like [`SettingsFile::open`], but a file that cannot be read or is not JSON is left as
    /// it is (the window sets it aside when it next starts), and the defaults are used.
    pub fn open_as_is(path: PathBuf) -> Self {
        let saved = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|mut file| file.get_mut(KEY).map(serde_json::Value::take));
        Self {
            path,
            saved: Mutex::new(saved),
        }
    }

    fn saved(&self) -> std::sync::MutexGuard<'_, Option<serde_json::Value>> {
        // The value is replaced whole, so a panic elsewhere cannot leave it half changed.
        self.saved.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn load(&self) -> Settings {
        let Some(saved) = self.saved().clone() else {
            return Settings::default();
        };
        Settings::from_saved(saved)
            .filter(|settings| settings.validate().is_ok())
            .unwrap_or_else(|| {
                tracing::warn!(
                    "settings.json holds settings this build cannot use; showing defaults"
                );
                Settings::default()
            })
    }

    pub fn save(&self, settings: &Settings) -> Result<()> {
        settings.validate()?;
        let value = serde_json::to_value(settings).map_err(|e| storage(&e))?;
        let file = serde_json::json!({ KEY: value });
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| storage(&e))?;
        // Held while writing: one write at a time, and the last one written is the one kept.
        let mut saved = self.saved();
        crate::files::write_atomically(&self.path, &bytes).map_err(|e| storage(&e))?;
        *saved = Some(value);
        Ok(())
    }
}

fn invalid(field: &str, message: String) -> Error {
    Error::InvalidInput(message).in_field(field)
}

fn storage(err: &dyn std::fmt::Display) -> Error {
    Error::Internal(format!("the settings could not be stored: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(
            Settings::default().validate().map_err(|e| e.to_string()),
            Ok(())
        );
    }

    #[test]
    fn out_of_range_values_are_refused_with_the_setting_named() {
        let cases = [
            (
                Settings {
                    log_tail: 0,
                    ..Settings::default()
                },
                "logTail",
            ),
            (
                Settings {
                    log_tail: MAX_LOG_TAIL + 1,
                    ..Settings::default()
                },
                "logTail",
            ),
            (
                Settings {
                    terminal_font_size: 7,
                    ..Settings::default()
                },
                "terminalFontSize",
            ),
            (
                Settings {
                    terminal_font_size: 33,
                    ..Settings::default()
                },
                "terminalFontSize",
            ),
            (
                Settings {
                    stats_retention_hours: 0,
                    ..Settings::default()
                },
                "statsRetentionHours",
            ),
            (
                Settings {
                    stats_retention_hours: 7 * 24 + 1,
                    ..Settings::default()
                },
                "statsRetentionHours",
            ),
        ];
        for (settings, field) in cases {
            let err = settings.validate().expect_err("out of range");
            assert_eq!(err.field(), Some(field), "{err}");
        }
        let edges = Settings {
            log_tail: MAX_LOG_TAIL,
            terminal_font_size: 32,
            stats_retention_hours: 7 * 24,
            ..Settings::default()
        };
        assert!(edges.validate().is_ok());
        assert_eq!(
            edges.stats_retention(),
            StatsRetention::hours(7 * 24).unwrap()
        );
    }

    #[test]
    fn the_default_host_is_one_watched_and_a_removed_one_falls_back_to_local() {
        let watched = [HostId::local(), HostId::new("far")];
        let far = Settings {
            default_host: HostId::new("far"),
            ..Settings::default()
        };
        assert!(far.check_default_host(&watched).is_ok());
        assert_eq!(far.clone().with_default_host_among(&watched), far);

        let gone = Settings {
            default_host: HostId::new("gone"),
            ..Settings::default()
        };
        let err = gone.check_default_host(&watched).expect_err("not watched");
        assert_eq!(err.field(), Some("defaultHost"), "{err}");
        assert_eq!(
            gone.with_default_host_among(&watched).default_host,
            HostId::local()
        );
    }

    /// A folder of the test's own, empty.
    fn folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("berth-settings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_reader_never_sees_half_a_settings_file() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = folder("atomic");
        let path = dir.join(FILE);
        let file = SettingsFile::open(path.clone(), &mut Vec::new());
        // Large enough that writing it takes more than one system call.
        let only = (0..2000)
            .map(|n| crate::alerts::ContainerMatch::Container {
                name: format!("container-{n}"),
            })
            .collect::<Vec<_>>();
        let settings = |n: u32| Settings {
            log_tail: 1 + n % 100,
            alerts: AlertRules {
                only: only.clone(),
                ..AlertRules::default()
            },
            ..Settings::default()
        };
        file.save(&settings(0)).unwrap();
        let writing = AtomicBool::new(true);
        std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                let mut reads = 0;
                while writing.load(Ordering::Relaxed) {
                    let bytes = std::fs::read(&path).expect("the file is always there");
                    let read: serde_json::Value = serde_json::from_slice(&bytes)
                        .unwrap_or_else(|e| panic!("half a file ({} bytes): {e}", bytes.len()));
                    assert!(read[KEY]["logTail"].is_u64());
                    reads += 1;
                }
                reads
            });
            for n in 1..100 {
                file.save(&settings(n)).unwrap();
            }
            writing.store(false, Ordering::Relaxed);
            assert!(reader.join().unwrap() > 0);
        });
        let reopened = SettingsFile::open(path, &mut Vec::new());
        assert_eq!(reopened.load(), settings(99));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_is_not_json_is_set_aside_not_replaced() {
        let dir = folder("damaged");
        let path = dir.join(FILE);
        let damaged = r#"{"settings": {"theme": "dark", "logTa"#;
        std::fs::write(&path, damaged).unwrap();
        let mut set_aside = Vec::new();
        let file = SettingsFile::open(path.clone(), &mut set_aside);
        let [kept] = &set_aside[..] else {
            panic!("the file is set aside: {set_aside:?}");
        };
        assert_eq!(kept.file, FILE);
        assert_eq!(std::fs::read_to_string(&kept.kept_as).unwrap(), damaged);
        assert_eq!(file.load(), Settings::default());

        let chosen = Settings {
            theme: Theme::Dark,
            ..Settings::default()
        };
        file.save(&chosen).unwrap();
        assert_eq!(SettingsFile::open(path, &mut Vec::new()).load(), chosen);
        assert_eq!(std::fs::read_to_string(&kept.kept_as).unwrap(), damaged);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_from_another_version_keeps_what_this_one_knows() {
        let saved = serde_json::json!({
            "logTail": 2000,
            "someLaterSetting": true,
            "alerts": {"doNotDisturb": true},
        });
        let expected = Settings {
            log_tail: 2000,
            alerts: AlertRules {
                do_not_disturb: true,
                ..AlertRules::default()
            },
            ..Settings::default()
        };
        assert_eq!(Settings::from_saved(saved), Some(expected));
        let unreadable = serde_json::json!({"logTail": "many"});
        assert_eq!(Settings::from_saved(unreadable), None);
    }
}
