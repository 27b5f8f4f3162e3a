//! Compose projects, known from the labels compose puts on its containers — no compose CLI
//! needed: acting on a project acts on each of its containers.

use futures_util::future::join_all;

use crate::engine::containers::{ContainerAction, RemoveOptions};
use crate::engine::Engine;
use crate::error::{Error, Result};

/// The label compose gives every container of a project.
pub const PROJECT_LABEL: &str = "com.docker.compose.project";

impl Engine {
    /// The ids of the containers of `project`.
    async fn project_containers(&self, project: &str) -> Result<Vec<String>> {
        let label = format!("{PROJECT_LABEL}={project}");
        let ids: Vec<String> = self
            .containers_with_label(&label)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        if ids.is_empty() {
            return Err(Error::NotFound(format!(
                "no container belongs to the compose project {project:?}"
            )));
        }
        Ok(ids)
    }

    /// Starts, stops, restarts… every container of `project` at once. Containers the action
    /// does not apply to (already stopped, say) are no error; the first real failure is.
    pub async fn project_action(&self, project: &str, action: ContainerAction) -> Result<()> {
        let ids = self.project_containers(project).await?;
        let results = join_all(ids.iter().map(|id| self.container_action(id, action))).await;
        results.into_iter().collect()
    }

    /// Removes every container of `project` (running ones are killed first).
    pub async fn project_remove(&self, project: &str, volumes: bool) -> Result<()> {
        let ids = self.project_containers(project).await?;
        let options = RemoveOptions {
            force: true,
            volumes,
        };
        let results = join_all(ids.iter().map(|id| self.container_remove(id, options))).await;
        results.into_iter().collect()
    }
}
