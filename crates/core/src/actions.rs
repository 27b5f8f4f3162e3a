//! What the user does to a host's objects, each run on its engine and written to the activity
//! log under its [`Action`] and the name of what it was done to: one place, so that every
//! front end logs the same action the same way.

use std::future::Future;
use std::path::{Path, PathBuf};

use futures_util::stream::BoxStream;

use crate::engine::container_spec::ContainerRequest;
use crate::engine::containers::{ContainerAction, RemoveOptions};
use crate::engine::images::{Pruned, PullProgress};
use crate::engine::networks::NetworkRequest;
use crate::engine::resources::Volume;
use crate::engine::system::SystemPruned;
use crate::engine::volumes::VolumeRequest;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::files;
use crate::history::activity::{self, Action, Activity, ActivityLog, ActivityQuery};
use crate::hosts::HostId;
use crate::Berth;

impl Berth {
    /// Runs `work` on `host`'s engine as `action` on `target`, and logs how it ended.
    pub(crate) async fn act<T, Fut>(
        &self,
        host: &HostId,
        action: Action,
        target: &str,
        work: impl FnOnce(Engine) -> Fut,
    ) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        let work = async { work(self.connect(host).await?).await };
        activity::logged(&self.activity_log(), host, action, target, work).await
    }

    /// The name of container `id` on `host`, for the log (its id when it is not known).
    fn container_name(&self, host: &HostId, id: &str) -> Result<String> {
        match &self.on_demand {
            Some(on_demand) => Ok(on_demand.container_name(host, id)),
            None => Ok(self.watcher(host)?.container_name(id)),
        }
    }

    pub async fn container_action(
        &self,
        host: &HostId,
        id: &str,
        action: ContainerAction,
    ) -> Result<()> {
        let name = self.container_name(host, id)?;
        self.act(
            host,
            Action::Container(action),
            &name,
            |engine| async move { engine.container_action(id, action).await },
        )
        .await
    }

    pub async fn container_remove(
        &self,
        host: &HostId,
        id: &str,
        options: RemoveOptions,
    ) -> Result<()> {
        let name = self.container_name(host, id)?;
        self.act(host, Action::RemoveContainer, &name, |engine| async move {
            engine.container_remove(id, options).await
        })
        .await
    }

    /// Creates a container (every field checked first, the refused one named) and starts it
    /// when `start`. Returns its id.
    pub async fn container_create(
        &self,
        host: &HostId,
        request: &ContainerRequest,
        start: bool,
    ) -> Result<String> {
        let action = if start {
            Action::RunContainer
        } else {
            Action::CreateContainer
        };
        let target = if request.name.trim().is_empty() {
            &request.image
        } else {
            &request.name
        };
        self.act(host, action, target, |engine| async move {
            engine.container_create(request, start).await
        })
        .await
    }

    pub async fn container_rename(&self, host: &HostId, id: &str, name: &str) -> Result<()> {
        let target = format!("{} → {name}", self.container_name(host, id)?);
        self.act(
            host,
            Action::RenameContainer,
            &target,
            |engine| async move { engine.container_rename(id, name).await },
        )
        .await
    }

    /// Makes the container again with the same settings, on the newest image when `pull`.
    /// Returns the new id.
    pub async fn container_recreate(&self, host: &HostId, id: &str, pull: bool) -> Result<String> {
        let name = self.container_name(host, id)?;
        let action = if pull {
            Action::PullAndRecreateContainer
        } else {
            Action::RecreateContainer
        };
        self.act(host, action, &name, |engine| async move {
            engine.container_recreate(id, pull).await
        })
        .await
    }

    /// Removes every stopped container.
    pub async fn containers_prune(&self, host: &HostId) -> Result<Pruned> {
        self.act(host, Action::PruneContainers, "", |engine| async move {
            engine.containers_prune(None).await
        })
        .await
    }

    /// Starts, stops, restarts… every container of a compose project.
    pub async fn project_action(
        &self,
        host: &HostId,
        project: &str,
        action: ContainerAction,
    ) -> Result<()> {
        self.act(
            host,
            Action::Project(action),
            project,
            |engine| async move { engine.project_action(project, action).await },
        )
        .await
    }

    /// Removes every container of a compose project, with their anonymous volumes when
    /// `volumes`.
    pub async fn project_remove(&self, host: &HostId, project: &str, volumes: bool) -> Result<()> {
        self.act(host, Action::RemoveProject, project, |engine| async move {
            engine.project_remove(project, volumes).await
        })
        .await
    }

    /// Starts pulling `reference` on `host` (a malformed reference is refused here, before
    /// the engine is asked); see [`Pull`].
    pub async fn image_pull(&self, host: &HostId, reference: &str) -> Result<Pull> {
        Ok(Pull {
            progress: self.connect(host).await?.pull(reference)?,
            log: self.activity_log(),
            host: host.clone(),
            reference: reference.to_owned(),
        })
    }

    pub async fn image_remove(&self, host: &HostId, image: &str, force: bool) -> Result<()> {
        self.act(host, Action::RemoveImage, image, |engine| async move {
            engine.image_remove(image, force).await
        })
        .await
    }

    /// Gives `image` one more name, `reference` (`repository[:tag]`).
    pub async fn image_tag(&self, host: &HostId, image: &str, reference: &str) -> Result<()> {
        let target = format!("{image} as {reference}");
        self.act(host, Action::TagImage, &target, |engine| async move {
            engine.image_tag(image, reference).await
        })
        .await
    }

    /// Removes dangling images, or with `unused` every image no container uses; with `label`
    /// (`key` or `key=value`) only those carrying it.
    pub async fn images_prune(
        &self,
        host: &HostId,
        unused: bool,
        label: Option<&str>,
    ) -> Result<Pruned> {
        let action = if unused {
            Action::PruneUnusedImages
        } else {
            Action::PruneDanglingImages
        };
        self.act(host, action, "", |engine| async move {
            engine.images_prune(unused, label).await
        })
        .await
    }

    /// Creates a volume; the request is checked first, field by field.
    pub async fn volume_create(&self, host: &HostId, request: &VolumeRequest) -> Result<Volume> {
        self.act(
            host,
            Action::CreateVolume,
            &request.name,
            |engine| async move { engine.volume_create(request).await },
        )
        .await
    }

    /// Removes a volume; one in use is refused unless `force`.
    pub async fn volume_remove(&self, host: &HostId, name: &str, force: bool) -> Result<()> {
        self.act(host, Action::RemoveVolume, name, |engine| async move {
            engine.volume_remove(name, force).await
        })
        .await
    }

    /// Removes every volume no container uses.
    pub async fn volumes_prune(&self, host: &HostId) -> Result<Pruned> {
        self.act(host, Action::PruneVolumes, "", |engine| async move {
            engine.volumes_prune(None).await
        })
        .await
    }

    /// Creates a network (checked first) and returns its id.
    pub async fn network_create(&self, host: &HostId, request: &NetworkRequest) -> Result<String> {
        self.act(
            host,
            Action::CreateNetwork,
            &request.name,
            |engine| async move { engine.network_create(request).await },
        )
        .await
    }

    pub async fn network_remove(&self, host: &HostId, network: &str) -> Result<()> {
        self.act(host, Action::RemoveNetwork, network, |engine| async move {
            engine.network_remove(network).await
        })
        .await
    }

    pub async fn network_connect(
        &self,
        host: &HostId,
        network: &str,
        container: &str,
    ) -> Result<()> {
        let target = format!("{container} to {network}");
        self.act(
            host,
            Action::ConnectToNetwork,
            &target,
            |engine| async move { engine.network_connect(network, container).await },
        )
        .await
    }

    pub async fn network_disconnect(
        &self,
        host: &HostId,
        network: &str,
        container: &str,
    ) -> Result<()> {
        let target = format!("{container} from {network}");
        self.act(
            host,
            Action::DisconnectFromNetwork,
            &target,
            |engine| async move { engine.network_disconnect(network, container).await },
        )
        .await
    }

    /// Removes every network no container uses.
    pub async fn networks_prune(&self, host: &HostId) -> Result<Pruned> {
        self.act(host, Action::PruneNetworks, "", |engine| async move {
            engine.networks_prune(None).await
        })
        .await
    }

    /// Removes stopped containers, unused networks, dangling images, and with `volumes`
    /// unused volumes.
    pub async fn system_prune(&self, host: &HostId, volumes: bool) -> Result<SystemPruned> {
        let action = if volumes {
            Action::PruneSystemAndVolumes
        } else {
            Action::PruneSystem
        };
        self.act(host, action, "", |engine| async move {
            engine.system_prune(volumes, None).await
        })
        .await
    }

    /// What the activity log holds, newest first, as `query` asks.
    pub async fn activity(&self, query: &ActivityQuery) -> Result<Vec<Activity>> {
        self.store("no activity is kept")?.activity(query).await
    }

    /// Writes the entries `query` picks as CSV to a new file in `folder`; returns its path.
    pub async fn export_activity(&self, query: &ActivityQuery, folder: &Path) -> Result<PathBuf> {
        let entries = self.activity(query).await?;
        let path = files::saved_file_path(folder, "berth-activity", "csv");
        tokio::fs::write(&path, activity::to_csv(&entries))
            .await
            .map_err(|e| {
                Error::Internal(format!(
                    "the activity could not be written to {}: {e}",
                    path.display()
                ))
            })?;
        Ok(path)
    }
}

/// A pull under way: the engine's progress, to show, and the log entry it makes once shown to
/// its end.
pub struct Pull {
    progress: BoxStream<'static, Result<Vec<PullProgress>>>,
    log: ActivityLog,
    host: HostId,
    reference: String,
}

impl Pull {
    /// Shows the progress with `show`, which ends as the pull does, and logs how it ended. A
    /// pull that is dropped before its end (cancelled) is not logged.
    pub async fn show<Fut>(
        self,
        show: impl FnOnce(BoxStream<'static, Result<Vec<PullProgress>>>) -> Fut,
    ) -> Result<()>
    where
        Fut: Future<Output = Result<()>>,
    {
        let Pull {
            progress,
            log,
            host,
            reference,
        } = self;
        activity::logged(&log, &host, Action::PullImage, &reference, show(progress)).await
    }
}
