//! The system-tray icon and its menu: each host with its running/total count (or why it is
//! offline), the containers most recently active with a quick start or stop, show/hide the
//! window, quit. The menu is rebuilt when what it shows changes, at most a few times a second.

use std::sync::Mutex;
use std::time::Duration;

use berth_core::{Berth, ContainerAction, ContainerState, HostId, HostState, HostStatus};
use tauri::menu::{IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;
use tokio::sync::broadcast::error::RecvError;

use crate::notifications::{show_window, Reveal};

/// Containers offered for a quick start or stop.
const RECENT: usize = 5;
/// Updates arriving closer together than this are shown together.
const SETTLE: Duration = Duration::from_millis(300);

/// What the menu shows, derived from the hosts' states alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrayModel {
    pub hosts: Vec<HostLine>,
    pub recent: Vec<RecentContainer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLine {
    pub host: HostId,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentContainer {
    pub host: HostId,
    pub id: String,
    pub text: String,
    /// What clicking it does: stop a running container, start any other.
    pub action: ContainerAction,
}

impl TrayModel {
    pub fn of(states: &[HostState]) -> Self {
        let several_hosts = states.len() > 1;
        let hosts = states
            .iter()
            .map(|state| HostLine {
                host: state.host.clone(),
                text: match &state.status {
                    HostStatus::Online { .. } => {
                        let running = state
                            .containers
                            .iter()
                            .filter(|c| c.state == ContainerState::Running)
                            .count();
                        format!(
                            "{} — {running}/{} running",
                            state.name,
                            state.containers.len()
                        )
                    }
                    HostStatus::Connecting => format!("{} — connecting…", state.name),
                    HostStatus::Offline { .. } => format!("{} — offline", state.name),
                },
            })
            .collect();
        // The containers whose latest event is newest, on any host.
        let mut latest: Vec<(i64, &HostState, &berth_core::Container)> = Vec::new();
        for state in states {
            for container in &state.containers {
                let last_event = state
                    .events
                    .iter()
                    .rev()
                    .find(|e| e.id == container.id)
                    .map_or(container.created * 1000, |e| e.time_ms);
                latest.push((last_event, state, container));
            }
        }
        latest.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.name.cmp(&b.2.name)));
        let recent = latest
            .into_iter()
            .take(RECENT)
            .map(|(_, state, container)| {
                let running = container.state == ContainerState::Running;
                let verb = if running { "Stop" } else { "Start" };
                let on_host = if several_hosts {
                    format!(" on {}", state.name)
                } else {
                    String::new()
                };
                RecentContainer {
                    host: state.host.clone(),
                    id: container.id.clone(),
                    text: format!("{verb} {}{on_host}", container.name),
                    action: if running {
                        ContainerAction::Stop
                    } else {
                        ContainerAction::Start
                    },
                }
            })
            .collect();
        Self { hosts, recent }
    }
}

/// The menu shown now, so a click is read against what the user saw (empty until the tray
/// starts, and without a tray on the desktop).
#[derive(Default)]
pub struct Shown(Mutex<TrayModel>);

/// Adds the tray icon and keeps its menu current. Without a tray on the desktop this does
/// nothing visible; the window works as before.
pub fn start<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let berth = app.state::<Berth>();
    let mut updates = berth.subscribe();
    let model = TrayModel::of(&berth.states());
    let menu = menu(app, &model)?;
    *app.state::<Shown>()
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = model;
    let mut tray = TrayIconBuilder::with_id("berth")
        .tooltip("Berth")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(clicked);
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    let tray = tray.build(app)?;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match updates.recv().await {
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
            tokio::time::sleep(SETTLE).await;
            while updates.try_recv().is_ok() {}
            refresh(&app, &tray);
        }
    });
    Ok(())
}

fn refresh<R: Runtime>(app: &AppHandle<R>, tray: &TrayIcon<R>) {
    let model = TrayModel::of(&app.state::<Berth>().states());
    let shown = app.state::<Shown>();
    let mut current = shown.0.lock().unwrap_or_else(|p| p.into_inner());
    if *current == model {
        return;
    }
    match menu(app, &model).and_then(|menu| tray.set_menu(Some(menu))) {
        Ok(()) => *current = model,
        Err(err) => tracing::warn!(%err, "the tray menu could not be updated"),
    }
}

/// One line of the menu: an item's id and label, or a separator.
enum Entry {
    Item { id: String, label: String },
    Separator,
}

/// The menu's lines, in order: Show and Hide, the hosts, the recent containers, the log
/// folder, Quit.
fn entries(model: &TrayModel) -> Vec<Entry> {
    let item = |id: String, label: &str| Entry::Item {
        id,
        label: label.to_owned(),
    };
    let mut entries = vec![
        item("show".to_owned(), "Show Berth"),
        item("hide".to_owned(), "Hide Berth"),
        Entry::Separator,
    ];
    for (index, host) in model.hosts.iter().enumerate() {
        entries.push(item(format!("host:{index}"), &host.text));
    }
    if !model.recent.is_empty() {
        entries.push(Entry::Separator);
        for (index, container) in model.recent.iter().enumerate() {
            entries.push(item(format!("container:{index}"), &container.text));
        }
    }
    entries.push(Entry::Separator);
    entries.push(item("logs".to_owned(), "Open Log Folder"));
    entries.push(item("quit".to_owned(), "Quit Berth"));
    entries
}

