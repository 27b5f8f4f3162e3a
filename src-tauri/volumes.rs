//! Volume commands: create, remove, prune.

use std::collections::HashMap;

use berth_core::{Berth, HostId, Pruned, Store, Volume, VolumeRequest};
use tauri::State;

use crate::activity::act;
use crate::error::IpcResult;

/// Creates a volume; the request is checked first, field by field.
#[tauri::command]
#[specta::specta]
pub async fn volume_create(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
    request: VolumeRequest,
) -> IpcResult<Volume> {
    act(
        &berth,
        &store,
        &host,
        "create volume",
        &request.name.clone(),
        |engine| async move { engine.volume_create(&request).await },
    )
    .await
}

/// Removes a volume; one in use is refused unless `force`.
#[tauri::command]
#[specta::specta]
pub async fn volume_remove(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
    name: String,
    force: bool,
) -> IpcResult<()> {
    act(
        &berth,
        &store,
        &host,
        "remove volume",
        &name.clone(),
        |engine| async move { engine.volume_remove(&name, force).await },
    )
    .await
}

/// Removes every volume no container uses.
#[tauri::command]
#[specta::specta]
pub async fn volumes_prune(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
) -> IpcResult<Pruned> {
    act(
        &berth,
        &store,
        &host,
        "prune volumes",
        "",
        |engine| async move { engine.volumes_prune(None).await },
    )
    .await
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
