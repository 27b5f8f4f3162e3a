//! Swarm commands: a manager's nodes, services, stacks, tasks, secrets and configs, and the
//! host's own place in a swarm. Each calls berth-core, where every change is checked and logged.

use std::collections::BTreeMap;
use std::sync::Arc;

use berth_core::swarm::actions::{NodeAt, ServiceAt};
use berth_core::swarm::nodes::{NodeChange, NodeRole};
use berth_core::swarm::secrets::{Kind, Stored};
use berth_core::swarm::services::{ServiceDetails, ServiceRequest};
use berth_core::swarm::{JoinTicket, Overview};
use berth_core::{Berth, HostId, LogOptions, Secret};
use tauri::State;

use crate::commands::{self, LogMessage};
use crate::error::IpcResult;
use crate::streams::{OpenStreams, PageChannel, StreamId};

/// Where `host` stands in a swarm, and for a manager everything the Swarm section shows.
#[tauri::command]
#[specta::specta]
pub async fn swarm_overview(berth: State<'_, Berth>, host: HostId) -> IpcResult<Overview> {
    Ok(berth.engine(&host)?.swarm_overview().await?)
}

/// Makes `host` the first manager of a new swarm.
#[tauri::command]
#[specta::specta]
pub async fn swarm_init(
    berth: State<'_, Berth>,
    host: HostId,
    advertise_address: Option<String>,
) -> IpcResult<()> {
    Ok(berth
        .swarm_init(&host, advertise_address.as_deref())
        .await?)
}

/// Joins `host` to the swarm `manager` manages, as `role`.
#[tauri::command]
#[specta::specta]
pub async fn swarm_join(
    berth: State<'_, Berth>,
    host: HostId,
    manager: HostId,
    role: NodeRole,
    advertise_address: Option<String>,
) -> IpcResult<()> {
    Ok(berth
        .swarm_join(&host, &manager, role, advertise_address.as_deref())
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn swarm_leave(berth: State<'_, Berth>, host: HostId, force: bool) -> IpcResult<()> {
    Ok(berth.swarm_leave(&host, force).await?)
}

/// The command that joins another machine as `role`, shown when the user asks for it.
#[tauri::command]
#[specta::specta]
pub async fn swarm_join_ticket(
    berth: State<'_, Berth>,
    host: HostId,
    role: NodeRole,
) -> IpcResult<JoinTicket> {
    Ok(berth.engine(&host)?.swarm_join_ticket(role).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn node_update(
    berth: State<'_, Berth>,
    host: HostId,
    node: NodeAt,
    change: NodeChange,
) -> IpcResult<()> {
    Ok(berth.node_update(&host, &node, &change).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn node_remove(
    berth: State<'_, Berth>,
    host: HostId,
    node: NodeAt,
    force: bool,
) -> IpcResult<()> {
    Ok(berth.node_remove(&host, &node, force).await?)
}

/// A service in full: as listed, and its spec in the form's words.
#[tauri::command]
#[specta::specta]
pub async fn service_inspect(
    berth: State<'_, Berth>,
    host: HostId,
    id: String,
) -> IpcResult<ServiceDetails> {
    Ok(berth.engine(&host)?.service_inspect(&id).await?)
}

/// Creates a service, checked field by field first; its id.
#[tauri::command]
#[specta::specta]
pub async fn service_create(
    berth: State<'_, Berth>,
    host: HostId,
    request: ServiceRequest,
) -> IpcResult<String> {
    Ok(berth.service_create(&host, &request).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn service_scale(
    berth: State<'_, Berth>,
    host: HostId,
    service: ServiceAt,
    replicas: u32,
) -> IpcResult<()> {
    Ok(berth
        .service_scale(&host, &service, u64::from(replicas))
        .await?)
}

/// Rolls `service` onto `image`, task by task as its update policy says.
#[tauri::command]
#[specta::specta]
pub async fn service_update_image(
    berth: State<'_, Berth>,
    host: HostId,
    service: ServiceAt,
    image: String,
) -> IpcResult<()> {
    Ok(berth.service_update_image(&host, &service, &image).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn service_rollback(
    berth: State<'_, Berth>,
    host: HostId,
    service: ServiceAt,
) -> IpcResult<()> {
    Ok(berth.service_rollback(&host, &service).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn service_remove(
    berth: State<'_, Berth>,
    host: HostId,
    service: ServiceAt,
) -> IpcResult<()> {
    Ok(berth.service_remove(&host, &service).await?)
}

/// Removes a stack's services, then its networks, secrets and configs.
#[tauri::command]
#[specta::specta]
pub async fn stack_remove(berth: State<'_, Berth>, host: HostId, stack: String) -> IpcResult<()> {
    Ok(berth.stack_remove(&host, &stack).await?)
}

/// The swarm's secrets or configs, without their values.
#[tauri::command]
#[specta::specta]
pub async fn swarm_values(
    berth: State<'_, Berth>,
    host: HostId,
    kind: Kind,
) -> IpcResult<Vec<Stored>> {
    Ok(berth.engine(&host)?.swarm_values(kind).await?)
}

/// Makes a secret or config holding `value`, which goes to the engine only; its id.
#[tauri::command]
#[specta::specta]
pub async fn swarm_value_create(
    berth: State<'_, Berth>,
    host: HostId,
    kind: Kind,
    name: String,
    value: String,
    labels: BTreeMap<String, String>,
) -> IpcResult<String> {
    let value = Secret::new(value);
    Ok(berth
        .swarm_value_create(&host, kind, &name, &value, &labels)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn swarm_value_remove(
    berth: State<'_, Berth>,
    host: HostId,
    kind: Kind,
    id: String,
    name: String,
) -> IpcResult<()> {
    Ok(berth.swarm_value_remove(&host, kind, &id, &name).await?)
}

/// Opens the logs of service `id`, merged by the manager from all its tasks; lines arrive on
/// `channel` until `stream_close`.
#[tauri::command]
#[specta::specta]
pub fn service_logs_open(
    berth: State<'_, Berth>,
    streams: State<'_, Arc<OpenStreams>>,
    host: HostId,
    id: String,
    options: LogOptions,
    channel: PageChannel<LogMessage>,
) -> IpcResult<StreamId> {
    let logs = berth.engine(&host)?.service_logs(&id, &options)?;
    Ok(commands::open_log_view(&streams, channel, logs))
}
