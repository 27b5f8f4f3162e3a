//! Each host's container list as last seen, kept so that the next start shows it at once,
//! marked as refreshing, while the engines are asked again.

use sqlx::Row;

use crate::engine::containers::Container;
use crate::error::Result;
use crate::history::store::{db_error, now_ms, Store};
use crate::hosts::HostId;

impl Store {
    /// Keeps `containers` as `host`'s last-known list, in place of the one before.
    pub async fn keep_container_list(&self, host: &HostId, containers: &[Container]) -> Result<()> {
        let json = serde_json::to_string(containers)
            .map_err(|err| crate::Error::Internal(format!("a container list as JSON: {err}")))?;
        sqlx::query(
            "INSERT INTO container_lists (host, containers, saved_ms) VALUES (?, ?, ?) \
             ON CONFLICT (host) DO UPDATE SET containers = excluded.containers, saved_ms = excluded.saved_ms",
        )
        .bind(host.as_str())
        .bind(json)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    /// `host`'s last-known list; `None` when none was kept, or when the one kept no longer
    /// reads (written by another version): it is only a first paint, the engine has the list.
    pub async fn container_list(&self, host: &HostId) -> Result<Option<Vec<Container>>> {
        let row = sqlx::query("SELECT containers FROM container_lists WHERE host = ?")
            .bind(host.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        let Some(row) = row else { return Ok(None) };
        let json: String = row.try_get("containers").map_err(db_error)?;
        Ok(serde_json::from_str(&json).ok())
    }

    /// Forgets `host`'s last-known list (the host was removed).
    pub async fn forget_container_list(&self, host: &HostId) -> Result<()> {
        sqlx::query("DELETE FROM container_lists WHERE host = ?")
            .bind(host.as_str())
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
