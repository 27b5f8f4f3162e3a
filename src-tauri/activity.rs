//! Actions the user takes, run and written to the activity log; and the log's commands.

use std::future::Future;

use berth_core::history::activity::{self, Activity, ActivityQuery};
use berth_core::{Berth, ContainerAction, Engine, HostId, Store};
use tauri::State;

use crate::error::{IpcError, IpcResult};

/// Runs `work` on `host`'s engine as the action `action` on `target`, and logs how it ended.
pub async fn act<T, Fut>(
    berth: &Berth,
    store: &Option<Store>,
    host: &HostId,
    action: &str,
    target: &str,
    work: impl FnOnce(Engine) -> Fut,
) -> IpcResult<T>
where
    Fut: Future<Output = berth_core::Result<T>>,
{
    let work = async { work(berth.engine(host)?).await };
    Ok(activity::logged(store.as_ref(), host, action, target, work).await?)
}

/// How the log names a container action.
pub fn container_action_name(action: ContainerAction) -> &'static str {
    match action {
        ContainerAction::Start => "start",
        ContainerAction::Stop => "stop",
        ContainerAction::Restart => "restart",
        ContainerAction::Pause => "pause",
        ContainerAction::Unpause => "resume",
        ContainerAction::Kill => "kill",
    }
}

/// What the activity log holds, newest first, as `query` asks.
#[tauri::command]
#[specta::specta]
pub async fn activity_list(
    store: State<'_, Option<Store>>,
    query: ActivityQuery,
) -> IpcResult<Vec<Activity>> {
    Ok(kept(&store)?.activity(&query).await?)
}

/// Writes the entries `query` picks as CSV into the Downloads folder; returns the file's path.
#[tauri::command]
#[specta::specta]
pub async fn activity_export(
    store: State<'_, Option<Store>>,
    query: ActivityQuery,
) -> IpcResult<String> {
    let entries = kept(&store)?.activity(&query).await?;
    let path = crate::download_path("berth-activity", "csv");
    tokio::fs::write(&path, activity::to_csv(&entries))
        .await
        .map_err(|e| {
            IpcError::from(berth_core::Error::Internal(format!(
                "the activity could not be written to {}: {e}",
                path.display()
            )))
        })?;
    Ok(path.display().to_string())
}

fn kept(store: &Option<Store>) -> Result<&Store, berth_core::Error> {
    crate::opened(store, "no activity is kept")
}
