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

/// The user clicked a notification: show what it was about. Neither is set for a storm's
/// count (the events timeline has them all).
#[derive(Debug, Clone, Serialize, Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct AlertOpened {
    pub host: Option<HostId>,
    pub container: Option<AlertContainer>,
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
    let shown = notification(&notice)
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
    let shown = tauri::async_runtime::spawn_blocking(move || notification(&notice).show()).await;
    if let Ok(Err(err)) = shown {
        tracing::warn!(%err, "a notification could not be shown");
    }
}

fn notification(notice: &Notice) -> notify_rust::Notification {
    let mut notification = notify_rust::Notification::new();
    notification
        .appname("Berth")
        .summary(&notice.title())
        .body(&notice.body());
    notification
}

fn open<R: Runtime>(app: &AppHandle<R>, notice: &Notice) {
    if let Some(window) = app.get_webview_window("main") {
        // Each may fail on a desktop without the feature; showing the view still helps.
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
    let opened = match notice {
        Notice::Alert(alert) => AlertOpened {
            host: Some(alert.host.clone()),
            container: alert.container.clone(),
        },
        Notice::Held { .. } => AlertOpened {
            host: None,
            container: None,
        },
    };
    if let Err(err) = opened.emit(app) {
        tracing::warn!(%err, "could not tell the window which alert was opened");
    }
}
