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
