//! Berth's own view of a container, independent of the engine API version that produced it.

use std::collections::BTreeMap;

use bollard::models::{ContainerSummary, ContainerSummaryStateEnum, PortSummary};
use serde::{Deserialize, Serialize};
use specta::Type;

const COMPOSE_PROJECT_LABEL: &str = "com.docker.compose.project";
const COMPOSE_SERVICE_LABEL: &str = "com.docker.compose.service";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub id: String,
    /// The primary name, without the engine's leading slash.
    pub name: String,
    pub image: String,
    pub image_id: String,
    pub command: String,
    pub state: ContainerState,
    /// The engine's human status text, e.g. "Up 5 minutes (healthy)".
    pub status: String,
    pub health: Option<Health>,
    /// Unix seconds.
    pub created: i64,
    pub ports: Vec<Port>,
    pub compose: Option<ComposeRef>,
    pub labels: BTreeMap<String, String>,
    /// Names of the networks it is attached to.
    pub networks: Vec<String>,
    /// Names of the volumes it mounts.
    pub volumes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ContainerState {
    Created,
    Running,
    Paused,
    Restarting,
    Exited,
    Removing,
    Dead,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Health {
    Starting,
    Healthy,
    Unhealthy,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Port {
    /// The host address the port is published on; `None` when it is only exposed.
    pub host_ip: Option<String>,
    pub host_port: Option<u16>,
    pub container_port: u16,
    pub protocol: String,
}

impl Port {
    /// The web address of a published TCP port: on the host's address (`web_address`), or on
    /// the IP the port is bound to when that is a specific one and the engine is on this
    /// machine. `None` for ports that are not published or not TCP.
    pub fn web_url(&self, web_address: &str) -> Option<String> {
        let host_port = self.host_port.filter(|_| self.protocol == "tcp")?;
        let any_address = matches!(self.host_ip.as_deref(), None | Some("0.0.0.0" | "::"));
        let host = match &self.host_ip {
            Some(ip) if web_address == "localhost" && !any_address => ip.as_str(),
            _ => web_address,
        };
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        Some(format!("http://{host}:{host_port}/"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ComposeRef {
    pub project: String,
    pub service: String,
}

/// What the per-row buttons do. Removal has options of its own, see [`RemoveOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ContainerAction {
    Start,
    Stop,
    Restart,
    Kill,
    Pause,
    Unpause,
}

impl ContainerAction {
    /// The action's one name, as it crosses IPC, as the CLI's command and in the activity log.
    pub fn name(self) -> &'static str {
        match self {
            ContainerAction::Start => "start",
            ContainerAction::Stop => "stop",
            ContainerAction::Restart => "restart",
            ContainerAction::Kill => "kill",
            ContainerAction::Pause => "pause",
            ContainerAction::Unpause => "unpause",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RemoveOptions {
    /// Kill the container first when it is running.
    pub force: bool,
    /// Also remove its anonymous volumes.
    pub volumes: bool,
}

impl From<ContainerSummary> for Container {
    fn from(summary: ContainerSummary) -> Self {
        let labels: BTreeMap<String, String> =
            summary.labels.unwrap_or_default().into_iter().collect();
        let status = summary.status.unwrap_or_default();
        let compose = match (
            labels.get(COMPOSE_PROJECT_LABEL),
            labels.get(COMPOSE_SERVICE_LABEL),
        ) {
            (Some(project), Some(service)) => Some(ComposeRef {
                project: project.clone(),
                service: service.clone(),
            }),
            _ => None,
        };
        let name = summary
            .names
            .unwrap_or_default()
            .first()
            .map(|n| n.trim_start_matches('/').to_owned())
            .unwrap_or_default();
        let mut networks: Vec<String> = summary
            .network_settings
            .and_then(|settings| settings.networks)
            .map(|networks| networks.into_keys().collect())
            .unwrap_or_default();
        networks.sort();
        let volumes = summary
            .mounts
            .unwrap_or_default()
            .into_iter()
            .filter(|mount| mount.typ.as_deref() == Some("volume"))
            .filter_map(|mount| mount.name)
            .collect();
        Container {
            id: summary.id.unwrap_or_default(),
            name,
            image: summary.image.unwrap_or_default(),
            image_id: summary.image_id.unwrap_or_default(),
            command: summary.command.unwrap_or_default(),
            state: summary.state.map_or(ContainerState::Unknown, state_from),
            // Engines before API 1.52 report health only inside the status text.
            health: health_from_status(&status),
            status,
            created: summary.created.unwrap_or_default(),
            ports: ports_from(summary.ports.unwrap_or_default()),
            compose,
            labels,
            networks,
            volumes,
        }
    }
}

fn state_from(state: ContainerSummaryStateEnum) -> ContainerState {
    use ContainerSummaryStateEnum as S;
    match state {
        S::CREATED => ContainerState::Created,
        S::RUNNING => ContainerState::Running,
        S::PAUSED => ContainerState::Paused,
        S::RESTARTING => ContainerState::Restarting,
        S::EXITED => ContainerState::Exited,
        S::REMOVING => ContainerState::Removing,
        S::DEAD => ContainerState::Dead,
        S::STOPPING | S::EMPTY => ContainerState::Unknown,
    }
}

fn health_from_status(status: &str) -> Option<Health> {
    if status.contains("(healthy)") {
        Some(Health::Healthy)
    } else if status.contains("(unhealthy)") {
        Some(Health::Unhealthy)
    } else if status.contains("(health: starting)") {
        Some(Health::Starting)
    } else {
        None
    }
}

/// The engine lists a port published on all interfaces once per address family
/// (0.0.0.0 and ::); users think of it as one port.
fn ports_from(ports: Vec<PortSummary>) -> Vec<Port> {
    let mut ports: Vec<Port> = ports
        .into_iter()
        .map(|p| Port {
            host_ip: p
                .ip
                .map(|ip| if ip == "::" { "0.0.0.0".to_owned() } else { ip }),
            host_port: p.public_port,
            container_port: p.private_port,
            protocol: p.typ.map_or_else(|| "tcp".to_owned(), |t| t.to_string()),
        })
        .collect();
    ports.sort();
    ports.dedup();
    ports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_s_name_is_its_name_on_the_wire() {
        use ContainerAction::*;
        for action in [Start, Stop, Restart, Kill, Pause, Unpause] {
            assert_eq!(serde_json::to_value(action).unwrap(), action.name());
        }
    }

    #[test]
    fn a_published_tcp_port_opens_on_the_hosts_address() {
        let port = |host_ip: Option<&str>, host_port: Option<u16>, protocol: &str| Port {
            host_ip: host_ip.map(str::to_owned),
            host_port,
            container_port: 80,
            protocol: protocol.to_owned(),
        };
        let url = |p: Port, web: &str| p.web_url(web);
        let local = "localhost";
        assert_eq!(
            url(port(None, Some(8080), "tcp"), local).as_deref(),
            Some("http://localhost:8080/")
        );
        assert_eq!(
            url(port(Some("127.0.0.1"), Some(8080), "tcp"), local).as_deref(),
            Some("http://127.0.0.1:8080/")
        );
        assert_eq!(
            url(
                port(Some("127.0.0.1"), Some(8080), "tcp"),
                "build.example.com"
            )
            .as_deref(),
            Some("http://build.example.com:8080/")
        );
        assert_eq!(
            url(port(Some("::1"), Some(8080), "tcp"), local).as_deref(),
            Some("http://[::1]:8080/")
        );
        assert_eq!(url(port(Some("0.0.0.0"), Some(8080), "udp"), local), None);
        assert_eq!(url(port(None, None, "tcp"), local), None);
    }
    use std::collections::HashMap;

    #[test]
    fn maps_an_engine_summary() {
        let summary = ContainerSummary {
            id: Some("abc".into()),
            names: Some(vec!["/web-1".into()]),
            image: Some("nginx:1".into()),
            state: Some(ContainerSummaryStateEnum::RUNNING),
            status: Some("Up 3 minutes (unhealthy)".into()),
            created: Some(1_700_000_000),
            labels: Some(HashMap::from([
                (COMPOSE_PROJECT_LABEL.into(), "shop".into()),
                (COMPOSE_SERVICE_LABEL.into(), "web".into()),
            ])),
            ports: Some(vec![
                PortSummary {
                    ip: Some("0.0.0.0".into()),
                    private_port: 80,
                    public_port: Some(8080),
                    typ: None,
                },
                PortSummary {
                    ip: Some("::".into()),
                    private_port: 80,
                    public_port: Some(8080),
                    typ: None,
                },
            ]),
            ..Default::default()
        };
        let c = Container::from(summary);
        assert_eq!(c.name, "web-1");
        assert_eq!(c.state, ContainerState::Running);
        assert_eq!(c.health, Some(Health::Unhealthy));
        assert_eq!(
            c.compose,
            Some(ComposeRef {
                project: "shop".into(),
                service: "web".into()
            })
        );
        assert_eq!(
            c.ports.len(),
            1,
            "v4 and v6 bindings of one port are one port"
        );
        assert_eq!(c.ports[0].host_port, Some(8080));
    }
}
