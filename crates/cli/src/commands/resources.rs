//! `images ls`, `volumes ls`, `networks ls`.

use std::process::ExitCode;

use berth_core::{Image, Network, Result, Volume};

use crate::commands::containers::short_id;
use crate::commands::{ago, bytes, on_each_host, several_hosts};
use crate::output::{Cell, Column};
use crate::Context;

/// An image under one of its names, as `docker images` lists them: a row per repository and
/// tag (`<none>` for an image without one).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Tagged {
    repository: String,
    tag: String,
    #[serde(flatten)]
    image: Image,
}

pub async fn images(context: &Context) -> Result<ExitCode> {
    let columns: Vec<Column<Tagged>> = vec![
        Column::new("REPOSITORY", |t| Cell::plain(t.repository.clone())),
        Column::new("TAG", |t| Cell::plain(t.tag.clone())),
        Column::new("IMAGE ID", |t| Cell::plain(short_id(&t.image.id))),
        Column::new("CREATED", |t| Cell::plain(ago(t.image.created))),
        Column::new("SIZE", |t| Cell::plain(bytes(t.image.size_bytes as f64))),
    ];
    list(context, columns, |host| async move {
        let images = context.berth.connect(&host).await?.images().await?;
        Ok(images.into_iter().flat_map(tagged).collect())
    })
    .await
}

/// One row per name of `image`; the registry's port stays in the repository.
fn tagged(image: Image) -> Vec<Tagged> {
    if image.tags.is_empty() {
        let none = "<none>".to_owned();
        return vec![Tagged {
            repository: none.clone(),
            tag: none,
            image,
        }];
    }
    image
        .tags
        .iter()
        .map(|reference| {
            let (repository, tag) = match reference.rsplit_once(':') {
                Some((repository, tag)) if !tag.contains('/') => (repository, tag),
                _ => (reference.as_str(), "<none>"),
            };
            Tagged {
                repository: repository.to_owned(),
                tag: tag.to_owned(),
                image: image.clone(),
            }
        })
        .collect()
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
