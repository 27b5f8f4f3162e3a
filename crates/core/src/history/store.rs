//! Berth's saved data in sqlite, two databases in one folder:
//! - `history.sqlite`: container stats (1 s for an hour, 1 min for as long as the user chose,
//!   a day unless told), the engine events timeline and the activity log (activity.rs).
//!   Bounded: [`Store::compact`] folds and drops what is too old.
//! - `hosts.sqlite`: the hosts the user saved (hosts/saved.rs), apart from the history so that
//!   the busy, bounded history can never take them down with it, and written with a full sync.
//!
//! A database that does not open or migrate is set aside (see recovery.rs) and started afresh.
//! No secret is ever written here.

use std::path::Path;
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Row;

use crate::error::{Error, Result};
use crate::hosts::HostId;
use crate::recovery::{self, SetAside};
use crate::streams::events::{EngineEvent, EventKind};
use crate::streams::stats::StatsSample;

/// Per-second samples are kept this long, then folded into per-minute averages.
pub const FINE_RETENTION: Duration = Duration::from_secs(60 * 60);
/// Per-minute averages are kept this long unless the user chose otherwise.
pub const COARSE_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// The hours of stats history one may choose (see [`StatsRetention::HOURS`]).
pub const MIN_STATS_RETENTION_HOURS: u32 = 1;
pub const MAX_STATS_RETENTION_HOURS: u32 = 7 * 24;

/// How long the stats history is kept (its per-minute averages), as the user chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsRetention(Duration);

impl StatsRetention {
    /// The hours one may choose. At least the hour of per-second samples, which are folded
    /// after it whatever the choice; at most a week, which bounds the database at about ten
    /// thousand rows a container.
    pub const HOURS: std::ops::RangeInclusive<u32> =
        MIN_STATS_RETENTION_HOURS..=MAX_STATS_RETENTION_HOURS;

    /// Refuses a number of hours outside [`Self::HOURS`].
    pub fn hours(hours: u32) -> Result<Self> {
        if !Self::HOURS.contains(&hours) {
            return Err(Error::InvalidInput(format!(
                "Stats history must be kept between {} and {} hours.",
                Self::HOURS.start(),
                Self::HOURS.end()
            )));
        }
        Ok(Self(Duration::from_secs(u64::from(hours) * 60 * 60)))
    }

    pub fn duration(self) -> Duration {
        self.0
    }
}

impl Default for StatsRetention {
    fn default() -> Self {
        Self(COARSE_RETENTION)
    }
}
/// Events kept per host.
pub const EVENTS_KEPT: i64 = 20_000;

/// The history database's file in Berth's data folder.
pub const HISTORY_FILE: &str = "history.sqlite";
/// The saved hosts' database's file in Berth's data folder.
pub const HOSTS_FILE: &str = "hosts.sqlite";

static HISTORY_MIGRATIONS: Migrator = sqlx::migrate!("./migrations");
static HOSTS_MIGRATIONS: Migrator = sqlx::migrate!("./migrations-hosts");

#[derive(Clone)]
pub struct Store {
    /// `history.sqlite`.
    pub(crate) pool: SqlitePool,
    /// `hosts.sqlite`.
    pub(crate) hosts: SqlitePool,
}

/// The time now as the store records it: unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A time as the store records it (unix milliseconds) in RFC 3339, as exports and berthctl
/// print it; the number itself when it is out of range.
pub fn rfc3339(time_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(time_ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| time_ms.to_string())
}

pub(crate) fn db_error(err: sqlx::Error) -> Error {
    Error::Internal(format!("the history database failed: {err}"))
}

/// Why a database could not be used.
enum OpenFailed {
    Open(sqlx::Error),
    Migrate(MigrateError),
}

