//! A service to create, as the form or `berthctl service create` gives it, checked field by
//! field (the same rules as the container form where they overlap: mounts, CPUs, memory) and
//! made into the engine's spec.

use std::collections::BTreeMap;

use bollard::models::{
    EndpointPortConfig, EndpointPortConfigProtocolEnum, EndpointSpec, Limit, Mount, MountType,
    NetworkAttachmentConfig, ResourceObject, ServiceSpec, ServiceSpecMode,
    ServiceSpecModeReplicated, ServiceSpecUpdateConfig, ServiceSpecUpdateConfigFailureActionEnum,
    ServiceSpecUpdateConfigOrderEnum, TaskSpec, TaskSpecContainerSpec, TaskSpecPlacement,
    TaskSpecResources, TaskSpecRestartPolicy, TaskSpecRestartPolicyConditionEnum,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::engine::container_spec;
use crate::engine::image_ref::ImageRef;
use crate::engine::object_refs::is_object_name;
use crate::error::{Error, Result};

/// The most replicas a form may ask for.
pub const MAX_REPLICAS: u64 = 1000;

/// A service to create, as the form (or `berthctl service create`) gives it; and a service as
/// it is, in the same words ([`ServiceRequest::of_spec`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, Type)]
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
    /// `volume:/path`, `/host/path:/path`, `:ro` for read-only: as the container form takes
    /// them.
    pub mounts: Vec<String>,
    /// Networks (overlay, on a swarm) the tasks join, by name.
    pub networks: Vec<String>,
    /// Where tasks may be placed: `node.role==manager`, `node.labels.disk!=hdd`, …
    pub constraints: Vec<String>,
    /// The most each task may use, and what is set aside for it: `0.5` CPUs, `512m`; empty
    /// for none.
    pub limit_cpus: String,
    pub limit_memory: String,
    pub reserve_cpus: String,
    pub reserve_memory: String,
    /// When a task that ended is replaced: `any` (the engine's default when empty),
    /// `on-failure`, `on-failure:N` (at most N times), `none`.
    pub restart: String,
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

impl ServiceRequest {
    /// The engine's spec for this request, each field checked; a refusal names its field.
    pub(crate) fn spec(&self) -> Result<ServiceSpec> {
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
        let mounts = self
            .mounts
            .iter()
            .map(|mount| parse_mount(mount))
            .collect::<Result<Vec<_>>>()?;
        for network in &self.networks {
            if !is_object_name(network) {
                return Err(
                    Error::InvalidInput(format!("{network:?} is not a network name"))
                        .in_field("networks"),
                );
            }
        }
        for constraint in &self.constraints {
            check_constraint(constraint)?;
        }
        let limits = Limit {
            nano_cpus: cpus(&self.limit_cpus, "limitCpus")?,
            memory_bytes: memory(&self.limit_memory, "limitMemory")?,
            ..Default::default()
        };
        let reservations = ResourceObject {
            nano_cpus: cpus(&self.reserve_cpus, "reserveCpus")?,
            memory_bytes: memory(&self.reserve_memory, "reserveMemory")?,
            ..Default::default()
        };
        let restart = parse_restart(&self.restart)?;
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
                    mounts: (!mounts.is_empty()).then_some(mounts),
                    ..Default::default()
                }),
                networks: (!self.networks.is_empty()).then(|| {
                    self.networks
                        .iter()
                        .map(|network| NetworkAttachmentConfig {
                            target: Some(network.clone()),
                            ..Default::default()
                        })
                        .collect()
                }),
                placement: (!self.constraints.is_empty()).then(|| TaskSpecPlacement {
                    constraints: Some(
                        self.constraints
                            .iter()
                            .map(|c| c.trim().to_owned())
                            .collect(),
                    ),
                    ..Default::default()
                }),
                resources: Some(TaskSpecResources {
                    limits: Some(limits),
                    reservations: Some(reservations),
                    ..Default::default()
                }),
                restart_policy: restart,
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

/// A mount as the container form writes it (checked by the same rules), as a service's.
fn parse_mount(text: &str) -> Result<Mount> {
    let text = text.trim();
    container_spec::parse_mount(text).map_err(|err| err.in_field("mounts"))?;
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts[..] {
        [target] => (None, target, ""),
        [source, target] => (Some(source), target, ""),
        [source, target, mode] => (Some(source), target, mode),
        _ => unreachable!("parse_mount refuses more than three parts"),
    };
    let bind = source.is_some_and(|s| s.starts_with('/'));
    Ok(Mount {
        target: Some(target.to_owned()),
        source: source.map(str::to_owned),
        typ: Some(if bind {
            MountType::BIND
        } else {
            MountType::VOLUME
        }),
        read_only: Some(mode.split(',').any(|m| m == "ro")),
        ..Default::default()
    })
}

/// `ATTRIBUTE==value` or `ATTRIBUTE!=value`, as the engine's placement takes them.
fn check_constraint(text: &str) -> Result<()> {
    let refused = || {
        Err(Error::InvalidInput(format!(
            "{text:?} is not a constraint: write node.role==manager or node.labels.KEY!=VALUE"
        ))
        .in_field("constraints"))
    };
    let Some((attribute, value)) = text.split_once("==").or_else(|| text.split_once("!=")) else {
        return refused();
    };
    let (attribute, value) = (attribute.trim(), value.trim());
    let attribute_ok = !attribute.is_empty()
        && attribute
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !attribute_ok || value.is_empty() || value.contains(['=', '!']) {
        return refused();
    }
    Ok(())
}

fn cpus(text: &str, field: &'static str) -> Result<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match container_spec::nano_cpus(text) {
        Ok(nano) if nano > 0 => Ok(Some(nano)),
        Ok(_) => {
            Err(Error::InvalidInput("more than 0 CPUs, like 0.5 or 2".to_owned()).in_field(field))
        }
        Err(why) => Err(
            Error::InvalidInput(format!("{text:?} {why}: write CPUs like 0.5 or 2"))
                .in_field(field),
        ),
    }
}

