//! Network commands: create, remove, connect and disconnect a container, prune.

use berth_core::{Berth, HostId, NetworkRequest, Pruned};
use tauri::State;

use crate::error::IpcResult;

/// Creates a network (checked first) and returns its id.
#[tauri::command]
#[specta::specta]
pub async fn network_create(
    berth: State<'_, Berth>,
    host: HostId,
    request: NetworkRequest,
) -> IpcResult<String> {
    Ok(berth.engine(&host)?.network_create(&request).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_remove(
    berth: State<'_, Berth>,
    host: HostId,
    network: String,
) -> IpcResult<()> {
    Ok(berth.engine(&host)?.network_remove(&network).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_connect(
    berth: State<'_, Berth>,
    host: HostId,
    network: String,
    container: String,
) -> IpcResult<()> {
    Ok(berth
        .engine(&host)?
        .network_connect(&network, &container)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_disconnect(
    berth: State<'_, Berth>,
    host: HostId,
    network: String,
    container: String,
) -> IpcResult<()> {
    Ok(berth
        .engine(&host)?
        .network_disconnect(&network, &container)
        .await?)
}

/// Removes every network no container uses.
#[tauri::command]
#[specta::specta]
pub async fn networks_prune(berth: State<'_, Berth>, host: HostId) -> IpcResult<Pruned> {
    Ok(berth.engine(&host)?.networks_prune(None).await?)
}
