//! `node ls`, `service ls|ps|scale|rm`: a swarm through its manager (the chosen host).

use std::process::ExitCode;

use berth_core::swarm::nodes::{Node, NodeRole};
use berth_core::swarm::services::{Service, ServiceMode};
use berth_core::swarm::tasks::{Task, TaskQuery};
use berth_core::{Engine, Error, HostId, Result};

use crate::args::{NodeArgs, NodeCommand, ServiceArgs, ServiceCommand};
use crate::commands::containers::short_id;
use crate::commands::{host_name, on_each_host, several_hosts};
use crate::exit::Outcome;
use crate::output::{Cell, Column};
use crate::Context;

pub async fn node(context: &Context, args: &NodeArgs) -> Result<ExitCode> {
    match args.command {
        NodeCommand::Ls => {
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
            ];
            context
                .printer
                .print(&rows, &columns, several_hosts(context))?;
            Ok(outcome.exit_code())
        }
    }
}

pub async fn service(context: &Context, args: &ServiceArgs) -> Result<ExitCode> {
    match &args.command {
        ServiceCommand::Ls => {
            let (listed, outcome) = on_each_host(context, |host| async move {
                context.berth.connect(&host).await?.services().await
            })
            .await?;
            let rows = flatten(listed);
            let columns: Vec<Column<Service>> = vec![
                Column::new("ID", |s| Cell::plain(short_id(&s.id))),
                Column::new("NAME", |s| Cell::plain(s.name.clone())),
                Column::new("MODE", |s| {
                    Cell::plain(match s.mode {
                        ServiceMode::Replicated { .. } => "replicated",
                        ServiceMode::Global => "global",
                        ServiceMode::Job => "job",
                    })
                }),
                Column::new("REPLICAS", |s| {
                    Cell::plain(format!("{}/{}", s.running, s.desired))
                }),
                Column::new("IMAGE", |s| Cell::plain(s.image.clone())),
                Column::new("PORTS", |s| Cell::plain(s.ports.join(", "))),
                Column::wide("STACK", |s| {
                    Cell::plain(s.stack.clone().unwrap_or_default())
                }),
                Column::wide("UPDATE", |s| {
                    Cell::plain(
                        s.update
                            .as_ref()
                            .map(|u| u.state.clone())
                            .unwrap_or_default(),
                    )
                }),
            ];
            context
                .printer
                .print(&rows, &columns, several_hosts(context))?;
            Ok(outcome.exit_code())
        }
        ServiceCommand::Ps { service } => {
            let (host, engine) = manager(context).await?;
            let found = named(&engine, service).await?;
            let tasks = engine
                .tasks(&TaskQuery {
                    service: Some(found.id.clone()),
                    node: None,
                })
                .await?;
            let nodes = engine.nodes().await?;
            let rows: Vec<(HostId, String, (Task, String))> = tasks
                .into_iter()
                .map(|task| {
                    let node = nodes
                        .iter()
                        .find(|n| n.id == task.node_id)
                        .map(|n| n.hostname.clone())
                        .unwrap_or_default();
                    (host.clone(), host_name(context, &host), (task, node))
                })
                .collect();
            let columns: Vec<Column<(Task, String)>> = vec![
                Column::new("ID", |(t, _)| Cell::plain(short_id(&t.id))),
                Column::new("SLOT", |(t, _)| {
                    Cell::plain(t.slot.map(|s| s.to_string()).unwrap_or_default())
                }),
                Column::new("IMAGE", |(t, _)| Cell::plain(t.image.clone())),
                Column::new("NODE", |(_, node)| Cell::plain(node.clone())),
                Column::new("DESIRED STATE", |(t, _)| {
                    Cell::plain(t.desired_state.clone())
                }),
                Column::new("CURRENT STATE", |(t, _)| Cell::plain(t.state.clone())),
                Column::new("ERROR", |(t, _)| {
                    Cell::plain(t.error.clone().unwrap_or_default())
                }),
            ];
            context.printer.print(&rows, &columns, false)?;
            Ok(ExitCode::SUCCESS)
        }
        ServiceCommand::Scale { services } => {
            let (_, engine) = manager(context).await?;
            let mut wanted = Vec::new();
            for pair in services {
                let (name, replicas) = pair
                    .split_once('=')
                    .and_then(|(name, n)| Some((name, n.parse::<u64>().ok()?)))
                    .ok_or_else(|| {
                        Error::InvalidInput(format!("{pair:?} is not SERVICE=REPLICAS"))
                    })?;
                wanted.push((name, replicas));
            }
            let mut outcome = Outcome::default();
            let mut printed = String::new();
            for (name, replicas) in wanted {
                let done = async {
                    let found = named(&engine, name).await?;
                    engine
                        .service_scale(&found.id, found.version, replicas)
                        .await
                };
                match done.await {
                    Ok(()) => printed.push_str(&format!("{name} scaled to {replicas}\n")),
                    Err(err) => outcome.failed(&err),
                }
            }
            crate::output::write_stdout(printed.as_bytes())?;
            Ok(outcome.exit_code())
        }
        ServiceCommand::Rm { services } => {
            let (_, engine) = manager(context).await?;
            let mut outcome = Outcome::default();
            let mut printed = String::new();
            for name in services {
                let done = async {
                    let found = named(&engine, name).await?;
                    engine.service_remove(&found.id).await
                };
                match done.await {
                    Ok(()) => printed.push_str(&format!("{name}\n")),
                    Err(err) => outcome.failed(&err),
                }
            }
            crate::output::write_stdout(printed.as_bytes())?;
            Ok(outcome.exit_code())
        }
    }
}

/// The one chosen host, a manager, and its engine.
async fn manager(context: &Context) -> Result<(HostId, Engine)> {
    let hosts = context.berth.select_hosts(&context.choice)?;
    let [host] = &hosts[..] else {
        return Err(Error::InvalidInput(
            "a swarm is changed through one manager: choose one host".to_owned(),
        )
        .in_field("host"));
    };
    Ok((host.clone(), context.berth.connect(host).await?))
}

/// The service `name` names: by name, id or unique id prefix.
async fn named(engine: &Engine, name: &str) -> Result<Service> {
    let services = engine.services().await?;
    if let Some(found) = services.iter().find(|s| s.name == name || s.id == name) {
        return Ok(found.clone());
    }
    let prefixed: Vec<&Service> = services
        .iter()
        .filter(|s| !name.is_empty() && s.id.starts_with(name))
        .collect();
    match prefixed[..] {
        [one] => Ok(one.clone()),
        [] => Err(Error::NotFound(format!("there is no service {name:?}"))),
        _ => Err(Error::Conflict(format!(
            "{name:?} begins several services' ids"
        ))),
    }
}

fn flatten<T>(listed: Vec<(HostId, String, Vec<T>)>) -> Vec<(HostId, String, T)> {
    listed
        .into_iter()
        .flat_map(|(host, name, items)| {
            items
                .into_iter()
                .map(move |item| (host.clone(), name.clone(), item))
        })
        .collect()
}
