//! Image commands: pull (a stream of progress), remove, tag, details, history, prune.

use std::sync::Arc;

use berth_core::{Berth, HostId, ImageDetails, ImageLayer, Pruned, PullProgress};
use futures_util::StreamExt;
use serde::Serialize;
use specta::Type;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::streams::{OpenStreams, StreamId};

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

/// Pulls `reference` on `host`; progress arrives on `channel`. Closing the stream
/// (`stream_close`) cancels the pull.
#[tauri::command]
#[specta::specta]
pub fn image_pull(
    berth: State<'_, Berth>,
    streams: State<'_, Arc<OpenStreams>>,
    host: HostId,
    reference: String,
    channel: Channel<PullMessage>,
) -> IpcResult<StreamId> {
    let mut pull = berth.engine(&host)?.pull(&reference)?;
    Ok(streams.spawn("pull", async move {
        while let Some(batch) = pull.next().await {
            let message = match batch {
                Ok(reports) => PullMessage::Progress { reports },
                Err(err) => PullMessage::Failed { error: err.into() },
            };
            let failed = matches!(message, PullMessage::Failed { .. });
            if channel.send(message).is_err() || failed {
                return;
            }
        }
        let _ = channel.send(PullMessage::Done);
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
    Ok(berth.engine(&host)?.image_remove(&image, force).await?)
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
    Ok(berth.engine(&host)?.image_tag(&image, &reference).await?)
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

/// Removes dangling images, or with `unused` every image no container uses.
#[tauri::command]
#[specta::specta]
pub async fn images_prune(
    berth: State<'_, Berth>,
    host: HostId,
    unused: bool,
) -> IpcResult<Pruned> {
    Ok(berth.engine(&host)?.images_prune(unused, None).await?)
}
