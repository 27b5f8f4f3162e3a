//! `hosts ls|add|edit|rm|test|import`: the app's hosts from the terminal. Saving, trying and
//! removing are berth-core's (the window's wizard calls the same), so a host added here is in
//! the window and the reverse.

use std::process::ExitCode;

use berth_core::hosts::import::HostCandidate;
use berth_core::{AcceptedHostKey, Error, HostId, HostOrigin, Result, SavedHost, Secret};

use crate::args::{HostFields, HostsArgs, HostsCommand, ImportArgs};
use crate::output::{Cell, Column};
use crate::Context;

/// A host as `hosts ls` lists it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct HostRow {
    id: HostId,
    name: String,
    origin: HostOrigin,
    address: String,
}

pub async fn hosts(context: &Context, args: HostsArgs) -> Result<ExitCode> {
    match args.command {
        HostsCommand::Ls => list(context),
        HostsCommand::Add(fields) => add(context, fields).await,
        HostsCommand::Edit(args) => {
            let saved = saved_named(context, &args.host).await?;
            edit(context, saved, args.fields).await
        }
        HostsCommand::Rm(args) => remove(context, &args.host, args.force).await,
        HostsCommand::Test(args) => test(context, args.host.as_deref()).await,
        HostsCommand::Import(args) => import(context, &args).await,
    }
}

fn list(context: &Context) -> Result<ExitCode> {
    let rows: Vec<(HostId, String, HostRow)> = context
        .berth
        .hosts()
        .into_iter()
        .map(|spec| {
            let row = HostRow {
                origin: spec.origin(),
                address: spec.endpoint.to_string(),
                id: spec.id.clone(),
                name: spec.name.clone(),
            };
            (spec.id, spec.name, row)
        })
        .collect();
    let columns: Vec<Column<HostRow>> = vec![
        Column::new("NAME", |h| Cell::plain(h.name.clone())),
        Column::new("ORIGIN", |h| {
            Cell::plain(match h.origin {
                HostOrigin::Local => "local",
                HostOrigin::Saved => "saved",
                HostOrigin::DockerContext => "docker context",
            })
        }),
        Column::new("ADDRESS", |h| Cell::plain(h.address.clone())),
        Column::wide("ID", |h| Cell::plain(h.id.to_string())),
    ];
    context.printer.print(&rows, &columns, false)?;
    Ok(ExitCode::SUCCESS)
}

async fn add(context: &Context, fields: HostFields) -> Result<ExitCode> {
    let ask = Asker::new(fields.no_input);
    let name = match &fields.name {
        Some(name) => name.clone(),
        None => ask.text("Name", None)?,
    };
    let address = match &fields.address {
        Some(address) => address.clone(),
        None => ask.text("Address ([user@]host[:port], ssh://…, tcp://…)", None)?,
    };
    let host = SavedHost::from_address(&name, &address)?;
    let key = match (&fields.key, host.docker_host.is_some()) {
        (Some(key), _) => Some(key.clone()),
        (None, true) => None,
        (None, false) if ask.can_ask() => {
            let key = ask.text("Private key file (empty: the ssh-agent's keys)", Some(""))?;
            (!key.trim().is_empty()).then_some(key)
        }
        (None, false) => None,
    };
    let host = SavedHost {
        key_path: key,
        ..with_fields(host, &fields)
    };
    save_tried(context, host, &fields, &ask).await
}

async fn edit(context: &Context, saved: SavedHost, fields: HostFields) -> Result<ExitCode> {
    let ask = Asker::new(fields.no_input);
    let mut host = match &fields.address {
        Some(address) => saved.with_address(address)?,
        None => saved,
    };
    if let Some(name) = &fields.name {
        host.name = name.clone();
    }
    if let Some(key) = &fields.key {
        host.key_path = (!key.is_empty()).then(|| key.clone());
    }
    save_tried(context, with_fields(host, &fields), &fields, &ask).await
}

/// `host` with the socket, jump hosts and tags the flags give.
fn with_fields(mut host: SavedHost, fields: &HostFields) -> SavedHost {
    if let Some(socket) = &fields.socket {
        host.socket = socket.clone();
    }
    if let Some(jump) = &fields.jump {
        host.proxy_jump = (!jump.is_empty()).then(|| jump.clone());
    }
    if !fields.tags.is_empty() {
        host.tags = fields.tags.clone();
    }
    host
}

