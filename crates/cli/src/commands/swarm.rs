//! The swarm through its manager, the one chosen host: `node`, `service`, `stack`, `secret` and
//! `config`. Every change goes through berth-core's actions, so it is in the Activity log as
//! the window's are; only reads ask the manager's engine directly.

mod create;
mod nodes;
mod rollout;
mod services;
mod stacks;
mod values;

use std::collections::BTreeMap;
use std::future::Future;
use std::process::ExitCode;

use berth_core::swarm::services::Service;
use berth_core::swarm::tasks::{Task, TaskQuery};
use berth_core::{Engine, Error, HostId, Result};
use serde::Serialize;

use crate::commands::containers::short_id;
use crate::commands::host_name;
use crate::exit::Outcome;
use crate::output::{Cell, Column};
use crate::Context;

pub use nodes::node;
pub use services::service;
pub use stacks::stack;
pub use values::values;

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

/// Does `act` on each of `targets` in turn and prints, once all are done, the line each one
/// done returned: one that fails is reported and the others go on, as docker does.
async fn each<'t, T, F, Fut>(targets: &'t [T], mut act: F) -> Result<ExitCode>
where
    F: FnMut(&'t T) -> Fut,
    Fut: Future<Output = Result<String>>,
{
    let mut outcome = Outcome::default();
    let mut printed = String::new();
    for target in targets {
        match act(target).await {
            Ok(line) => {
                printed.push_str(&line);
                printed.push('\n');
            }
            Err(err) => outcome.failed(&err),
        }
    }
    crate::output::write_stdout(printed.as_bytes())?;
    Ok(outcome.exit_code())
}

/// `KEY=VALUE` labels (a bare `KEY` has an empty value, as docker takes it); a refusal names
/// `field`, the flag they came from.
fn labels(pairs: &[String], field: &str) -> Result<BTreeMap<String, String>> {
    pairs
        .iter()
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key.trim().is_empty() {
                true => {
                    Err(Error::InvalidInput(format!("{pair:?} is not KEY=VALUE")).in_field(field))
                }
                false => Ok((key.to_owned(), value.to_owned())),
            }
        })
        .collect()
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

/// A task as `service ps` and `stack ps` list it: with the name docker gives it and the
/// hostname of its node.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TaskRow {
    #[serde(flatten)]
    task: Task,
    /// `web.1`: its service's name and slot (its node's id for a global service's task).
    name: String,
    node_hostname: String,
}

/// The tasks of `services`, newest first within each service.
async fn task_rows(
    context: &Context,
    host: &HostId,
    engine: &Engine,
    services: &[Service],
) -> Result<Vec<(HostId, String, TaskRow)>> {
    let nodes = engine.nodes().await?;
    let mut rows = Vec::new();
    for service in services {
        let query = TaskQuery {
            service: Some(service.id.clone()),
            node: None,
        };
        for task in engine.tasks(&query).await? {
            let slot = task
                .slot
                .map_or_else(|| task.node_id.clone(), |s| s.to_string());
            let node_hostname = nodes
                .iter()
                .find(|n| n.id == task.node_id)
                .map(|n| n.hostname.clone())
                .unwrap_or_default();
            let row = TaskRow {
                name: format!("{}.{slot}", service.name),
                node_hostname,
                task,
            };
            rows.push((host.clone(), host_name(context, host), row));
        }
    }
    Ok(rows)
}

fn print_tasks(context: &Context, rows: &[(HostId, String, TaskRow)]) -> Result<ExitCode> {
    let columns: Vec<Column<TaskRow>> = vec![
        Column::new("ID", |r| Cell::plain(short_id(&r.task.id))),
        Column::new("NAME", |r| Cell::plain(r.name.clone())),
        Column::new("IMAGE", |r| Cell::plain(r.task.image.clone())),
        Column::new("NODE", |r| Cell::plain(r.node_hostname.clone())),
        Column::new("DESIRED STATE", |r| {
            Cell::plain(r.task.desired_state.clone())
        }),
        Column::new("CURRENT STATE", |r| Cell::plain(r.task.state.clone())),
        Column::new("ERROR", |r| {
            Cell::plain(r.task.error.clone().unwrap_or_default())
        }),
    ];
    context.printer.print(rows, &columns, false)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_key_value_pairs_a_bare_key_empty() {
        let pairs = ["a=1".to_owned(), "b".to_owned(), "c=x=y".to_owned()];
        let read = labels(&pairs, "label").unwrap();
        assert_eq!(read["a"], "1");
        assert_eq!(read["b"], "");
        assert_eq!(read["c"], "x=y");
        let bad = labels(&["=1".to_owned()], "labelAdd").unwrap_err();
        assert_eq!(bad.field(), Some("labelAdd"));
    }
}
