//! `secret ls|create|rm` and `config ls|create|rm`: one implementation, the kind given. A
//! value is read from a file or stdin and handed to the core, which sends it to the engine
//! only: it is never printed, nor put in the Activity log.

use std::io::Read;
use std::process::ExitCode;

use berth_core::swarm::secrets::{find_stored, Kind, Stored};
use berth_core::{Error, Result, Secret};

use super::{each, flatten, labels, manager};
use crate::args::{SwarmValueArgs, SwarmValueCommand};
use crate::commands::{ago, on_each_host, several_hosts};
use crate::output::{Cell, Column};
use crate::Context;

pub async fn values(context: &Context, kind: Kind, args: &SwarmValueArgs) -> Result<ExitCode> {
    match &args.command {
        SwarmValueCommand::Ls => {
            let (listed, outcome) = on_each_host(context, |host| async move {
                context.berth.connect(&host).await?.swarm_values(kind).await
            })
            .await?;
            let columns: Vec<Column<Stored>> = vec![
                Column::new("ID", |s| Cell::plain(s.id.clone())),
                Column::new("NAME", |s| Cell::plain(s.name.clone())),
                Column::new("CREATED", |s| Cell::plain(created(&s.created_at))),
                Column::wide("LABELS", |s| {
                    let labels: Vec<String> =
                        s.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    Cell::plain(labels.join(","))
                }),
            ];
            context
                .printer
                .print(&flatten(listed), &columns, several_hosts(context))?;
            Ok(outcome.exit_code())
        }
        SwarmValueCommand::Create(create) => {
            let labels = labels(&create.labels, "label")?;
            let value = read_value(create.file.as_deref())?;
            let (host, _) = manager(context).await?;
            let id = context
                .berth
                .swarm_value_create(&host, kind, &create.name, &value, &labels)
                .await
                .map_err(|err| match err.field() {
                    // The value came from FILE or stdin, not from a flag of that name.
                    Some("value") => Error::InvalidInput(err.to_string()),
                    _ => err,
                })?;
            crate::output::write_stdout(format!("{id}\n").as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        SwarmValueCommand::Rm { names } => {
            let (host, engine) = manager(context).await?;
            let (host, engine) = (&host, &engine);
            each(names, |reference| async move {
                let stored = find_stored(kind, &engine.swarm_values(kind).await?, reference)?;
                context
                    .berth
                    .swarm_value_remove(host, kind, &stored.id, &stored.name)
                    .await?;
                Ok(reference.clone())
            })
            .await
        }
    }
}

/// The value in `file`, or on stdin for `-` or none, as `docker secret create` reads it.
fn read_value(file: Option<&str>) -> Result<Secret> {
    let mut bytes = Vec::new();
    let read = match file {
        None | Some("-") => std::io::stdin().read_to_end(&mut bytes).map(drop),
        Some(path) => std::fs::read(path).map(|read| bytes = read),
    };
    let from = file.filter(|f| *f != "-").unwrap_or("stdin");
    read.map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(format!("there is no file {from:?}")),
        _ => Error::InvalidInput(format!("could not read {from}: {err}")),
    })?;
    // The core keeps a value as text: a binary one is refused rather than altered.
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::InvalidInput(format!("the value in {from} is not text (UTF-8)")))?;
    Ok(Secret::new(text))
}

/// When it was made, as docker lists it ("5 minutes ago"); the engine's words if unreadable.
fn created(at: &str) -> String {
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map_or_else(|_| at.to_owned(), |at| ago(at.unix_timestamp()))
}
