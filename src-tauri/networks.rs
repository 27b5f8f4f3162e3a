//! Network commands: create, remove, connect and disconnect a container, prune.

use berth_core::{Berth, HostId, NetworkRequest, Pruned, Store};
use tauri::State;

use crate::activity::act;
use crate::error::IpcResult;

/// Creates a network (checked first) and returns its id.
#[tauri::command]
#[specta::specta]
pub async fn network_create(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
    request: NetworkRequest,
) -> IpcResult<String> {
    act(
        &berth,
        &store,
        &host,
        "create network",
        &request.name.clone(),
        |engine| async move { engine.network_create(&request).await },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn network_remove(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
    network: String,
) -> IpcResult<()> {
    act(
        &berth,
        &store,
        &host,
        "remove network",
        &network.clone(),
        |engine| async move { engine.network_remove(&network).await },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn network_connect(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
    network: String,
    container: String,
) -> IpcResult<()> {
    act(
        &berth,
        &store,
        &host,
        "connect to network",
        &format!("{container} to {network}"),
        |engine| async move { engine.network_connect(&network, &container).await },
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn network_disconnect(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
    network: String,
    container: String,
) -> IpcResult<()> {
    act(
        &berth,
        &store,
        &host,
        "disconnect from network",
        &format!("{container} from {network}"),
        |engine| async move { engine.network_disconnect(&network, &container).await },
    )
    .await
}

/// Removes every network no container uses.
#[tauri::command]
#[specta::specta]
pub async fn networks_prune(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
) -> IpcResult<Pruned> {
    act(
        &berth,
        &store,
        &host,
        "prune networks",
        "",
        |engine| async move { engine.networks_prune(None).await },
    )
    .await
}
