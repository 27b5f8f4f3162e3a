//! The activity log: every action the user takes through Berth — on which host, on what, when,
//! how long it took and how it ended — kept in the history database, searchable and
//! exportable. Reads (lists, logs, stats) are not actions and are not logged.

use std::future::Future;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use specta::Type;
use sqlx::Row;

use crate::engine::containers::ContainerAction;
use crate::error::{ErrorCode, Result};
use crate::history::store::{db_error, now_ms, rfc3339, Store};
use crate::hosts::HostId;

/// Entries kept; older ones go when the store is compacted.
pub const ACTIVITY_KEPT: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// When it was asked for, unix milliseconds.
    pub time_ms: i64,
    pub host: HostId,
    /// What was done, e.g. "stop container", "pull image": an [`Action`]'s name. Kept as
    /// text, since the log also holds what older and newer Berths wrote.
    pub action: String,
    /// What it was done to: a container, image, volume or network name, a host.
    pub target: String,
    /// Why it failed; `None` when it succeeded.
    pub error: Option<ActivityError>,
    pub duration_ms: i64,
    /// What the user did it through.
    pub front_end: FrontEnd,
}

/// The front ends a user acts through: both write to the same log, each entry marked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum FrontEnd {
    #[default]
    Window,
    Cli,
}

impl FrontEnd {
    /// The name the log keeps (the column's text).
    fn stored(self) -> &'static str {
        match self {
            FrontEnd::Window => "window",
            FrontEnd::Cli => "cli",
        }
    }

    /// A name as stored; one this build does not know (a newer Berth's) reads as the window.
    fn from_stored(name: &str) -> Self {
        match name {
            "cli" => FrontEnd::Cli,
            _ => FrontEnd::Window,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityError {
    pub code: ErrorCode,
    pub message: String,
}

/// Which entries to read, newest first.
#[derive(Debug, Clone, Default, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityQuery {
    /// One host's entries only.
    pub host: Option<HostId>,
    /// Entries whose action, target or error contain this (any case).
    pub search: String,
    pub failed_only: bool,
    pub limit: u32,
}

/// Every action the log knows, each with one name: the one the front ends use for it
/// (a container is "unpause"d in the window, the CLI and the log alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Container(ContainerAction),
    CreateContainer,
    RunContainer,
    RemoveContainer,
    RenameContainer,
    RecreateContainer,
    PullAndRecreateContainer,
    PruneContainers,
    Project(ContainerAction),
    RemoveProject,
    PullImage,
    RemoveImage,
    TagImage,
    PruneDanglingImages,
    PruneUnusedImages,
    CreateVolume,
    RemoveVolume,
    PruneVolumes,
    CreateNetwork,
    RemoveNetwork,
    ConnectToNetwork,
    DisconnectFromNetwork,
    PruneNetworks,
    PruneSystem,
    PruneSystemAndVolumes,
    SaveHost,
    RemoveHost,
    InitSwarm,
    JoinSwarm,
    LeaveSwarm,
    UpdateNode,
    RemoveNode,
    CreateService,
    ScaleService,
    UpdateServiceImage,
    RollbackService,
    RemoveService,
    RemoveStack,
    CreateSecret,
    RemoveSecret,
    CreateConfig,
    RemoveConfig,
}

