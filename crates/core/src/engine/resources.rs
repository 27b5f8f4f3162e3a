//! Images, volumes and networks of one engine, as lists.
//!
//! Which containers use each of them is not asked of the engine: the UI derives it from the
//! live container table (`Container::image_id`, `volumes`, `networks`), so it stays current.

use std::collections::BTreeMap;

use bollard::models::{ImageSummary, Network as EngineNetwork, Volume as EngineVolume};
use bollard::query_parameters::{ListImagesOptions, ListNetworksOptions, ListVolumesOptions};
use serde::Serialize;
use specta::Type;

use crate::engine::Engine;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    pub id: String,
    /// `repository:tag` references; empty for a dangling image.
    pub tags: Vec<String>,
    pub size_bytes: i64,
    /// Unix seconds.
    pub created: i64,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: String,
    pub driver: String,
    pub mountpoint: String,
    /// RFC 3339, when the engine reports it.
    pub created_at: Option<String>,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    pub id: String,
    pub name: String,
    pub driver: String,
    pub scope: String,
    pub subnets: Vec<String>,
    pub internal: bool,
}

impl From<ImageSummary> for Image {
    fn from(image: ImageSummary) -> Self {
        Image {
            id: image.id,
            tags: image
                .repo_tags
                .into_iter()
                .filter(|tag| tag != "<none>:<none>")
                .collect(),
            size_bytes: image.size,
            created: image.created,
            labels: image.labels.into_iter().collect(),
        }
    }
}

impl From<EngineVolume> for Volume {
    fn from(volume: EngineVolume) -> Self {
        Volume {
            name: volume.name,
            driver: volume.driver,
            mountpoint: volume.mountpoint,
            created_at: volume.created_at,
            labels: volume.labels.into_iter().collect(),
        }
    }
}

impl From<EngineNetwork> for Network {
    fn from(network: EngineNetwork) -> Self {
        let subnets = network
            .ipam
            .and_then(|ipam| ipam.config)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|config| config.subnet)
            .collect();
        Network {
            id: network.id.unwrap_or_default(),
            name: network.name.unwrap_or_default(),
            driver: network.driver.unwrap_or_default(),
            scope: network.scope.unwrap_or_default(),
            subnets,
            internal: network.internal.unwrap_or(false),
        }
    }
}

impl Engine {
    /// Top-level images (not intermediate layers), newest first.
    pub async fn images(&self) -> Result<Vec<Image>> {
        let images = self
            .docker()
            .list_images(None::<ListImagesOptions>)
            .await
            .map_err(self.map_err())?;
        let mut images: Vec<Image> = images.into_iter().map(Image::from).collect();
        images.sort_by_key(|image| std::cmp::Reverse(image.created));
        Ok(images)
    }

    pub async fn volumes(&self) -> Result<Vec<Volume>> {
        let response = self
            .docker()
            .list_volumes(None::<ListVolumesOptions>)
            .await
            .map_err(self.map_err())?;
        let mut volumes: Vec<Volume> = response
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(Volume::from)
            .collect();
        volumes.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(volumes)
    }

    pub async fn networks(&self) -> Result<Vec<Network>> {
        let networks = self
            .docker()
            .list_networks(None::<ListNetworksOptions>)
            .await
            .map_err(self.map_err())?;
        let mut networks: Vec<Network> = networks.into_iter().map(Network::from).collect();
        networks.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(networks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dangling_image_has_no_tags() {
        let image = Image::from(ImageSummary {
            id: "sha256:1".into(),
            repo_tags: vec!["<none>:<none>".into()],
            ..Default::default()
        });
        assert!(image.tags.is_empty());
    }
}
