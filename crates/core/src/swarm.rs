//! Docker Swarm, the engine's own orchestrator, reached through a manager's engine like any
//! other host: the swarm a host belongs to, its nodes, services, tasks and stacks, as Berth's
//! types (not the engine's), each change a targeted update of one object.

pub mod actions;
pub mod nodes;
pub mod secrets;
pub mod service_spec;
pub mod services;
pub mod stacks;
pub mod tasks;

use bollard::models::{SwarmInitRequest, SwarmJoinRequest};
use bollard::query_parameters::LeaveSwarmOptionsBuilder;
use serde::Serialize;
use specta::Type;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::swarm::nodes::NodeRole;

/// The port swarm managers listen on for nodes, unless told otherwise.
pub const SWARM_PORT: u16 = 2377;

/// The label Docker's `stack deploy` puts on a stack's services, networks, secrets and configs.
pub const STACK_LABEL: &str = "com.docker.stack.namespace";

/// Where a host stands in a swarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "role", rename_all = "camelCase")]
pub enum Membership {
    /// Not in a swarm (or leaving, or in an error state: `state` says which).
    None { state: String },
    /// A manager: the swarm's objects are reached through this host.
    #[serde(rename_all = "camelCase")]
    Manager {
        cluster_id: String,
        node_id: String,
        managers: u32,
        nodes: u32,
    },
    /// A worker: it runs tasks; the swarm is managed through one of `manager_addresses`.
    #[serde(rename_all = "camelCase")]
    Worker {
        node_id: String,
        manager_addresses: Vec<String>,
    },
}

/// The one of `objects` that `reference` names, as docker resolves a swarm object: its whole
/// id, then its name, then a prefix of one id. A name or a prefix several objects share is
/// refused naming their ids, so that the user picks one rather than Berth guessing.
fn find_one<'a, T>(
    objects: &'a [T],
    reference: &str,
    noun: &str,
    id: fn(&T) -> &str,
    name: fn(&T) -> &str,
) -> Result<&'a T> {
    if reference.is_empty() {
        return Err(Error::InvalidInput(format!(
            "name a {noun}: its name or id"
        )));
    }
    if let Some(found) = objects.iter().find(|o| id(o) == reference) {
        return Ok(found);
    }
    let by_name: Vec<&T> = objects.iter().filter(|o| name(o) == reference).collect();
    let matches = match by_name.is_empty() {
        true => objects
            .iter()
            .filter(|o| id(o).starts_with(reference))
            .collect(),
        false => by_name,
    };
    match matches[..] {
        [one] => Ok(one),
        [] => Err(Error::NotFound(format!("there is no {noun} {reference:?}"))),
        _ => {
            let ids: Vec<&str> = matches.iter().map(|o| id(o)).collect();
            Err(Error::Conflict(format!(
                "{reference:?} names several {noun}s: give one of their ids ({})",
                ids.join(", ")
            )))
        }
    }
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

/// A swarm as its manager sees it at one moment: what the window's Swarm section shows.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub membership: Membership,
    /// Empty unless the host is a manager.
    pub nodes: Vec<nodes::Node>,
    pub services: Vec<services::Service>,
    pub stacks: Vec<stacks::Stack>,
    /// Every task the manager keeps (a few past ones per slot too), newest first.
    pub tasks: Vec<tasks::Task>,
    /// Each service's rollout onto its current image.
    pub rollouts: Vec<tasks::Rollout>,
}

/// What a node needs to join a swarm: a manager's address and the token of the role it takes.
/// The token lets any machine join: it is shown when asked, never kept nor logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct JoinTicket {
    pub manager_address: String,
    pub token: String,
}

impl JoinTicket {
    /// The command that joins a machine, as `docker swarm join-token` prints it.
    pub fn command(&self) -> String {
        format!(
            "docker swarm join --token {} {}",
            self.token, self.manager_address
        )
    }
}

/// An address to advertise to the other nodes: an IP or a network interface's name, with a
/// port or not. Checked here so that nothing else reaches the engine's request.
fn check_advertise_address(address: &str) -> Result<()> {
    let valid = !address.is_empty()
        && address.len() <= 255
        && address
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '_' | '[' | ']'));
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{address:?} is not an address to advertise: an IP or an interface, e.g. 10.0.0.5 or eth0"
        ))
        .in_field("advertiseAddress"))
    }
}

