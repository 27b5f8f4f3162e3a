//! Container commands beyond the row actions: create (and run), inspect, rename, recreate,
//! and compose projects as one.

use berth_core::{Berth, ContainerAction, ContainerDetails, ContainerRequest, Error, HostId};
use tauri::State;

use crate::error::IpcResult;

/// Creates a container (every field checked first, the refused one named) and starts it when
/// `start`. Returns its id.
#[tauri::command]
#[specta::specta]
pub async fn container_create(
    berth: State<'_, Berth>,
    host: HostId,
    request: ContainerRequest,
    start: bool,
) -> IpcResult<String> {
    Ok(berth.container_create(&host, &request, start).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn container_inspect(
    berth: State<'_, Berth>,
    host: HostId,
    id: String,
) -> IpcResult<ContainerDetails> {
    Ok(berth.engine(&host)?.container_inspect(&id).await?)
}

/// The create form's request that makes container `id` again, for a duplicate.
#[tauri::command]
#[specta::specta]
pub async fn container_request(
    berth: State<'_, Berth>,
    host: HostId,
    id: String,
) -> IpcResult<ContainerRequest> {
    let details = berth.engine(&host)?.container_inspect(&id).await?;
    Ok(ContainerRequest::from_details(&details))
}

#[tauri::command]
#[specta::specta]
pub async fn container_rename(
    berth: State<'_, Berth>,
    host: HostId,
    id: String,
    name: String,
) -> IpcResult<()> {
    Ok(berth.container_rename(&host, &id, &name).await?)
}

/// Makes the container again with the same settings, on the newest image when `pull`.
/// Returns the new id.
#[tauri::command]
#[specta::specta]
pub async fn container_recreate(
    berth: State<'_, Berth>,
    host: HostId,
    id: String,
    pull: bool,
) -> IpcResult<String> {
    Ok(berth.container_recreate(&host, &id, pull).await?)
}

/// Starts, stops, restarts… every container of a compose project.
#[tauri::command]
#[specta::specta]
pub async fn project_action(
    berth: State<'_, Berth>,
    host: HostId,
    project: String,
    action: ContainerAction,
) -> IpcResult<()> {
    Ok(berth.project_action(&host, &project, action).await?)
}

/// Removes every container of a compose project, with their anonymous volumes when `volumes`.
#[tauri::command]
#[specta::specta]
pub async fn project_remove(
    berth: State<'_, Berth>,
    host: HostId,
    project: String,
    volumes: bool,
) -> IpcResult<()> {
    Ok(berth.project_remove(&host, &project, volumes).await?)
}

/// Opens container `id`'s published TCP port `container_port` in the default browser, at the
/// address the core builds from the host and the container (never a URL from the page).
#[tauri::command]
#[specta::specta]
pub fn port_open(
    berth: State<'_, Berth>,
    host: HostId,
    id: String,
    container_port: u16,
) -> IpcResult<()> {
    let url = berth.watcher(&host)?.port_url(&id, container_port)?;
    tauri_plugin_opener::open_url(url, None::<&str>)
        .map_err(|err| Error::Internal(format!("the browser could not be opened: {err}")).into())
}
