//! `node ls|promote|demote|update`.

use std::process::ExitCode;

use berth_core::swarm::actions::NodeAt;
use berth_core::swarm::nodes::{find_node, Availability, Node, NodeChange, NodeRole};
use berth_core::{Error, Result};

use super::{each, flatten, labels, manager};
use crate::args::{AvailabilityArg, NodeArgs, NodeCommand, NodeUpdateArgs};
use crate::commands::{on_each_host, several_hosts};
use crate::output::{Cell, Column};
use crate::Context;

pub async fn node(context: &Context, args: &NodeArgs) -> Result<ExitCode> {
    match &args.command {
        NodeCommand::Ls => list(context).await,
        NodeCommand::Promote(nodes) => set_role(context, &nodes.nodes, NodeRole::Manager).await,
        NodeCommand::Demote(nodes) => set_role(context, &nodes.nodes, NodeRole::Worker).await,
        NodeCommand::Update(update) => self::update(context, update).await,
    }
}

async fn list(context: &Context) -> Result<ExitCode> {
    let (listed, outcome) = on_each_host(context, |host| async move {
        context.berth.connect(&host).await?.nodes().await
    })
    .await?;
    let rows = flatten(listed);
    let columns: Vec<Column<Node>> = vec![
        Column::new("ID", |n| Cell::plain(n.id.clone())),
        Column::new("HOSTNAME", |n| Cell::plain(n.hostname.clone())),
        Column::new("STATUS", |n| Cell::plain(n.status.clone())),
        Column::new("AVAILABILITY", |n| {
            Cell::plain(berth_core::wire_name(&n.availability))
        }),
        Column::new("MANAGER STATUS", |n| {
            Cell::plain(match (n.role, n.leader) {
                (NodeRole::Manager, true) => "Leader".to_owned(),
                (NodeRole::Manager, false) => n.reachability.clone().unwrap_or_default(),
                (NodeRole::Worker, _) => String::new(),
            })
        }),
        Column::new("ENGINE VERSION", |n| Cell::plain(n.engine_version.clone())),
        Column::wide("LABELS", |n| {
            let labels: Vec<String> = n.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            Cell::plain(labels.join(","))
        }),
    ];
    context
        .printer
        .print(&rows, &columns, several_hosts(context))?;
    Ok(outcome.exit_code())
}

/// Promotes or demotes each node; one already in `role` is left as it is, as docker does.
async fn set_role(context: &Context, references: &[String], role: NodeRole) -> Result<ExitCode> {
    let (host, engine) = manager(context).await?;
    let (host, engine) = (&host, &engine);
    each(references, |reference| async move {
        let node = find_node(&engine.nodes().await?, reference)?;
        let Some(change) = role_change(&node, role) else {
            return Ok(format!(
                "node {reference} is already a {}",
                berth_core::wire_name(&role)
            ));
        };
        context.berth.node_update(host, &at(&node), &change).await?;
        Ok(match role {
            NodeRole::Manager => format!("node {reference} promoted to a manager"),
            NodeRole::Worker => format!("node {reference} demoted to a worker"),
        })
    })
    .await
}

/// The change that gives `node` the role `role`; none when it has it.
fn role_change(node: &Node, role: NodeRole) -> Option<NodeChange> {
    (node.role != role).then_some(NodeChange::Role { role })
}

async fn update(context: &Context, args: &NodeUpdateArgs) -> Result<ExitCode> {
    let changes = changes(args)?;
    let (host, engine) = manager(context).await?;
    for change in &changes {
        // Each change is made at the version the node has now: the one before moved it on.
        let node = find_node(&engine.nodes().await?, &args.node)?;
        context
            .berth
            .node_update(&host, &at(&node), change)
            .await
            .map_err(|err| match change {
                // The core names the label's key; here it came from --label-add.
                NodeChange::AddLabel { .. } => err.in_field("labelAdd"),
                _ => err,
            })?;
    }
    crate::output::write_stdout(format!("{}\n", args.node).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// What `node update` was asked to change, in the order docker applies it.
fn changes(args: &NodeUpdateArgs) -> Result<Vec<NodeChange>> {
    let mut changes = Vec::new();
    if let Some(availability) = args.availability {
        let availability = match availability {
            AvailabilityArg::Active => Availability::Active,
            AvailabilityArg::Pause => Availability::Pause,
            AvailabilityArg::Drain => Availability::Drain,
        };
        changes.push(NodeChange::Availability { availability });
    }
    for (key, value) in labels(&args.label_add, "labelAdd")? {
        changes.push(NodeChange::AddLabel { key, value });
    }
    changes.extend(
        args.label_rm
            .iter()
            .map(|key| NodeChange::RemoveLabel { key: key.clone() }),
    );
    if changes.is_empty() {
        return Err(Error::InvalidInput(
            "nothing to change: give --availability, --label-add or --label-rm".to_owned(),
        ));
    }
    Ok(changes)
}

fn at(node: &Node) -> NodeAt {
    NodeAt {
        id: node.id.clone(),
        hostname: node.hostname.clone(),
        version: node.version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_is_changed_only_when_the_node_has_another() {
        let node = Node {
            id: "n1".to_owned(),
            hostname: "vm".to_owned(),
            role: NodeRole::Worker,
            availability: Availability::Active,
            status: "ready".to_owned(),
            message: String::new(),
            address: String::new(),
            leader: false,
            reachability: None,
            engine_version: String::new(),
            cpus: 1.0,
            memory_bytes: 0,
            labels: Default::default(),
            version: 7,
        };
        assert_eq!(
            role_change(&node, NodeRole::Manager),
            Some(NodeChange::Role {
                role: NodeRole::Manager
            })
        );
        assert_eq!(role_change(&node, NodeRole::Worker), None);
    }

    #[test]
    fn update_flags_become_changes_and_none_is_refused() {
        let args = NodeUpdateArgs {
            availability: Some(AvailabilityArg::Drain),
            label_add: vec!["zone=a".to_owned()],
            label_rm: vec!["old".to_owned()],
            node: "n1".to_owned(),
        };
        assert_eq!(
            changes(&args).unwrap(),
            [
                NodeChange::Availability {
                    availability: Availability::Drain
                },
                NodeChange::AddLabel {
                    key: "zone".to_owned(),
                    value: "a".to_owned()
                },
                NodeChange::RemoveLabel {
                    key: "old".to_owned()
                },
            ]
        );
        let nothing = NodeUpdateArgs {
            availability: None,
            label_add: Vec::new(),
            label_rm: Vec::new(),
            node: "n1".to_owned(),
        };
        assert_eq!(
            changes(&nothing).unwrap_err().code(),
            berth_core::ErrorCode::InvalidInput
        );
    }
}
