//! Where a user's profile lives — the one folder the window and berthctl share — and moving it
//! from the folder named after an old app identifier.
//!
//! Moving a user's profile — settings, databases, known hosts, anything Berth kept — from the
//! folder named after an old app identifier to the one named after the new identifier, once,
//! before anything opens it.
//!
//! The rules: a profile is moved only when the new folder does not exist yet, so nothing is ever
//! overwritten (a new folder means that profile already moved, or the user started afresh); and a
//! crash at any moment leaves every file reachable, in the old folder or in the new one.
//! Renaming does both at once when the two folders are on one filesystem (they are siblings in
//! the platform's data folder, so they nearly always are). Otherwise the old folder is copied
//! into a staging folder beside the new one, made durable, then renamed into place, and only then
//! is the old one removed.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The app's identifier (tauri.conf.json), which names the profile's folders.
pub const IDENTIFIER: &str = "dev.berth.desktop";

/// The identifier of Berth 0.1's builds. It ended in `.app`, which clashes with the extension of
/// macOS bundles; profiles kept under it are moved to [`IDENTIFIER`]'s folders on first start.
pub const OLD_IDENTIFIER: &str = "dev.berth.app";

/// Berth's files: settings, databases and its known hosts, in the platform's data folder
/// (`$XDG_DATA_HOME/dev.berth.desktop` on Linux). The window and berthctl both open it, so a
/// host saved in one is there in the other.
pub fn data_folder() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join(IDENTIFIER)
}

/// Moves a profile kept under [`OLD_IDENTIFIER`] to [`IDENTIFIER`] in each of the folders Berth
/// or its webview may write (data — settings, databases, known hosts —, local data — the
/// webview's storage and, on Linux and Windows, the app's logs —, config and cache). Must run
/// before anything makes the new folders, or the move is skipped for that start and every later
/// one. Returns what happened, to log once logging is set up.
pub fn move_old_profile() -> Vec<(PathBuf, io::Result<Moved>)> {
    let bases = [
        dirs::data_dir(),
        dirs::data_local_dir(),
        dirs::config_dir(),
        dirs::cache_dir(),
    ];
    move_profiles(bases.into_iter().flatten(), OLD_IDENTIFIER, IDENTIFIER)
}

/// What [`move_profile`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    /// There was no old folder.
    NothingToMove,
    /// The new folder exists already: both are left as they are.
    NewAlreadyThere,
    /// The old folder was renamed to the new one.
    Renamed,
    /// The old folder was copied to the new one (another filesystem), then removed.
    Copied,
    /// Copied, but the old folder could not be removed (a mount point, say): the new one is
    /// complete and in use, the old one is a leftover for the user to delete.
    CopiedOldKept,
}

/// Moves the folder `old` to `new` when `old` exists and `new` does not (see the module's rules).
/// `new`'s parent folders are made when missing.
pub fn move_profile(old: &Path, new: &Path) -> io::Result<Moved> {
    if exists(new)? {
        return Ok(Moved::NewAlreadyThere);
    }
    if !exists(old)? {
        return Ok(Moved::NothingToMove);
    }
    if let Some(parent) = new.parent() {
        fs::create_dir_all(parent)?;
    }
    match fs::rename(old, new) {
        Ok(()) => {
            sync_parent(new)?;
            Ok(Moved::Renamed)
        }
        // A folder that appeared under the new name meanwhile (another start of Berth) wins,
        // as it would have before the check: rename never replaces a folder that has files.
        Err(err) if matches!(err.kind(), io::ErrorKind::DirectoryNotEmpty) || exists(new)? => {
            Ok(Moved::NewAlreadyThere)
        }
        // Another filesystem, or an old folder that cannot be renamed (a mount point): copy.
        Err(_) => {
            copy_then_rename(old, new)?;
            Ok(match fs::remove_dir_all(old) {
                Ok(()) => Moved::Copied,
                Err(err) => {
                    tracing::warn!(%err, old = %old.display(), "the old profile was copied but stays");
                    Moved::CopiedOldKept
                }
            })
        }
    }
}

/// Moves `<base>/<old_name>` to `<base>/<new_name>` for each distinct base folder (the
/// platform's data, local data, config and cache folders, which coincide on some platforms),
/// returning what happened in each. One folder that fails does not stop the others.
pub fn move_profiles(
    bases: impl IntoIterator<Item = PathBuf>,
    old_name: &str,
    new_name: &str,
) -> Vec<(PathBuf, io::Result<Moved>)> {
    let mut seen = HashSet::new();
    bases
        .into_iter()
        .filter(|base| seen.insert(base.clone()))
        .map(|base| {
            let moved = move_profile(&base.join(old_name), &base.join(new_name));
            (base, moved)
        })
        .collect()
}

