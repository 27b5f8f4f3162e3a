//! `stats`: running containers' CPU, memory, network and disk use, a table redrawn as samples
//! come (once with `--no-stream`).

use std::collections::BTreeMap;
use std::process::ExitCode;

use berth_core::{ContainerState, HostId, Result, StatsSample};
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::args::StatsArgs;
use crate::commands::{bytes, host_name, several_hosts};
use crate::output::{Cell, Column};
use crate::Context;

/// A sample with the name of its container.
#[derive(serde::Serialize)]
struct Named {
    name: String,
    #[serde(flatten)]
    sample: StatsSample,
}

pub async fn stats(context: &Context, args: &StatsArgs) -> Result<ExitCode> {
    let among = context.berth.select_hosts(&context.choice)?;
    let found = if args.containers.is_empty() {
        let mut running = Vec::new();
        for host in &among {
            let containers = context.berth.containers(host).await?;
            running.extend(
                containers
                    .into_iter()
                    .filter(|c| c.state == ContainerState::Running)
                    .map(|c| (host.clone(), c)),
            );
        }
        running
    } else {
        context
            .berth
            .find_containers(&among, &args.containers)
            .await?
    };
    if found.is_empty() {
        let none: [(HostId, String, Named); 0] = [];
        context
            .printer
            .print(&none, &columns(), several_hosts(context))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut hosts: Vec<&HostId> = Vec::new();
    for (host, _) in &found {
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    let names: BTreeMap<(HostId, String), String> = found
        .iter()
        .map(|(host, c)| ((host.clone(), c.id.clone()), c.name.clone()))
        .collect();
    let mut streams: Vec<BoxStream<'static, (HostId, Result<Vec<StatsSample>>)>> = Vec::new();
    for host in hosts {
        let ids: Vec<String> = found
            .iter()
            .filter(|(h, _)| h == host)
            .map(|(_, c)| c.id.clone())
            .collect();
        let samples = context.berth.connect(host).await?.stats(&ids)?;
        let host = host.clone();
        streams.push(samples.map(move |batch| (host.clone(), batch)).boxed());
    }
    let mut latest: BTreeMap<(HostId, String), StatsSample> = BTreeMap::new();
    let mut merged = stream::select_all(streams);
    let want = names.len();
    let live = !args.no_stream;
    while let Some((host, batch)) = merged.next().await {
        for sample in batch? {
            latest.insert((host.clone(), sample.id.clone()), sample);
        }
        // The first table once every container has a sample; then at every batch.
        if latest.len() < want && !live {
            continue;
        }
        let rows: Vec<(HostId, String, Named)> = latest
            .iter()
            .map(|((host, id), sample)| {
                let name = names
                    .get(&(host.clone(), id.clone()))
                    .cloned()
                    .unwrap_or_default();
                (
                    host.clone(),
                    host_name(context, host),
                    Named {
                        name,
                        sample: sample.clone(),
                    },
                )
            })
            .collect();
        if live && !context.printer.is_data() {
            // Clear the screen and draw from the top, as docker stats does.
            crate::output::write_stdout(b"\x1b[2J\x1b[H")?;
        }
        context
            .printer
            .print(&rows, &columns(), several_hosts(context))?;
        if !live {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn columns() -> Vec<Column<Named>> {
    vec![
        Column::new("CONTAINER ID", |n| {
            Cell::plain(n.sample.id.chars().take(12).collect::<String>())
        }),
        Column::new("NAME", |n| Cell::plain(n.name.clone())),
        Column::new("CPU %", |n| {
            Cell::plain(format!("{:.2}%", n.sample.cpu_percent))
        }),
        Column::new("MEM USAGE / LIMIT", |n| {
            Cell::plain(format!(
                "{} / {}",
                bytes(n.sample.memory_bytes as f64),
                bytes(n.sample.memory_limit_bytes as f64)
            ))
        }),
        Column::new("MEM %", |n| {
            let limit = n.sample.memory_limit_bytes.max(1) as f64;
            Cell::plain(format!(
                "{:.2}%",
                n.sample.memory_bytes as f64 * 100.0 / limit
            ))
        }),
        Column::new("NET I/O", |n| {
            Cell::plain(format!(
                "{}/s / {}/s",
                bytes(n.sample.net_rx_per_sec),
                bytes(n.sample.net_tx_per_sec)
            ))
        }),
        Column::new("BLOCK I/O", |n| {
            Cell::plain(format!(
                "{}/s / {}/s",
                bytes(n.sample.block_read_per_sec),
                bytes(n.sample.block_write_per_sec)
            ))
        }),
        Column::new("PIDS", |n| Cell::plain(n.sample.pids.to_string())),
    ]
}