fn memory(text: &str, field: &'static str) -> Result<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    container_spec::ram_in_bytes(text).map(Some).map_err(|why| {
        Error::InvalidInput(format!("{text:?} {why}: write a size like 512m or 1.5g"))
            .in_field(field)
    })
}

/// `any`, `on-failure[:N]` or `none` (empty: the engine's default, `any`).
fn parse_restart(text: &str) -> Result<Option<TaskSpecRestartPolicy>> {
    use TaskSpecRestartPolicyConditionEnum as Condition;
    let refused = || {
        Err(Error::InvalidInput(format!(
            "{text:?} is not a restart policy: any, on-failure, on-failure:3 or none"
        ))
        .in_field("restart"))
    };
    let (condition, max_attempts) = match text.trim().split_once(':') {
        Some(("on-failure", n)) => match n.parse::<u32>() {
            Ok(n) => (Condition::ON_FAILURE, Some(i64::from(n))),
            Err(_) => return refused(),
        },
        Some(_) => return refused(),
        None => match text.trim() {
            "" => return Ok(None),
            "any" => (Condition::ANY, None),
            "on-failure" => (Condition::ON_FAILURE, None),
            "none" => (Condition::NONE, None),
            _ => return refused(),
        },
    };
    Ok(Some(TaskSpecRestartPolicy {
        condition: Some(condition),
        max_attempts,
        ..Default::default()
    }))
}

