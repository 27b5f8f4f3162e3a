//! `stats`: running containers' CPU, memory, network and disk rates, a table redrawn as
//! samples come (once with `--no-stream`). A host that cannot be asked, or whose stats fail,
//! is reported and the others go on.

use std::collections::{BTreeMap, HashSet};
use std::process::ExitCode;
use std::time::Duration;

use berth_core::{Container, ContainerState, HostId, Result, StatsSample};
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::args::StatsArgs;
use crate::commands::containers::short_id;
use crate::commands::{bytes, host_name, on_each_host, several_hosts, until_failed};
use crate::exit::Outcome;
use crate::output::{Cell, Column};
use crate::Context;

/// How long `--no-stream` waits for every host's first samples (a container that stopped
/// meanwhile sends none).
const FIRST_SAMPLES_WAIT: Duration = Duration::from_secs(5);

/// A sample with the name of its container.
#[derive(serde::Serialize)]
struct Named {
    name: String,
    #[serde(flatten)]
    sample: StatsSample,
}

pub async fn stats(context: &Context, args: &StatsArgs) -> Result<ExitCode> {
    let (found, mut outcome) = chosen(context, args).await?;
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
        let opened = async { context.berth.connect(host).await?.stats(&ids) };
        match opened.await {
            Ok(samples) => {
                let host = host.clone();
                streams.push(
                    until_failed(samples)
                        .map(move |batch| (host.clone(), batch))
                        .boxed(),
                );
            }
            Err(err) => outcome.failed_on(&host_name(context, host), &err),
        }
    }
    let live = !args.no_stream;
    let waiting_for: HashSet<HostId> = found.iter().map(|(h, _)| h.clone()).collect();
    let mut answered: HashSet<HostId> = HashSet::new();
    let mut latest: BTreeMap<(HostId, String), StatsSample> = BTreeMap::new();
    let mut merged = stream::select_all(streams);
    let deadline = tokio::time::sleep(FIRST_SAMPLES_WAIT);
    tokio::pin!(deadline);
    loop {
        let next = tokio::select! {
            next = merged.next() => next,
            () = &mut deadline, if !live => None,
        };
        let Some((host, batch)) = next else {
            break;
        };
        match batch {
            Ok(samples) => {
                for sample in samples {
                    latest.insert((host.clone(), sample.id.clone()), sample);
                }
                answered.insert(host);
            }
            Err(err) => {
                outcome.failed_on(&host_name(context, &host), &err);
                answered.insert(host);
            }
        }
        // Live, the table is drawn at every batch; once, when every host has answered.
        if !live && answered.len() < waiting_for.len() {
            continue;
        }
        if live && !context.printer.is_data() {
            // Clear the screen and draw from the top, as docker stats does.
            crate::output::write_stdout(b"\x1b[2J\x1b[H")?;
        }
        print(context, &latest, &names)?;
        if !live {
            return Ok(outcome.exit_code());
        }
    }
    if !live {
        // Not every host answered in time: what came is shown.
        print(context, &latest, &names)?;
    }
    Ok(outcome.exit_code())
}

/// The containers named, or every running one on the chosen hosts.
async fn chosen(
    context: &Context,
    args: &StatsArgs,
) -> Result<(Vec<(HostId, Container)>, Outcome)> {
    if !args.containers.is_empty() {
        let among = context.berth.select_hosts(&context.choice)?;
        let found = context
            .berth
            .find_containers(&among, &args.containers)
            .await;
        return Ok((
            found.into_iter().collect::<Result<_>>()?,
            Outcome::default(),
        ));
    }
    let (listed, outcome) = on_each_host(context, |host| async move {
        context.berth.containers(&host).await
    })
    .await?;
    let running = listed
        .into_iter()
        .flat_map(|(host, _, containers)| {
            containers
                .into_iter()
                .filter(|c| c.state == ContainerState::Running)
                .map(move |c| (host.clone(), c))
        })
        .collect();
    Ok((running, outcome))
}

fn print(
    context: &Context,
    latest: &BTreeMap<(HostId, String), StatsSample>,
    names: &BTreeMap<(HostId, String), String>,
) -> Result<()> {
    let rows: Vec<(HostId, String, Named)> = latest
        .iter()
        .map(|(key, sample)| {
            let name = names.get(key).cloned().unwrap_or_default();
            let host = key.0.clone();
            let host_name = host_name(context, &host);
            (
                host,
                host_name,
                Named {
                    name,
                    sample: sample.clone(),
                },
            )
        })
        .collect();
    context
        .printer
        .print(&rows, &columns(), several_hosts(context))
}

fn columns() -> Vec<Column<Named>> {
    vec![
        Column::new("CONTAINER ID", |n| Cell::plain(short_id(&n.sample.id))),
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
        // Rates, where docker shows totals since the start: what moves now.
        Column::new("NET RX / TX", |n| {
            Cell::plain(format!(
                "{}/s / {}/s",
                bytes(n.sample.net_rx_per_sec),
                bytes(n.sample.net_tx_per_sec)
            ))
        }),
        Column::new("BLOCK READ / WRITE", |n| {
            Cell::plain(format!(
                "{}/s / {}/s",
                bytes(n.sample.block_read_per_sec),
                bytes(n.sample.block_write_per_sec)
            ))
        }),
        Column::new("PIDS", |n| Cell::plain(n.sample.pids.to_string())),
    ]
}
