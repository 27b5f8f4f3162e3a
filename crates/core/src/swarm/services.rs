//! A swarm's services: listed with their mode, replicas running against desired, image, ports,
//! stack and update status; created from a checked request; scaled, given a new image, rolled
//! back and removed — each a targeted update of that one service at the version last listed,
//! never a redeploy of its stack.

use std::collections::BTreeMap;

use bollard::models::{
    EndpointPortConfig, EndpointPortConfigProtocolEnum, EndpointSpec, ServiceSpec, ServiceSpecMode,
    ServiceSpecModeReplicated, ServiceSpecUpdateConfig, ServiceSpecUpdateConfigFailureActionEnum,
    ServiceSpecUpdateConfigOrderEnum, TaskSpec, TaskSpecContainerSpec,
    TaskSpecContainerSpecConfigs, TaskSpecContainerSpecFile, TaskSpecContainerSpecFile1,
    TaskSpecContainerSpecSecrets,
};
use bollard::query_parameters::{
    ListServicesOptionsBuilder, UpdateServiceOptions, UpdateServiceOptionsBuilder,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::engine::image_ref::ImageRef;
use crate::engine::{object_refs, Engine};
use crate::error::{Error, Result};
use crate::swarm::secrets::{Kind, Stored};
use crate::swarm::STACK_LABEL;

/// The most replicas a form may ask for.
pub const MAX_REPLICAS: u64 = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub id: String,
    pub name: String,
    pub image: String,
    pub mode: ServiceMode,
    pub running: u64,
    pub desired: u64,
    /// Published ports: `8080:80/tcp`.
    pub ports: Vec<String>,
    /// The stack it was deployed in (`com.docker.stack.namespace`).
    pub stack: Option<String>,
    /// `updating`, `paused`, `completed`, `rollback_started`, … and the engine's message.
    pub update: Option<UpdateStatus>,
    pub labels: BTreeMap<String, String>,
    /// The engine's version of the spec, which an update must name.
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ServiceMode {
    Replicated {
        replicas: u64,
    },
    Global,
    /// One-off jobs (`replicated-job`, `global-job`): listed, not made by Berth.
    Job,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStatus {
    pub state: String,
    pub message: String,
}

/// A service to create, as the form (or `berthctl service create`) gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRequest {
    pub name: String,
    pub image: String,
    /// `None`: global, a task on every node.
    pub replicas: Option<u64>,
    /// `published:target[/tcp|udp]`.
    pub ports: Vec<String>,
    /// `KEY=value`.
    pub env: Vec<String>,
    pub labels: BTreeMap<String, String>,
    /// What the task runs instead of the image's command.
    pub command: Vec<String>,
    /// How an update rolls over the tasks; the engine's defaults when `None`.
    pub update: Option<UpdatePolicy>,
    /// Names of the swarm's secrets to mount, each at `/run/secrets/NAME`.
    pub secrets: Vec<String>,
    /// Names of the swarm's configs to mount, each at `/NAME`.
    pub configs: Vec<String>,
}

/// How an update replaces a service's tasks, as `docker service create --update-*` sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePolicy {
    /// Tasks replaced at once (at least 1).
    pub parallelism: u32,
    /// Between two groups of tasks.
    pub delay_ms: u64,
    /// How long a new task is watched for failing before the next group.
    pub monitor_ms: u64,
    pub failure_action: FailureAction,
    /// Start the new task before stopping the old one (`start-first`), or after (`stop-first`).
    pub start_first: bool,
}

/// What the engine does when updated tasks fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum FailureAction {
    Pause,
    Continue,
    Rollback,
}

impl UpdatePolicy {
    /// The most an update waits between groups or watches a task: an hour.
    const MAX_MS: u64 = 3_600_000;

    fn spec(self) -> Result<ServiceSpecUpdateConfig> {
        if self.parallelism == 0 {
            return Err(Error::InvalidInput(
                "an update replaces at least one task at a time".to_owned(),
            )
            .in_field("parallelism"));
        }
        for (field, ms) in [("delayMs", self.delay_ms), ("monitorMs", self.monitor_ms)] {
            if ms > Self::MAX_MS {
                return Err(Error::InvalidInput("at most an hour".to_owned()).in_field(field));
            }
        }
        let nanos = |ms: u64| i64::try_from(ms * 1_000_000).unwrap_or(i64::MAX);
        Ok(ServiceSpecUpdateConfig {
            parallelism: Some(i64::from(self.parallelism)),
            delay: Some(nanos(self.delay_ms)),
            monitor: Some(nanos(self.monitor_ms)),
            failure_action: Some(match self.failure_action {
                FailureAction::Pause => ServiceSpecUpdateConfigFailureActionEnum::PAUSE,
                FailureAction::Continue => ServiceSpecUpdateConfigFailureActionEnum::CONTINUE,
                FailureAction::Rollback => ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK,
            }),
            order: Some(match self.start_first {
                true => ServiceSpecUpdateConfigOrderEnum::START_FIRST,
                false => ServiceSpecUpdateConfigOrderEnum::STOP_FIRST,
            }),
            ..Default::default()
        })
    }
}