impl OpenFailed {
    /// Whether the file itself is at fault (damaged, not a database, from a newer Berth), so
    /// that it is set aside. A busy or locked file, a full or failing disk, missing
    /// permissions or memory are not the file's fault: it is left as it is.
    fn is_the_files_fault(&self) -> bool {
        let err = match self {
            Self::Open(err) => err,
            Self::Migrate(MigrateError::Execute(err) | MigrateError::ExecuteMigration(err, _)) => {
                err
            }
            Self::Migrate(_) => return true,
        };
        let Some(code) = err
            .as_database_error()
            .and_then(|e| e.code())
            .and_then(|code| code.parse::<i32>().ok())
        else {
            // I/O, a pool timing out and the like: the machine, not the file.
            return false;
        };
        // Primary result codes (the low byte of an extended one): SQLITE_PERM, BUSY, LOCKED,
        // NOMEM, READONLY, INTERRUPT, IOERR, FULL, CANTOPEN.
        !matches!(code & 0xff, 3 | 5..=10 | 13 | 14)
    }
}

impl std::fmt::Display for OpenFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Open(err) => write!(f, "it could not be opened: {err}"),
            Self::Migrate(err) => write!(f, "it could not be brought up to date: {err}"),
        }
    }
}

async fn open_sqlite(
    path: &Path,
    synchronous: SqliteSynchronous,
    migrations: &Migrator,
) -> Result<SqlitePool, OpenFailed> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // WAL: readers (the UI's queries) never wait for the writer.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(synchronous)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .map_err(OpenFailed::Open)?;
    if let Err(err) = migrations.run(&pool).await {
        // Closed before the file is moved, so no connection writes to it afterwards.
        pool.close().await;
        return Err(OpenFailed::Migrate(err));
    }
    Ok(pool)
}

/// Opens the database at `path`; when the file itself is at fault and `set_aside` is given,
/// sets it aside (noted there) and opens a fresh one in its place. Without `set_aside` (a
/// front end that must not decide for the window, berthctl), a file at fault is an error and is
/// left as it is.
async fn open_or_set_aside(
    path: &Path,
    synchronous: SqliteSynchronous,
    migrations: &Migrator,
    set_aside: Option<&mut Vec<SetAside>>,
) -> Result<SqlitePool> {
    let name = path.display();
    let failed = match open_sqlite(path, synchronous, migrations).await {
        Ok(pool) => return Ok(pool),
        // Two front ends starting at once may both bring the schema up to date (sqlx takes no
        // lock on SQLite): the one that loses finds it done when it tries again.
        Err(OpenFailed::Migrate(_)) => {
            tokio::time::sleep(MIGRATION_RACE_WAIT).await;
            match open_sqlite(path, synchronous, migrations).await {
                Ok(pool) => return Ok(pool),
                Err(failed) => failed,
            }
        }
        Err(failed) => failed,
    };
    match set_aside {
        Some(set_aside) if failed.is_the_files_fault() => {
            let kept = recovery::set_aside(path, &failed.to_string()).map_err(|err| {
                Error::Internal(format!(
                    "{name} {failed}, and could not be set aside: {err}"
                ))
            })?;
            set_aside.push(kept);
        }
        _ => return Err(Error::Internal(format!("{name}: {failed}"))),
    }
    open_sqlite(path, synchronous, migrations)
        .await
        .map_err(|failed| Error::Internal(format!("a new {name}: {failed}")))
}

/// How long a front end whose schema update failed waits before trying once more (another
/// front end may have been updating the same file).
const MIGRATION_RACE_WAIT: Duration = Duration::from_millis(250);

/// The columns of a stats row after `host`, as a literal for `concat!` (SQL stays static).
macro_rules! sample_columns {
    () => {
        "container, time_ms, cpu_percent, memory_bytes, memory_limit_bytes, \
         net_rx_per_sec, net_tx_per_sec, block_read_per_sec, block_write_per_sec, pids"
    };
}

