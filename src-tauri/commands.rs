//! Command wrappers: each one calls berth-core and maps its error. Nothing else lives here.

use std::sync::Arc;

use berth_core::settings::{Settings, MAX_LOG_TAIL};
use berth_core::{
    AcceptedHostKey, Berth, ContainerAction, ExecRequest, ExecSession, HostId, HostState, Image,
    LogBacklog, LogBatch, LogOptions, Network, RemoveOptions, StatsSample, Volume,
};
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::desktop;
use crate::error::{IpcError, IpcResult};
use crate::notifications::AlertRulesInForce;
use crate::streams::{Backlog, OpenStreams, PageChannel, StreamId, StreamKind, StreamMessage};
use tauri_plugin_autostart::AutoLaunchManager;

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

/// Connects a watched host now, trusting the host key the user accepted after comparing its
/// fingerprint (exactly that host, port and key, at whichever hop offers it).
#[tauri::command]
#[specta::specta]
pub fn hosts_trust_key(
    berth: State<'_, Berth>,
    host: HostId,
    accepted: AcceptedHostKey,
) -> IpcResult<()> {
    berth.watcher(&host)?.reconnect_accepting(accepted);
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn container_action(
    berth: State<'_, Berth>,
    host: HostId,
    id: String,
    action: ContainerAction,
) -> IpcResult<()> {
    Ok(berth.container_action(&host, &id, action).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn container_remove(
    berth: State<'_, Berth>,
    host: HostId,
    id: String,
    options: RemoveOptions,
) -> IpcResult<()> {
    Ok(berth.container_remove(&host, &id, options).await?)
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
    /// `lines` lines came from the engine while the view was behind, and were not sent: more
    /// than its scrollback keeps came after them. The view can page back to them (`head`).
    Skipped {
        lines: u64,
    },
    /// The log ended (not followed, or the containers stopped writing for good).
    Ended,
    Failed {
        error: IpcError,
    },
}

impl StreamMessage for LogMessage {
    fn failed(error: IpcError) -> Self {
        Self::Failed { error }
    }

    fn take_bulk(&mut self) -> Option<String> {
        match self {
            Self::Lines { batch } => Some(std::mem::take(&mut batch.text)),
            _ => None,
        }
    }
}

/// A log view's backlog: the lines its scrollback would keep, the older ones counted.
impl Backlog for LogBacklog {
    type Item = LogBatch;
    type Message = LogMessage;

    fn push(&mut self, batch: LogBatch) {
        LogBacklog::push(self, batch);
    }

    fn is_empty(&self) -> bool {
        LogBacklog::is_empty(self)
    }

    fn is_dropping(&self) -> bool {
        LogBacklog::is_dropping(self)
    }

    fn take(&mut self) -> Vec<LogMessage> {
        let (skipped, batch) = LogBacklog::take(self);
        let skipped = (skipped > 0).then_some(LogMessage::Skipped { lines: skipped });
        let lines = (batch.count > 0).then_some(LogMessage::Lines { batch });
        skipped.into_iter().chain(lines).collect()
    }
}

/// Opens a stream of `logs` to a log view: the engine read at its speed, at most the view's
/// scrollback of lines waiting while the view draws.
pub fn open_log_view(
    streams: &Arc<OpenStreams>,
    channel: PageChannel<LogMessage>,
    logs: BoxStream<'static, berth_core::Result<LogBatch>>,
) -> StreamId {
    streams.open(StreamKind::Logs, channel, |feed| async move {
        feed.pump_through(logs, LogBacklog::new(MAX_LOG_TAIL))
            .await?;
        Ok(Some(LogMessage::Ended))
    })
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
    channel: PageChannel<LogMessage>,
) -> IpcResult<StreamId> {
    let logs = berth.logs(&host, &ids, &options)?;
    Ok(open_log_view(&streams, channel, logs))
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

impl StreamMessage for TerminalMessage {
    fn failed(error: IpcError) -> Self {
        Self::Failed { error }
    }

    fn take_bulk(&mut self) -> Option<String> {
        match self {
            Self::Output { data } => Some(std::mem::take(data)),
            _ => None,
        }
    }
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
    channel: PageChannel<TerminalMessage>,
) -> IpcResult<TerminalOpened> {
    let (session, output) = berth.engine(&host)?.exec(&id, &request).await?;
    let session = Arc::new(session);
    let command = session.command.clone();
    let ended = session.clone();
    let stream = streams.open(StreamKind::Terminal, channel, |feed| async move {
        feed.pump(output.map_ok(|data| TerminalMessage::Output { data }))
            .await?;
        let code = ended.exit_code().await.ok().flatten();
        Ok(Some(TerminalMessage::Exited { code }))
    });
    streams.attach_terminal(stream, session);
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

/// Closes a stream the page opened; its engine connection ends with it.
#[tauri::command]
#[specta::specta]
pub fn stream_close(streams: State<'_, Arc<OpenStreams>>, stream: StreamId) {
    streams.close(stream);
}

/// The page has drawn `bytes` more of `stream` (the sum of the frames' `bytes`), which makes
/// room for as much more in its window.
#[tauri::command]
#[specta::specta]
pub fn stream_ack(streams: State<'_, Arc<OpenStreams>>, stream: StreamId, bytes: u32) {
    streams.acknowledge(stream, bytes);
}

/// The kinds of the streams open now, for tests and diagnostics.
#[tauri::command]
#[specta::specta]
pub fn streams_open(streams: State<'_, Arc<OpenStreams>>) -> Vec<StreamKind> {
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
    let folder = crate::downloads_folder();
    let path = berth.save_logs(&host, &ids, &options, &folder).await?;
    Ok(path.display().to_string())
}

/// What a stats view receives.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StatsMessage {
    Samples { samples: Vec<StatsSample> },
    Failed { error: IpcError },
}

impl StreamMessage for StatsMessage {
    fn failed(error: IpcError) -> Self {
        Self::Failed { error }
    }
}

/// Streams the usage of the running containers `ids` until `stream_close`; every sample is
/// also kept in the history.
#[tauri::command]
#[specta::specta]
pub fn stats_open(
    berth: State<'_, Berth>,
    streams: State<'_, Arc<OpenStreams>>,
    host: HostId,
    ids: Vec<String>,
    channel: PageChannel<StatsMessage>,
) -> IpcResult<StreamId> {
    // A failed sample is said and the stream goes on: of several containers, one that fails
    // (removed meanwhile) leaves the others' samples coming.
    let messages = berth.stats(&host, &ids)?.map(|batch| {
        Ok(match batch {
            Ok(samples) => StatsMessage::Samples { samples },
            Err(err) => StatsMessage::Failed { error: err.into() },
        })
    });
    Ok(streams.open(StreamKind::Stats, channel, |feed| async move {
        feed.pump(messages).await?;
        Ok(None)
    }))
}

/// A container's kept stats from `since_ms` (unix milliseconds) on, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn stats_history(
    berth: State<'_, Berth>,
    host: HostId,
    container: String,
    since_ms: i64,
) -> IpcResult<Vec<StatsSample>> {
    Ok(berth.stats_history(&host, &container, since_ms).await?)
}

/// The user's preferences; defaults until something is changed. Starting at login is as the
/// platform has it, and a default host no longer watched reads as the local one.
#[tauri::command]
#[specta::specta]
pub fn settings_get(berth: State<'_, Berth>, autostart: State<'_, AutoLaunchManager>) -> Settings {
    desktop::current_settings(&berth, Some(&autostart))
}

/// Checks and keeps new preferences; invalid ones are refused and nothing is written.
#[tauri::command]
#[specta::specta]
pub fn settings_update(
    berth: State<'_, Berth>,
    alerts: State<'_, AlertRulesInForce>,
    autostart: State<'_, AutoLaunchManager>,
    settings: Settings,
) -> IpcResult<Settings> {
    berth.update_settings(&settings, |settings| {
        desktop::start_at_login(&autostart, settings.start_at_login)
    })?;
    alerts.0.send_replace(settings.alerts.clone());
    Ok(settings)
}

/// Opens a web address found in a log or terminal in the default browser, once the user has
/// confirmed it. Only http and https: a log is written by whatever runs in the container, and
/// other schemes (file:, custom handlers) could start programs.
#[tauri::command]
#[specta::specta]
pub fn link_open(url: String) -> IpcResult<()> {
    let parsed = tauri::Url::parse(&url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    let Some(parsed) = parsed else {
        return Err(
            berth_core::Error::InvalidInput(format!("{url:?} is not a web address")).into(),
        );
    };
    tauri_plugin_opener::open_url(parsed.as_str(), None::<&str>).map_err(|err| {
        berth_core::Error::Internal(format!("the browser could not be opened: {err}")).into()
    })
}