impl Action {
    /// The name the log keeps, searched and exported as it is.
    pub fn name(self) -> String {
        let fixed = match self {
            Action::Container(action) => return format!("{} container", action.name()),
            Action::Project(action) => return format!("{} project", action.name()),
            Action::CreateContainer => "create container",
            Action::RunContainer => "run container",
            Action::RemoveContainer => "remove container",
            Action::RenameContainer => "rename container",
            Action::RecreateContainer => "recreate container",
            Action::PullAndRecreateContainer => "pull latest and recreate container",
            Action::PruneContainers => "prune containers",
            Action::RemoveProject => "remove project",
            Action::PullImage => "pull image",
            Action::RemoveImage => "remove image",
            Action::TagImage => "tag image",
            Action::PruneDanglingImages => "prune dangling images",
            Action::PruneUnusedImages => "prune unused images",
            Action::CreateVolume => "create volume",
            Action::RemoveVolume => "remove volume",
            Action::PruneVolumes => "prune volumes",
            Action::CreateNetwork => "create network",
            Action::RemoveNetwork => "remove network",
            Action::ConnectToNetwork => "connect to network",
            Action::DisconnectFromNetwork => "disconnect from network",
            Action::PruneNetworks => "prune networks",
            Action::PruneSystem => "prune system",
            Action::PruneSystemAndVolumes => "prune system and volumes",
            Action::SaveHost => "save host",
            Action::RemoveHost => "remove host",
            Action::InitSwarm => "init swarm",
            Action::JoinSwarm => "join swarm",
            Action::LeaveSwarm => "leave swarm",
            Action::UpdateNode => "update node",
            Action::RemoveNode => "remove node",
            Action::CreateService => "create service",
            Action::ScaleService => "scale service",
            Action::UpdateServiceImage => "update service image",
            Action::RollbackService => "rollback service",
            Action::RemoveService => "remove service",
            Action::RemoveStack => "remove stack",
            Action::CreateSecret => "create secret",
            Action::RemoveSecret => "remove secret",
            Action::CreateConfig => "create config",
            Action::RemoveConfig => "remove config",
        };
        fixed.to_owned()
    }
}

/// Where a front end's actions are logged: the history database (when there is one: without it
/// Berth still works, it only does not remember), each entry marked with the front end.
#[derive(Clone)]
pub struct ActivityLog {
    pub(crate) store: Option<Store>,
    pub(crate) front_end: FrontEnd,
}

impl ActivityLog {
    pub fn new(store: Option<Store>, front_end: FrontEnd) -> Self {
        Self { store, front_end }
    }
}

/// Runs `work`, the action `action` on `target` of `host`, and logs how it ended in `log`.
pub async fn logged<T>(
    log: &ActivityLog,
    host: &HostId,
    action: Action,
    target: &str,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    let action = action.name();
    let time_ms = now_ms();
    let started = Instant::now();
    let result = work.await;
    // Also in Berth's own log, which a user sends along with a report.
    match &result {
        Ok(_) => tracing::info!(%host, %action, target, "done"),
        Err(err) => tracing::warn!(%host, %action, target, %err, "failed"),
    }
    if let Some(store) = &log.store {
        let entry = Activity {
            time_ms,
            host: host.clone(),
            action,
            target: target.to_owned(),
            error: result.as_ref().err().map(|err| ActivityError {
                code: err.code(),
                message: err.to_string(),
            }),
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            front_end: log.front_end,
        };
        if let Err(err) = store.record_activity(&entry).await {
            tracing::warn!(%err, "an action could not be logged");
        }
    }
    result
}