fn menu<R: Runtime>(app: &AppHandle<R>, model: &TrayModel) -> tauri::Result<Menu<R>> {
    let items = entries(model)
        .into_iter()
        .map(|entry| -> tauri::Result<Box<dyn IsMenuItem<R>>> {
            Ok(match entry {
                Entry::Item { id, label } => {
                    Box::new(MenuItem::with_id(app, id, label, true, None::<&str>)?)
                }
                Entry::Separator => Box::new(PredefinedMenuItem::separator(app)?),
            })
        })
        .collect::<tauri::Result<Vec<_>>>()?;
    let items: Vec<&dyn IsMenuItem<R>> = items.iter().map(|item| item.as_ref()).collect();
    Menu::with_items(app, &items)
}

/// The labels of the tray menu's items as shown now, in order (separators left out), for
/// tests and diagnostics: a test picks an item by its label, not by where it is.
#[tauri::command]
#[specta::specta]
pub fn tray_items(shown: tauri::State<'_, Shown>) -> Vec<String> {
    let model = shown.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    entries(&model)
        .into_iter()
        .filter_map(|entry| match entry {
            Entry::Item { label, .. } => Some(label),
            Entry::Separator => None,
        })
        .collect()
}

fn clicked<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let model = app
        .state::<Shown>()
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let id = event.id.as_ref();
    let picked = |prefix: &str| {
        id.strip_prefix(prefix)
            .and_then(|index| index.parse::<usize>().ok())
    };
    match id {
        "show" => show_window(app),
        "hide" => {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.hide();
            }
        }
        "logs" => {
            if let Err(err) = crate::logs::open_folder(&app.state::<crate::logs::LogFolder>().0) {
                tracing::warn!(message = %err.message, "the log folder could not be opened");
            }
        }
        "quit" => app.exit(0),
        _ => {
            if let Some(host) = picked("host:").and_then(|i| model.hosts.get(i)) {
                show_window(app);
                reveal(app, Some(host.host.clone()));
            } else if let Some(container) = picked("container:").and_then(|i| model.recent.get(i)) {
                start_or_stop(app, container.clone());
            }
        }
    }
}

fn reveal<R: Runtime>(app: &AppHandle<R>, host: Option<HostId>) {
    let reveal = Reveal {
        host,
        container: None,
    };
    if let Err(err) = reveal.emit(app) {
        tracing::warn!(%err, "could not ask the window to show a host");
    }
}

/// Starts or stops a container from the menu, as an action of the activity log; a failure is
/// told as a notification, since the window may well be hidden.
fn start_or_stop<R: Runtime>(app: &AppHandle<R>, container: RecentContainer) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let RecentContainer {
            host,
            id,
            text,
            action,
        } = container;
        let done = app
            .state::<Berth>()
            .container_action(&host, &id, action)
            .await;
        if let Err(err) = done {
            tracing::warn!(%err, "a tray action failed");
            crate::notifications::tell(&app, &format!("{text} failed"), &err.to_string());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_core::{Container, EngineEvent, EngineInfo, ErrorCode, EventKind};

    fn container(id: &str, state: ContainerState, created: i64) -> Container {
        Container {
            id: id.into(),
            name: format!("{id}-name"),
            image: "img".into(),
            image_id: "sha256:1".into(),
            command: "run".into(),
            state,
            status: String::new(),
            health: None,
            created,
            ports: Vec::new(),
            compose: None,
            labels: Default::default(),
            networks: Vec::new(),
            volumes: Vec::new(),
        }
    }

    fn event(id: &str, time_ms: i64) -> EngineEvent {
        EngineEvent {
            time_ms,
            kind: EventKind::Container,
            action: "start".into(),
            id: id.into(),
            name: format!("{id}-name"),
            exit_code: None,
            new_state: None,
        }
    }

    fn host(id: &str, status: HostStatus, containers: Vec<Container>) -> HostState {
        HostState {
            host: HostId::new(id),
            name: id.to_uppercase(),
            web_address: "localhost".into(),
            transport: berth_core::hosts::Transport::Local,
            origin: berth_core::HostOrigin::Local,
            seq: 1,
            status,
            containers,
            events: Vec::new(),
            discovery: None,
        }
    }

    fn online() -> HostStatus {
        HostStatus::Online {
            engine: Box::new(EngineInfo::default()),
        }
    }

    #[test]
    fn hosts_show_counts_or_why_not() {
        let model = TrayModel::of(&[
            host(
                "local",
                online(),
                vec![
                    container("a", ContainerState::Running, 0),
                    container("b", ContainerState::Exited, 0),
                ],
            ),
            host(
                "far",
                HostStatus::Offline {
                    code: ErrorCode::EngineUnreachable,
                    reason: "gone".into(),
                    details: None,
                    retry_in_ms: Some(250),
                },
                Vec::new(),
            ),
            host("new", HostStatus::Connecting, Vec::new()),
        ]);
        let texts: Vec<&str> = model.hosts.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(
            texts,
            ["LOCAL — 1/2 running", "FAR — offline", "NEW — connecting…"]
        );
    }

    #[test]
    fn the_most_recently_active_containers_come_first_with_the_action_that_fits() {
        let mut local = host(
            "local",
            online(),
            (0..7)
                .map(|n| container(&format!("c{n}"), ContainerState::Exited, n))
                .collect(),
        );
        local.containers[0].state = ContainerState::Running;
        // c0 was started just now; the others are ordered by when they were made.
        local.events = vec![event("c0", 50_000), event("gone", 60_000)];
        let model = TrayModel::of(&[local.clone()]);
        let texts: Vec<&str> = model.recent.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Stop c0-name",
                "Start c6-name",
                "Start c5-name",
                "Start c4-name",
                "Start c3-name"
            ]
        );
        assert_eq!(model.recent[0].action, ContainerAction::Stop);
        assert_eq!(model.recent[1].action, ContainerAction::Start);

        let other = host("far", online(), Vec::new());
        let model = TrayModel::of(&[local, other]);
        assert_eq!(model.recent[0].text, "Stop c0-name on LOCAL", "hosts named");
    }
}