impl ServiceRequest {
    /// A service's spec in the form's words: what `spec` would be made from.
    pub(crate) fn of_spec(spec: &ServiceSpec) -> Self {
        let task = spec.task_template.clone().unwrap_or_default();
        let container = task.container_spec.clone().unwrap_or_default();
        let resources = task.resources.clone().unwrap_or_default();
        let limits = resources.limits.unwrap_or_default();
        let reserved = resources.reservations.unwrap_or_default();
        let cpus = |nano: Option<i64>| nano.filter(|n| *n > 0).map(format_cpus).unwrap_or_default();
        let memory = |bytes: Option<i64>| {
            bytes
                .filter(|b| *b > 0)
                .map(format_memory)
                .unwrap_or_default()
        };
        let mode = spec.mode.clone().unwrap_or_default();
        ServiceRequest {
            name: spec.name.clone().unwrap_or_default(),
            image: container
                .image
                .as_deref()
                .map(|image| image.split('@').next().unwrap_or_default().to_owned())
                .unwrap_or_default(),
            replicas: match (mode.replicated, mode.global) {
                (Some(replicated), _) => replicated.replicas.and_then(|n| u64::try_from(n).ok()),
                _ => None,
            },
            ports: spec
                .endpoint_spec
                .as_ref()
                .and_then(|endpoint| endpoint.ports.clone())
                .unwrap_or_default()
                .iter()
                .filter_map(|port| {
                    let protocol = port.protocol.map(|p| p.to_string()).unwrap_or_default();
                    let ports = format!("{}:{}", port.published_port?, port.target_port?);
                    Some(match protocol.as_str() {
                        "" | "tcp" => ports,
                        _ => format!("{ports}/{protocol}"),
                    })
                })
                .collect(),
            env: container.env.clone().unwrap_or_default(),
            labels: spec
                .labels
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            command: container.args.clone().unwrap_or_default(),
            update: spec.update_config.as_ref().map(UpdatePolicy::of_spec),
            secrets: container
                .secrets
                .unwrap_or_default()
                .into_iter()
                .filter_map(|secret| secret.secret_name)
                .collect(),
            configs: container
                .configs
                .unwrap_or_default()
                .into_iter()
                .filter_map(|config| config.config_name)
                .collect(),
            mounts: container
                .mounts
                .unwrap_or_default()
                .into_iter()
                .map(|mount| {
                    let target = mount.target.unwrap_or_default();
                    let written = match mount.source.filter(|s| !s.is_empty()) {
                        Some(source) => format!("{source}:{target}"),
                        None => target,
                    };
                    match mount.read_only {
                        Some(true) => format!("{written}:ro"),
                        _ => written,
                    }
                })
                .collect(),
            networks: task
                .networks
                .unwrap_or_default()
                .into_iter()
                .filter_map(|network| network.target)
                .collect(),
            constraints: task
                .placement
                .and_then(|placement| placement.constraints)
                .unwrap_or_default(),
            limit_cpus: cpus(limits.nano_cpus),
            limit_memory: memory(limits.memory_bytes),
            reserve_cpus: cpus(reserved.nano_cpus),
            reserve_memory: memory(reserved.memory_bytes),
            restart: task
                .restart_policy
                .map(|policy| {
                    let condition = policy.condition.map(|c| c.to_string()).unwrap_or_default();
                    match policy.max_attempts.filter(|n| *n > 0) {
                        Some(n) if condition == "on-failure" => format!("{condition}:{n}"),
                        _ => condition,
                    }
                })
                .unwrap_or_default(),
        }
    }
}

impl UpdatePolicy {
    fn of_spec(config: &ServiceSpecUpdateConfig) -> Self {
        let ms = |nanos: Option<i64>| u64::try_from(nanos.unwrap_or(0) / 1_000_000).unwrap_or(0);
        UpdatePolicy {
            parallelism: config
                .parallelism
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(1),
            delay_ms: ms(config.delay),
            monitor_ms: ms(config.monitor),
            failure_action: match config.failure_action {
                Some(ServiceSpecUpdateConfigFailureActionEnum::CONTINUE) => FailureAction::Continue,
                Some(ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK) => FailureAction::Rollback,
                _ => FailureAction::Pause,
            },
            start_first: config.order == Some(ServiceSpecUpdateConfigOrderEnum::START_FIRST),
        }
    }
}