/// Tries `host` as the wizard does — its key, an unknown host key shown to accept, the
/// passphrase asked once — and saves it once its engine answered.
async fn save_tried(
    context: &Context,
    host: SavedHost,
    fields: &HostFields,
    ask: &Asker,
) -> Result<ExitCode> {
    host.validate()?;
    let mut accepted: Option<AcceptedHostKey> = None;
    let mut passphrase: Option<Secret> = None;
    let mut asked_passphrase = false;
    let info = loop {
        match context
            .berth
            .test_host(&host, passphrase.clone(), accepted.as_ref())
            .await
        {
            Ok(info) => break info,
            Err(Error::HostKeyUnknown(facts)) if accepted.is_none() => {
                let offered = &facts.offered;
                eprintln!(
                    "{} is not a known host. Its {} key fingerprint is\n  {}\nAccept it only if it is the one the host's owner gave you.",
                    facts.shown(),
                    offered.key_type,
                    offered.fingerprint
                );
                let trusted = match &fields.accept_host_key {
                    Some(given) => given.trim() == offered.fingerprint,
                    None => ask.yes("Trust this host key?")?,
                };
                if !trusted {
                    return Err(Error::HostKeyUnknown(facts));
                }
                accepted = Some(AcceptedHostKey {
                    host: facts.host.clone(),
                    port: facts.port,
                    fingerprint: offered.fingerprint.clone(),
                });
            }
            // Asked once: a second refusal ends here, never a loop of attempts.
            Err(err @ Error::PassphraseRequired(_)) if !asked_passphrase && ask.can_ask() => {
                eprintln!("{err}");
                passphrase = Some(Secret::new(ask.secret("Passphrase")?));
                asked_passphrase = true;
            }
            Err(err) => return Err(err),
        }
    };
    let remember = passphrase.is_some()
        && (fields.remember_passphrase
            || ask.can_ask() && ask.yes("Keep the passphrase in the system keyring?")?);
    let saved = context.berth.save_host(host, passphrase, remember).await?;
    crate::output::write_stdout(
        format!(
            "Saved {} (Docker {} on {} {})\n",
            saved.name, info.version, info.os, info.arch
        )
        .as_bytes(),
    )?;
    Ok(ExitCode::SUCCESS)
}

