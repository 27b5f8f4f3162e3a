//! `service ls|ps|create|scale|logs|rm`; `update` and `rollback` are in `rollout`.

use std::process::ExitCode;

use berth_core::swarm::actions::ServiceAt;
use berth_core::swarm::services::{find_service, Service, ServiceMode};
use berth_core::{Error, Result};

use super::{create, each, flatten, manager, print_tasks, rollout, task_rows};
use crate::args::{ServiceArgs, ServiceCommand};
use crate::commands::containers::short_id;
use crate::commands::{logs, on_each_host, several_hosts};
use crate::output::{Cell, Column};
use crate::Context;

pub async fn service(context: &Context, args: &ServiceArgs) -> Result<ExitCode> {
    match &args.command {
        ServiceCommand::Ls => list(context).await,
        ServiceCommand::Ps { service } => {
            let (host, engine) = manager(context).await?;
            let found = find_service(&engine.services().await?, service)?;
            print_tasks(
                context,
                &task_rows(context, &host, &engine, &[found]).await?,
            )
        }
        ServiceCommand::Create(args) => {
            let request = create::request(args)?;
            let (host, _) = manager(context).await?;
            let id = context.berth.service_create(&host, &request).await?;
            crate::output::write_stdout(format!("{id}\n").as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        ServiceCommand::Update(args) => rollout::update(context, args).await,
        ServiceCommand::Rollback(args) => rollout::rollback(context, args).await,
        ServiceCommand::Scale { services } => scale(context, services).await,
        ServiceCommand::Logs(args) => {
            let options = logs::options(&args.log, None)?;
            let (host, engine) = manager(context).await?;
            let found = find_service(&engine.services().await?, &args.service)?;
            let batches = context
                .berth
                .service_logs(&host, &found.id, &options)
                .await?;
            logs::print_one(context, &host, batches).await
        }
        ServiceCommand::Rm { services } => {
            let (host, engine) = manager(context).await?;
            let (host, engine) = (&host, &engine);
            each(services, |reference| async move {
                let found = find_service(&engine.services().await?, reference)?;
                context.berth.service_remove(host, &at(&found)).await?;
                Ok(reference.to_owned())
            })
            .await
        }
    }
}

async fn list(context: &Context) -> Result<ExitCode> {
    let (listed, outcome) = on_each_host(context, |host| async move {
        context.berth.connect(&host).await?.services().await
    })
    .await?;
    let rows = flatten(listed);
    let columns: Vec<Column<Service>> = vec![
        Column::new("ID", |s| Cell::plain(short_id(&s.id))),
        Column::new("NAME", |s| Cell::plain(s.name.clone())),
        Column::new("MODE", |s| {
            Cell::plain(match s.mode {
                ServiceMode::Replicated { .. } => "replicated",
                ServiceMode::Global => "global",
                ServiceMode::Job => "job",
            })
        }),
        Column::new("REPLICAS", |s| {
            Cell::plain(format!("{}/{}", s.running, s.desired))
        }),
        Column::new("IMAGE", |s| Cell::plain(s.image.clone())),
        Column::new("PORTS", |s| Cell::plain(s.ports.join(", "))),
        Column::wide("STACK", |s| {
            Cell::plain(s.stack.clone().unwrap_or_default())
        }),
        Column::wide("UPDATE", |s| {
            Cell::plain(
                s.update
                    .as_ref()
                    .map(|u| u.state.clone())
                    .unwrap_or_default(),
            )
        }),
    ];
    context
        .printer
        .print(&rows, &columns, several_hosts(context))?;
    Ok(outcome.exit_code())
}

/// `SERVICE=REPLICAS ...`, every pair checked before any service is scaled.
async fn scale(context: &Context, pairs: &[String]) -> Result<ExitCode> {
    let mut wanted = Vec::new();
    for pair in pairs {
        let (name, replicas) = pair
            .split_once('=')
            .and_then(|(name, n)| Some((name.to_owned(), n.parse::<u64>().ok()?)))
            .ok_or_else(|| Error::InvalidInput(format!("{pair:?} is not SERVICE=REPLICAS")))?;
        wanted.push((name, replicas));
    }
    let (host, engine) = manager(context).await?;
    let (host, engine) = (&host, &engine);
    each(&wanted, |(reference, replicas)| async move {
        let found = find_service(&engine.services().await?, reference)?;
        context
            .berth
            .service_scale(host, &at(&found), *replicas)
            .await?;
        Ok(format!("{reference} scaled to {replicas}"))
    })
    .await
}

/// The service as it was just listed: what Berth's actions change it at.
pub(super) fn at(service: &Service) -> ServiceAt {
    ServiceAt {
        id: service.id.clone(),
        name: service.name.clone(),
        version: service.version,
    }
}
