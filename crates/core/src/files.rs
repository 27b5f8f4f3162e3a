//! Writing the user's files so that a crash or a full disk never leaves half a file.

use std::io::Write;
use std::path::Path;

/// Replaces `path` with `bytes` all at once: written to a temporary file beside it, flushed to
/// disk, then renamed over it (and the folder flushed, so the rename itself survives a power
/// cut). A failure at any step leaves the old file as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file path"))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.tmp", std::process::id()));
    let temporary = folder.join(temporary_name);
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // Berth's files hold host names and settings: the user's own, not the world's.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
        return written;
    }
    // Windows cannot open a folder to flush it; its renames are journalled by NTFS.
    #[cfg(unix)]
    std::fs::File::open(folder)?.sync_all()?;
    Ok(())
}

/// A new file in `folder` for what the user saves, named after `subject` and the time (see
/// [`download_file_name`]).
pub fn saved_file_path(folder: &Path, subject: &str, extension: &str) -> std::path::PathBuf {
    let stamp = crate::history::store::now_ms() / 1000;
    folder.join(download_file_name(subject, stamp, extension))
}

/// The name of a file the user saves (a log, an export), made from `subject` — a container's
/// name, which a hostile engine could make `../../.bashrc` — and a time stamp: only letters,
/// digits, `_`, `.` and `-` are kept (others become `_`), it never starts with a dot, and it is
/// short, so the file stays in the folder it is saved to.
pub fn download_file_name(subject: &str, stamp: i64, extension: &str) -> String {
    let mut plain: String = subject
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if plain.is_empty() || plain.starts_with('.') {
        plain.insert(0, '_');
    }
    format!("{plain}-{stamp}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_stays_in_its_folder_whatever_the_name() {
        for (subject, name) in [
            ("web-1", "web-1-7.log"),
            ("../../.bashrc", "_.._.._.bashrc-7.log"),
            ("..", "_..-7.log"),
            ("a/b\\c", "a_b_c-7.log"),
            ("", "_-7.log"),
            ("/etc/passwd", "_etc_passwd-7.log"),
            ("né\n", "n__-7.log"),
        ] {
            let made = download_file_name(subject, 7, "log");
            assert_eq!(made, name, "{subject:?}");
            let joined = Path::new("/home/me/Downloads").join(&made);
            assert_eq!(joined.parent(), Some(Path::new("/home/me/Downloads")));
        }
        assert!(download_file_name(&"x".repeat(500), 7, "log").len() < 80);
    }

    #[test]
    fn the_new_content_replaces_the_old_and_nothing_is_left_beside_it() {
        let dir = std::env::temp_dir().join(format!("berth-files-{}", std::process::id()));
        let path = dir.join("settings.json");
        write_atomically(&path, b"old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary file left"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = std::env::temp_dir().join(format!("berth-files-fail-{}", std::process::id()));
        let path = dir.join("settings.json");
        write_atomically(&path, b"old").unwrap();
        // A folder where the temporary file would go makes the write fail before the rename.
        let blocker = dir.join(format!(".settings.json.{}.tmp", std::process::id()));
        std::fs::create_dir(&blocker).unwrap();
        assert!(write_atomically(&path, b"new").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
