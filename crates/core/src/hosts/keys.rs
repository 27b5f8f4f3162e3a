//! New SSH key pairs for hosts the user has no key for yet, made the way `ssh-keygen -t ed25519`
//! makes them: OpenSSH files, the private one readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use russh::keys::ssh_key::LineEnding;
use russh::keys::{Algorithm, PrivateKey};
use serde::Serialize;
use specta::Type;

use crate::error::{Error, Result};
use crate::hosts::Secret;

/// A key pair made for a host.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedKey {
    /// The private key file, to log in with.
    pub path: String,
    /// The line to add to the host's `~/.ssh/authorized_keys`.
    pub public_key: String,
}

/// Makes a new ed25519 key pair for logging in to `host_name`: at `path` when given, else as
/// `~/.ssh/berth_<host>_ed25519` in `home` (numbered when taken), the private key encrypted
/// with `passphrase` when given. Existing files are never overwritten.
pub async fn generate_for_host(
    home: Option<&Path>,
    host_name: &str,
    path: Option<PathBuf>,
    passphrase: Option<&Secret>,
) -> Result<GeneratedKey> {
    let path = match path {
        Some(path) => path,
        None => unused_path(home, host_name)?,
    };
    let comment = format!("berth: {}", host_name.trim());
    let public_key = generate_ed25519(&path, &comment, passphrase).await?;
    Ok(GeneratedKey {
        path: path.display().to_string(),
        public_key,
    })
}

/// The first of `~/.ssh/berth_<host>_ed25519`, `…_ed25519_2`, … with neither the key nor its
/// `.pub` there yet, `<host>` being the host's name with anything but ASCII letters and digits
/// made `_`.
fn unused_path(home: Option<&Path>, host_name: &str) -> Result<PathBuf> {
    let ssh = home
        .ok_or_else(|| Error::Internal("there is no home folder for the key".to_owned()))?
        .join(".ssh");
    let slug: String = host_name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let free = |path: &Path| !path.exists() && !public_path(path).exists();
    (1..)
        .map(|n| match n {
            1 => ssh.join(format!("berth_{slug}_ed25519")),
            n => ssh.join(format!("berth_{slug}_ed25519_{n}")),
        })
        .find(|path| free(path))
        .ok_or_else(|| Error::Internal("no free key file name".to_owned()))
}

/// Where the public half of the key at `path` goes: `path` with `.pub` added.
fn public_path(path: &Path) -> PathBuf {
    path.with_file_name(format!(
        "{}.pub",
        path.file_name().unwrap_or_default().to_string_lossy()
    ))
}

/// Makes an ed25519 key pair at `path` (private) and `path.pub`, the private key encrypted
/// with `passphrase` when given, and returns the public key line for the host's
/// `~/.ssh/authorized_keys`. Existing files are never overwritten.
pub async fn generate_ed25519(
    path: &Path,
    comment: &str,
    passphrase: Option<&Secret>,
) -> Result<String> {
    check_key_path(path)?;
    check_comment(comment)?;
    let public_path = public_path(path);
    for taken in [path, public_path.as_path()] {
        if taken.exists() {
            return Err(Error::Conflict(format!(
                "There is already a file at {}; Berth never overwrites keys. Choose another name.",
                taken.display()
            )));
        }
    }
    let (path, comment, passphrase) = (path.to_owned(), comment.to_owned(), passphrase.cloned());
    // Encrypting runs bcrypt-pbkdf, which is slow on purpose: off the async threads.
    tokio::task::spawn_blocking(move || write_pair(&path, &public_path, &comment, passphrase))
        .await
        .map_err(|e| Error::Internal(format!("key generation failed: {e}")))?
}

