//! A swarm's tasks: each a slot of a service placed on a node, with the state the scheduler
//! wants and the state it is in, and the error of one that failed.

use std::collections::HashMap;

use bollard::query_parameters::ListTasksOptionsBuilder;
use serde::Serialize;
use specta::Type;

use crate::engine::Engine;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    pub service_id: String,
    /// The replica's number in a replicated service; `None` for a global one.
    pub slot: Option<u64>,
    /// Where it is placed; empty until the scheduler has placed it.
    pub node_id: String,
    /// What the scheduler wants: `running`, `shutdown`, …
    pub desired_state: String,
    /// Where it is: `new`, `pending`, `preparing`, `running`, `failed`, `rejected`, …
    pub state: String,
    pub message: String,
    /// Why it failed, as the engine says.
    pub error: Option<String>,
    /// The image it runs, without its digest.
    pub image: String,
    /// When its state last changed, as the engine writes it.
    pub updated_at: String,
}

/// How far a service is on its current image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    pub service_id: String,
    /// Tasks meant to run that run the service's image.
    pub on_image: u64,
    /// Whether a task meant to run has another image: the service has converged when none
    /// has and `on_image` reaches its desired count.
    pub stale: bool,
}

impl Rollout {
    /// The rollout of service `id` on `image`, from its `tasks` (others' tasks are passed over).
    pub fn of(id: &str, image: &str, tasks: &[Task]) -> Self {
        let meant: Vec<&Task> = tasks
            .iter()
            .filter(|t| t.service_id == id && t.desired_state == "running")
            .collect();
        Rollout {
            service_id: id.to_owned(),
            on_image: meant
                .iter()
                .filter(|t| t.state == "running" && t.image == image)
                .count() as u64,
            stale: meant.iter().any(|t| t.image != image),
        }
    }
}

/// Which tasks to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskQuery {
    pub service: Option<String>,
    pub node: Option<String>,
}

impl Engine {
    /// The tasks of a service or on a node (every task without either), newest first.
    pub async fn tasks(&self, query: &TaskQuery) -> Result<Vec<Task>> {
        let mut filters: HashMap<&str, Vec<&str>> = HashMap::new();
        if let Some(service) = &query.service {
            filters.insert("service", vec![service.as_str()]);
        }
        if let Some(node) = &query.node {
            filters.insert("node", vec![node.as_str()]);
        }
        let options = ListTasksOptionsBuilder::new().filters(&filters).build();
        let listed = self
            .docker()
            .list_tasks(Some(options))
            .await
            .map_err(self.map_err())?;
        let mut tasks: Vec<Task> = listed.into_iter().map(Task::from).collect();
        tasks.sort_by(|a, b| b.updated_at.cmp(&a.updated_at));
        Ok(tasks)
    }
}

impl From<bollard::models::Task> for Task {
    fn from(task: bollard::models::Task) -> Self {
        let status = task.status.unwrap_or_default();
        Task {
            id: task.id.unwrap_or_default(),
            service_id: task.service_id.unwrap_or_default(),
            slot: task.slot.and_then(|slot| u64::try_from(slot).ok()),
            node_id: task.node_id.unwrap_or_default(),
            desired_state: task
                .desired_state
                .map(|state| state.to_string())
                .unwrap_or_default(),
            state: status
                .state
                .map(|state| state.to_string())
                .unwrap_or_default(),
            message: status.message.unwrap_or_default(),
            error: status.err.filter(|err| !err.is_empty()),
            image: task
                .spec
                .and_then(|spec| spec.container_spec)
                .and_then(|container| container.image)
                .map(|image| image.split('@').next().unwrap_or_default().to_owned())
                .unwrap_or_default(),
            updated_at: task.updated_at.map(|at| at.to_string()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(service: &str, desired: &str, state: &str, image: &str) -> Task {
        Task {
            id: format!("{service}-{state}-{image}"),
            service_id: service.into(),
            slot: Some(1),
            node_id: "n".into(),
            desired_state: desired.into(),
            state: state.into(),
            message: String::new(),
            error: None,
            image: image.into(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn a_rollout_counts_the_tasks_meant_to_run_on_the_new_image() {
        let tasks = [
            task("web", "running", "running", "v2"),
            task("web", "running", "preparing", "v2"),
            task("web", "running", "running", "v1"),
            task("web", "shutdown", "failed", "v2"),
            task("api", "running", "running", "v2"),
        ];
        let rollout = Rollout::of("web", "v2", &tasks);
        assert_eq!((rollout.on_image, rollout.stale), (1, true));
        let done = Rollout::of("web", "v2", &tasks[..2]);
        assert_eq!((done.on_image, done.stale), (1, false));
    }
}
