//! Desktop notifications for the core's alerts. Clicking one brings the window forward on
//! what it is about: the container, the host, or (for a storm's count) the events timeline.

use berth_core::alerts::{self, AlertContainer, AlertRules, Notice};
use berth_core::{Berth, HostId};
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Manager, Runtime};
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
    tauri::async_runtime::spawn(alerts::watch(
        berth.states(),
        updates,
        names,
        rules,
        notices,
    ));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while let Some(notice) = waiting.recv().await {
            tauri::async_runtime::spawn(show(app.clone(), notice));
        }
    });
}

/// Shows `notice` and, where the desktop reports clicks (the freedesktop notification
/// service), waits for one.
#[cfg(all(unix, not(target_os = "macos")))]
async fn show<R: Runtime>(app: AppHandle<R>, notice: Notice) {
    use notify_rust::NotificationResponse;
    let shown = notification(&notice.title(), &notice.body())
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

#[cfg(not(all(unix, not(target_os = "macos"))))]
async fn show<R: Runtime>(_app: AppHandle<R>, notice: Notice) {
    tell(&notice.title(), &notice.body()).await;
}

/// Shows a notification nothing follows from clicking.
pub async fn tell(summary: &str, body: &str) {
    let notification = notification(summary, body);
    let shown = tauri::async_runtime::spawn_blocking(move || notification.show().map(drop)).await;
    if let Ok(Err(err)) = shown {
        tracing::warn!(%err, "a notification could not be shown");
    }
}

fn notification(summary: &str, body: &str) -> notify_rust::Notification {
    let mut notification = notify_rust::Notification::new();
    notification.appname("Berth").summary(summary).body(body);
    notification
}

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
