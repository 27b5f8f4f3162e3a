//! `logs`: one container's log as `docker logs` prints it, or several merged as they arrive,
//! each line after its container's name in a colour of its own. The lines are written as the
//! engine sent them (a container's own colours kept, as docker does); a host whose log fails
//! is reported and the others go on.

use std::io::Write;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use berth_core::streams::since;
use berth_core::{Container, Error, HostId, LogBatch, LogOptions, Result};
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::args::{LogFlags, LogsArgs};
use crate::commands::{host_name, now_seconds, until_failed};
use crate::exit::Outcome;
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

/// One host's part of the log: its containers, in the order its batches number them.
struct HostPart {
    host: HostId,
    ids: Vec<String>,
    /// Each container's name as it leads its lines (empty for a single container).
    prefixes: Vec<String>,
}

pub async fn logs(context: &Context, args: &LogsArgs) -> Result<ExitCode> {
    let options = options(&args.log, args.until.as_deref())?;
    let among = context.berth.select_hosts(&context.choice)?;
    let found: Vec<(HostId, Container)> = context
        .berth
        .find_containers(&among, &args.targets.containers)
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    let parts = by_host(&found, found.len() > 1 && colour_on_stdout());
    let labelled = found.len() > 1;
    let mut outcome = Outcome::default();
    let mut streams: Vec<BoxStream<'static, (usize, Result<LogBatch>)>> = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let opened = async {
            context
                .berth
                .connect(&part.host)
                .await?
                .logs(&part.ids, &options)
        };
        match opened.await {
            Ok(batches) => streams.push(
                until_failed(batches)
                    .map(move |batch| (index, batch))
                    .boxed(),
            ),
            Err(err) => outcome.failed_on(&host_name(context, &part.host), &err),
        }
    }
    print(context, &parts, streams, labelled, outcome).await
}

/// Prints one log that is not a container's (a swarm service's, merged by its manager) as
/// a single container's is printed.
pub async fn print_one(
    context: &Context,
    host: &HostId,
    batches: BoxStream<'static, Result<LogBatch>>,
) -> Result<ExitCode> {
    let parts = [HostPart {
        host: host.clone(),
        ids: Vec::new(),
        prefixes: Vec::new(),
    }];
    let stream = until_failed(batches).map(|batch| (0, batch)).boxed();
    print(context, &parts, vec![stream], false, Outcome::default()).await
}

/// Writes the lines of `streams` (each numbering its part of `parts`) as they come, until
/// every one ends; a part that fails is reported and the others go on.
async fn print(
    context: &Context,
    parts: &[HostPart],
    streams: Vec<BoxStream<'static, (usize, Result<LogBatch>)>>,
    labelled: bool,
    mut outcome: Outcome,
) -> Result<ExitCode> {
    let mut merged = stream::select_all(streams);
    let mut out = std::io::stdout().lock();
    let mut err_out = std::io::stderr().lock();
    while let Some((index, batch)) = merged.next().await {
        let batch = match batch {
            Ok(batch) => batch,
            Err(err) => {
                outcome.failed_on(&host_name(context, &parts[index].host), &err);
                continue;
            }
        };
        let written = if !labelled && batch.stderr.is_empty() && batch.times.is_empty() {
            // One container's plain lines: the engine's text as it is, the fast path.
            out.write_all(batch.text.as_bytes())
        } else {
            let prefixes = labelled.then(|| &parts[index].prefixes[..]);
            write_lines(&batch, prefixes, &mut out, &mut err_out)
        };
        match written.and_then(|()| out.flush()) {
            Ok(()) => {}
            // Read by `head` or the like, which has seen enough.
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => break,
            Err(err) => return Err(Error::Internal(format!("could not write the log: {err}"))),
        }
    }
    Ok(outcome.exit_code())
}

/// The containers grouped by host, one request each; with `coloured`, names in colour.
fn by_host(found: &[(HostId, Container)], coloured: bool) -> Vec<HostPart> {
    let width = found
        .iter()
        .map(|(_, c)| c.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut parts: Vec<HostPart> = Vec::new();
    for (n, (host, container)) in found.iter().enumerate() {
        let name = crate::output::printable(&container.name);
        let prefix = match coloured {
            true => {
                let style = Style::new().fg_color(Some(COLOURS[n % COLOURS.len()].into()));
                format!("{style}{name:<width$} |{style:#} ")
            }
            false => format!("{name:<width$} | "),
        };
        match parts.iter_mut().find(|part| &part.host == host) {
            Some(part) => {
                part.ids.push(container.id.clone());
                part.prefixes.push(prefix);
            }
            None => parts.push(HostPart {
                host: host.clone(),
                ids: vec![container.id.clone()],
                prefixes: vec![prefix],
            }),
        }
    }
    parts
}

/// Whether colour belongs on stdout: a terminal, and NO_COLOR not set (anstream's rule).
fn colour_on_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
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

/// The core's options for `flags`, each checked before any engine is asked.
pub fn options(flags: &LogFlags, until: Option<&str>) -> Result<LogOptions> {
    let now = now_seconds();
    let second = |text: Option<&str>, field| -> Result<Option<i32>> {
        text.map(|text| {
            let at = since::unix_seconds(text, now, field)?;
            i32::try_from(at).map_err(|_| {
                Error::InvalidInput(format!("{text:?} is too far from now")).in_field(field)
            })
        })
        .transpose()
    };
    let tail = match flags.tail.as_deref().map(str::trim) {
        None | Some("all") => None,
        Some(n) => Some(n.parse::<u32>().map_err(|_| {
            Error::InvalidInput(format!("{n:?} is not a number of lines (or \"all\")"))
                .in_field("tail")
        })?),
    };
    let options = LogOptions {
        tail,
        since: second(flags.since.as_deref(), "since")?,
        until: second(until, "until")?,
        head: None,
        follow: flags.follow,
        filter: flags.grep.clone(),
        timestamps: flags.timestamps,
    };
    // The pattern is checked here, before any engine is asked; the core calls it the filter.
    options.check().map_err(|err| err.in_field("grep"))?;
    Ok(options)
}
