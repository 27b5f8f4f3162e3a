//! Command wrappers: each one calls berth-core and maps its error. Nothing else lives here.

use std::sync::Arc;

use berth_core::{
    Berth, ContainerAction, ExecRequest, ExecSession, HostId, HostState, Image, LogBatch,
    LogOptions, Network, RemoveOptions, StatsSample, Store, Volume,
};
use futures_util::StreamExt;
use serde::Serialize;
use specta::Type;
use tauri::ipc::Channel;
use tauri::State;

use crate::activity::{act, container_action_name};
use crate::error::{IpcError, IpcResult};
use crate::notifications::AlertRulesInForce;
use crate::settings::{Settings, SettingsFile};
use crate::streams::{OpenStreams, StreamId};

/// Every watched host with its status and containers, as the UI starts from.
#[tauri::command]
#[specta::specta]
pub fn hosts_state(berth: State<'_, Berth>) -> Vec<HostState> {
    berth.states()
}

/// Retries an offline host now instead of after its backoff.
#[tauri::command]
#[specta::specta]
pub fn hosts_reconnect(berth: State<'_, Berth>, host: HostId) -> IpcResult<()> {
    berth.watcher(&host)?.reconnect_now();
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn container_action(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
    id: String,
    action: ContainerAction,
) -> IpcResult<()> {
    let name = berth.watcher(&host)?.container_name(&id);
    let verb = format!("{} container", container_action_name(action));
    act(&berth, &store, &host, &verb, &name, |engine| async move {
        engine.container_action(&id, action).await
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn container_remove(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
    id: String,
    options: RemoveOptions,
) -> IpcResult<()> {
    let name = berth.watcher(&host)?.container_name(&id);
    act(
        &berth,
        &store,
        &host,
        "remove container",
        &name,
        |engine| async move { engine.container_remove(&id, options).await },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn images_list(berth: State<'_, Berth>, host: HostId) -> IpcResult<Vec<Image>> {
    Ok(berth.engine(&host)?.images().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn volumes_list(berth: State<'_, Berth>, host: HostId) -> IpcResult<Vec<Volume>> {
    Ok(berth.engine(&host)?.volumes().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn networks_list(berth: State<'_, Berth>, host: HostId) -> IpcResult<Vec<Network>> {
    Ok(berth.engine(&host)?.networks().await?)
}

/// What a log view receives.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LogMessage {
    Lines {
        batch: LogBatch,
    },
    /// The log ended (not followed, or the containers stopped writing for good).
    Ended,
    Failed {
        error: IpcError,
    },
}

/// Opens the logs of `ids` (merged when several); lines arrive on `channel` until
/// `stream_close` is called with the returned id.
#[tauri::command]
#[specta::specta]
pub fn logs_open(
    berth: State<'_, Berth>,
    streams: State<'_, Arc<OpenStreams>>,
    host: HostId,
    ids: Vec<String>,
    options: LogOptions,
    channel: Channel<LogMessage>,
) -> IpcResult<StreamId> {
    let mut logs = berth.engine(&host)?.logs(&ids, &options)?;
    Ok(streams.spawn("logs", async move {
        while let Some(batch) = logs.next().await {
            let message = match batch {
                Ok(batch) => LogMessage::Lines { batch },
                Err(err) => LogMessage::Failed { error: err.into() },
            };
            let failed = matches!(message, LogMessage::Failed { .. });
            if channel.send(message).is_err() || failed {
                return;
            }
        }
        let _ = channel.send(LogMessage::Ended);
    }))
}

/// What a terminal view receives.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TerminalMessage {
    Output {
        data: String,
    },
    /// The command ended; `code` is its exit code when the engine knows it.
    Exited {
        code: Option<i64>,
    },
    Failed {
        error: IpcError,
    },
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TerminalOpened {
    pub stream: StreamId,
    /// What runs, e.g. `["bash"]`.
    pub command: Vec<String>,
}

/// Opens a terminal into container `id`: its shell, or `request.command`.
#[tauri::command]
#[specta::specta]
pub async fn exec_open(
    berth: State<'_, Berth>,
    streams: State<'_, Arc<OpenStreams>>,
    host: HostId,
    id: String,
    request: ExecRequest,
    channel: Channel<TerminalMessage>,
) -> IpcResult<TerminalOpened> {
    let (session, mut output) = berth.engine(&host)?.exec(&id, &request).await?;
    let session = Arc::new(session);
    let command = session.command.clone();
    let for_exit = session.clone();
    let stream = streams.spawn("terminal", async move {
        while let Some(chunk) = output.next().await {
            let message = match chunk {
                Ok(data) => TerminalMessage::Output { data },
                Err(err) => TerminalMessage::Failed { error: err.into() },
            };
            if channel.send(message).is_err() {
                return;
            }
        }
        let code = for_exit.exit_code().await.ok().flatten();
        let _ = channel.send(TerminalMessage::Exited { code });
    });
    streams.add_terminal(stream, session);
    Ok(TerminalOpened { stream, command })
}

/// Types `data` into terminal `stream`.
#[tauri::command]
#[specta::specta]
pub async fn exec_input(
    streams: State<'_, Arc<OpenStreams>>,
    stream: StreamId,
    data: String,
) -> IpcResult<()> {
    Ok(terminal(&streams, stream)?.write(data.as_bytes()).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn exec_resize(
    streams: State<'_, Arc<OpenStreams>>,
    stream: StreamId,
    cols: u16,
    rows: u16,
) -> IpcResult<()> {
    Ok(terminal(&streams, stream)?.resize(cols, rows).await?)
}

fn terminal(streams: &OpenStreams, stream: StreamId) -> IpcResult<Arc<ExecSession>> {
    streams
        .terminal(stream)
        .ok_or_else(|| berth_core::Error::NotFound(format!("terminal {stream} is closed")).into())
}

/// Closes a log or terminal the UI opened; its engine connection ends with it.
#[tauri::command]
#[specta::specta]
pub fn stream_close(streams: State<'_, Arc<OpenStreams>>, stream: StreamId) {
    streams.close(stream);
}

/// The kinds of the streams open now ("logs", "stats", "terminal"), for tests and diagnostics.
#[tauri::command]
#[specta::specta]
pub fn streams_open(streams: State<'_, Arc<OpenStreams>>) -> Vec<String> {
    streams.kinds()
}

/// Saves the (filtered) logs of `ids` as they stand to a new file in the user's Downloads
/// folder; returns its path.
#[tauri::command]
#[specta::specta]
pub async fn logs_save(
    berth: State<'_, Berth>,
    host: HostId,
    ids: Vec<String>,
    options: LogOptions,
) -> IpcResult<String> {
    let engine = berth.engine(&host)?;
    let watcher = berth.watcher(&host)?;
    let names: Vec<String> = ids.iter().map(|id| watcher.container_name(id)).collect();
    let subject = if names.len() == 1 {
        &names[0]
    } else {
        "merged"
    };
    let path = crate::download_path(subject, "log");
    engine.save_logs(&ids, &names, &options, &path).await?;
    Ok(path.display().to_string())
}

/// What a stats view receives.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StatsMessage {
    Samples { samples: Vec<StatsSample> },
    Failed { error: IpcError },
}

/// Streams the usage of the running containers `ids` until `stream_close`; every sample is
/// also kept in the history.
#[tauri::command]
#[specta::specta]
pub fn stats_open(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    streams: State<'_, Arc<OpenStreams>>,
    host: HostId,
    ids: Vec<String>,
    channel: Channel<StatsMessage>,
) -> IpcResult<StreamId> {
    let mut stats = berth.engine(&host)?.stats(&ids)?;
    let store = store.inner().clone();
    Ok(streams.spawn("stats", async move {
        while let Some(batch) = stats.next().await {
            let message = match batch {
                Ok(samples) => {
                    if let Some(store) = &store {
                        if let Err(err) = store.record_stats(&host, &samples).await {
                            tracing::warn!(%err, "could not keep stats");
                        }
                    }
                    StatsMessage::Samples { samples }
                }
                Err(err) => StatsMessage::Failed { error: err.into() },
            };
            if channel.send(message).is_err() {
                return;
            }
        }
    }))
}

/// A container's kept stats from `since_ms` (unix milliseconds) on, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn stats_history(
    store: State<'_, Option<Store>>,
    host: HostId,
    container: String,
    since_ms: i64,
) -> IpcResult<Vec<StatsSample>> {
    match store.inner() {
        Some(store) => Ok(store.stats_history(&host, &container, since_ms).await?),
        None => Ok(Vec::new()),
    }
}

/// The user's preferences; defaults until something is changed.
#[tauri::command]
#[specta::specta]
pub fn settings_get(file: State<'_, SettingsFile>) -> Settings {
    file.load()
}

/// Checks and keeps new preferences; invalid ones are refused and nothing is written.
#[tauri::command]
#[specta::specta]
pub fn settings_update(
    file: State<'_, SettingsFile>,
    alerts: State<'_, AlertRulesInForce>,
    settings: Settings,
) -> IpcResult<Settings> {
    file.save(&settings)?;
    alerts.0.send_replace(settings.alerts.clone());
    Ok(settings)
}
