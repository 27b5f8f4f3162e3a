//! Typed operations on one Docker engine.

pub mod compose;
pub mod container_filter;
pub mod container_spec;
pub mod containers;
pub mod create;
pub mod image_ref;
pub mod images;
pub mod inspect;
pub mod networks;
pub mod object_refs;
pub(crate) mod raw;
pub mod resources;
pub mod system;
pub mod volumes;

use std::collections::HashMap;

use bollard::query_parameters::{
    EventsOptionsBuilder, KillContainerOptions, ListContainersOptionsBuilder,
    RemoveContainerOptionsBuilder, RestartContainerOptions, StartContainerOptions,
    StopContainerOptions,
};
use bollard::Docker;
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use specta::Type;

use crate::engine::containers::{Container, ContainerAction, RemoveOptions};
use crate::error::{AcceptedHostKey, Error, Result};
use crate::hosts::Endpoint;
use crate::streams::events::{EngineEvent, EventKind};

/// Seconds a single request may take before the engine counts as unreachable.
/// Streams (events, logs) are not bounded by it: it covers the wait for response headers.
const REQUEST_TIMEOUT_SECS: u64 = 30;

/// A connected engine whose API version has been negotiated. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Engine {
    docker: Docker,
    endpoint: String,
    /// How to open a connection of our own, for the requests bollard cannot read (see `raw`).
    dial: Dial,
}

/// Where a connection of our own to the engine goes.
#[derive(Debug, Clone)]
pub(crate) enum Dial {
    #[cfg(unix)]
    Unix(std::path::PathBuf),
    Tcp(String),
    Tls(crate::hosts::tls::TlsDialer),
    #[cfg(windows)]
    NamedPipe(String),
    Ssh(crate::hosts::ssh::Dialer),
}