impl Engine {
    /// The swarm this host is in, and when it is a manager, its nodes, services, stacks and
    /// tasks, asked at once.
    pub async fn swarm_overview(&self) -> Result<Overview> {
        let membership = self.swarm_membership().await?;
        if !matches!(membership, Membership::Manager { .. }) {
            return Ok(Overview {
                membership,
                nodes: Vec::new(),
                services: Vec::new(),
                stacks: Vec::new(),
                tasks: Vec::new(),
                rollouts: Vec::new(),
            });
        }
        let every_task = tasks::TaskQuery::default();
        let (nodes, services, tasks) =
            futures_util::try_join!(self.nodes(), self.services(), self.tasks(&every_task))?;
        let rollouts = services
            .iter()
            .map(|s| tasks::Rollout::of(&s.id, &s.image, &tasks))
            .collect();
        Ok(Overview {
            membership,
            rollouts,
            stacks: stacks::stacks_of(&services),
            nodes,
            services,
            tasks,
        })
    }

    /// Makes this engine the first manager of a new swarm; its node id.
    pub async fn swarm_init(&self, advertise_address: Option<&str>) -> Result<String> {
        if let Some(address) = advertise_address {
            check_advertise_address(address)?;
        }
        let request = SwarmInitRequest {
            listen_addr: Some(format!("0.0.0.0:{SWARM_PORT}")),
            advertise_addr: advertise_address.map(str::to_owned),
            ..Default::default()
        };
        self.docker()
            .init_swarm(request)
            .await
            .map_err(self.map_err())
    }

    /// What a node needs to join this manager's swarm as `role`.
    pub async fn swarm_join_ticket(&self, role: NodeRole) -> Result<JoinTicket> {
        let swarm = self
            .docker()
            .inspect_swarm()
            .await
            .map_err(self.map_err())?;
        let tokens = swarm.join_tokens.unwrap_or_default();
        let token = match role {
            NodeRole::Manager => tokens.manager,
            NodeRole::Worker => tokens.worker,
        };
        let info = self.docker().info().await.map_err(self.map_err())?;
        let address = info.swarm.and_then(|swarm| swarm.node_addr);
        match (token, address) {
            (Some(token), Some(address)) => Ok(JoinTicket {
                manager_address: format!("{address}:{SWARM_PORT}"),
                token,
            }),
            _ => Err(Error::InvalidInput(
                "this host is not a swarm manager: only a manager gives join tokens".to_owned(),
            )),
        }
    }

    /// Joins this engine to the swarm `ticket` leads to.
    pub async fn swarm_join(
        &self,
        ticket: &JoinTicket,
        advertise_address: Option<&str>,
    ) -> Result<()> {
        if let Some(address) = advertise_address {
            check_advertise_address(address)?;
        }
        let request = SwarmJoinRequest {
            listen_addr: Some(format!("0.0.0.0:{SWARM_PORT}")),
            advertise_addr: advertise_address.map(str::to_owned),
            remote_addrs: Some(vec![ticket.manager_address.clone()]),
            join_token: Some(ticket.token.clone()),
            ..Default::default()
        };
        self.docker()
            .join_swarm(request)
            .await
            .map_err(self.map_err())
    }

    /// Takes this engine out of its swarm. The engine refuses a manager unless `force`
    /// (which may cost the swarm its quorum).
    pub async fn swarm_leave(&self, force: bool) -> Result<()> {
        let options = LeaveSwarmOptionsBuilder::new().force(force).build();
        self.docker()
            .leave_swarm(Some(options))
            .await
            .map_err(self.map_err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_an_id_a_name_or_a_unique_id_prefix() {
        let objects = [("abc123", "vm"), ("abd456", "vm"), ("xyz789", "db")];
        let find =
            |reference: &str| find_one(&objects, reference, "node", |o| o.0, |o| o.1).map(|o| o.0);
        assert_eq!(find("abc123").unwrap(), "abc123");
        assert_eq!(find("db").unwrap(), "xyz789");
        assert_eq!(find("abd").unwrap(), "abd456");
        let shared = find("vm").unwrap_err();
        assert_eq!(shared.code(), crate::error::ErrorCode::Conflict);
        assert!(shared.to_string().contains("abc123, abd456"), "{shared}");
        assert_eq!(
            find("ab").unwrap_err().code(),
            crate::error::ErrorCode::Conflict
        );
        assert_eq!(
            find("nope").unwrap_err().code(),
            crate::error::ErrorCode::NotFound
        );
        assert_eq!(
            find("").unwrap_err().code(),
            crate::error::ErrorCode::InvalidInput
        );
    }
}
