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
    Ok(berth.network_create(&host, &request).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_remove(
    berth: State<'_, Berth>,
    host: HostId,
    network: String,
) -> IpcResult<()> {
    Ok(berth.network_remove(&host, &network).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn network_connect(
    berth: State<'_, Berth>,
    host: HostId,
    network: String,
    container: String,
) -> IpcResult<()> {
    Ok(berth.network_connect(&host, &network, &container).await?)
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
        .network_disconnect(&host, &network, &container)
        .await?)
}

/// Removes every network no container uses.
#[tauri::command]
#[specta::specta]
pub async fn networks_prune(berth: State<'_, Berth>, host: HostId) -> IpcResult<Pruned> {
    Ok(berth.networks_prune(&host).await?)
}
