//! Desktop notifications for the core's alerts, through tauri-plugin-notification, which
//! gives them the app's identity where the platform asks for one (Windows' AppUserModelID
//! for an installed Berth, macOS' bundle identifier). Clicking one brings the window forward on
//! what it is about: the container, the host, or (for a storm's count) the events timeline —
//! where the desktop reports the click (see [`show`]).

use berth_core::alerts::{self, AlertContainer, AlertRules, Notice};
use berth_core::{Berth, HostId};
use serde::Serialize;
use specta::Type;
use tauri::plugin::PermissionState;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;
use tokio::sync::{mpsc, watch};

/// Notices waiting to be shown; the core holds back storms, so few ever wait.
const WAITING: usize = 32;

/// The alert rules in force. Settings send new ones here as they are saved.
pub struct AlertRulesInForce(pub watch::Sender<AlertRules>);

impl AlertRulesInForce {
    pub fn new() -> Self {
        Self(watch::Sender::new(AlertRules::default()))
    }
}

/// The window is asked to show something: a container (its logs), a host, or — neither set —
/// the events timeline. Sent when a notification or a tray menu item is clicked.
#[derive(Debug, Clone, Serialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct Reveal {
    pub host: Option<HostId>,
    pub container: Option<AlertContainer>,
}

/// Brings the main window forward: shown, unminimized, focused.
pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        // Each may fail on a desktop without the feature; the others still help.
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Starts following the hosts for alerts under `rules`, showing each as a notification.
pub fn start<R: Runtime>(app: &AppHandle<R>, rules: AlertRules) {
    let in_force = app.state::<AlertRulesInForce>();
    in_force.0.send_replace(rules);
    let (notices, mut waiting) = mpsc::channel(WAITING);
    let berth = app.state::<Berth>();
    let names = {
        let app = app.clone();
        move |host: &HostId| app.state::<Berth>().host_name(host)
    };
    let updates = berth.subscribe();
    let rules = in_force.0.subscribe();
    let (counted, counts) = mpsc::channel(WAITING);
    let engines = {
        let app = app.clone();
        move || app.state::<Berth>().online_engines()
    };
    tauri::async_runtime::spawn(alerts::swarm::count_services(engines, counted));
    tauri::async_runtime::spawn(alerts::watch(
        berth.states(),
        updates,
        names,
        rules,
        counts,
        notices,
    ));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(notice) = waiting.recv().await {
            if permitted(&app) {
                tauri::async_runtime::spawn(show(app.clone(), notice));
            }
        }
    });
}

/// Shows `notice` and waits for a click on it. The plugin (2.4, the last release for this
/// workspace's Rust version) reports no click on the desktop: its show() hands notify-rust a
/// notification without actions and drops the handle. The freedesktop notification service of
/// Linux and the BSDs does report clicks (ActionInvoked on D-Bus), so there alerts go to it
/// through notify-rust directly, to keep the click that opens the container.
#[cfg(all(unix, not(target_os = "macos")))]
async fn show<R: Runtime>(app: AppHandle<R>, notice: Notice) {
    use notify_rust::NotificationResponse;
    let shown = notify_rust::Notification::new()
        .appname(APP_NAME)
        .summary(&notice.title())
        .body(&notice.body())
        .action("default", "Open")
        .show_async()
        .await;
    match shown {
        Ok(handle) => {
            handle
                .wait_for_action_async(|response| {
                    if matches!(response, NotificationResponse::Default) {
                        open(&app, &notice);
                    }
                })
                .await;
        }
        Err(err) => tracing::warn!(%err, "a notification could not be shown"),
    }
}

/// Shows `notice`. macOS and Windows bring Berth forward on a click by themselves; which
/// notification it was is not reported through the plugin.
#[cfg(not(all(unix, not(target_os = "macos"))))]
async fn show<R: Runtime>(app: AppHandle<R>, notice: Notice) {
    tell(&app, &notice.title(), &notice.body());
}

/// The name notifications shown by Berth itself (not through the plugin) go under.
#[cfg(all(unix, not(target_os = "macos")))]
const APP_NAME: &str = "Berth";

/// Shows a notification nothing follows from clicking, through the plugin. It shows it from a
/// task of its own, so this returns at once; a failure to hand it over is logged, while one
/// of the platform to show it is not reported by the plugin (2.4).
pub fn tell<R: Runtime>(app: &AppHandle<R>, summary: &str, body: &str) {
    if !permitted(app) {
        return;
    }
    let shown = app
        .notification()
        .builder()
        .title(summary)
        .body(body)
        .show();
    if let Err(err) = shown {
        tracing::warn!(%err, "a notification could not be shown");
    }
}

/// Whether Berth may show notifications, asking the platform once where it asks the user
/// (mobile; the plugin reports desktop platforms as granted, since they let any app notify).
/// A refusal is logged, not shown: the user has just said no.
fn permitted<R: Runtime>(app: &AppHandle<R>) -> bool {
    let notifications = app.notification();
    let state = match notifications.permission_state() {
        Ok(PermissionState::Prompt | PermissionState::PromptWithRationale) => {
            notifications.request_permission()
        }
        state => state,
    };
    match state {
        Ok(PermissionState::Granted) => true,
        Ok(state) => {
            tracing::info!(%state, "notifications are not permitted");
            false
        }
        Err(err) => {
            tracing::warn!(%err, "could not ask whether notifications are permitted");
            false
        }
    }
}

/// What a click on an alert does: the window comes forward on what the alert is about. Only
/// where the click is reported (see `show`).
#[cfg(all(unix, not(target_os = "macos")))]
fn open<R: Runtime>(app: &AppHandle<R>, notice: &Notice) {
    show_window(app);
    let reveal = match notice {
        Notice::Alert(alert) => Reveal {
            host: Some(alert.host.clone()),
            container: alert.container.clone(),
        },
        Notice::Held { .. } => Reveal {
            host: None,
            container: None,
        },
    };
    if let Err(err) = reveal.emit(app) {
        tracing::warn!(%err, "could not tell the window which alert was opened");
    }
}
