//! Making containers: create (and run), rename, and recreate with the same settings.

use bollard::query_parameters::{
    CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder, RenameContainerOptionsBuilder,
    StartContainerOptions, StopContainerOptions,
};
use futures_util::StreamExt;

use crate::engine::container_spec::{check_container_name, ContainerRequest};
use crate::engine::Engine;
use crate::error::{Error, Result};

impl Engine {
    /// Creates a container from `request` (every field checked first) and starts it when
    /// `start`. Returns its id.
    pub async fn container_create(
        &self,
        request: &ContainerRequest,
        start: bool,
    ) -> Result<String> {
        let checked = request.checked()?;
        let mut options = CreateContainerOptionsBuilder::new();
        if let Some(name) = &checked.name {
            options = options.name(name);
        }
        let created = self
            .docker()
            .create_container(Some(options.build()), checked.body)
            .await
            .map_err(|err| match self.map_err()(err) {
                Error::NotFound(message) if message.contains("image") => Error::NotFound(format!(
                    "The image {} is not on this host; pull it first (Images → Pull). ({message})",
                    checked.image
                )),
                other => other,
            })?;
        if start {
            self.docker()
                .start_container(&created.id, None::<StartContainerOptions>)
                .await
                .map_err(self.map_err())?;
        }
        Ok(created.id)
    }

    pub async fn container_rename(&self, id: &str, name: &str) -> Result<()> {
        crate::engine::object_refs::container(id)?;
        let name = name.trim();
        check_container_name(name)?;
        let options = RenameContainerOptionsBuilder::new().name(name).build();
        self.docker()
            .rename_container(id, options)
            .await
            .map_err(self.map_err())
    }

    /// Makes the container again from its own settings — name, command, env, ports, mounts,
    /// labels, restart policy, limits and networks — on the newest image when `pull`, and
    /// starts it if it ran. The old one is set aside under another name until the new one
    /// stands, and put back if making the new one fails. Returns the new id.
    pub async fn container_recreate(&self, id: &str, pull: bool) -> Result<String> {
        let details = self.container_inspect(id).await?;
        let request = ContainerRequest::from_details(&details);
        request.validate()?;
        if pull {
            let mut progress = self.pull(&request.image)?;
            while let Some(batch) = progress.next().await {
                batch?;
            }
        }
        if details.running {
            self.docker()
                .stop_container(&details.id, None::<StopContainerOptions>)
                .await
                .map_err(self.map_err())?;
        }
        let aside = format!(
            "{}-berth-old-{}",
            details.name,
            &details.id[..12.min(details.id.len())]
        );
        self.container_rename(&details.id, &aside).await?;

        let new_id = match self.container_create(&request, false).await {
            Ok(new_id) => new_id,
            Err(err) => {
                self.put_back(&details.id, &details.name, details.running)
                    .await;
                return Err(err);
            }
        };
        let primary = request.network.as_str();
        let finished = async {
            for network in details.networks.iter().map(|n| n.name.as_str()) {
                let is_primary = network == primary || (primary.is_empty() && network == "bridge");
                if !is_primary {
                    self.network_connect(network, &new_id).await?;
                }
            }
            if details.running {
                self.docker()
                    .start_container(&new_id, None::<StartContainerOptions>)
                    .await
                    .map_err(self.map_err())?;
            }
            Ok::<_, Error>(())
        }
        .await;
        let forced = || RemoveContainerOptionsBuilder::new().force(true).build();
        if let Err(err) = finished {
            let _ = self
                .docker()
                .remove_container(&new_id, Some(forced()))
                .await;
            self.put_back(&details.id, &details.name, details.running)
                .await;
            return Err(err);
        }
        self.docker()
            .remove_container(&details.id, Some(forced()))
            .await
            .map_err(self.map_err())?;
        Ok(new_id)
    }

    /// Undoes setting a container aside: its name back, and running again if it ran.
    async fn put_back(&self, id: &str, name: &str, was_running: bool) {
        if let Err(err) = self.container_rename(id, name).await {
            tracing::warn!(%err, id, name, "a container set aside for a recreate could not be renamed back");
        }
        if was_running {
            let _ = self
                .docker()
                .start_container(id, None::<StartContainerOptions>)
                .await;
        }
    }
}
