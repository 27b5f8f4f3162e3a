//! A swarm's nodes: listed with what a user decides by (role, availability, status, the
//! manager's reachability, engine, resources, labels), and changed one field at a time at the
//! version the engine last gave (a change made meanwhile elsewhere is refused, not overwritten).

use std::collections::BTreeMap;

use bollard::models::{NodeSpec, NodeSpecAvailabilityEnum, NodeSpecRoleEnum};
use bollard::query_parameters::{DeleteNodeOptionsBuilder, UpdateNodeOptionsBuilder};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::engine::{object_refs, Engine};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    pub id: String,
    pub hostname: String,
    pub role: NodeRole,
    pub availability: Availability,
    /// `ready`, `down`, `disconnected`, `unknown`.
    pub status: String,
    /// Why it is not ready, as the engine says.
    pub message: String,
    pub address: String,
    /// For a manager: whether it leads, and whether the others reach it.
    pub leader: bool,
    pub reachability: Option<String>,
    pub engine_version: String,
    pub cpus: f64,
    pub memory_bytes: i64,
    pub labels: BTreeMap<String, String>,
    /// The engine's version of the node's spec, which an update must name.
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum NodeRole {
    Manager,
    Worker,
}

/// Whether the scheduler places tasks on a node: `drain` moves its tasks away, `pause` keeps
/// them but places no new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Availability {
    Active,
    Pause,
    Drain,
}

/// One change to a node.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum NodeChange {
    Role { role: NodeRole },
    Availability { availability: Availability },
    AddLabel { key: String, value: String },
    RemoveLabel { key: String },
}

/// The node `reference` names among `nodes`: its hostname, id or a unique id prefix. Hostnames
/// need not be unique (cloned machines share one): a shared one is refused naming the ids.
pub fn find_node(nodes: &[Node], reference: &str) -> Result<Node> {
    super::find_one(nodes, reference, "node", |n| &n.id, |n| &n.hostname).cloned()
}

impl Engine {
    /// The swarm's nodes, managers first, then by hostname. Only a manager answers.
    pub async fn nodes(&self) -> Result<Vec<Node>> {
        let listed = self
            .docker()
            .list_nodes(None::<bollard::query_parameters::ListNodesOptions>)
            .await
            .map_err(self.map_err())?;
        let mut nodes: Vec<Node> = listed.into_iter().map(Node::from).collect();
        nodes.sort_by(|a, b| {
            (a.role != NodeRole::Manager, &a.hostname, &a.id).cmp(&(
                b.role != NodeRole::Manager,
                &b.hostname,
                &b.id,
            ))
        });
        Ok(nodes)
    }

    /// Makes one change to node `id`, at the version last listed (`version`).
    pub async fn node_update(&self, id: &str, version: u64, change: &NodeChange) -> Result<()> {
        object_refs::swarm_object("node", id)?;
        let node = self
            .docker()
            .inspect_node(id)
            .await
            .map_err(self.map_err())?;
        let current = node.version.and_then(|v| v.index).unwrap_or(0);
        if current != version {
            return Err(Error::Conflict(format!(
                "node {id} was changed meanwhile (version {current}, not {version}): list it again"
            )));
        }
        let mut spec: NodeSpec = node.spec.unwrap_or_default();
        match change {
            NodeChange::Role { role } => {
                spec.role = Some(match role {
                    NodeRole::Manager => NodeSpecRoleEnum::MANAGER,
                    NodeRole::Worker => NodeSpecRoleEnum::WORKER,
                })
            }
            NodeChange::Availability { availability } => {
                spec.availability = Some(match availability {
                    Availability::Active => NodeSpecAvailabilityEnum::ACTIVE,
                    Availability::Pause => NodeSpecAvailabilityEnum::PAUSE,
                    Availability::Drain => NodeSpecAvailabilityEnum::DRAIN,
                })
            }
            NodeChange::AddLabel { key, value } => {
                check_label_key(key)?;
                spec.labels
                    .get_or_insert_with(Default::default)
                    .insert(key.clone(), value.clone());
            }
            NodeChange::RemoveLabel { key } => {
                let removed = spec.labels.as_mut().and_then(|labels| labels.remove(key));
                if removed.is_none() {
                    return Err(Error::NotFound(format!("node {id} has no label {key:?}")));
                }
            }
        }
        let options = UpdateNodeOptionsBuilder::new()
            .version(i64::try_from(version).unwrap_or(i64::MAX))
            .build();
        self.docker()
            .update_node(id, spec, options)
            .await
            .map_err(self.map_err())
    }

    /// Takes node `id` out of the swarm's list: one that left, or, with `force`, one that is
    /// down for good.
    pub async fn node_remove(&self, id: &str, force: bool) -> Result<()> {
        object_refs::swarm_object("node", id)?;
        let options = DeleteNodeOptionsBuilder::new().force(force).build();
        self.docker()
            .delete_node(id, Some(options))
            .await
            .map_err(self.map_err())
    }
}

/// A label key as the engine keeps them: not empty, no `=`, no spaces.
fn check_label_key(key: &str) -> Result<()> {
    if key.is_empty() || key.contains(['=', ' ', '\t', '\n']) || key.len() > 256 {
        return Err(Error::InvalidInput(format!(
            "{key:?} is not a label key: letters, digits, dots and dashes, no = or spaces"
        ))
        .in_field("key"));
    }
    Ok(())
}

impl From<bollard::models::Node> for Node {
    fn from(node: bollard::models::Node) -> Self {
        let spec = node.spec.unwrap_or_default();
        let description = node.description.unwrap_or_default();
        let status = node.status.unwrap_or_default();
        let resources = description.resources.unwrap_or_default();
        let manager = node.manager_status;
        Node {
            id: node.id.unwrap_or_default(),
            hostname: description.hostname.unwrap_or_default(),
            role: match spec.role {
                Some(NodeSpecRoleEnum::MANAGER) => NodeRole::Manager,
                _ => NodeRole::Worker,
            },
            availability: match spec.availability {
                Some(NodeSpecAvailabilityEnum::PAUSE) => Availability::Pause,
                Some(NodeSpecAvailabilityEnum::DRAIN) => Availability::Drain,
                _ => Availability::Active,
            },
            status: status
                .state
                .map(|state| state.to_string())
                .unwrap_or_default(),
            message: status.message.unwrap_or_default(),
            address: status.addr.unwrap_or_default(),
            leader: manager.as_ref().and_then(|m| m.leader).unwrap_or(false),
            reachability: manager
                .and_then(|m| m.reachability)
                .map(|reachability| reachability.to_string()),
            engine_version: description
                .engine
                .and_then(|engine| engine.engine_version)
                .unwrap_or_default(),
            cpus: resources.nano_cpus.map_or(0.0, |n| n as f64 / 1e9),
            memory_bytes: resources.memory_bytes.unwrap_or(0),
            labels: spec.labels.unwrap_or_default().into_iter().collect(),
            version: node.version.and_then(|v| v.index).unwrap_or(0),
        }
    }
}
