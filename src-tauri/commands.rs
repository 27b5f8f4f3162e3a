//! Command wrappers: each one calls berth-core and maps its error. Nothing else lives here.

use berth_core::{
    Berth, ContainerAction, HostId, HostState, Image, Network, RemoveOptions, Volume,
};
use tauri::State;

use crate::error::IpcResult;

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
    host: HostId,
    id: String,
    action: ContainerAction,
) -> IpcResult<()> {
    let engine = berth.engine(&host)?;
    Ok(engine.container_action(&id, action).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn container_remove(
    berth: State<'_, Berth>,
    host: HostId,
    id: String,
    options: RemoveOptions,
) -> IpcResult<()> {
    let engine = berth.engine(&host)?;
    Ok(engine.container_remove(&id, options).await?)
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
