//! A swarm's services: listed with their mode, replicas running against desired, image, ports,
//! stack and update status; created from a checked request; scaled, given a new image, rolled
//! back and removed — each a targeted update of that one service at the version last listed,
//! never a redeploy of its stack.

use std::collections::BTreeMap;

use bollard::models::{
    ServiceSpec, ServiceSpecMode, TaskSpecContainerSpecConfigs, TaskSpecContainerSpecFile,
    TaskSpecContainerSpecFile1, TaskSpecContainerSpecSecrets,
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

// The request is written in its own module; it belongs to services for those who use it.
pub use crate::swarm::service_spec::{FailureAction, ServiceRequest, UpdatePolicy, MAX_REPLICAS};

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

/// One service in full: as listed, and as specified in the form's words.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDetails {
    pub service: Service,
    pub spec: ServiceRequest,
    /// When it was made and last changed, as the engine writes them.
    pub created_at: String,
    pub updated_at: String,
}

/// The service `reference` names among `services`: its name, id or a unique id prefix.
pub fn find_service(services: &[Service], reference: &str) -> Result<Service> {
    super::find_one(services, reference, "service", |s| &s.id, |s| &s.name).cloned()
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

    /// Service `id` in full, its spec in the form's words.
    pub async fn service_inspect(&self, id: &str) -> Result<ServiceDetails> {
        object_refs::swarm_object("service", id)?;
        let options = bollard::query_parameters::InspectServiceOptions::default();
        let inspected = self
            .docker()
            .inspect_service(id, Some(options))
            .await
            .map_err(self.map_err())?;
        let spec = ServiceRequest::of_spec(&inspected.spec.clone().unwrap_or_default());
        let (created_at, updated_at) = (
            inspected
                .created_at
                .clone()
                .map(|at| at.to_string())
                .unwrap_or_default(),
            inspected
                .updated_at
                .clone()
                .map(|at| at.to_string())
                .unwrap_or_default(),
        );
        Ok(ServiceDetails {
            service: Service::from(inspected),
            spec,
            created_at,
            updated_at,
        })
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
    fn a_service_is_found_by_name_id_or_unique_id_prefix() {
        let service = |id: &str, name: &str| Service {
            id: id.to_owned(),
            name: name.to_owned(),
            image: String::new(),
            mode: ServiceMode::Global,
            running: 0,
            desired: 0,
            ports: Vec::new(),
            stack: None,
            update: None,
            labels: BTreeMap::new(),
            version: 1,
        };
        let services = [service("k3x9", "web"), service("k3y1", "api")];
        assert_eq!(find_service(&services, "web").unwrap().id, "k3x9");
        assert_eq!(find_service(&services, "k3y1").unwrap().name, "api");
        assert_eq!(find_service(&services, "k3x").unwrap().name, "web");
        let shared = find_service(&services, "k3").unwrap_err();
        assert_eq!(shared.code(), crate::error::ErrorCode::Conflict);
        let missing = find_service(&services, "db").unwrap_err();
        assert_eq!(missing.code(), crate::error::ErrorCode::NotFound);
    }
}
