//! What the page shows first, handed to it as it loads: each host's state (the last-known
//! lists, marked as refreshing) and the settings, as they stand when the window is made. The
//! page draws them in its first frame, instead of after its first calls have come back, and
//! then asks for everything again as usual.

use berth_core::settings::Settings;
use berth_core::{Berth, HostState};
use serde::Serialize;
use specta::Type;
use tauri::plugin::Plugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;

/// Where the page finds its start state: `window.__BERTH_START__`.
const GLOBAL: &str = "__BERTH_START__";

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StartState {
    pub hosts: Vec<HostState>,
    pub settings: Settings,
}

/// A plugin only for its script, which runs in each page before the page's own. Registered
/// after the profile is open (the `berth-saved` plugin), and asked for its script as each
/// webview is made.
pub struct StartStatePlugin<R: Runtime> {
    app: Option<AppHandle<R>>,
}

impl<R: Runtime> StartStatePlugin<R> {
    pub fn new() -> Self {
        Self { app: None }
    }
}

impl<R: Runtime> Plugin<R> for StartStatePlugin<R> {
    fn name(&self) -> &'static str {
        "berth-start-state"
    }

    fn initialize(
        &mut self,
        app: &AppHandle<R>,
        _config: serde_json::Value,
    ) -> Result<(), Box<dyn std::error::Error>> {
        self.app = Some(app.clone());
        Ok(())
    }

    fn initialization_script(&self) -> Option<String> {
        let app = self.app.as_ref()?;
        let berth = app.try_state::<Berth>()?;
        let autostart = app.try_state::<AutoLaunchManager>();
        let state = StartState {
            hosts: berth.states(),
            settings: crate::desktop::current_settings(&berth, autostart.as_deref()),
        };
        // JSON is a JavaScript expression; nothing in it can end the script early.
        let json = serde_json::to_string(&state).ok()?;
        Some(format!("window.{GLOBAL} = {json};"))
    }
}