impl Engine {
    /// The swarm's services with their running and desired task counts, by name.
    pub async fn services(&self) -> Result<Vec<Service>> {
        let options = ListServicesOptionsBuilder::new().status(true).build();
        let listed = self
            .docker()
            .list_services(Some(options))
            .await
            .map_err(self.map_err())?;
        let mut services: Vec<Service> = listed.into_iter().map(Service::from).collect();
        services.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(services)
    }

    /// Creates the service `request` describes, checked field by field first; its id.
    pub async fn service_create(&self, request: &ServiceRequest) -> Result<String> {
        let mut spec = request.spec()?;
        let secrets = self.resolve(Kind::Secret, &request.secrets).await?;
        let configs = self.resolve(Kind::Config, &request.configs).await?;
        if let Some(container) = spec
            .task_template
            .as_mut()
            .and_then(|task| task.container_spec.as_mut())
        {
            container.secrets = (!secrets.is_empty()).then(|| {
                secrets
                    .into_iter()
                    .map(|stored| TaskSpecContainerSpecSecrets {
                        // As `docker service create --secret` mounts one: root's, readable by all.
                        file: Some(TaskSpecContainerSpecFile {
                            name: Some(stored.name.clone()),
                            uid: Some("0".to_owned()),
                            gid: Some("0".to_owned()),
                            mode: Some(0o444),
                        }),
                        secret_id: Some(stored.id),
                        secret_name: Some(stored.name),
                    })
                    .collect()
            });
            container.configs = (!configs.is_empty()).then(|| {
                configs
                    .into_iter()
                    .map(|stored| TaskSpecContainerSpecConfigs {
                        file: Some(TaskSpecContainerSpecFile1 {
                            name: Some(format!("/{}", stored.name)),
                            uid: Some("0".to_owned()),
                            gid: Some("0".to_owned()),
                            mode: Some(0o444),
                        }),
                        config_id: Some(stored.id),
                        config_name: Some(stored.name),
                        ..Default::default()
                    })
                    .collect()
            });
        }
        let created = self
            .docker()
            .create_service(spec, None)
            .await
            .map_err(self.map_err())?;
        Ok(created.id.unwrap_or_default())
    }

    /// Sets a replicated service's replicas, at the version last listed.
    pub async fn service_scale(&self, id: &str, version: u64, replicas: u64) -> Result<()> {
        if replicas > MAX_REPLICAS {
            return Err(Error::InvalidInput(format!(
                "{replicas} replicas is more than {MAX_REPLICAS}"
            ))
            .in_field("replicas"));
        }
        self.service_change(id, version, |spec| {
            match spec.mode.as_mut().and_then(|mode| mode.replicated.as_mut()) {
                Some(replicated) => {
                    replicated.replicas = Some(i64::try_from(replicas).unwrap_or(i64::MAX));
                    Ok(())
                }
                None => Err(Error::InvalidInput(
                    "only a replicated service has a number of replicas".to_owned(),
                )),
            }
        })
        .await
    }

    /// Rolls the service onto `image`, task by task as its update config says.
    pub async fn service_update_image(&self, id: &str, version: u64, image: &str) -> Result<()> {
        ImageRef::parse(image).map_err(|err| err.in_field("image"))?;
        self.service_change(id, version, |spec| {
            let container = spec
                .task_template
                .as_mut()
                .and_then(|task| task.container_spec.as_mut())
                .ok_or_else(|| Error::InvalidInput("the service runs no container".to_owned()))?;
            container.image = Some(image.to_owned());
            Ok(())
        })
        .await
    }

    /// Goes back to the service's previous spec (the engine keeps one).
    pub async fn service_rollback(&self, id: &str, version: u64) -> Result<()> {
        object_refs::swarm_object("service", id)?;
        let service = self
            .docker()
            .inspect_service(id, None)
            .await
            .map_err(self.map_err())?;
        check_version(id, &service.version, version)?;
        let options = UpdateServiceOptions {
            version: i32::try_from(version).unwrap_or(i32::MAX),
            rollback: Some("previous".to_owned()),
            ..Default::default()
        };
        self.docker()
            .update_service(id, service.spec.unwrap_or_default(), options, None)
            .await
            .map_err(self.map_err())?;
        Ok(())
    }