/// CPUs as the form takes them: `1.5`, `0.25`.
fn format_cpus(nano: i64) -> String {
    let text = format!("{:.9}", nano as f64 / 1e9);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Bytes in the largest unit that writes them whole: `512m`, `1g`, `1536k`.
fn format_memory(bytes: i64) -> String {
    for (unit, size) in [("g", 1_i64 << 30), ("m", 1 << 20), ("k", 1 << 10)] {
        if bytes % size == 0 {
            return format!("{}{unit}", bytes / size);
        }
    }
    format!("{bytes}b")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_reads_back_as_the_request_it_was_made_from() {
        let request = ServiceRequest {
            name: "db".to_owned(),
            image: "postgres:17".to_owned(),
            replicas: Some(2),
            ports: vec!["5432:5432".into(), "53:53/udp".into()],
            env: vec!["A=1".into()],
            labels: [("tier".to_owned(), "db".to_owned())].into(),
            command: vec!["postgres".into(), "-N".into(), "50".into()],
            update: Some(UpdatePolicy {
                parallelism: 2,
                delay_ms: 1500,
                monitor_ms: 5000,
                failure_action: FailureAction::Rollback,
                start_first: true,
            }),
            mounts: vec![
                "pgdata:/var/lib/postgresql/data".into(),
                "/srv/conf:/etc/app:ro".into(),
            ],
            networks: vec!["backend".into()],
            constraints: vec!["node.role==manager".into()],
            limit_cpus: "1.5".into(),
            limit_memory: "512m".into(),
            reserve_cpus: "0.25".into(),
            reserve_memory: "1536k".into(),
            restart: "on-failure:3".into(),
            ..Default::default()
        };
        assert_eq!(ServiceRequest::of_spec(&request.spec().unwrap()), request);
    }

    #[test]
    fn mounts_placement_resources_and_restart_reach_the_spec() {
        let request = ServiceRequest {
            name: "db".to_owned(),
            image: "postgres:17".to_owned(),
            mounts: vec![
                "pgdata:/var/lib/postgresql/data".into(),
                "/srv/conf:/etc/app:ro".into(),
            ],
            networks: vec!["backend".into()],
            constraints: vec!["node.role == manager".into()],
            limit_cpus: "1.5".into(),
            limit_memory: "512m".into(),
            restart: "on-failure:3".into(),
            ..Default::default()
        };
        let task = request.spec().unwrap().task_template.unwrap();
        let mounts = task.container_spec.unwrap().mounts.unwrap();
        assert_eq!(
            mounts
                .iter()
                .map(|m| (m.typ, m.source.as_deref(), m.read_only))
                .collect::<Vec<_>>(),
            [
                (Some(MountType::VOLUME), Some("pgdata"), Some(false)),
                (Some(MountType::BIND), Some("/srv/conf"), Some(true)),
            ]
        );
        assert_eq!(
            task.placement.unwrap().constraints.unwrap(),
            ["node.role == manager"]
        );
        let limits = task.resources.unwrap().limits.unwrap();
        assert_eq!(
            (limits.nano_cpus, limits.memory_bytes),
            (Some(1_500_000_000), Some(512 * 1024 * 1024))
        );
        assert_eq!(task.restart_policy.unwrap().max_attempts, Some(3));
        assert_eq!(task.networks.unwrap()[0].target.as_deref(), Some("backend"));
    }

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
            (
                ServiceRequest {
                    mounts: vec!["data:relative".into()],
                    ..good.clone()
                },
                "mounts",
            ),
            (
                ServiceRequest {
                    networks: vec!["../x".into()],
                    ..good.clone()
                },
                "networks",
            ),
            (
                ServiceRequest {
                    constraints: vec!["node.role=manager".into()],
                    ..good.clone()
                },
                "constraints",
            ),
            (
                ServiceRequest {
                    limit_cpus: "lots".into(),
                    ..good.clone()
                },
                "limitCpus",
            ),
            (
                ServiceRequest {
                    reserve_memory: "12 parsecs".into(),
                    ..good.clone()
                },
                "reserveMemory",
            ),
            (
                ServiceRequest {
                    restart: "sometimes".into(),
                    ..good.clone()
                },
                "restart",
            ),
        ];
        for (bad, expected) in cases {
            assert_eq!(field(bad).as_deref(), Some(expected));
        }
    }
}
