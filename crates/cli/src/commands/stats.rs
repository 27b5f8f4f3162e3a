//! `stats`: running containers' CPU, memory, network and disk rates, a table redrawn as
//! samples come (once with `--no-stream`). A host that cannot be asked, or whose stats fail,
//! is reported and the others go on.

use std::collections::{BTreeMap, HashSet};
use std::process::ExitCode;
use std::time::Duration;

use berth_core::{Container, ContainerState, ErrorCode, HostId, Result, StatsSample};
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::args::StatsArgs;
use crate::commands::containers::short_id;
use crate::commands::{bytes, host_name, on_each_host, several_hosts, until_failed};
use crate::exit::Outcome;
use crate::output::{Cell, Column};
use crate::Context;

/// How long `--no-stream` waits for every container's first sample (one that stopped
/// meanwhile may send none).
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
    let names: BTreeMap<Key, String> = found
        .iter()
        .map(|(host, c)| ((host.clone(), c.id.clone()), c.name.clone()))
        .collect();
    // A stream per container: one that stops or goes meanwhile ends only its own.
    let mut streams: Vec<BoxStream<'static, (Key, Result<Vec<StatsSample>>)>> = Vec::new();
    let mut gone: HashSet<Key> = HashSet::new();
    let mut engines = BTreeMap::new();
    for (host, container) in &found {
        let key = (host.clone(), container.id.clone());
        if !engines.contains_key(host) {
            let engine = context.berth.connect(host).await;
            if let Err(err) = &engine {
                outcome.failed_on(&host_name(context, host), err);
            }
            engines.insert(host.clone(), engine.ok());
        }
        let Some(Some(engine)) = engines.get(host) else {
            gone.insert(key);
            continue;
        };
        match engine.stats(std::slice::from_ref(&container.id)) {
            Ok(samples) => {
                let key = key.clone();
                streams.push(
                    until_failed(samples)
                        .map(move |batch| (key.clone(), batch))
                        .boxed(),
                );
            }
            Err(err) => {
                outcome.failed_on(&host_name(context, host), &err);
                gone.insert(key);
            }
        }
    }
    let live = !args.no_stream;
    let mut latest: BTreeMap<Key, StatsSample> = BTreeMap::new();
    let mut merged = stream::select_all(streams);
    let deadline = tokio::time::sleep(FIRST_SAMPLES_WAIT);
    tokio::pin!(deadline);
    loop {
        let next = tokio::select! {
            next = merged.next() => next,
            () = &mut deadline, if !live => None,
        };
        let Some((key, batch)) = next else {
            break;
        };
        match batch {
            Ok(samples) => {
                for sample in samples {
                    latest.insert((key.0.clone(), sample.id.clone()), sample);
                }
            }
            // A container that stopped or was removed meanwhile is simply no longer shown.
            Err(err) if matches!(err.code(), ErrorCode::NotFound | ErrorCode::Conflict) => {
                gone.insert(key);
            }
            Err(err) => {
                outcome.failed_on(&host_name(context, &key.0), &err);
                gone.insert(key);
            }
        }
        // Live, the table is drawn at every batch; once, when every container has a sample
        // or is gone.
        let complete = names
            .keys()
            .all(|key| latest.contains_key(key) || gone.contains(key));
        if !live && !complete {
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
        // Not every container had a sample in time: what came is shown.
        print(context, &latest, &names)?;
    }
    Ok(outcome.exit_code())
}

/// A container on a host.
type Key = (HostId, String);

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
    latest: &BTreeMap<Key, StatsSample>,
    names: &BTreeMap<Key, String>,
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
