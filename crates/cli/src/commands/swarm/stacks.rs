//! `stack ls|ps|rm`: the services `docker stack deploy` labelled with one namespace.

use std::process::ExitCode;

use berth_core::swarm::services::Service;
use berth_core::swarm::stacks::{stacks_of, Stack};
use berth_core::{Error, Result};

use super::{each, flatten, manager, print_tasks, task_rows};
use crate::args::{StackArgs, StackCommand};
use crate::commands::{on_each_host, several_hosts};
use crate::output::{Cell, Column};
use crate::Context;

pub async fn stack(context: &Context, args: &StackArgs) -> Result<ExitCode> {
    match &args.command {
        StackCommand::Ls => {
            let (listed, outcome) = on_each_host(context, |host| async move {
                let services = context.berth.connect(&host).await?.services().await?;
                Ok(stacks_of(&services))
            })
            .await?;
            let columns: Vec<Column<Stack>> = vec![
                Column::new("NAME", |s| Cell::plain(s.name.clone())),
                Column::new("SERVICES", |s| Cell::plain(s.services.to_string())),
                Column::new("REPLICAS", |s| {
                    Cell::plain(format!("{}/{}", s.running, s.desired))
                }),
            ];
            context
                .printer
                .print(&flatten(listed), &columns, several_hosts(context))?;
            Ok(outcome.exit_code())
        }
        StackCommand::Ps { stack } => {
            let (host, engine) = manager(context).await?;
            let services: Vec<Service> = engine
                .services()
                .await?
                .into_iter()
                .filter(|s| s.stack.as_deref() == Some(stack.as_str()))
                .collect();
            if services.is_empty() {
                return Err(Error::NotFound(format!("there is no stack {stack:?}")));
            }
            print_tasks(
                context,
                &task_rows(context, &host, &engine, &services).await?,
            )
        }
        StackCommand::Rm { stacks } => {
            let (host, _) = manager(context).await?;
            let host = &host;
            each(stacks, |stack| async move {
                context.berth.stack_remove(host, stack).await?;
                Ok(stack.clone())
            })
            .await
        }
    }
}
