//! The engine as a whole: what its objects take on disk, and pruning all of them at once.
//!
//! Disk usage is added up from the lists, and volume sizes are read from `/system/df` on a
//! connection of Berth's own: that endpoint's shape changed in API 1.52 and the client library
//! reads only the new one, so older engines (Docker 28 and before) would report nothing.

use std::collections::HashMap;

use bollard::query_parameters::{ListContainersOptionsBuilder, PruneContainersOptionsBuilder};
use serde::Serialize;
use specta::Type;

use crate::engine::images::{bytes, label_filter, Pruned};
use crate::engine::Engine;
use crate::error::Result;

/// One kind of object on disk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub count: u32,
    /// In use: running containers, images a container was made from, volumes mounted.
    pub active: u32,
    pub size_bytes: u64,
    /// What a prune would give back.
    pub reclaimable_bytes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DiskUsage {
    pub images: Usage,
    /// Sizes are the containers' writable layers.
    pub containers: Usage,
    pub volumes: Usage,
}

/// What a system prune removed, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SystemPruned {
    pub containers: Pruned,
    pub networks: Pruned,
    pub images: Pruned,
    pub volumes: Pruned,
}

/// What a system prune would remove now, by name, to show before asking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PrunePreview {
    /// Containers that are not running, paused or restarting.
    pub containers: Vec<String>,
    /// Networks of the user's no container is attached to (never the built-in ones).
    pub networks: Vec<String>,
    /// Images with no tag (dangling), by id.
    pub images: Vec<String>,
    /// Anonymous volumes no container mounts (what the engine prunes since Docker 23).
    pub volumes: Vec<String>,
}

impl PrunePreview {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty()
            && self.networks.is_empty()
            && self.images.is_empty()
            && self.volumes.is_empty()
    }
}

/// The label the engine gives the volumes it makes for a container's anonymous mounts.
const ANONYMOUS_VOLUME_LABEL: &str = "com.docker.volume.anonymous";

impl Engine {
    /// What [`Engine::system_prune`] would remove now (with `volumes`, volumes too). The
    /// engine decides at the time of the prune; this is what the user confirms.
    pub async fn system_prune_preview(&self, volumes: bool) -> Result<PrunePreview> {
        use crate::engine::containers::ContainerState;
        use crate::engine::networks::BUILT_IN_NETWORKS;
        let containers = self.containers().await?;
        let stays = |c: &&crate::engine::containers::Container| {
            matches!(
                c.state,
                ContainerState::Running | ContainerState::Paused | ContainerState::Restarting
            )
        };
        let kept: Vec<_> = containers.iter().filter(stays).collect();
        let networks = self
            .networks()
            .await?
            .into_iter()
            .map(|network| network.name)
            .filter(|name| {
                !BUILT_IN_NETWORKS.contains(&name.as_str())
                    && !kept.iter().any(|c| c.networks.contains(name))
            })
            .collect();
        let images = self
            .images()
            .await?
            .into_iter()
            .filter(|image| image.tags.is_empty() && !kept.iter().any(|c| c.image_id == image.id))
            .map(|image| image.id)
            .collect();
        let volumes = match volumes {
            false => Vec::new(),
            true => self
                .volumes()
                .await?
                .into_iter()
                .filter(|volume| {
                    volume.labels.contains_key(ANONYMOUS_VOLUME_LABEL)
                        && !kept.iter().any(|c| c.volumes.contains(&volume.name))
                })
                .map(|volume| volume.name)
                .collect(),
        };
        Ok(PrunePreview {
            containers: containers
                .iter()
                .filter(|c| !stays(c))
                .map(|c| c.name.clone())
                .collect(),
            networks,
            images,
            volumes,
        })
    }