async fn remove(context: &Context, wanted: &str, force: bool) -> Result<ExitCode> {
    let saved = saved_named(context, wanted).await?;
    if !force {
        let ask = Asker::new(false);
        // Never removed without the user's word.
        if !ask.can_ask() {
            return Err(Error::InvalidInput(
                "removing a host asks first, and there is no terminal to ask on: add --force"
                    .to_owned(),
            )
            .in_field("force"));
        }
        if !ask.yes(&format!("Remove {} from Berth?", saved.name))? {
            return Ok(ExitCode::from(crate::exit::FAILED));
        }
    }
    context.berth.remove_host(&saved.id).await?;
    crate::output::write_stdout(format!("{}\n", saved.name).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

async fn test(context: &Context, wanted: Option<&str>) -> Result<ExitCode> {
    let choice = match wanted {
        Some(host) => berth_core::HostChoice {
            hosts: vec![host.to_owned()],
            ..Default::default()
        },
        None => context.choice.clone(),
    };
    let mut outcome = crate::exit::Outcome::default();
    let mut printed = String::new();
    for host in context.berth.select_hosts(&choice)? {
        let name = crate::commands::host_name(context, &host);
        let tried = async { context.berth.connect(&host).await?.info().await }.await;
        match tried {
            Ok(info) => printed.push_str(&format!(
                "{name}: Docker {} on {} {} ({} containers, {} running)\n",
                info.version, info.os, info.arch, info.containers, info.containers_running
            )),
            Err(err) => outcome.failed_on(&name, &err),
        }
    }
    crate::output::write_stdout(printed.as_bytes())?;
    Ok(outcome.exit_code())
}

async fn import(context: &Context, args: &ImportArgs) -> Result<ExitCode> {
    let found = context.berth.importable_hosts().await;
    if args.names.is_empty() && !args.all {
        let rows: Vec<(HostId, String, HostCandidate)> = found
            .into_iter()
            .map(|c| (HostId::new(""), String::new(), c))
            .collect();
        let columns: Vec<Column<HostCandidate>> = vec![
            Column::new("NAME", |c| Cell::plain(c.name.clone())),
            Column::new("ADDRESS", |c| {
                Cell::plain(
                    c.docker_host
                        .clone()
                        .unwrap_or_else(|| format!("{}@{}:{}", c.user, c.address, c.port)),
                )
            }),
            Column::new("FOUND IN", |c| Cell::plain(c.source.clone())),
            Column::wide("NOTES", |c| Cell::plain(c.notes.join("; "))),
        ];
        context.printer.print(&rows, &columns, false)?;
        return Ok(ExitCode::SUCCESS);
    }
    let chosen: Vec<&HostCandidate> = match args.all {
        true => found.iter().collect(),
        false => {
            let mut chosen = Vec::new();
            for name in &args.names {
                chosen.push(found.iter().find(|c| &c.name == name).ok_or_else(|| {
                    Error::NotFound(format!(
                        "{name:?} was not found in ~/.ssh/config, the Docker contexts or DOCKER_HOST; `berthctl hosts import` lists what was"
                    ))
                })?);
            }
            chosen
        }
    };
    let mut outcome = crate::exit::Outcome::default();
    let mut printed = String::new();
    for candidate in chosen {
        // Saved as found; a host key is met, and accepted, on first connection.
        match context
            .berth
            .save_host(SavedHost::from_candidate(candidate), None, false)
            .await
        {
            Ok(saved) => printed.push_str(&format!("{}\n", saved.name)),
            Err(err) => outcome.failed_on(&candidate.name, &err),
        }
    }
    crate::output::write_stdout(printed.as_bytes())?;
    Ok(outcome.exit_code())
}

/// The saved host `wanted` names, by name or id.
async fn saved_named(context: &Context, wanted: &str) -> Result<SavedHost> {
    let saved = context.berth.saved_hosts().await?;
    saved
        .iter()
        .find(|h| h.id.as_str() == wanted)
        .or_else(|| saved.iter().find(|h| h.name == wanted))
        .cloned()
        .ok_or_else(|| {
            Error::NotFound(format!(
                "there is no saved host {wanted:?}; `berthctl hosts ls` lists them (contexts are changed with `docker context`)"
            ))
        })
}

/// Questions on the terminal, unless there is none or the user said not to ask.
struct Asker {
    can: bool,
}

impl Asker {
    fn new(no_input: bool) -> Self {
        Self {
            can: !no_input && crate::commands::can_ask(),
        }
    }

    fn can_ask(&self) -> bool {
        self.can
    }

    fn refused(&self, what: &str) -> Error {
        Error::InvalidInput(format!(
            "{what} is needed and there is no terminal to ask on: give it as a flag"
        ))
    }

    fn text(&self, prompt: &str, default: Option<&str>) -> Result<String> {
        if !self.can {
            return Err(self.refused(prompt));
        }
        let mut input = dialoguer::Input::<String>::new().with_prompt(prompt);
        if let Some(default) = default {
            input = input
                .default(default.to_owned())
                .show_default(false)
                .allow_empty(true);
        }
        input.interact_text().map_err(prompt_failed)
    }

    fn secret(&self, prompt: &str) -> Result<String> {
        if !self.can {
            return Err(self.refused(prompt));
        }
        dialoguer::Password::new()
            .with_prompt(prompt)
            .interact()
            .map_err(prompt_failed)
    }

    fn yes(&self, prompt: &str) -> Result<bool> {
        if !self.can {
            return Ok(false);
        }
        dialoguer::Confirm::new()
            .with_prompt(prompt)
            .default(false)
            .interact()
            .map_err(prompt_failed)
    }
}

fn prompt_failed(err: dialoguer::Error) -> Error {
    Error::Internal(format!("could not ask on the terminal: {err}"))
}