impl Store {
    /// Opens (creating if needed) the databases in `folder` and brings their schemas up to
    /// date; hosts an older Berth kept in the history move to their own database. A database
    /// that does not open or migrate is set aside and started afresh; each one set aside is
    /// added to `set_aside` (even when opening fails in the end), for the user to be told.
    pub async fn open(folder: &Path, set_aside: &mut Vec<SetAside>) -> Result<Self> {
        Self::open_recovering(folder, Some(set_aside)).await
    }

    /// Like [`Store::open`], but a database that does not open or migrate is an error and is
    /// left as it is: for berthctl, which must never set aside the files the window uses (a
    /// berthctl of another version would otherwise move the user's hosts away).
    pub async fn open_as_is(folder: &Path) -> Result<Self> {
        Self::open_recovering(folder, None).await
    }

    async fn open_recovering(
        folder: &Path,
        mut set_aside: Option<&mut Vec<SetAside>>,
    ) -> Result<Self> {
        std::fs::create_dir_all(folder).map_err(|err| {
            Error::Internal(format!(
                "the folder {} cannot be made: {err}",
                folder.display()
            ))
        })?;
        // With WAL, NORMAL syncs at checkpoints rather than at every commit: a crash cannot
        // corrupt the file, at worst a power cut loses the last second of history.
        let history = open_or_set_aside(
            &folder.join(HISTORY_FILE),
            SqliteSynchronous::Normal,
            &HISTORY_MIGRATIONS,
            set_aside.as_deref_mut(),
        )
        .await?;
        // What the user typed in: a commit is on disk before it is reported done.
        let hosts = open_or_set_aside(
            &folder.join(HOSTS_FILE),
            SqliteSynchronous::Full,
            &HOSTS_MIGRATIONS,
            set_aside,
        )
        .await?;
        let store = Self {
            pool: history,
            hosts,
        };
        store.carry_over_hosts().await?;
        Ok(store)
    }

    /// Closes both databases once their queries in flight are done; each folds its WAL back
    /// into its file, so a clean quit leaves one file per database.
    pub async fn close(&self) {
        self.pool.close().await;
        self.hosts.close().await;
    }

