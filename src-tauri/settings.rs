//! The user's preferences, kept by tauri-plugin-store in `settings.json` in the app's data
//! folder. One typed record crosses IPC; the file may be older or newer than this build, so
//! fields it lacks take their defaults and a file that cannot be read is never overwritten
//! until the user changes something.

use std::sync::Arc;

use berth_core::alerts::AlertRules;
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::StoreExt;

use crate::error::IpcError;

const FILE: &str = "settings.json";
const KEY: &str = "settings";

/// Log views keep this many lines (xterm.js scrollback), so a longer tail shows nothing more.
pub const MAX_LOG_TAIL: u32 = 10_000;
const TERMINAL_FONT_SIZES: std::ops::RangeInclusive<u16> = 8..=32;

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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::System,
            log_tail: 500,
            terminal_font_size: 13,
            alerts: AlertRules::default(),
        }
    }
}

impl Settings {
    /// Checks every field; the message names the setting so the UI can show it beside it.
    pub fn validate(&self) -> Result<(), IpcError> {
        if !(1..=MAX_LOG_TAIL).contains(&self.log_tail) {
            return Err(invalid(format!(
                "Log lines to show must be between 1 and {MAX_LOG_TAIL}."
            )));
        }
        if !TERMINAL_FONT_SIZES.contains(&self.terminal_font_size) {
            return Err(invalid(format!(
                "Terminal font size must be between {} and {} pixels.",
                TERMINAL_FONT_SIZES.start(),
                TERMINAL_FONT_SIZES.end()
            )));
        }
        self.alerts.check()?;
        Ok(())
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

/// Where settings are kept: the plugin's store, behind a trait so that commands and state
/// need no Tauri runtime parameter.
trait KeyValueFile: Send + Sync {
    fn get(&self, key: &str) -> Option<serde_json::Value>;
    fn put(&self, key: &str, value: serde_json::Value) -> tauri_plugin_store::Result<()>;
}

impl<R: Runtime> KeyValueFile for tauri_plugin_store::Store<R> {
    fn get(&self, key: &str) -> Option<serde_json::Value> {
        tauri_plugin_store::Store::get(self, key)
    }

    fn put(&self, key: &str, value: serde_json::Value) -> tauri_plugin_store::Result<()> {
        self.set(key, value);
        self.save()
    }
}

/// Opens the settings file as the app is built, so every command finds it. A plugin's setup
/// runs then; the app's own setup hook waits for the event loop, which tests never start.
/// Register it after tauri-plugin-store.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("berth-settings")
        .setup(|app, _api| {
            app.manage(SettingsFile::open(app)?);
            Ok(())
        })
        .build()
}

/// The settings file, opened once at start.
pub struct SettingsFile(Arc<dyn KeyValueFile>);

impl SettingsFile {
    fn open<R: Runtime>(app: &AppHandle<R>) -> tauri_plugin_store::Result<Self> {
        Ok(Self(app.store(FILE)?))
    }

    pub fn load(&self) -> Settings {
        let Some(saved) = self.0.get(KEY) else {
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

    pub fn save(&self, settings: &Settings) -> Result<(), IpcError> {
        settings.validate()?;
        let value = serde_json::to_value(settings).map_err(|e| storage(&e))?;
        self.0.put(KEY, value).map_err(|e| storage(&e))
    }
}

fn invalid(message: String) -> IpcError {
    IpcError::from(berth_core::Error::InvalidInput(message))
}

fn storage(err: &dyn std::fmt::Display) -> IpcError {
    IpcError::from(berth_core::Error::Internal(format!(
        "the settings could not be stored: {err}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert_eq!(
            Settings::default().validate().map_err(|e| e.message),
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
                "Log lines",
            ),
            (
                Settings {
                    log_tail: MAX_LOG_TAIL + 1,
                    ..Settings::default()
                },
                "Log lines",
            ),
            (
                Settings {
                    terminal_font_size: 7,
                    ..Settings::default()
                },
                "font size",
            ),
            (
                Settings {
                    terminal_font_size: 33,
                    ..Settings::default()
                },
                "font size",
            ),
        ];
        for (settings, named) in cases {
            let err = settings.validate().expect_err("out of range");
            assert!(err.message.contains(named), "{}", err.message);
        }
        let edges = Settings {
            log_tail: MAX_LOG_TAIL,
            terminal_font_size: 32,
            ..Settings::default()
        };
        assert!(edges.validate().is_ok());
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