/// A new key's file: an absolute path with no `..` in it, whose name is plain (letters,
/// digits, `_`, `.`, `-`, not starting with a dot), in a folder that is not a system one.
fn check_key_path(path: &Path) -> Result<()> {
    let invalid = |why: &str| {
        Err(Error::InvalidInput(format!(
            "The key file {:?} {why}.",
            path.display().to_string()
        ))
        .in_field("keyPath"))
    };
    if !path.is_absolute() {
        return invalid("must be an absolute path");
    }
    if path
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return invalid("must not go up a folder with ..");
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if !plain {
        return invalid("must have a plain name: letters, digits, _ . - (not starting with a dot)");
    }
    Ok(())
}

/// A key's comment ends up in `authorized_keys`, one key per line: no line breaks or other
/// control characters, and short.
fn check_comment(comment: &str) -> Result<()> {
    if comment.chars().count() > 128 || comment.contains(|c: char| c.is_control()) {
        return Err(Error::InvalidInput(format!(
            "The key's comment {comment:?} must be one line of at most 128 characters."
        )));
    }
    Ok(())
}

fn write_pair(
    path: &Path,
    public_path: &Path,
    comment: &str,
    passphrase: Option<Secret>,
) -> Result<String> {
    let key_error =
        |e: russh::keys::ssh_key::Error| Error::Internal(format!("key generation failed: {e}"));
    let mut rng = rand::rng();
    let mut key = PrivateKey::random(&mut rng, Algorithm::Ed25519).map_err(key_error)?;
    key.set_comment(comment);
    let public = key.public_key().to_openssh().map_err(key_error)?;
    if let Some(passphrase) = passphrase {
        key = key
            .encrypt(&mut rng, passphrase.expose())
            .map_err(key_error)?;
    }
    let private = key.to_openssh(LineEnding::LF).map_err(key_error)?;

    let io_error = |file: &Path, e: std::io::Error| {
        Error::InvalidInput(format!("{} could not be written: {e}", file.display()))
    };
    if let Some(folder) = path.parent() {
        create_private_folder(folder).map_err(|e| io_error(folder, e))?;
    }
    write_new(path, private.as_bytes(), 0o600).map_err(|e| io_error(path, e))?;
    write_new(public_path, format!("{public}\n").as_bytes(), 0o644)
        .map_err(|e| io_error(public_path, e))?;
    Ok(public)
}

fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)
}

fn write_new(path: &Path, contents: &[u8], mode: u32) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_and_comments_are_checked() {
        for good in ["/home/me/.ssh/id_ed25519_prod", "/tmp/k-1.key"] {
            assert!(check_key_path(Path::new(good)).is_ok(), "{good}");
        }
        for bad in [
            "id_ed25519",
            "/home/me/.ssh/../.bashrc",
            "/home/me/.ssh/.hidden",
            "/home/me/.ssh/a b",
            "/home/me/.ssh/",
            "/home/me/.ssh/key;rm",
        ] {
            let err = check_key_path(Path::new(bad)).unwrap_err();
            assert_eq!(err.field(), Some("keyPath"), "{bad}: {err}");
        }
        assert!(check_comment("berth: prod-1").is_ok());
        for bad in ["berth\nssh-ed25519 AAAA attacker", "a\rb", &"x".repeat(129)] {
            assert!(check_comment(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_new_key_is_named_after_its_host_and_numbered_when_the_name_is_taken() {
        let home = std::env::temp_dir().join(format!("berth-keys-{}", std::process::id()));
        let ssh = home.join(".ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        let first = unused_path(Some(&home), " Build box.2 ").unwrap();
        assert_eq!(first, ssh.join("berth_build_box_2_ed25519"));
        // Either half of a pair takes the name.
        std::fs::write(ssh.join("berth_build_box_2_ed25519.pub"), "").unwrap();
        assert_eq!(
            unused_path(Some(&home), "Build box.2").unwrap(),
            ssh.join("berth_build_box_2_ed25519_2")
        );
        std::fs::write(ssh.join("berth_build_box_2_ed25519_2"), "").unwrap();
        assert_eq!(
            unused_path(Some(&home), "Build box.2").unwrap(),
            ssh.join("berth_build_box_2_ed25519_3")
        );
        assert!(unused_path(None, "Build box").is_err());
        std::fs::remove_dir_all(&home).unwrap();
    }
}