/// Copies `old` to a staging folder beside `new`, flushes every file and folder to disk, then
/// renames the staging folder to `new`: `new` appears complete or not at all. A staging folder
/// left by a crash mid-copy is incomplete by definition (it was never renamed) and is started
/// again from scratch; the old folder, still untouched, is the source.
pub(crate) fn copy_then_rename(old: &Path, new: &Path) -> io::Result<()> {
    let staging = staging_for(new)?;
    if exists(&staging)? {
        remove_any(&staging)?;
    }
    copy_tree(old, &staging)?;
    fs::rename(&staging, new)?;
    sync_parent(new)
}

/// The staging folder for `new`: a hidden sibling, so the final rename stays on one filesystem.
fn staging_for(new: &Path) -> io::Result<PathBuf> {
    let name = new.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} names no folder", new.display()),
        )
    })?;
    let mut staged = std::ffi::OsString::from(".");
    staged.push(name);
    staged.push(".moving");
    Ok(new.with_file_name(staged))
}

/// Copies a file, folder or symbolic link with its permissions, recursively, flushing each to
/// disk. Symbolic links are copied as links, not followed.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        copy_link(from, to)
    } else if meta.is_dir() {
        fs::create_dir(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        fs::set_permissions(to, meta.permissions())?;
        sync_folder(to)
    } else {
        // fs::copy carries the permissions over (a private key's 0600 stays 0600).
        fs::copy(from, to)?;
        fs::File::open(to)?.sync_all()
    }
}

#[cfg(unix)]
fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(from)?, to)
}

#[cfg(windows)]
fn copy_link(from: &Path, to: &Path) -> io::Result<()> {
    let target = fs::read_link(from)?;
    // Windows tells file links from folder links; resolve against the link's own folder.
    let resolved = from.parent().map_or(target.clone(), |p| p.join(&target));
    if resolved.is_dir() {
        std::os::windows::fs::symlink_dir(target, to)
    } else {
        std::os::windows::fs::symlink_file(target, to)
    }
}

/// Whether anything (a file, folder or link, even a dangling one) is at `path`.
fn exists(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

fn remove_any(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

/// Makes a rename into `path`'s parent folder durable: until the folder itself is flushed, a
/// power cut may forget the rename.
fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(parent) => sync_folder(parent),
        None => Ok(()),
    }
}

#[cfg(unix)]
fn sync_folder(folder: &Path) -> io::Result<()> {
    fs::File::open(folder)?.sync_all()
}

