//! What Berth does with a saved file it cannot use (a damaged database, a settings file that is
//! not JSON): the file is set aside — renamed beside itself, never deleted, so the user can still
//! look into it or send it to us — and Berth carries on with a fresh one, telling the user which
//! file was kept where. Replacing it silently would lose what the user saved for good.

use std::path::{Path, PathBuf};

use serde::Serialize;
use specta::Type;

/// A file that could not be used and was kept under another name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SetAside {
    /// The file's usual name, such as `history.sqlite`.
    pub file: String,
    /// Where it is kept now.
    pub kept_as: String,
    /// Why it could not be used.
    pub reason: String,
}

/// Files a SQLite database may have beside it; they belong to it, so they move with it.
const SIDECARS: [&str; 2] = ["-wal", "-shm"];

/// Renames `path` — and a database's `-wal` and `-shm` beside it — to
/// `<name>.corrupt-<unix time>` (numbered when that name is taken: nothing kept before is
/// overwritten). Fails, changing nothing, when `path` cannot be renamed.
pub fn set_aside(path: &Path, reason: &str) -> std::io::Result<SetAside> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let taken = |kept: &Path| {
        std::iter::once(kept.to_path_buf())
            .chain(SIDECARS.iter().map(|s| with_suffix(kept, s)))
            .any(|p| p.symlink_metadata().is_ok())
    };
    let mut kept = with_suffix(path, &format!(".corrupt-{stamp}"));
    let mut n = 1;
    while taken(&kept) {
        n += 1;
        kept = with_suffix(path, &format!(".corrupt-{stamp}.{n}"));
    }
    std::fs::rename(path, &kept)?;
    for sidecar in SIDECARS {
        let from = with_suffix(path, sidecar);
        if let Err(err) = std::fs::rename(&from, with_suffix(&kept, sidecar)) {
            // A WAL left behind would be replayed into the fresh database.
            if err.kind() != std::io::ErrorKind::NotFound {
                return Err(err);
            }
        }
    }
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    tracing::warn!(%file, kept_as = %kept.display(), %reason, "a saved file was set aside");
    Ok(SetAside {
        file,
        kept_as: kept.display().to_string(),
        reason: reason.to_owned(),
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// What a JSON file of the user's held.
#[derive(Debug, PartialEq)]
pub enum JsonFile {
    /// There is no such file: nothing was saved yet.
    Missing,
    Read(serde_json::Value),
    /// The file could not be read or was not JSON; it is kept aside and Berth starts afresh.
    SetAside(SetAside),
}

/// Reads a JSON file the user's settings are kept in. One that cannot be read, or is not JSON
/// (cut short by a crash, edited by hand), is set aside. Fails only when that fails too.
pub fn read_json(path: &Path) -> std::io::Result<JsonFile> {
    let reason = match std::fs::read(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(JsonFile::Missing),
        Err(err) => format!("it could not be read: {err}"),
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(value) => return Ok(JsonFile::Read(value)),
            Err(err) => format!("it is not valid JSON: {err}"),
        },
    };
    set_aside(path, &reason).map(JsonFile::SetAside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("berth-recovery-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_database_moves_aside_with_its_wal_and_nothing_kept_before_is_overwritten() {
        let dir = folder("db");
        let db = dir.join("history.sqlite");
        for (suffix, content) in [("", "db"), ("-wal", "wal"), ("-shm", "shm")] {
            std::fs::write(with_suffix(&db, suffix), content).unwrap();
        }
        let first = set_aside(&db, "damaged").unwrap();
        assert_eq!(first.file, "history.sqlite");
        assert_eq!(first.reason, "damaged");
        let kept = PathBuf::from(&first.kept_as);
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "db");
        assert_eq!(
            std::fs::read_to_string(with_suffix(&kept, "-wal")).unwrap(),
            "wal",
            "named so that sqlite still finds the WAL of the kept copy"
        );
        assert!(!db.exists() && !with_suffix(&db, "-wal").exists());

        std::fs::write(&db, "again").unwrap();
        let second = set_aside(&db, "damaged again").unwrap();
        assert_ne!(second.kept_as, first.kept_as);
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "db");
        assert_eq!(std::fs::read_to_string(&second.kept_as).unwrap(), "again");
        assert_eq!(names(&dir).len(), 4, "{:?}", names(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_settings_file_that_is_not_json_is_set_aside_and_a_missing_one_is_no_fault() {
        let dir = folder("json");
        let path = dir.join("settings.json");
        assert_eq!(read_json(&path).unwrap(), JsonFile::Missing);

        std::fs::write(&path, r#"{"settings": {"theme": "dark"}}"#).unwrap();
        assert_eq!(
            read_json(&path).unwrap(),
            JsonFile::Read(serde_json::json!({"settings": {"theme": "dark"}}))
        );

        let cut_short = r#"{"settings": {"theme": "da"#;
        std::fs::write(&path, cut_short).unwrap();
        let JsonFile::SetAside(kept) = read_json(&path).unwrap() else {
            panic!("a file cut short is set aside");
        };
        assert!(kept.reason.contains("not valid JSON"), "{}", kept.reason);
        assert!(
            kept.kept_as.contains("settings.json.corrupt-"),
            "{}",
            kept.kept_as
        );
        assert_eq!(std::fs::read_to_string(&kept.kept_as).unwrap(), cut_short);
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
