//! Stacks: the services (and networks, secrets, configs) `docker stack deploy` labels with one
//! namespace, shown together and removed as one. Deploying a stack is `docker stack deploy`'s.

use std::collections::BTreeMap;

use serde::Serialize;
use specta::Type;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::swarm::secrets::Kind;
use crate::swarm::services::Service;
use crate::swarm::STACK_LABEL;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    pub name: String,
    pub services: u32,
    /// Tasks running and desired, over all its services.
    pub running: u64,
    pub desired: u64,
}

/// The stacks `services` belong to, by name.
pub fn stacks_of(services: &[Service]) -> Vec<Stack> {
    let mut stacks: BTreeMap<&str, Stack> = BTreeMap::new();
    for service in services {
        let Some(name) = service.stack.as_deref() else {
            continue;
        };
        let stack = stacks.entry(name).or_insert_with(|| Stack {
            name: name.to_owned(),
            services: 0,
            running: 0,
            desired: 0,
        });
        stack.services += 1;
        stack.running += service.running;
        stack.desired += service.desired;
    }
    stacks.into_values().collect()
}

impl Engine {
    /// Removes stack `name` as `docker stack rm` does: its services first, then its networks,
    /// secrets and configs. What could not be removed is said, after the rest went.
    pub async fn stack_remove(&self, name: &str) -> Result<()> {
        let label = format!("{STACK_LABEL}={name}");
        let services: Vec<Service> = self
            .services()
            .await?
            .into_iter()
            .filter(|s| s.stack.as_deref() == Some(name))
            .collect();
        if services.is_empty() {
            return Err(Error::NotFound(format!("there is no stack {name:?}")));
        }
        let mut failed = Vec::new();
        for service in &services {
            if let Err(err) = self.service_remove(&service.id).await {
                failed.push(format!("service {}: {err}", service.name));
            }
        }
        for network in self.networks_labelled(&label).await? {
            if let Err(err) = self.network_remove(&network).await {
                failed.push(format!("network {network}: {err}"));
            }
        }
        for kind in [Kind::Secret, Kind::Config] {
            for stored in self.swarm_values(kind).await? {
                if stored.labels.get(STACK_LABEL).map(String::as_str) == Some(name) {
                    if let Err(err) = self.swarm_value_remove(kind, &stored.id).await {
                        failed.push(format!("{}: {err}", stored.name));
                    }
                }
            }
        }
        match failed.is_empty() {
            true => Ok(()),
            false => Err(Error::Conflict(format!(
                "stack {name} was removed but for: {}",
                failed.join("; ")
            ))),
        }
    }

    /// The ids of the networks carrying `label` (`key=value`).
    async fn networks_labelled(&self, label: &str) -> Result<Vec<String>> {
        let filters = std::collections::HashMap::from([("label", vec![label])]);
        let options = bollard::query_parameters::ListNetworksOptionsBuilder::new()
            .filters(&filters)
            .build();
        Ok(self
            .docker()
            .list_networks(Some(options))
            .await
            .map_err(self.map_err())?
            .into_iter()
            .filter_map(|network| network.id)
            .collect())
    }
}
