//! `events`: each chosen host's engine events as they happen (from `--since` first), one line
//! each, or one JSON object per line with `-o json`. A host that cannot be asked, or whose
//! events stop, is reported and the others go on.

use std::process::ExitCode;

use berth_core::history::store::rfc3339;
use berth_core::streams::since;
use berth_core::{EngineEvent, Error, Result};
use futures_util::stream::{self, StreamExt};

use crate::args::EventsArgs;
use crate::commands::{host_name, now_seconds, several_hosts, until_failed};
use crate::exit::Outcome;
use crate::output::{printable, write_stdout, OnHost, Printer};
use crate::Context;

pub async fn events(context: &Context, args: &EventsArgs) -> Result<ExitCode> {
    let json = matches!(context.printer, Printer::Json);
    if !json && context.printer.is_data() {
        return Err(Error::InvalidInput(
            "events are printed as lines or, with -o json, one JSON object per line".to_owned(),
        )
        .in_field("output"));
    }
    let since = args
        .since
        .as_deref()
        .map(|text| since::unix_seconds(text, now_seconds(), "since").map(|s| s.to_string()))
        .transpose()?;
    let hosts = context.berth.select_hosts(&context.choice)?;
    let labelled = several_hosts(context);
    let mut outcome = Outcome::default();
    let mut streams = Vec::new();
    for host in hosts {
        let name = host_name(context, &host);
        let engine = match context.berth.connect(&host).await {
            Ok(engine) => engine,
            Err(err) => {
                outcome.failed_on(&name, &err);
                continue;
            }
        };
        let events = until_failed(engine.events(since.as_deref()).boxed());
        streams.push(events.map(move |event| (host.clone(), name.clone(), event)));
    }
    let mut merged = stream::select_all(streams);
    while let Some((host, name, event)) = merged.next().await {
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                outcome.failed_on(&name, &err);
                continue;
            }
        };
        let line = if json {
            let on_host = OnHost {
                host: &host,
                host_name: &name,
                item: &event,
            };
            serde_json::to_string(&on_host)
                .map_err(|e| Error::Internal(format!("could not print an event: {e}")))?
        } else {
            text(&event, labelled.then_some(name.as_str()))
        };
        write_stdout(format!("{line}\n").as_bytes())?;
    }
    Ok(outcome.exit_code())
}

/// An event as `docker events` prints it: time, kind, action, id and name.
fn text(event: &EngineEvent, host: Option<&str>) -> String {
    let host = host.map(|h| format!("{h} ")).unwrap_or_default();
    let exit = event
        .exit_code
        .map(|code| format!(", exitCode={code}"))
        .unwrap_or_default();
    printable(&format!(
        "{} {host}{} {} {} (name={}{exit})",
        rfc3339(event.time_ms),
        berth_core::wire_name(&event.kind),
        event.action,
        event.id,
        event.name
    ))
}