    /// Records samples; a second already recorded for a container is replaced, so two views of
    /// one container record it once.
    pub async fn record_stats(&self, host: &HostId, samples: &[StatsSample]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        for s in samples {
            sqlx::query(concat!(
                "INSERT OR REPLACE INTO stats_1s (host, ",
                sample_columns!(),
                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ))
            .bind(host.as_str())
            .bind(&s.id)
            .bind(s.time_ms / 1000 * 1000)
            .bind(s.cpu_percent)
            .bind(s.memory_bytes)
            .bind(s.memory_limit_bytes)
            .bind(s.net_rx_per_sec)
            .bind(s.net_tx_per_sec)
            .bind(s.block_read_per_sec)
            .bind(s.block_write_per_sec)
            .bind(s.pids)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }

    /// The history of one container from `since_ms` on, oldest first: per-minute points where
    /// only those are left, per-second points for the last hour.
    pub async fn stats_history(
        &self,
        host: &HostId,
        container: &str,
        since_ms: i64,
    ) -> Result<Vec<StatsSample>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            sample_columns!(),
            " FROM stats_1m WHERE host = ?1 AND container = ?2 AND time_ms >= ?3 UNION ALL SELECT ",
            sample_columns!(),
            " FROM stats_1s WHERE host = ?1 AND container = ?2 AND time_ms >= ?3 ORDER BY time_ms"
        ))
        .bind(host.as_str())
        .bind(container)
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        rows.iter()
            .map(|row| {
                Ok(StatsSample {
                    id: row.try_get("container")?,
                    time_ms: row.try_get("time_ms")?,
                    cpu_percent: row.try_get("cpu_percent")?,
                    memory_bytes: row.try_get("memory_bytes")?,
                    memory_limit_bytes: row.try_get("memory_limit_bytes")?,
                    net_rx_per_sec: row.try_get("net_rx_per_sec")?,
                    net_tx_per_sec: row.try_get("net_tx_per_sec")?,
                    block_read_per_sec: row.try_get("block_read_per_sec")?,
                    block_write_per_sec: row.try_get("block_write_per_sec")?,
                    pids: row.try_get("pids")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db_error)
    }

    pub async fn record_events(&self, host: &HostId, events: &[EngineEvent]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        for e in events {
            sqlx::query(
                "INSERT INTO events \
                 (host, time_ms, kind, action, object_id, name, exit_code, new_state) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(host.as_str())
            .bind(e.time_ms)
            .bind(e.kind.engine_name())
            .bind(&e.action)
            .bind(&e.id)
            .bind(&e.name)
            .bind(e.exit_code)
            .bind(&e.new_state)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }

    /// The newest `limit` events of `host`, oldest first.
    pub async fn recent_events(&self, host: &HostId, limit: usize) -> Result<Vec<EngineEvent>> {
        let rows = sqlx::query(
            "SELECT time_ms, kind, action, object_id, name, exit_code, new_state FROM ( \
               SELECT seq, time_ms, kind, action, object_id, name, exit_code, new_state \
               FROM events \
               WHERE host = ? ORDER BY seq DESC LIMIT ? \
             ) ORDER BY seq",
        )
        .bind(host.as_str())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                Some(EngineEvent {
                    time_ms: row.try_get("time_ms").ok()?,
                    kind: EventKind::from_engine_name(row.try_get("kind").ok()?)?,
                    action: row.try_get("action").ok()?,
                    id: row.try_get("object_id").ok()?,
                    name: row.try_get("name").ok()?,
                    exit_code: row.try_get("exit_code").ok()?,
                    new_state: row.try_get("new_state").ok()?,
                })
            })
            .collect())
    }

    /// Folds per-second samples older than an hour into per-minute averages and drops what
    /// is past its retention (per-minute averages older than `stats`), as of `now_ms`.
    pub async fn compact(&self, now_ms: i64, stats: StatsRetention) -> Result<()> {
        const MINUTE_MS: i64 = 60_000;
        let fine_ms = i64::try_from(FINE_RETENTION.as_millis()).unwrap_or(i64::MAX);
        let coarse_ms = i64::try_from(stats.duration().as_millis()).unwrap_or(i64::MAX);
        // Whole minutes only, so no minute is averaged from half of its seconds.
        let fold_before = (now_ms - fine_ms) / MINUTE_MS * MINUTE_MS;
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        sqlx::query(
            "INSERT OR REPLACE INTO stats_1m \
             SELECT host, container, time_ms / 60000 * 60000, avg(cpu_percent), \
                    max(memory_bytes), max(memory_limit_bytes), avg(net_rx_per_sec), \
                    avg(net_tx_per_sec), avg(block_read_per_sec), avg(block_write_per_sec), \
                    max(pids) \
             FROM stats_1s WHERE time_ms < ? GROUP BY host, container, time_ms / 60000",
        )
        .bind(fold_before)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        for (query, cutoff) in [
            ("DELETE FROM stats_1s WHERE time_ms < ?", fold_before),
            ("DELETE FROM stats_1m WHERE time_ms < ?", now_ms - coarse_ms),
        ] {
            sqlx::query(query)
                .bind(cutoff)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        let hosts: Vec<String> = sqlx::query_scalar("SELECT DISTINCT host FROM events")
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
        for host in hosts {
            // Everything at or before the event EVENTS_KEPT places back from the newest goes.
            sqlx::query(
                "DELETE FROM events WHERE host = ?1 AND seq <= ( \
                   SELECT seq FROM events WHERE host = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
            )
            .bind(&host)
            .bind(EVENTS_KEPT)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        self.compact_activity().await
    }

    /// Rows in the stats tables (per second, per minute), for tests and diagnostics.
    pub async fn stats_rows(&self) -> Result<(i64, i64)> {
        sqlx::query_as("SELECT (SELECT count(*) FROM stats_1s), (SELECT count(*) FROM stats_1m)")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)
    }
}
