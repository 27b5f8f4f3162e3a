//! Pulling images, with the engine's per-layer progress passed on in batches.

use bollard::query_parameters::CreateImageOptionsBuilder;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use serde::Serialize;
use specta::Type;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::image_ref::ImageRef;
use crate::stream::{batched, UI_BATCH};

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