impl Store {
    pub async fn record_activity(&self, entry: &Activity) -> Result<()> {
        let code = entry.error.as_ref().map(|e| e.code.name());
        sqlx::query(
            "INSERT INTO activity \
             (time_ms, host, action, target, error_code, error, duration_ms, front_end) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(entry.time_ms)
        .bind(entry.host.as_str())
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(code)
        .bind(entry.error.as_ref().map(|e| e.message.as_str()))
        .bind(entry.duration_ms)
        .bind(entry.front_end.stored())
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// The entries `query` asks for, newest first.
    pub async fn activity(&self, query: &ActivityQuery) -> Result<Vec<Activity>> {
        let pattern = format!("%{}%", query.search.trim().to_lowercase());
        let rows = sqlx::query(
            "SELECT time_ms, host, action, target, error_code, error, duration_ms, front_end \
             FROM activity \
             WHERE (?1 IS NULL OR host = ?1) \
               AND (NOT ?2 OR error_code IS NOT NULL) \
               AND (lower(action) LIKE ?3 OR lower(target) LIKE ?3 \
                    OR lower(coalesce(error, '')) LIKE ?3) \
             ORDER BY seq DESC LIMIT ?4",
        )
        .bind(query.host.as_ref().map(HostId::as_str))
        .bind(query.failed_only)
        .bind(pattern)
        .bind(i64::from(query.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                let code: Option<String> = row.try_get("error_code").map_err(db_error)?;
                let error = match code {
                    Some(code) => Some(ActivityError {
                        code: ErrorCode::from_name(&code),
                        message: row.try_get("error").map_err(db_error)?,
                    }),
                    None => None,
                };
                Ok(Activity {
                    time_ms: row.try_get("time_ms").map_err(db_error)?,
                    host: HostId::new(row.try_get::<String, _>("host").map_err(db_error)?),
                    action: row.try_get("action").map_err(db_error)?,
                    target: row.try_get("target").map_err(db_error)?,
                    error,
                    duration_ms: row.try_get("duration_ms").map_err(db_error)?,
                    front_end: FrontEnd::from_stored(
                        &row.try_get::<String, _>("front_end").map_err(db_error)?,
                    ),
                })
            })
            .collect()
    }

    /// Drops all but the newest [`ACTIVITY_KEPT`] entries.
    pub(crate) async fn compact_activity(&self) -> Result<()> {
        sqlx::query(
            "DELETE FROM activity WHERE seq <= ( \
               SELECT seq FROM activity ORDER BY seq DESC LIMIT 1 OFFSET ?)",
        )
        .bind(ACTIVITY_KEPT)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}

/// The entries as CSV (RFC 4180), oldest first, for a spreadsheet.
pub fn to_csv(entries: &[Activity]) -> String {
    let field = |text: &str| {
        // A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a
        // formula; a container name or an engine's message is not to run. A leading ' makes
        // it text, as OWASP's CSV-injection advice has it.
        let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{text}")
        } else {
            text.to_owned()
        };
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    };
    let mut csv = String::from("time,host,action,target,result,error,duration_ms,front_end\r\n");
    for entry in entries.iter().rev() {
        let time = rfc3339(entry.time_ms);
        let (result, error) = match &entry.error {
            Some(e) => (e.code.name(), e.message.as_str()),
            None => ("ok".to_owned(), ""),
        };
        let row = [
            time,
            field(entry.host.as_str()),
            field(&entry.action),
            field(&entry.target),
            result,
            field(error),
            entry.duration_ms.to_string(),
            entry.front_end.stored().to_owned(),
        ];
        csv.push_str(&row.join(","));
        csv.push_str("\r\n");
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_is_logged_under_the_name_the_front_ends_give_it() {
        let unpause = Action::Container(ContainerAction::Unpause);
        assert_eq!(unpause.name(), "unpause container");
        assert_eq!(
            Action::Project(ContainerAction::Stop).name(),
            "stop project"
        );
        assert_eq!(Action::PullImage.name(), "pull image");
    }

    #[test]
    fn csv_quotes_what_needs_it_and_lists_oldest_first() {
        let entry = |time_ms, error: Option<&str>| Activity {
            time_ms,
            host: HostId::local(),
            action: "stop container".into(),
            target: "web, \"blue\"".into(),
            error: error.map(|m| ActivityError {
                code: ErrorCode::Conflict,
                message: m.into(),
            }),
            duration_ms: 12,
            front_end: FrontEnd::Window,
        };
        let csv = to_csv(&[entry(2_000, Some("is\nrestarting")), entry(1_000, None)]);
        assert_eq!(
            csv,
            "time,host,action,target,result,error,duration_ms,front_end\r\n\
             1970-01-01T00:00:01Z,local,stop container,\"web, \"\"blue\"\"\",ok,,12,window\r\n\
             1970-01-01T00:00:02Z,local,stop container,\"web, \"\"blue\"\"\",conflict,\"is\nrestarting\",12,window\r\n"
        );
    }

    #[test]
    fn csv_cells_cannot_be_formulas() {
        let entry = |target: &str| Activity {
            time_ms: 0,
            host: HostId::local(),
            action: "start container".into(),
            target: target.into(),
            error: Some(ActivityError {
                code: ErrorCode::EngineError,
                message: "@SUM(1+1)".into(),
            }),
            duration_ms: 1,
            front_end: FrontEnd::Cli,
        };
        for (target, cell) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("\t=1", "'\t=1"),
            ("web", "web"),
        ] {
            let csv = to_csv(&[entry(target)]);
            let row = csv.lines().nth(1).unwrap();
            assert!(row.contains(&format!(",{cell},")), "{row}");
            assert!(row.contains(",'@SUM(1+1),"), "{row}");
        }
    }
}