    /// The swarm's secrets or configs of these names, each one there: a missing name is refused
    /// in the form's field for it.
    async fn resolve(&self, kind: Kind, names: &[String]) -> Result<Vec<Stored>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let field = match kind {
            Kind::Secret => "secrets",
            Kind::Config => "configs",
        };
        let stored = self.swarm_values(kind).await?;
        names
            .iter()
            .map(|name| {
                stored
                    .iter()
                    .find(|s| &s.name == name)
                    .cloned()
                    .ok_or_else(|| {
                        Error::InvalidInput(format!("the swarm has no {} {name:?}", kind.noun()))
                            .in_field(field)
                    })
            })
            .collect()
    }

    pub async fn service_remove(&self, id: &str) -> Result<()> {
        object_refs::swarm_object("service", id)?;
        self.docker()
            .delete_service(id)
            .await
            .map_err(self.map_err())
    }

    /// Changes the spec of service `id` with `change`, at `version`: the engine refuses an
    /// update at a version that is no longer current, so a change made meanwhile elsewhere is
    /// never overwritten.
    async fn service_change(
        &self,
        id: &str,
        version: u64,
        change: impl FnOnce(&mut ServiceSpec) -> Result<()>,
    ) -> Result<()> {
        object_refs::swarm_object("service", id)?;
        let service = self
            .docker()
            .inspect_service(id, None)
            .await
            .map_err(self.map_err())?;
        check_version(id, &service.version, version)?;
        let mut spec = service.spec.unwrap_or_default();
        change(&mut spec)?;
        let options = UpdateServiceOptionsBuilder::new()
            .version(i32::try_from(version).unwrap_or(i32::MAX))
            .build();
        self.docker()
            .update_service(id, spec, options, None)
            .await
            .map_err(self.map_err())?;
        Ok(())
    }
}

fn check_version(
    id: &str,
    current: &Option<bollard::models::ObjectVersion>,
    version: u64,
) -> Result<()> {
    let current = current.as_ref().and_then(|v| v.index).unwrap_or(0);
    if current != version {
        return Err(Error::Conflict(format!(
            "service {id} was changed meanwhile (version {current}, not {version}): list it again"
        )));
    }
    Ok(())
}

