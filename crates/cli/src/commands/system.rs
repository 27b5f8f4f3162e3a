//! `prune`, `system df` and `system info`.

use std::process::ExitCode;

use berth_core::engine::system::PrunePreview;
use berth_core::{DiskUsage, EngineInfo, Error, Result, Usage};

use crate::args::{PruneArgs, SystemArgs, SystemCommand};
use crate::commands::{bytes, host_name, on_each_host, several_hosts};
use crate::output::{Cell, Column};
use crate::Context;

pub async fn system(context: &Context, args: &SystemArgs) -> Result<ExitCode> {
    match args.command {
        SystemCommand::Df => df(context).await,
        SystemCommand::Info => info(context).await,
    }
}

/// One kind of object in `system df`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct KindUsage {
    kind: &'static str,
    #[serde(flatten)]
    usage: Usage,
}

async fn df(context: &Context) -> Result<ExitCode> {
    let (listed, outcome) = on_each_host(context, |host| async move {
        context.berth.connect(&host).await?.disk_usage().await
    })
    .await?;
    let rows: Vec<_> = listed
        .into_iter()
        .flat_map(|(host, name, usage): (_, _, DiskUsage)| {
            [
                ("Images", usage.images),
                ("Containers", usage.containers),
                ("Local Volumes", usage.volumes),
            ]
            .map(|(kind, usage)| (host.clone(), name.clone(), KindUsage { kind, usage }))
        })
        .collect();
    let columns: Vec<Column<KindUsage>> = vec![
        Column::new("TYPE", |k| Cell::plain(k.kind)),
        Column::new("TOTAL", |k| Cell::plain(k.usage.count.to_string())),
        Column::new("ACTIVE", |k| Cell::plain(k.usage.active.to_string())),
        Column::new("SIZE", |k| Cell::plain(bytes(k.usage.size_bytes as f64))),
        Column::new("RECLAIMABLE", |k| {
            Cell::plain(bytes(k.usage.reclaimable_bytes as f64))
        }),
    ];
    context
        .printer
        .print(&rows, &columns, several_hosts(context))?;
    Ok(outcome.exit_code())
}

async fn info(context: &Context) -> Result<ExitCode> {
    let (listed, outcome) = on_each_host(context, |host| async move {
        context.berth.connect(&host).await?.info().await
    })
    .await?;
    let columns: Vec<Column<EngineInfo>> = vec![
        Column::new("NAME", |i| Cell::plain(i.name.clone())),
        Column::new("VERSION", |i| Cell::plain(i.version.clone())),
        Column::wide("API", |i| Cell::plain(i.api_version.clone())),
        Column::new("OS", |i| Cell::plain(format!("{} {}", i.os, i.arch))),
        Column::wide("KERNEL", |i| Cell::plain(i.kernel_version.clone())),
        Column::new("CPUS", |i| Cell::plain(i.cpus.to_string())),
        Column::new("MEMORY", |i| Cell::plain(bytes(i.memory_bytes as f64))),
        Column::new("CONTAINERS", |i| {
            Cell::plain(format!(
                "{} ({} running)",
                i.containers, i.containers_running
            ))
        }),
        Column::new("IMAGES", |i| Cell::plain(i.images.to_string())),
        Column::wide("STORAGE", |i| Cell::plain(i.storage_driver.clone())),
        Column::wide("LOGGING", |i| Cell::plain(i.logging_driver.clone())),
        Column::wide("CGROUP", |i| Cell::plain(i.cgroup_driver.clone())),
        Column::wide("ROOT DIR", |i| Cell::plain(i.root_dir.clone())),
    ];
    context
        .printer
        .print(&listed, &columns, several_hosts(context))?;
    Ok(outcome.exit_code())
}

/// Shows what would go on each host, asks once, then prunes each host (logged as the
/// window's prune is).
pub async fn prune(context: &Context, args: &PruneArgs) -> Result<ExitCode> {
    if !args.force && !crate::commands::can_ask() {
        return Err(Error::InvalidInput(
            "prune asks before removing anything, and there is no terminal to ask on: add --force"
                .to_owned(),
        )
        .in_field("force"));
    }
    let (previews, mut outcome) = on_each_host(context, |host| async move {
        context
            .berth
            .connect(&host)
            .await?
            .system_prune_preview(args.volumes)
            .await
    })
    .await?;
    let previews: Vec<_> = previews
        .into_iter()
        .filter(|(_, _, preview)| !preview.is_empty())
        .collect();
    if previews.is_empty() {
        eprintln!("Nothing to prune.");
        return Ok(outcome.exit_code());
    }
    for (_, name, preview) in &previews {
        eprintln!("{}", describe(name, preview));
    }
    if !args.force {
        let go = dialoguer::Confirm::new()
            .with_prompt("Remove all of the above?")
            .default(false)
            .interact()
            .map_err(|e| Error::Internal(format!("could not ask: {e}")))?;
        if !go {
            eprintln!("Nothing was removed.");
            return Ok(ExitCode::from(crate::exit::FAILED));
        }
    }
    let pruned = futures_util::future::join_all(
        previews
            .iter()
            .map(|(host, _, _)| context.berth.system_prune(host, args.volumes)),
    )
    .await;
    let mut printed = String::new();
    for ((host, _, _), result) in previews.iter().zip(pruned) {
        let name = host_name(context, host);
        match result {
            Ok(pruned) => {
                let reclaimed = pruned.containers.reclaimed_bytes
                    + pruned.images.reclaimed_bytes
                    + pruned.volumes.reclaimed_bytes;
                printed.push_str(&format!("{name}: reclaimed {}\n", bytes(reclaimed as f64)));
            }
            Err(err) => outcome.failed_on(&name, &err),
        }
    }
    crate::output::write_stdout(printed.as_bytes())?;
    Ok(outcome.exit_code())
}

fn describe(host: &str, preview: &PrunePreview) -> String {
    let mut text = format!("On {host}, this removes:");
    for (what, names) in [
        ("stopped containers", &preview.containers),
        ("unused networks", &preview.networks),
        ("dangling images", &preview.images),
        ("unused anonymous volumes", &preview.volumes),
    ] {
        if names.is_empty() {
            continue;
        }
        text.push_str(&format!("\n  {} {what}:", names.len()));
        for name in names {
            let shown = match name.starts_with("sha256:") {
                true => crate::commands::containers::short_id(name),
                false => crate::output::printable(name),
            };
            text.push_str(&format!("\n    {shown}"));
        }
    }
    text
}
