//! Volumes beyond the list: create, remove, prune.

use std::collections::HashMap;

use bollard::models::VolumeCreateRequest;
use bollard::query_parameters::{PruneVolumesOptionsBuilder, RemoveVolumeOptionsBuilder};
use serde::Deserialize;
use specta::Type;

use crate::engine::images::{bytes, label_filter, Pruned};
use crate::engine::object_refs::{self, is_object_name};
use crate::engine::resources::Volume;
use crate::engine::Engine;
use crate::error::{Error, Result};

/// A volume to create. Labels are `key=value` pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VolumeRequest {
    /// Empty: the engine names it (an anonymous volume).
    pub name: String,
    /// Empty: `local`.
    pub driver: String,
    pub labels: Vec<(String, String)>,
}

impl VolumeRequest {
    pub fn validate(&self) -> Result<()> {
        if !self.name.is_empty() && !is_object_name(&self.name) {
            return Err(Error::InvalidInput(format!(
                "The volume name {:?} must start with a letter or digit and hold only letters, digits, _ . -.",
                self.name
            )).in_field("name"));
        }
        validate_labels(&self.labels).map_err(|err| err.in_field("labels"))
    }
}

/// Label keys must not be empty or hold `=` (they are written as `key=value`).
pub(crate) fn validate_labels(labels: &[(String, String)]) -> Result<()> {
    match labels.iter().find(|(key, _)| {
        key.trim().is_empty() || key.contains('=') || key.contains(char::is_whitespace)
    }) {
        Some((key, _)) => Err(Error::InvalidInput(format!(
            "The label key {key:?} must not be empty or hold '=' or spaces."
        ))),
        None => Ok(()),
    }
}

impl Engine {
    /// Creates a volume (checked first) and returns it.
    pub async fn volume_create(&self, request: &VolumeRequest) -> Result<Volume> {
        request.validate()?;
        let config = VolumeCreateRequest {
            name: (!request.name.is_empty()).then(|| request.name.clone()),
            driver: (!request.driver.trim().is_empty()).then(|| request.driver.trim().to_owned()),
            labels: Some(request.labels.iter().cloned().collect::<HashMap<_, _>>()),
            ..Default::default()
        };
        let volume = self
            .docker()
            .create_volume(config)
            .await
            .map_err(self.map_err())?;
        Ok(Volume::from(volume))
    }

    /// Removes a volume; a volume in use by a container is refused (`conflict`) unless `force`.
    pub async fn volume_remove(&self, name: &str, force: bool) -> Result<()> {
        object_refs::volume(name)?;
        let options = RemoveVolumeOptionsBuilder::new().force(force).build();
        self.docker()
            .remove_volume(name, Some(options))
            .await
            .map_err(self.map_err())
    }

    /// Removes the volumes no container uses; with `label` (`key` or `key=value`) only those
    /// carrying it.
    pub async fn volumes_prune(&self, label: Option<&str>) -> Result<Pruned> {
        let filters = label_filter(label)?;
        let options = PruneVolumesOptionsBuilder::new().filters(&filters).build();
        let response = self
            .docker()
            .prune_volumes(Some(options))
            .await
            .map_err(self.map_err())?;
        Ok(Pruned {
            removed: response.volumes_deleted.unwrap_or_default(),
            reclaimed_bytes: bytes(response.space_reclaimed),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_labels_are_checked() {
        let ok = VolumeRequest {
            name: "pg_data-1.2".into(),
            labels: vec![("team".into(), "db".into())],
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
        assert!(VolumeRequest::default().validate().is_ok(), "anonymous");
        for bad in ["-data", "a", "my data", "data/x"] {
            let request = VolumeRequest {
                name: bad.into(),
                ..Default::default()
            };
            let err = request.validate().expect_err(bad);
            assert!(err.to_string().contains("volume name"), "{err}");
            assert_eq!(err.field(), Some("name"));
        }
        let bad_label = VolumeRequest {
            labels: vec![("a=b".into(), "c".into())],
            ..Default::default()
        };
        let err = bad_label.validate().unwrap_err();
        assert!(err.to_string().contains("label key"));
        assert_eq!(err.field(), Some("labels"));
    }
}