impl ServiceRequest {
    /// The engine's spec for this request, each field checked; a refusal names its field.
    fn spec(&self) -> Result<ServiceSpec> {
        let name = self.name.trim();
        let valid_name = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !name.starts_with('-');
        if !valid_name {
            return Err(Error::InvalidInput(format!(
                "{name:?} is not a service name: letters, digits, - and _, at most 63"
            ))
            .in_field("name"));
        }
        ImageRef::parse(&self.image).map_err(|err| err.in_field("image"))?;
        if self.replicas.is_some_and(|n| n > MAX_REPLICAS) {
            return Err(
                Error::InvalidInput(format!("more than {MAX_REPLICAS} replicas"))
                    .in_field("replicas"),
            );
        }
        for env in &self.env {
            if env.split_once('=').is_none_or(|(key, _)| key.is_empty()) {
                return Err(
                    Error::InvalidInput(format!("{env:?} is not KEY=value")).in_field("env")
                );
            }
        }
        let ports = self
            .ports
            .iter()
            .map(|port| parse_port(port))
            .collect::<Result<Vec<_>>>()?;
        let mode = match self.replicas {
            Some(replicas) => ServiceSpecMode {
                replicated: Some(ServiceSpecModeReplicated {
                    replicas: Some(i64::try_from(replicas).unwrap_or(i64::MAX)),
                }),
                ..Default::default()
            },
            None => ServiceSpecMode {
                global: Some(Default::default()),
                ..Default::default()
            },
        };
        Ok(ServiceSpec {
            name: Some(name.to_owned()),
            labels: Some(self.labels.clone().into_iter().collect()),
            task_template: Some(TaskSpec {
                container_spec: Some(TaskSpecContainerSpec {
                    image: Some(self.image.trim().to_owned()),
                    env: Some(self.env.clone()),
                    args: (!self.command.is_empty()).then(|| self.command.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            mode: Some(mode),
            update_config: self.update.map(UpdatePolicy::spec).transpose()?,
            endpoint_spec: (!ports.is_empty()).then(|| EndpointSpec {
                ports: Some(ports),
                ..Default::default()
            }),
            ..Default::default()
        })
    }
}

/// `published:target[/tcp|udp]`, as `docker service create -p` takes it.
fn parse_port(text: &str) -> Result<EndpointPortConfig> {
    let refused = || {
        Error::InvalidInput(format!(
            "{text:?} is not a port: write published:target, e.g. 8080:80 or 53:53/udp"
        ))
        .in_field("ports")
    };
    let (ports, protocol) = text.trim().split_once('/').unwrap_or((text.trim(), "tcp"));
    let protocol = match protocol {
        "tcp" => EndpointPortConfigProtocolEnum::TCP,
        "udp" => EndpointPortConfigProtocolEnum::UDP,
        "sctp" => EndpointPortConfigProtocolEnum::SCTP,
        _ => return Err(refused()),
    };
    let (published, target) = ports.split_once(':').ok_or_else(refused)?;
    let port = |text: &str| -> Result<i64> {
        match text.parse::<u16>() {
            Ok(port) if port > 0 => Ok(i64::from(port)),
            _ => Err(refused()),
        }
    };
    Ok(EndpointPortConfig {
        published_port: Some(port(published)?),
        target_port: Some(port(target)?),
        protocol: Some(protocol),
        ..Default::default()
    })
}

impl From<bollard::models::Service> for Service {
    fn from(service: bollard::models::Service) -> Self {
        let spec = service.spec.unwrap_or_default();
        let labels: BTreeMap<String, String> =
            spec.labels.unwrap_or_default().into_iter().collect();
        let mode = match spec.mode.unwrap_or_default() {
            ServiceSpecMode {
                replicated: Some(replicated),
                ..
            } => ServiceMode::Replicated {
                replicas: replicated
                    .replicas
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
            },
            ServiceSpecMode {
                global: Some(_), ..
            } => ServiceMode::Global,
            _ => ServiceMode::Job,
        };
        let status = service.service_status.unwrap_or_default();
        let ports = service
            .endpoint
            .and_then(|endpoint| endpoint.ports)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|port| {
                let protocol = port.protocol.map(|p| p.to_string()).unwrap_or_default();
                Some(format!(
                    "{}:{}/{protocol}",
                    port.published_port?, port.target_port?
                ))
            })
            .collect();
        Service {
            id: service.id.unwrap_or_default(),
            name: spec.name.unwrap_or_default(),
            image: spec
                .task_template
                .and_then(|task| task.container_spec)
                .and_then(|container| container.image)
                .map(|image| image.split('@').next().unwrap_or_default().to_owned())
                .unwrap_or_default(),
            mode,
            running: status.running_tasks.unwrap_or(0),
            desired: status.desired_tasks.unwrap_or(0),
            ports,
            stack: labels.get(STACK_LABEL).cloned(),
            update: service.update_status.map(|update| UpdateStatus {
                state: update.state.map(|s| s.to_string()).unwrap_or_default(),
                message: update.message.unwrap_or_default(),
            }),
            labels,
            version: service.version.and_then(|v| v.index).unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_checked_field_by_field() {
        let good = ServiceRequest {
            name: "web".to_owned(),
            image: "nginx:1.27".to_owned(),
            replicas: Some(3),
            ports: vec!["8080:80".to_owned(), "53:53/udp".to_owned()],
            env: vec!["A=1".to_owned()],
            ..Default::default()
        };
        assert!(good.spec().is_ok());
        let field = |bad: ServiceRequest| bad.spec().unwrap_err().field().map(str::to_owned);
        let cases = [
            (
                ServiceRequest {
                    name: "-x".into(),
                    ..good.clone()
                },
                "name",
            ),
            (
                ServiceRequest {
                    image: "Not An Image".into(),
                    ..good.clone()
                },
                "image",
            ),
            (
                ServiceRequest {
                    replicas: Some(MAX_REPLICAS + 1),
                    ..good.clone()
                },
                "replicas",
            ),
            (
                ServiceRequest {
                    ports: vec!["80".into()],
                    ..good.clone()
                },
                "ports",
            ),
            (
                ServiceRequest {
                    ports: vec!["0:80".into()],
                    ..good.clone()
                },
                "ports",
            ),
            (
                ServiceRequest {
                    env: vec!["=x".into()],
                    ..good.clone()
                },
                "env",
            ),
        ];
        for (bad, expected) in cases {
            assert_eq!(field(bad).as_deref(), Some(expected));
        }
    }
}