/// Windows cannot open a folder as a file to flush it; NTFS journals renames itself.
#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temp folder of the test's own, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let root = std::env::temp_dir().join(format!(
                "berth-profile-{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = fs::remove_dir_all(&root);
            fs::create_dir_all(&root).unwrap();
            Self(root)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// A profile as Berth leaves one: databases with their WAL, settings, a private file, a
    /// folder of logs and a link.
    fn make_profile(folder: &Path) {
        fs::create_dir_all(folder.join("logs")).unwrap();
        for (file, text) in [
            ("history.sqlite", "history"),
            ("history.sqlite-wal", "committed, not yet checkpointed"),
            ("hosts.sqlite", "hosts"),
            ("settings.json", r#"{"settings":{"theme":"dark"}}"#),
            ("known_hosts", "[10.0.0.2]:22 ssh-ed25519 AAAA"),
            ("logs/berth.log", "a line"),
        ] {
            fs::write(folder.join(file), text).unwrap();
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(
                folder.join("known_hosts"),
                fs::Permissions::from_mode(0o600),
            )
            .unwrap();
            std::os::unix::fs::symlink("history.sqlite", folder.join("latest")).unwrap();
        }
    }

    /// Every entry below `folder` with its contents (a link as its target), sorted.
    fn listing(folder: &Path) -> Vec<(PathBuf, String)> {
        let mut found = Vec::new();
        let mut stack = vec![folder.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let relative = path.strip_prefix(folder).unwrap().to_path_buf();
                let meta = fs::symlink_metadata(&path).unwrap();
                if meta.file_type().is_symlink() {
                    let target = fs::read_link(&path).unwrap();
                    found.push((relative, format!("-> {}", target.display())));
                } else if meta.is_dir() {
                    found.push((relative, "dir".to_owned()));
                    stack.push(path);
                } else {
                    found.push((relative, fs::read_to_string(&path).unwrap()));
                }
            }
        }
        found.sort();
        found
    }

    #[test]
    fn an_old_profile_is_renamed_whole_to_the_new_folder() {
        let t = Scratch::new("rename");
        let (old, new) = (t.0.join("dev.berth.app"), t.0.join("dev.berth.desktop"));
        make_profile(&old);
        let before = listing(&old);

        assert_eq!(move_profile(&old, &new).unwrap(), Moved::Renamed);
        assert_eq!(listing(&new), before);
        assert!(!old.exists());
        // Done once: the next start finds the new folder and does nothing.
        assert_eq!(move_profile(&old, &new).unwrap(), Moved::NewAlreadyThere);
        assert_eq!(listing(&new), before);
    }

    #[test]
    fn an_existing_new_folder_is_never_overwritten_and_the_old_one_stays() {
        let t = Scratch::new("both");
        let (old, new) = (t.0.join("old"), t.0.join("new"));
        make_profile(&old);
        fs::create_dir_all(&new).unwrap();
        fs::write(new.join("settings.json"), "the new one's").unwrap();
        let (old_before, new_before) = (listing(&old), listing(&new));

        assert_eq!(move_profile(&old, &new).unwrap(), Moved::NewAlreadyThere);
        assert_eq!(listing(&old), old_before);
        assert_eq!(listing(&new), new_before);

        // Even an empty new folder counts: the user (or a first start) made it.
        let t = Scratch::new("empty-new");
        let (old, new) = (t.0.join("old"), t.0.join("new"));
        make_profile(&old);
        fs::create_dir(&new).unwrap();
        assert_eq!(move_profile(&old, &new).unwrap(), Moved::NewAlreadyThere);
        assert_eq!(listing(&old), old_before);
    }

    #[test]
    fn no_old_profile_moves_nothing_and_makes_nothing() {
        let t = Scratch::new("none");
        let new = t.0.join("data/new");
        assert_eq!(
            move_profile(&t.0.join("data/old"), &new).unwrap(),
            Moved::NothingToMove
        );
        assert!(!new.exists() && !t.0.join("data").exists());
    }

    #[test]
    fn a_copy_carries_every_file_with_its_permissions_and_appears_whole() {
        let t = Scratch::new("copy");
        let (old, new) = (t.0.join("old"), t.0.join("new"));
        make_profile(&old);
        let before = listing(&old);

        copy_then_rename(&old, &new).unwrap();
        assert_eq!(listing(&new), before);
        // The source is untouched until the caller removes it.
        assert_eq!(listing(&old), before);
        assert!(!staging_for(&new).unwrap().exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(new.join("known_hosts")).unwrap().permissions();
            assert_eq!(mode.mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_copy_cut_short_by_a_crash_is_started_again_and_loses_nothing() {
        let t = Scratch::new("crash");
        let (old, new) = (t.0.join("old"), t.0.join("new"));
        make_profile(&old);
        let before = listing(&old);
        // What a crash mid-copy leaves: a staging folder with part of the files, no new folder,
        // the old folder whole.
        let staging = staging_for(&new).unwrap();
        fs::create_dir_all(staging.join("logs")).unwrap();
        fs::write(staging.join("settings.json"), r#"{"settings":{"th"#).unwrap();
        fs::write(staging.join("stray"), "only in the cut copy").unwrap();

        copy_then_rename(&old, &new).unwrap();
        assert_eq!(listing(&new), before);
        assert_eq!(listing(&old), before);
        assert!(!staging.exists());
    }

    #[test]
    fn each_base_folder_is_moved_once_even_when_platforms_make_two_of_them_the_same() {
        let t = Scratch::new("bases");
        let (data, config) = (t.0.join("share"), t.0.join("config"));
        make_profile(&data.join("dev.berth.app"));
        fs::create_dir_all(config.join("dev.berth.app")).unwrap();
        fs::write(config.join("dev.berth.app/prefs"), "p").unwrap();
        let missing = t.0.join("cache");

        let moved = move_profiles(
            [data.clone(), data.clone(), config.clone(), missing.clone()],
            "dev.berth.app",
            "dev.berth.desktop",
        );
        let outcomes: Vec<_> = moved
            .into_iter()
            .map(|(base, result)| (base, result.unwrap()))
            .collect();
        assert_eq!(
            outcomes,
            [
                (data.clone(), Moved::Renamed),
                (config.clone(), Moved::Renamed),
                (missing, Moved::NothingToMove)
            ]
        );
        assert_eq!(
            fs::read_to_string(data.join("dev.berth.desktop/settings.json")).unwrap(),
            r#"{"settings":{"theme":"dark"}}"#
        );
        assert_eq!(
            fs::read_to_string(config.join("dev.berth.desktop/prefs")).unwrap(),
            "p"
        );
    }
}
