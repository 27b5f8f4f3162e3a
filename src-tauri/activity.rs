//! The activity log's commands: what the user did, read and exported.

use berth_core::history::activity::{Activity, ActivityQuery};
use berth_core::Berth;
use tauri::State;

use crate::error::IpcResult;

/// What the activity log holds, newest first, as `query` asks.
#[tauri::command]
#[specta::specta]
pub async fn activity_list(
    berth: State<'_, Berth>,
    query: ActivityQuery,
) -> IpcResult<Vec<Activity>> {
    Ok(berth.activity(&query).await?)
}

/// Writes the entries `query` picks as CSV into the Downloads folder; returns the file's path.
#[tauri::command]
#[specta::specta]
pub async fn activity_export(berth: State<'_, Berth>, query: ActivityQuery) -> IpcResult<String> {
    let folder = crate::downloads_folder();
    let path = berth.export_activity(&query, &folder).await?;
    Ok(path.display().to_string())
}