impl Dial {
    /// bollard's client for the engine this dials, speaking API `version`.
    fn docker(&self, address: &str, version: &bollard::ClientVersion) -> Result<Docker> {
        let from_engine = |e| Error::from_engine(address, e);
        match self {
            #[cfg(unix)]
            Dial::Unix(path) => {
                Docker::connect_with_unix(&path.to_string_lossy(), REQUEST_TIMEOUT_SECS, version)
                    .map_err(from_engine)
            }
            Dial::Tcp(authority) => {
                Docker::connect_with_http(authority, REQUEST_TIMEOUT_SECS, version)
                    .map_err(from_engine)
            }
            Dial::Tls(dialer) => {
                crate::hosts::own_connections::docker(dialer.clone(), address, version)
            }
            // bollard's named-pipe connector.
            #[cfg(windows)]
            Dial::NamedPipe(pipe) => {
                Docker::connect_with_named_pipe(pipe, REQUEST_TIMEOUT_SECS, version)
                    .map_err(from_engine)
            }
            Dial::Ssh(dialer) => {
                crate::hosts::own_connections::docker(dialer.clone(), address, version)
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct EngineInfo {
    pub name: String,
    pub version: String,
    pub api_version: String,
    pub os: String,
    pub arch: String,
    pub kernel_version: String,
    pub cpus: u32,
    pub memory_bytes: u64,
    pub containers: u32,
    pub containers_running: u32,
    pub images: u32,
    pub storage_driver: String,
    pub logging_driver: String,
    pub cgroup_driver: String,
    /// Where the engine keeps images, containers and volumes on its host.
    pub root_dir: String,
    /// The engine's clock as `seconds.nanos`, so events can be asked for from the engine's
    /// "now" (a remote engine's clock need not agree with ours).
    #[serde(skip)]
    pub(crate) clock: Option<String>,
}

impl Engine {
    pub async fn connect(endpoint: &Endpoint) -> Result<Self> {
        Self::connect_accepting(endpoint, None).await
    }

    /// Like [`Engine::connect`], and the SSH host key the user `accepted` (after comparing
    /// its fingerprint) is trusted and remembered for exactly that host and port.
    pub async fn connect_accepting(
        endpoint: &Endpoint,
        accepted: Option<&AcceptedHostKey>,
    ) -> Result<Self> {
        let address = endpoint.to_string();
        let dial = match endpoint {
            #[cfg(unix)]
            Endpoint::Unix(path) => Dial::Unix(path.clone()),
            Endpoint::Tcp(authority) => Dial::Tcp(authority.clone()),
            Endpoint::Tls {
                authority,
                cert_dir,
            } => Dial::Tls(crate::hosts::tls::TlsDialer::new(authority, cert_dir)?),
            // tokio (and so bollard) has Unix sockets only on Unix.
            #[cfg(not(unix))]
            Endpoint::Unix(path) => {
                return Err(Error::EngineUnreachable {
                    endpoint: address,
                    reason: format!("Unix sockets are not supported on this platform, and {} is one; write npipe:////./pipe/docker_engine or tcp://host:port", path.display()),
                });
            }
            // Docker Desktop's engine on Windows.
            #[cfg(windows)]
            Endpoint::NamedPipe(pipe) => Dial::NamedPipe(pipe.clone()),
            #[cfg(not(windows))]
            Endpoint::NamedPipe(pipe) => {
                return Err(Error::EngineUnreachable {
                    endpoint: address,
                    reason: format!("named pipes are Windows only, and {pipe} is one; on this system write unix:///var/run/docker.sock"),
                });
            }
            Endpoint::Ssh(target) => Dial::Ssh(crate::hosts::ssh::connect(target, accepted).await?),
        };
        // bollard speaks the newest API by default; older engines refuse it ("client version
        // is too new"), so the client steps down to what the engine offers.
        let offered = raw::api_version(&dial, &address).await?;
        let newest = *bollard::API_DEFAULT_VERSION;
        let version = if offered < newest { offered } else { newest };
        let docker = dial.docker(&address, &version)?;
        Ok(Self {
            docker,
            endpoint: address,
            dial,
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub(crate) fn dial(&self) -> &Dial {
        &self.dial
    }

    pub(crate) fn docker(&self) -> &Docker {
        &self.docker
    }

    pub(crate) fn map_err(&self) -> impl Fn(bollard::errors::Error) -> Error + '_ {
        |e| Error::from_engine(&self.endpoint, e)
    }

    pub async fn info(&self) -> Result<EngineInfo> {
        let (info, version) =
            tokio::try_join!(self.docker.info(), self.docker.version()).map_err(self.map_err())?;
        let count = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        Ok(EngineInfo {
            name: info.name.unwrap_or_default(),
            version: version.version.unwrap_or_default(),
            api_version: version.api_version.unwrap_or_default(),
            os: info.operating_system.unwrap_or_default(),
            arch: info.architecture.unwrap_or_default(),
            kernel_version: info.kernel_version.unwrap_or_default(),
            cpus: count(info.ncpu),
            memory_bytes: info
                .mem_total
                .and_then(|m| u64::try_from(m).ok())
                .unwrap_or(0),
            containers: count(info.containers),
            containers_running: count(info.containers_running),
            images: count(info.images),
            storage_driver: info.driver.unwrap_or_default(),
            logging_driver: info.logging_driver.unwrap_or_default(),
            cgroup_driver: info
                .cgroup_driver
                .map(|driver| driver.to_string())
                .unwrap_or_default(),
            root_dir: info.docker_root_dir.unwrap_or_default(),
            clock: info.system_time.as_deref().and_then(unix_timestamp),
        })
    }

    /// Every container, running or not.
    pub async fn containers(&self) -> Result<Vec<Container>> {
        self.list(HashMap::new()).await
    }

    /// The containers carrying `label` (`key` or `key=value`).
    pub(crate) async fn containers_with_label(&self, label: &str) -> Result<Vec<Container>> {
        self.list(HashMap::from([("label", vec![label.to_owned()])]))
            .await
    }

    /// The containers among `ids` that still exist.
    pub(crate) async fn containers_by_id(&self, ids: &[String]) -> Result<Vec<Container>> {
        self.list(HashMap::from([("id", ids.to_vec())])).await
    }

    async fn list(&self, filters: HashMap<&str, Vec<String>>) -> Result<Vec<Container>> {
        let options = ListContainersOptionsBuilder::new()
            .all(true)
            .filters(&filters)
            .build();
        let summaries = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(self.map_err())?;
        Ok(summaries.into_iter().map(Container::from).collect())
    }

    pub async fn container_action(&self, id: &str, action: ContainerAction) -> Result<()> {
        object_refs::container(id)?;
        let docker = &self.docker;
        let result = match action {
            ContainerAction::Start => {
                docker
                    .start_container(id, None::<StartContainerOptions>)
                    .await
            }
            ContainerAction::Stop => {
                docker
                    .stop_container(id, None::<StopContainerOptions>)
                    .await
            }
            ContainerAction::Restart => {
                docker
                    .restart_container(id, None::<RestartContainerOptions>)
                    .await
            }
            ContainerAction::Kill => {
                docker
                    .kill_container(id, None::<KillContainerOptions>)
                    .await
            }
            ContainerAction::Pause => docker.pause_container(id).await,
            ContainerAction::Unpause => docker.unpause_container(id).await,
        };
        match result {
            // 304: already started / already stopped. The user's intent holds, so it is no error.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 304, ..
            }) => Ok(()),
            other => other.map_err(self.map_err()),
        }
    }

    pub async fn container_remove(&self, id: &str, options: RemoveOptions) -> Result<()> {
        object_refs::container(id)?;
        let options = RemoveContainerOptionsBuilder::new()
            .force(options.force)
            .v(options.volumes)
            .build();
        self.docker
            .remove_container(id, Some(options))
            .await
            .map_err(self.map_err())
    }

    /// Events of every [`EventKind`] from `since` (an engine timestamp, see [`EngineInfo`]) on,
    /// then live, until the connection ends.
    pub fn events(
        &self,
        since: Option<&str>,
    ) -> impl Stream<Item = Result<EngineEvent>> + Send + 'static {
        let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.engine_name()).collect();
        let filters = HashMap::from([("type", kinds)]);
        let mut options = EventsOptionsBuilder::new().filters(&filters);
        if let Some(since) = since {
            options = options.since(since);
        }
        let endpoint = self.endpoint.clone();
        self.docker
            .events(Some(options.build()))
            .filter_map(move |event| {
                let mapped = match event {
                    Ok(message) => EngineEvent::from_message(message).map(Ok),
                    Err(err) => Some(Err(Error::from_engine(&endpoint, err))),
                };
                std::future::ready(mapped)
            })
    }
}

/// The engine reports its clock in RFC 3339 but takes `since` only as unix `seconds.nanos`.
fn unix_timestamp(rfc3339: &str) -> Option<String> {
    let at = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    Some(format!("{}.{:09}", at.unix_timestamp(), at.nanosecond()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_clock_becomes_a_unix_timestamp() {
        assert_eq!(
            unix_timestamp("2023-11-14T22:13:20.5Z").as_deref(),
            Some("1700000000.500000000")
        );
        assert_eq!(
            unix_timestamp("2023-11-14T23:13:20.000000001+01:00").as_deref(),
            Some("1700000000.000000001")
        );
        assert_eq!(unix_timestamp("yesterday"), None);
    }
}
