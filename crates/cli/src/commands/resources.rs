//! `images ls`, `volumes ls`, `networks ls`.

use std::process::ExitCode;

use berth_core::{Image, Network, Result, Volume};

use crate::commands::containers::short_id;
use crate::commands::{ago, bytes, on_each_host, several_hosts};
use crate::output::{Cell, Column};
use crate::Context;

pub async fn images(context: &Context) -> Result<ExitCode> {
    let columns: Vec<Column<Image>> = vec![
        Column::new("REPOSITORY:TAG", |i| {
            Cell::plain(if i.tags.is_empty() {
                "<none>".to_owned()
            } else {
                i.tags.join(", ")
            })
        }),
        Column::new("IMAGE ID", |i| Cell::plain(short_id(&i.id))),
        Column::new("CREATED", |i| Cell::plain(ago(i.created))),
        Column::new("SIZE", |i| Cell::plain(bytes(i.size_bytes as f64))),
    ];
    list(context, columns, |host| async move {
        context.berth.connect(&host).await?.images().await
    })
    .await
}

pub async fn volumes(context: &Context) -> Result<ExitCode> {
    let columns: Vec<Column<Volume>> = vec![
        Column::new("DRIVER", |v| Cell::plain(v.driver.clone())),
        Column::new("VOLUME NAME", |v| Cell::plain(v.name.clone())),
        Column::wide("MOUNTPOINT", |v| Cell::plain(v.mountpoint.clone())),
        Column::wide("CREATED", |v| {
            Cell::plain(v.created_at.clone().unwrap_or_default())
        }),
    ];
    list(context, columns, |host| async move {
        context.berth.connect(&host).await?.volumes().await
    })
    .await
}

pub async fn networks(context: &Context) -> Result<ExitCode> {
    let columns: Vec<Column<Network>> = vec![
        Column::new("NETWORK ID", |n| Cell::plain(short_id(&n.id))),
        Column::new("NAME", |n| Cell::plain(n.name.clone())),
        Column::new("DRIVER", |n| Cell::plain(n.driver.clone())),
        Column::new("SCOPE", |n| Cell::plain(n.scope.clone())),
        Column::wide("SUBNETS", |n| Cell::plain(n.subnets.join(", "))),
        Column::wide("INTERNAL", |n| {
            Cell::plain(if n.internal { "yes" } else { "" })
        }),
    ];
    list(context, columns, |host| async move {
        context.berth.connect(&host).await?.networks().await
    })
    .await
}

/// Lists what `fetch` gets from each chosen host, with `columns`.
async fn list<T, F, Fut>(context: &Context, columns: Vec<Column<T>>, fetch: F) -> Result<ExitCode>
where
    T: serde::Serialize,
    F: Fn(berth_core::HostId) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>>>,
{
    let (listed, outcome) = on_each_host(context, fetch).await?;
    let rows: Vec<_> = listed
        .into_iter()
        .flat_map(|(host, name, items)| {
            items
                .into_iter()
                .map(move |item| (host.clone(), name.clone(), item))
        })
        .collect();
    context
        .printer
        .print(&rows, &columns, several_hosts(context))?;
    Ok(outcome.exit_code())
}