    pub async fn disk_usage(&self) -> Result<DiskUsage> {
        let options = ListContainersOptionsBuilder::new()
            .all(true)
            .size(true)
            .build();
        let (containers, images, volumes, volume_sizes) = tokio::try_join!(
            async {
                self.docker()
                    .list_containers(Some(options))
                    .await
                    .map_err(self.map_err())
            },
            self.images(),
            self.volumes(),
            self.volume_sizes(),
        )?;
        let running = |state: &Option<bollard::models::ContainerSummaryStateEnum>| {
            matches!(
                state,
                Some(bollard::models::ContainerSummaryStateEnum::RUNNING)
            )
        };
        let used_images: std::collections::HashSet<&str> = containers
            .iter()
            .filter_map(|c| c.image_id.as_deref())
            .collect();
        let mounted: std::collections::HashSet<&str> = containers
            .iter()
            .flat_map(|c| c.mounts.iter().flatten())
            .filter_map(|m| m.name.as_deref())
            .collect();
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(DiskUsage {
            containers: Usage {
                count: count(containers.len()),
                active: count(containers.iter().filter(|c| running(&c.state)).count()),
                size_bytes: total(containers.iter().map(|c| bytes(c.size_rw))),
                reclaimable_bytes: total(
                    containers
                        .iter()
                        .filter(|c| !running(&c.state))
                        .map(|c| bytes(c.size_rw)),
                ),
            },
            images: Usage {
                count: count(images.len()),
                active: count(
                    images
                        .iter()
                        .filter(|i| used_images.contains(i.id.as_str()))
                        .count(),
                ),
                size_bytes: total(images.iter().map(|i| bytes(Some(i.size_bytes)))),
                reclaimable_bytes: total(
                    images
                        .iter()
                        .filter(|i| !used_images.contains(i.id.as_str()))
                        .map(|i| bytes(Some(i.size_bytes))),
                ),
            },
            volumes: Usage {
                count: count(volumes.len()),
                active: count(
                    volumes
                        .iter()
                        .filter(|v| mounted.contains(v.name.as_str()))
                        .count(),
                ),
                size_bytes: total(volume_sizes.values().copied()),
                reclaimable_bytes: total(
                    volume_sizes
                        .iter()
                        .filter(|(name, _)| !mounted.contains(name.as_str()))
                        .map(|(_, size)| *size),
                ),
            },
        })
    }

    /// The size of each volume whose size the engine knows (local volumes), by name.
    /// Computing them walks every volume's files on the engine's host: ask only on demand.
    pub async fn volume_sizes(&self) -> Result<HashMap<String, u64>> {
        let df = self.get_json("/system/df").await?;
        // API 1.52 and later put the volumes under VolumeUsage.Items; earlier ones under Volumes.
        let volumes = df["VolumeUsage"]["Items"]
            .as_array()
            .or_else(|| df["Volumes"].as_array())
            .cloned()
            .unwrap_or_default();
        Ok(volumes
            .iter()
            .filter_map(|volume| {
                let name = volume["Name"].as_str()?;
                // -1: the engine does not know (a driver that does not say).
                let size = u64::try_from(volume["UsageData"]["Size"].as_i64()?).ok()?;
                Some((name.to_owned(), size))
            })
            .collect())
    }

    /// Removes stopped containers, unused networks and dangling images — with `volumes`, also
    /// the volumes no container uses — in the order that frees each for the next; with `label`
    /// only objects carrying it.
    pub async fn system_prune(&self, volumes: bool, label: Option<&str>) -> Result<SystemPruned> {
        let containers = self.containers_prune(label).await?;
        let networks = self.networks_prune(label).await?;
        let images = self.images_prune(false, label).await?;
        let volumes = if volumes {
            self.volumes_prune(label).await?
        } else {
            Pruned::default()
        };
        Ok(SystemPruned {
            containers,
            networks,
            images,
            volumes,
        })
    }

    /// Removes every stopped container; with `label` only those carrying it.
    pub async fn containers_prune(&self, label: Option<&str>) -> Result<Pruned> {
        let options = PruneContainersOptionsBuilder::new()
            .filters(&label_filter(label)?)
            .build();
        let response = self
            .docker()
            .prune_containers(Some(options))
            .await
            .map_err(self.map_err())?;
        Ok(Pruned {
            removed: response.containers_deleted.unwrap_or_default(),
            reclaimed_bytes: bytes(response.space_reclaimed),
        })
    }
}
/// A sum of sizes an engine reports: a hostile or broken engine's huge numbers stop at the
/// largest one instead of overflowing.
fn total(sizes: impl Iterator<Item = u64>) -> u64 {
    sizes.fold(0, u64::saturating_add)
}
