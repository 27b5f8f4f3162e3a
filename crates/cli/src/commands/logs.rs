//! `logs`: one container's log as `docker logs` prints it, or several merged as they arrive,
//! each line after its container's name in a colour of its own.

use std::io::Write;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use berth_core::streams::since;
use berth_core::{Error, HostId, LogBatch, LogOptions, Result};
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::args::LogsArgs;
use crate::commands::now_seconds;
use crate::Context;

/// The colours names take in turn (as docker compose's).
const COLOURS: [AnsiColor; 6] = [
    AnsiColor::Cyan,
    AnsiColor::Yellow,
    AnsiColor::Green,
    AnsiColor::Magenta,
    AnsiColor::Blue,
    AnsiColor::Red,
];

pub async fn logs(context: &Context, args: &LogsArgs) -> Result<ExitCode> {
    let options = options(args)?;
    let among = context.berth.select_hosts(&context.choice)?;
    let found = context
        .berth
        .find_containers(&among, &args.targets.containers)
        .await?;
    // One request per host, its containers merged by the engine stream of each.
    let mut per_host: Vec<(HostId, Vec<String>, Vec<String>)> = Vec::new();
    for (host, container) in &found {
        match per_host.iter_mut().find(|(h, _, _)| h == host) {
            Some((_, ids, names)) => {
                ids.push(container.id.clone());
                names.push(container.name.clone());
            }
            None => per_host.push((
                host.clone(),
                vec![container.id.clone()],
                vec![container.name.clone()],
            )),
        }
    }
    let labelled = found.len() > 1;
    let width = found.iter().map(|(_, c)| c.name.len()).max().unwrap_or(0);
    let mut streams: Vec<BoxStream<'static, (usize, Result<LogBatch>)>> = Vec::new();
    let mut prefixes: Vec<Vec<String>> = Vec::new();
    for (index, (host, ids, names)) in per_host.iter().enumerate() {
        let batches = context.berth.connect(host).await?.logs(ids, &options)?;
        streams.push(batches.map(move |batch| (index, batch)).boxed());
        let offset = prefixes.iter().map(Vec::len).sum::<usize>();
        prefixes.push(
            names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let style =
                        Style::new().fg_color(Some(COLOURS[(offset + i) % COLOURS.len()].into()));
                    format!("{style}{name:<width$} |{style:#} ")
                })
                .collect(),
        );
    }
    let mut merged = stream::select_all(streams);
    let mut out = anstream::stdout();
    let mut err_out = anstream::stderr();
    while let Some((index, batch)) = merged.next().await {
        let batch = batch?;
        let written = if !labelled && batch.stderr.is_empty() && batch.times.is_empty() {
            // One container's plain lines: the engine's text as it is, the fast path.
            out.write_all(batch.text.as_bytes())
        } else {
            write_lines(
                &batch,
                labelled.then(|| &prefixes[index][..]),
                &mut out,
                &mut err_out,
            )
        };
        if let Err(err) = written.and_then(|()| out.flush()) {
            if err.kind() == std::io::ErrorKind::BrokenPipe {
                break;
            }
            return Err(Error::Internal(format!("could not write the log: {err}")));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes each line of `batch`: after its container's name when `prefixes` are given, its time
/// when asked for, and, for one container, stderr's lines to stderr as docker does.
fn write_lines(
    batch: &LogBatch,
    prefixes: Option<&[String]>,
    out: &mut impl Write,
    err_out: &mut impl Write,
) -> std::io::Result<()> {
    let mut text = String::with_capacity(batch.text.len() + 64);
    let mut errors = String::new();
    for line in batch.lines() {
        let into = if line.stderr && prefixes.is_none() {
            &mut errors
        } else {
            &mut text
        };
        if let Some(prefixes) = prefixes {
            into.push_str(
                prefixes
                    .get(usize::from(line.source))
                    .map_or("", String::as_str),
            );
        }
        if !line.time.is_empty() {
            into.push_str(line.time);
            into.push(' ');
        }
        into.push_str(line.text);
        into.push('\n');
    }
    out.write_all(text.as_bytes())?;
    err_out.write_all(errors.as_bytes())
}

fn options(args: &LogsArgs) -> Result<LogOptions> {
    let now = now_seconds();
    let second = |text: &Option<String>, field| -> Result<Option<i32>> {
        text.as_deref()
            .map(|text| {
                let at = since::unix_seconds(text, now, field)?;
                i32::try_from(at).map_err(|_| {
                    Error::InvalidInput(format!("{text:?} is too far from now")).in_field(field)
                })
            })
            .transpose()
    };
    let tail = match args.tail.as_deref().map(str::trim) {
        None | Some("all") => None,
        Some(n) => Some(n.parse::<u32>().map_err(|_| {
            Error::InvalidInput(format!("{n:?} is not a number of lines (or \"all\")"))
                .in_field("tail")
        })?),
    };
    Ok(LogOptions {
        tail,
        since: second(&args.since, "since")?,
        until: second(&args.until, "until")?,
        follow: args.follow,
        filter: args.grep.clone(),
        timestamps: args.timestamps,
    })
}
