//! `ps`, the container actions and `rm`.

use std::process::ExitCode;

use anstyle::AnsiColor;
use berth_core::{
    Container, ContainerAction, ContainerFilter, ContainerState, HostId, RemoveOptions, Result,
};
use futures_util::future::join_all;

use crate::args::{PsArgs, RmArgs, Targets};
use crate::commands::{ago, on_each_host, several_hosts};
use crate::exit::Outcome;
use crate::output::{Cell, Column};
use crate::Context;

pub async fn ps(context: &Context, args: &PsArgs) -> Result<ExitCode> {
    let filter = ContainerFilter::parse(&args.filters)?;
    let every = args.all || filter.wants_stopped();
    let (listed, outcome) = on_each_host(context, |host| async move {
        context.berth.containers(&host).await
    })
    .await?;
    let mut rows: Vec<(HostId, String, Container)> = Vec::new();
    for (host, host_name, containers) in listed {
        let mut shown: Vec<Container> = containers
            .into_iter()
            .filter(|c| (every || c.state == ContainerState::Running) && filter.matches(c))
            .collect();
        // Newest first, as docker lists them.
        shown.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.name.cmp(&b.name)));
        rows.extend(
            shown
                .into_iter()
                .map(|c| (host.clone(), host_name.clone(), c)),
        );
    }
    if args.quiet {
        let ids: String = rows
            .iter()
            .map(|(_, _, c)| {
                format!(
                    "{}\n",
                    if args.no_trunc {
                        c.id.clone()
                    } else {
                        short_id(&c.id)
                    }
                )
            })
            .collect();
        crate::output::write_stdout(ids.as_bytes())?;
        return Ok(outcome.exit_code());
    }
    let columns = match args.no_trunc {
        true => whole_columns(),
        false => container_columns(),
    };
    context
        .printer
        .print(&rows, &columns, several_hosts(context))?;
    Ok(outcome.exit_code())
}

/// The columns of `ps`, ids cut to 12 characters as docker shows them.
fn container_columns() -> Vec<Column<Container>> {
    let mut columns = whole_columns();
    columns[0] = Column::new("CONTAINER ID", |c| Cell::plain(short_id(&c.id)));
    columns
}

/// The columns of `ps --no-trunc`: whole ids.
fn whole_columns() -> Vec<Column<Container>> {
    vec![
        Column::new("CONTAINER ID", |c| Cell::plain(c.id.clone())),
        Column::new("NAME", |c| Cell::plain(c.name.clone())),
        Column::new("IMAGE", |c| Cell::plain(c.image.clone())),
        Column::wide("COMMAND", |c| Cell::plain(c.command.clone())),
        Column::new("CREATED", |c| Cell::plain(ago(c.created))),
        Column::new("STATUS", |c| {
            Cell::coloured(c.status.clone(), state_colour(c.state))
        }),
        Column::wide("STATE", |c| {
            Cell::coloured(berth_core::wire_name(&c.state), state_colour(c.state))
        }),
        Column::new("PORTS", |c| {
            Cell::plain(c.ports.iter().map(port_text).collect::<Vec<_>>().join(", "))
        }),
        Column::wide("PROJECT", |c| {
            Cell::plain(
                c.compose
                    .as_ref()
                    .map(|p| p.project.clone())
                    .unwrap_or_default(),
            )
        }),
        Column::wide("NETWORKS", |c| Cell::plain(c.networks.join(", "))),
    ]
}

/// A port as docker prints it: `0.0.0.0:8080->80/tcp`, or `80/tcp` when only exposed.
fn port_text(port: &berth_core::engine::containers::Port) -> String {
    let inside = format!("{}/{}", port.container_port, port.protocol);
    match (port.host_ip.as_deref(), port.host_port) {
        (Some(ip), Some(host_port)) if ip.contains(':') => format!("[{ip}]:{host_port}->{inside}"),
        (Some(ip), Some(host_port)) => format!("{ip}:{host_port}->{inside}"),
        (None, Some(host_port)) => format!("{host_port}->{inside}"),
        _ => inside,
    }
}

/// The first 12 characters of an id, without `sha256:`, as docker shows ids.
pub fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

fn state_colour(state: ContainerState) -> AnsiColor {
    match state {
        ContainerState::Running => AnsiColor::Green,
        ContainerState::Paused | ContainerState::Restarting | ContainerState::Created => {
            AnsiColor::Yellow
        }
        ContainerState::Dead | ContainerState::Removing => AnsiColor::Red,
        ContainerState::Exited | ContainerState::Unknown => AnsiColor::BrightBlack,
    }
}

/// Runs `action` on each container named, concurrently; prints each name done, as docker
/// does, and goes on past one that fails.
pub async fn act(
    context: &Context,
    targets: &Targets,
    action: ContainerAction,
) -> Result<ExitCode> {
    for_each_container(context, &targets.containers, |host, container| async move {
        context
            .berth
            .container_action(&host, &container.id, action)
            .await
    })
    .await
}

pub async fn remove(context: &Context, args: &RmArgs) -> Result<ExitCode> {
    let options = RemoveOptions {
        force: args.force,
        volumes: args.volumes,
    };
    for_each_container(
        context,
        &args.targets.containers,
        |host, container| async move {
            context
                .berth
                .container_remove(&host, &container.id, options)
                .await
        },
    )
    .await
}

/// Finds every container named, then runs `work` on those found, concurrently. Like docker,
/// each one done is printed and each one that could not be found or done is reported; the
/// command ends with the first failure's code.
async fn for_each_container<F, Fut>(
    context: &Context,
    references: &[String],
    work: F,
) -> Result<ExitCode>
where
    F: Fn(HostId, Container) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let among = context.berth.select_hosts(&context.choice)?;
    let found = context.berth.find_containers(&among, references).await;
    let done = join_all(found.into_iter().map(|found| async {
        let (host, container) = found?;
        work(host, container).await
    }))
    .await;
    let mut outcome = Outcome::default();
    let mut printed = String::new();
    for (reference, result) in references.iter().zip(done) {
        match result {
            Ok(()) => {
                printed.push_str(reference);
                printed.push('\n');
            }
            Err(err) => outcome.failed(&err),
        }
    }
    crate::output::write_stdout(printed.as_bytes())?;
    Ok(outcome.exit_code())
}
