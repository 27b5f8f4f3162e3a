//! Volume commands: create, remove, prune, sizes.

use std::collections::HashMap;

use berth_core::{Berth, HostId, Pruned, Volume, VolumeRequest};
use tauri::State;

use crate::error::IpcResult;

/// Creates a volume; the request is checked first, field by field.
#[tauri::command]
#[specta::specta]
pub async fn volume_create(
    berth: State<'_, Berth>,
    host: HostId,
    request: VolumeRequest,
) -> IpcResult<Volume> {
    Ok(berth.volume_create(&host, &request).await?)
}

/// Removes a volume; one in use is refused unless `force`.
#[tauri::command]
#[specta::specta]
pub async fn volume_remove(
    berth: State<'_, Berth>,
    host: HostId,
    name: String,
    force: bool,
) -> IpcResult<()> {
    Ok(berth.volume_remove(&host, &name, force).await?)
}

/// Removes every volume no container uses.
#[tauri::command]
#[specta::specta]
pub async fn volumes_prune(berth: State<'_, Berth>, host: HostId) -> IpcResult<Pruned> {
    Ok(berth.volumes_prune(&host).await?)
}

/// The size of each volume the engine can measure, by name (it walks their files: on demand).
#[tauri::command]
#[specta::specta]
pub async fn volumes_sizes(
    berth: State<'_, Berth>,
    host: HostId,
) -> IpcResult<HashMap<String, u64>> {
    Ok(berth.engine(&host)?.volume_sizes().await?)
}
