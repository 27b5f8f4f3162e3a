//! Image commands: pull (a stream of progress), remove, tag, details, history, prune.

use std::sync::Arc;

use berth_core::{Berth, HostId, ImageDetails, ImageLayer, Pruned, PullProgress};
use futures_util::TryStreamExt;
use serde::Serialize;
use specta::Type;
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::streams::{OpenStreams, PageChannel, StreamId, StreamKind, StreamMessage};

/// What a pull dialog receives.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PullMessage {
    Progress {
        reports: Vec<PullProgress>,
    },
    /// The image is in.
    Done,
    Failed {
        error: IpcError,
    },
}

impl StreamMessage for PullMessage {
    fn failed(error: IpcError) -> Self {
        Self::Failed { error }
    }
}

/// Pulls `reference` on `host`; progress arrives on `channel`. Closing the stream
/// (`stream_close`) cancels the pull.
#[tauri::command]
#[specta::specta]
pub async fn image_pull(
    berth: State<'_, Berth>,
    streams: State<'_, Arc<OpenStreams>>,
    host: HostId,
    reference: String,
    channel: PageChannel<PullMessage>,
) -> IpcResult<StreamId> {
    let pull = berth.image_pull(&host, &reference).await?;
    Ok(streams.open(StreamKind::Pull, channel, |feed| async move {
        pull.show(|progress| {
            feed.pump(progress.map_ok(|reports| PullMessage::Progress { reports }))
        })
        .await?;
        Ok(Some(PullMessage::Done))
    }))
}

#[tauri::command]
#[specta::specta]
pub async fn image_remove(
    berth: State<'_, Berth>,
    host: HostId,
    image: String,
    force: bool,
) -> IpcResult<()> {
    Ok(berth.image_remove(&host, &image, force).await?)
}

/// Gives `image` one more name, `reference` (`repository[:tag]`).
#[tauri::command]
#[specta::specta]
pub async fn image_tag(
    berth: State<'_, Berth>,
    host: HostId,
    image: String,
    reference: String,
) -> IpcResult<()> {
    Ok(berth.image_tag(&host, &image, &reference).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn image_inspect(
    berth: State<'_, Berth>,
    host: HostId,
    image: String,
) -> IpcResult<ImageDetails> {
    Ok(berth.engine(&host)?.image_inspect(&image).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn image_history(
    berth: State<'_, Berth>,
    host: HostId,
    image: String,
) -> IpcResult<Vec<ImageLayer>> {
    Ok(berth.engine(&host)?.image_history(&image).await?)
}

/// Removes dangling images, or with `unused` every image no container uses; with `label`
/// (`key` or `key=value`) only those carrying it.
#[tauri::command]
#[specta::specta]
pub async fn images_prune(
    berth: State<'_, Berth>,
    host: HostId,
    unused: bool,
    label: Option<String>,
) -> IpcResult<Pruned> {
    Ok(berth.images_prune(&host, unused, label.as_deref()).await?)
}
