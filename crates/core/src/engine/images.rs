//! Images beyond the list: pulling (the engine's per-layer progress passed on in batches),
//! removing, tagging, history, details and pruning.

use bollard::query_parameters::{
    CreateImageOptionsBuilder, PruneImagesOptionsBuilder, RemoveImageOptionsBuilder,
    TagImageOptionsBuilder,
};
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use serde::Serialize;
use specta::Type;

use crate::engine::image_ref::ImageRef;
use crate::engine::object_refs;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::streams::batch::{batched, UI_BATCH};

/// One progress report of a pull, as the engine words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PullProgress {
    /// The layer it is about; `None` for the image as a whole ("Pulling from …", "Digest: …").
    pub layer: Option<String>,
    /// "Waiting", "Downloading", "Extracting", "Pull complete", "Already exists", …
    pub status: String,
    /// Bytes done and in all of the layer's current phase (download, then extraction).
    pub current: Option<u64>,
    pub total: Option<u64>,
}

impl Engine {
    /// Pulls `reference` (checked first: a malformed one never reaches the engine), reporting
    /// progress in batches. The stream ends when the image is in; dropping it cancels the pull.
    pub fn pull(&self, reference: &str) -> Result<BoxStream<'static, Result<Vec<PullProgress>>>> {
        let image = ImageRef::parse(reference)?;
        let options = CreateImageOptionsBuilder::new()
            .from_image(&image.name)
            .tag(image.tag_or_digest())
            .build();
        let shown = image.to_string();
        let endpoint = self.endpoint().to_owned();
        let reports = self
            .docker()
            .create_image(Some(options), None, None)
            .map(move |report| match report {
                Ok(info) => Ok(PullProgress {
                    layer: info.id.filter(|_| info.progress_detail.is_some()),
                    status: info.status.unwrap_or_default(),
                    current: info
                        .progress_detail
                        .as_ref()
                        .and_then(|d| d.current)
                        .and_then(|n| u64::try_from(n).ok()),
                    total: info
                        .progress_detail
                        .as_ref()
                        .and_then(|d| d.total)
                        .and_then(|n| u64::try_from(n).ok()),
                }),
                Err(err) => Err(pull_error(&shown, &endpoint, err)),
            })
            .boxed();
        Ok(batched(reports, UI_BATCH, |report| {
            report.as_ref().map_or(0, |p| p.status.len() + 48)
        })
        .map(|reports| reports.into_iter().collect::<Result<Vec<_>>>())
        .boxed())
    }
}

/// The engine reports a failed pull either as an HTTP error or, once streaming, as an error
/// message in the stream; both name the image. A missing one is `not_found`.
fn pull_error(image: &str, endpoint: &str, err: bollard::errors::Error) -> Error {
    let message = match err {
        bollard::errors::Error::DockerStreamError { error } => error,
        bollard::errors::Error::DockerResponseServerError { message, .. } => message,
        other => return Error::from_engine(endpoint, other),
    };
    let missing = [
        "not found",
        "manifest unknown",
        "does not exist",
        "repository name not known",
    ]
    .iter()
    .any(|sign| message.contains(sign));
    if missing {
        Error::NotFound(format!("there is no image {image}: {message}"))
    } else {
        Error::Engine {
            status: 500,
            message: format!("pulling {image} failed: {message}"),
        }
    }
}

/// One step of an image's build history, newest first as the engine lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImageLayer {
    /// The image id of the step, or `<missing>` for steps built elsewhere.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// The instruction that made it (`/bin/sh -c #(nop) CMD ["sh"]`, `RUN …`).
    pub created_by: String,
    pub size_bytes: i64,
    pub tags: Vec<String>,
}

/// What an image is made to run, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImageDetails {
    pub id: String,
    pub tags: Vec<String>,
    /// `repository@sha256:…` for images that came from a registry.
    pub digests: Vec<String>,
    pub created: Option<String>,
    pub architecture: String,
    pub os: String,
    pub size_bytes: i64,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub working_dir: String,
    pub user: String,
    pub exposed_ports: Vec<String>,
    pub labels: std::collections::BTreeMap<String, String>,
    pub layers: usize,
}

/// What a prune removed and the space it gave back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Pruned {
    /// Names or ids of what went.
    pub removed: Vec<String>,
    pub reclaimed_bytes: u64,
}

impl Engine {
    /// Removes an image (by id or reference). `force` removes it even when it has several
    /// tags or a stopped container uses it; a running container's image is never removed.
    pub async fn image_remove(&self, image: &str, force: bool) -> Result<()> {
        object_refs::image(image)?;
        let options = RemoveImageOptionsBuilder::new().force(force).build();
        self.docker()
            .remove_image(image, Some(options), None)
            .await
            .map_err(self.map_err())?;
        Ok(())
    }

