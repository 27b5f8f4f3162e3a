//! One container in full — what it runs, with what, where, and how it has been doing — and the
//! create-form request that would make it again (duplicate, recreate).

use std::collections::BTreeMap;

use bollard::query_parameters::InspectContainerOptions;
use serde::Serialize;
use specta::Type;

use crate::engine::container_spec::ContainerRequest;
use crate::engine::Engine;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDetails {
    pub id: String,
    pub name: String,
    /// The reference it was created from.
    pub image: String,
    pub image_id: String,
    pub created: String,
    pub status: String,
    pub running: bool,
    /// RFC 3339; the zero time when it never ran.
    pub started_at: String,
    pub finished_at: String,
    pub exit_code: i64,
    pub restart_count: i64,
    pub health: Option<HealthDetails>,
    pub command: Vec<String>,
    pub entrypoint: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: String,
    pub user: String,
    pub labels: BTreeMap<String, String>,
    /// As the create form writes it: `no`, `always`, `on-failure:3`…
    pub restart: String,
    pub memory_bytes: i64,
    pub nano_cpus: i64,
    /// Published ports as `docker run -p` writes them (`127.0.0.1:8080:80/tcp`).
    pub ports: Vec<String>,
    pub mounts: Vec<MountDetails>,
    /// The network it was created on (`default` means the engine's bridge).
    pub network_mode: String,
    pub networks: Vec<NetworkAttachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HealthDetails {
    pub status: String,
    pub failing_streak: i64,
    /// The last checks, oldest first.
    pub log: Vec<HealthCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    pub start: String,
    pub exit_code: i64,
    pub output: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MountDetails {
    /// `volume`, `bind` or `tmpfs`.
    pub kind: String,
    /// The volume's name, or the host path.
    pub source: String,
    pub destination: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAttachment {
    pub name: String,
    pub ip_address: String,
    pub gateway: String,
    pub mac_address: String,
}

impl Engine {
    pub async fn container_inspect(&self, id: &str) -> Result<ContainerDetails> {
        crate::engine::object_refs::container(id)?;
        let info = self
            .docker()
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .map_err(self.map_err())?;
        let state = info.state.unwrap_or_default();
        let config = info.config.unwrap_or_default();
        let host = info.host_config.unwrap_or_default();
        let restart = host.restart_policy.unwrap_or_default();
        let restart = match (
            restart.name.map(|n| n.to_string()).unwrap_or_default(),
            restart.maximum_retry_count,
        ) {
            (name, Some(n)) if name == "on-failure" && n > 0 => format!("on-failure:{n}"),
            (name, _) if name.is_empty() => "no".to_owned(),
            (name, _) => name,
        };
        let mut ports: Vec<String> = host
            .port_bindings
            .unwrap_or_default()
            .into_iter()
            .flat_map(|(key, bindings)| {
                bindings
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |b| port_spec(&key, &b))
            })
            .collect();
        ports.sort();
        let mut networks: Vec<NetworkAttachment> = info
            .network_settings
            .and_then(|n| n.networks)
            .unwrap_or_default()
            .into_iter()
            .map(|(name, endpoint)| NetworkAttachment {
                name,
                ip_address: endpoint.ip_address.unwrap_or_default(),
                gateway: endpoint.gateway.unwrap_or_default(),
                mac_address: endpoint.mac_address.unwrap_or_default(),
            })
            .collect();
        networks.sort_by(|a, b| a.name.cmp(&b.name));
        let mut mounts: Vec<MountDetails> = info
            .mounts
            .unwrap_or_default()
            .into_iter()
            .map(|mount| {
                let kind = mount.typ.unwrap_or_default();
                let source = if kind == "volume" {
                    mount.name
                } else {
                    mount.source
                };
                MountDetails {
                    kind,
                    source: source.unwrap_or_default(),
                    destination: mount.destination.unwrap_or_default(),
                    read_only: !mount.rw.unwrap_or(true),
                }
            })
            .collect();
        // The engine lists mounts in no fixed order.
        mounts.sort_by(|a, b| a.destination.cmp(&b.destination));
        Ok(ContainerDetails {
            id: info.id.unwrap_or_default(),
            name: info
                .name
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_owned(),
            image: config.image.unwrap_or_default(),
            image_id: info.image.unwrap_or_default(),
            created: info.created.map(|d| d.to_string()).unwrap_or_default(),
            status: state.status.map(|s| s.to_string()).unwrap_or_default(),
            running: state.running.unwrap_or(false),
            started_at: state.started_at.unwrap_or_default(),
            finished_at: state.finished_at.unwrap_or_default(),
            exit_code: state.exit_code.unwrap_or_default(),
            restart_count: info.restart_count.unwrap_or_default(),
            health: state.health.map(|health| HealthDetails {
                status: health.status.map(|s| s.to_string()).unwrap_or_default(),
                failing_streak: health.failing_streak.unwrap_or_default(),
                log: health
                    .log
                    .unwrap_or_default()
                    .into_iter()
                    .map(|check| HealthCheck {
                        start: check.start.map(|d| d.to_string()).unwrap_or_default(),
                        exit_code: check.exit_code.unwrap_or_default(),
                        output: check.output.unwrap_or_default(),
                    })
                    .collect(),
            }),
            command: config.cmd.unwrap_or_default(),
            entrypoint: config.entrypoint.unwrap_or_default(),
            env: config.env.unwrap_or_default(),
            working_dir: config.working_dir.unwrap_or_default(),
            user: config.user.unwrap_or_default(),
            labels: config.labels.unwrap_or_default().into_iter().collect(),
            restart,
            memory_bytes: host.memory.unwrap_or_default(),
            nano_cpus: host.nano_cpus.unwrap_or_default(),
            ports,
            mounts,
            network_mode: host.network_mode.unwrap_or_default(),
            networks,
        })
    }
}

/// `[ip:]host-port:container-port/protocol`, as `docker run -p` takes it back.
fn port_spec(key: &str, binding: &bollard::models::PortBinding) -> String {
    let ip = binding
        .host_ip
        .as_deref()
        .filter(|ip| !ip.is_empty() && *ip != "0.0.0.0");
    let host_port = binding.host_port.as_deref().unwrap_or("");
    match ip {
        Some(ip) if ip.contains(':') => format!("[{ip}]:{host_port}:{key}"),
        Some(ip) => format!("{ip}:{host_port}:{key}"),
        None if host_port.is_empty() => key.to_owned(),
        None => format!("{host_port}:{key}"),
    }
}

impl ContainerRequest {
    /// The request that makes this container again: the create form pre-filled for a
    /// duplicate (with `name` given anew), or the recipe of a recreate.
    pub fn from_details(details: &ContainerDetails) -> Self {
        let memory = if details.memory_bytes > 0 {
            details.memory_bytes.to_string()
        } else {
            String::new()
        };
        let cpus = if details.nano_cpus > 0 {
            format!("{}", details.nano_cpus as f64 / 1e9)
        } else {
            String::new()
        };
        let network = match details.network_mode.as_str() {
            "default" | "bridge" | "" => String::new(),
            other => other.to_owned(),
        };
        ContainerRequest {
            image: details.image.clone(),
            name: details.name.clone(),
            command: shell_words::join(&details.command),
            entrypoint: shell_words::join(&details.entrypoint),
            env: details.env.clone(),
            ports: details.ports.clone(),
            mounts: details
                .mounts
                .iter()
                .filter(|m| m.kind == "volume" || m.kind == "bind")
                .map(|m| {
                    format!(
                        "{}:{}{}",
                        m.source,
                        m.destination,
                        if m.read_only { ":ro" } else { "" }
                    )
                })
                .collect(),
            restart: details.restart.clone(),
            labels: details
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            network,
            working_dir: details.working_dir.clone(),
            user: details.user.clone(),
            memory,
            cpus,
        }
    }
}
