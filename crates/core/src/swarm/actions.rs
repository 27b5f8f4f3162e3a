//! The swarm's changes as Berth's actions, made through a manager like any host's and logged
//! in Activity under the name of what they changed. A service or node is named as the front
//! end last listed it ([`ServiceAt`], [`NodeAt`]): its id to change it, its name for the log,
//! and the version the change is made at.

use std::collections::BTreeMap;

use futures_util::stream::BoxStream;
use serde::Deserialize;
use specta::Type;

use crate::error::Result;
use crate::history::activity::Action;
use crate::hosts::{HostId, Secret};
use crate::streams::logs::{LogBatch, LogOptions};
use crate::swarm::nodes::{NodeChange, NodeRole};
use crate::swarm::secrets::Kind;
use crate::swarm::services::ServiceRequest;
use crate::Berth;

/// A service as last listed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAt {
    pub id: String,
    pub name: String,
    pub version: u64,
}

/// A node as last listed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct NodeAt {
    pub id: String,
    pub hostname: String,
    pub version: u64,
}

impl Berth {
    /// Makes `host` the first manager of a new swarm.
    pub async fn swarm_init(&self, host: &HostId, advertise_address: Option<&str>) -> Result<()> {
        let name = self.host_name(host).unwrap_or_else(|| host.to_string());
        self.act(host, Action::InitSwarm, &name, |engine| async move {
            engine.swarm_init(advertise_address).await.map(drop)
        })
        .await
    }

    /// Joins saved host `host` to the swarm `manager` manages, as `role`: the token is asked
    /// of the manager and given to the joining engine, nowhere else.
    pub async fn swarm_join(
        &self,
        host: &HostId,
        manager: &HostId,
        role: NodeRole,
        advertise_address: Option<&str>,
    ) -> Result<()> {
        let name = |id: &HostId| self.host_name(id).unwrap_or_else(|| id.to_string());
        let target = format!("{} → {}", name(host), name(manager));
        let ticket = self.connect(manager).await?.swarm_join_ticket(role).await?;
        self.act(host, Action::JoinSwarm, &target, |engine| async move {
            engine.swarm_join(&ticket, advertise_address).await
        })
        .await
    }

    pub async fn swarm_leave(&self, host: &HostId, force: bool) -> Result<()> {
        let name = self.host_name(host).unwrap_or_else(|| host.to_string());
        self.act(host, Action::LeaveSwarm, &name, |engine| async move {
            engine.swarm_leave(force).await
        })
        .await
    }

    pub async fn node_update(
        &self,
        host: &HostId,
        node: &NodeAt,
        change: &NodeChange,
    ) -> Result<()> {
        self.act(
            host,
            Action::UpdateNode,
            &node.hostname,
            |engine| async move { engine.node_update(&node.id, node.version, change).await },
        )
        .await
    }

    pub async fn node_remove(&self, host: &HostId, node: &NodeAt, force: bool) -> Result<()> {
        self.act(
            host,
            Action::RemoveNode,
            &node.hostname,
            |engine| async move { engine.node_remove(&node.id, force).await },
        )
        .await
    }

    /// Creates a service, checked field by field first; its id.
    pub async fn service_create(&self, host: &HostId, request: &ServiceRequest) -> Result<String> {
        self.act(
            host,
            Action::CreateService,
            &request.name,
            |engine| async move { engine.service_create(request).await },
        )
        .await
    }

    pub async fn service_scale(
        &self,
        host: &HostId,
        service: &ServiceAt,
        replicas: u64,
    ) -> Result<()> {
        self.act(
            host,
            Action::ScaleService,
            &service.name,
            |engine| async move {
                engine
                    .service_scale(&service.id, service.version, replicas)
                    .await
            },
        )
        .await
    }

    /// Rolls `service` onto `image`, as its update policy says.
    pub async fn service_update_image(
        &self,
        host: &HostId,
        service: &ServiceAt,
        image: &str,
    ) -> Result<()> {
        self.act(
            host,
            Action::UpdateServiceImage,
            &service.name,
            |engine| async move {
                engine
                    .service_update_image(&service.id, service.version, image)
                    .await
            },
        )
        .await
    }

    pub async fn service_rollback(&self, host: &HostId, service: &ServiceAt) -> Result<()> {
        self.act(
            host,
            Action::RollbackService,
            &service.name,
            |engine| async move { engine.service_rollback(&service.id, service.version).await },
        )
        .await
    }

    pub async fn service_remove(&self, host: &HostId, service: &ServiceAt) -> Result<()> {
        self.act(
            host,
            Action::RemoveService,
            &service.name,
            |engine| async move { engine.service_remove(&service.id).await },
        )
        .await
    }

    pub async fn stack_remove(&self, host: &HostId, stack: &str) -> Result<()> {
        self.act(host, Action::RemoveStack, stack, |engine| async move {
            engine.stack_remove(stack).await
        })
        .await
    }

    /// Makes a secret or config; its id. The value goes to the engine only: the log names it.
    pub async fn swarm_value_create(
        &self,
        host: &HostId,
        kind: Kind,
        name: &str,
        value: &Secret,
        labels: &BTreeMap<String, String>,
    ) -> Result<String> {
        let action = match kind {
            Kind::Secret => Action::CreateSecret,
            Kind::Config => Action::CreateConfig,
        };
        self.act(host, action, name, |engine| async move {
            engine.swarm_value_create(kind, name, value, labels).await
        })
        .await
    }

    pub async fn swarm_value_remove(
        &self,
        host: &HostId,
        kind: Kind,
        id: &str,
        name: &str,
    ) -> Result<()> {
        let action = match kind {
            Kind::Secret => Action::RemoveSecret,
            Kind::Config => Action::RemoveConfig,
        };
        self.act(host, action, name, |engine| async move {
            engine.swarm_value_remove(kind, id).await
        })
        .await
    }

    /// A service's logs, merged by the manager from all its tasks.
    pub async fn service_logs(
        &self,
        host: &HostId,
        id: &str,
        options: &LogOptions,
    ) -> Result<BoxStream<'static, Result<LogBatch>>> {
        self.connect(host).await?.service_logs(id, options)
    }
}