    /// Gives `image` (an id or reference) one more name, `reference` (checked first).
    pub async fn image_tag(&self, image: &str, reference: &str) -> Result<()> {
        object_refs::image(image)?;
        let target = ImageRef::parse(reference)?;
        if target.digest.is_some() {
            return Err(Error::InvalidInput(
                "A tag cannot hold a digest: write repository:tag.".to_owned(),
            ));
        }
        let options = TagImageOptionsBuilder::new()
            .repo(&target.name)
            .tag(target.tag.as_deref().unwrap_or("latest"))
            .build();
        self.docker()
            .tag_image(image, Some(options))
            .await
            .map_err(self.map_err())
    }

    pub async fn image_history(&self, image: &str) -> Result<Vec<ImageLayer>> {
        object_refs::image(image)?;
        let history = self
            .docker()
            .image_history(image)
            .await
            .map_err(self.map_err())?;
        Ok(history
            .into_iter()
            .map(|step| ImageLayer {
                id: step.id,
                created: step.created,
                created_by: step.created_by,
                size_bytes: step.size,
                tags: step.tags,
            })
            .collect())
    }

    pub async fn image_inspect(&self, image: &str) -> Result<ImageDetails> {
        object_refs::image(image)?;
        let info = self
            .docker()
            .inspect_image(image)
            .await
            .map_err(self.map_err())?;
        let config = info.config.unwrap_or_default();
        Ok(ImageDetails {
            id: info.id.unwrap_or_default(),
            tags: info.repo_tags.unwrap_or_default(),
            digests: info.repo_digests.unwrap_or_default(),
            created: info.created.map(|date| date.to_string()),
            architecture: info.architecture.unwrap_or_default(),
            os: info.os.unwrap_or_default(),
            size_bytes: info.size.unwrap_or_default(),
            entrypoint: config.entrypoint.unwrap_or_default(),
            cmd: config.cmd.unwrap_or_default(),
            env: config.env.unwrap_or_default(),
            working_dir: config.working_dir.unwrap_or_default(),
            user: config.user.unwrap_or_default(),
            exposed_ports: config.exposed_ports.unwrap_or_default(),
            labels: config.labels.unwrap_or_default().into_iter().collect(),
            layers: info.root_fs.and_then(|fs| fs.layers).map_or(0, |l| l.len()),
        })
    }

    /// Removes images no container uses: only untagged (dangling) ones, or with `unused`
    /// every unused one; with `label` only those carrying it.
    pub async fn images_prune(&self, unused: bool, label: Option<&str>) -> Result<Pruned> {
        let dangling = if unused { "false" } else { "true" };
        let mut filters = label_filter(label)?;
        filters.insert("dangling", vec![dangling]);
        let options = PruneImagesOptionsBuilder::new().filters(&filters).build();
        let response = self
            .docker()
            .prune_images(Some(options))
            .await
            .map_err(self.map_err())?;
        Ok(Pruned {
            removed: response
                .images_deleted
                .unwrap_or_default()
                .into_iter()
                .filter_map(|item| item.untagged.or(item.deleted))
                .collect(),
            reclaimed_bytes: bytes(response.space_reclaimed),
        })
    }
}

/// A size the engine reports as a signed number (negative when it does not know), in bytes.
pub(crate) fn bytes(n: Option<i64>) -> u64 {
    n.map_or(0, |n| u64::try_from(n).unwrap_or(0))
}

/// The prune filter that keeps a prune to objects carrying `label` (`key` or `key=value`).
pub(crate) fn label_filter(
    label: Option<&str>,
) -> Result<std::collections::HashMap<&str, Vec<&str>>> {
    if let Some(label) = label {
        let key = label.split_once('=').map_or(label, |(key, _)| key);
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(Error::InvalidInput(format!(
                "{label:?} is not a label filter: write key or key=value."
            ))
            .in_field("label"));
        }
    }
    Ok(label.map(|l| ("label", vec![l])).into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prune_label_filter_is_key_or_key_value() {
        assert!(label_filter(None).unwrap().is_empty());
        assert_eq!(
            label_filter(Some("team=web")).unwrap()["label"],
            ["team=web"]
        );
        assert!(label_filter(Some("berth.test")).is_ok());
        for bad in ["", "=web", "my team=web"] {
            let err = label_filter(Some(bad)).unwrap_err();
            assert_eq!(err.field(), Some("label"), "{bad:?}");
        }
    }
}
