//! The engine as a whole: its details, disk usage, and pruning.

use berth_core::{Berth, DiskUsage, EngineInfo, HostId, Pruned, SystemPruned};
use tauri::State;

use crate::error::IpcResult;

/// The engine's version and platform, asked anew.
#[tauri::command]
#[specta::specta]
pub async fn system_info(berth: State<'_, Berth>, host: HostId) -> IpcResult<EngineInfo> {
    Ok(berth.engine(&host)?.info().await?)
}

/// What images, containers and volumes take on disk, and what a prune would free.
#[tauri::command]
#[specta::specta]
pub async fn system_disk_usage(berth: State<'_, Berth>, host: HostId) -> IpcResult<DiskUsage> {
    Ok(berth.engine(&host)?.disk_usage().await?)
}

/// Removes stopped containers, unused networks, dangling images, and with `volumes` unused
/// volumes.
#[tauri::command]
#[specta::specta]
pub async fn system_prune(
    berth: State<'_, Berth>,
    host: HostId,
    volumes: bool,
) -> IpcResult<SystemPruned> {
    Ok(berth.system_prune(&host, volumes).await?)
}

/// Removes every stopped container.
#[tauri::command]
#[specta::specta]
pub async fn containers_prune(berth: State<'_, Berth>, host: HostId) -> IpcResult<Pruned> {
    Ok(berth.containers_prune(&host).await?)
}
