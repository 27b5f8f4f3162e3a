//! Docker Swarm, the engine's own orchestrator, reached through a manager's engine like any
//! other host: the swarm a host belongs to, its nodes, services, tasks and stacks, as Berth's
//! types (not the engine's), each change a targeted update of one object.

pub mod nodes;
pub mod secrets;
pub mod services;
pub mod stacks;
pub mod tasks;

use serde::Serialize;
use specta::Type;

use crate::engine::Engine;
use crate::error::Result;

/// The label Docker's `stack deploy` puts on a stack's services, networks, secrets and configs.
pub const STACK_LABEL: &str = "com.docker.stack.namespace";

/// Where a host stands in a swarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "role", rename_all = "camelCase")]
pub enum Membership {
    /// Not in a swarm (or leaving, or in an error state: `state` says which).
    None { state: String },
    /// A manager: the swarm's objects are reached through this host.
    Manager {
        cluster_id: String,
        node_id: String,
        managers: u32,
        nodes: u32,
    },
    /// A worker: it runs tasks; the swarm is managed through one of `manager_addresses`.
    Worker {
        node_id: String,
        manager_addresses: Vec<String>,
    },
}

impl Engine {
    /// The swarm this engine belongs to, as it says in its info.
    pub async fn swarm_membership(&self) -> Result<Membership> {
        let info = self.docker().info().await.map_err(self.map_err())?;
        let swarm = info.swarm.unwrap_or_default();
        let state = swarm
            .local_node_state
            .map(|state| state.to_string())
            .unwrap_or_default();
        let node_id = swarm.node_id.unwrap_or_default();
        if state != "active" {
            return Ok(Membership::None { state });
        }
        let count = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        Ok(match swarm.control_available {
            Some(true) => Membership::Manager {
                cluster_id: swarm.cluster.and_then(|c| c.id).unwrap_or_default(),
                node_id,
                managers: count(swarm.managers),
                nodes: count(swarm.nodes),
            },
            _ => Membership::Worker {
                node_id,
                manager_addresses: swarm
                    .remote_managers
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|manager| manager.addr)
                    .collect(),
            },
        })
    }
}
