//! Key passphrases the user asked Berth to remember. They live in the OS keyring (the Secret
//! Service on Linux, Keychain on macOS, Credential Manager on Windows) under Berth's service
//! name and the host's id — never in sqlite, the settings or the logs.
//!
//! Keyring calls block on D-Bus (or the platform's equivalent), so they run off the async
//! threads.

use crate::error::{Error, Result};
use crate::hosts::{HostId, Secret};

/// The keyring service name of every passphrase Berth keeps. It is not the app's bundle
/// identifier, though it was spelled the same until the identifier became `dev.berth.desktop`:
/// the keyring finds an entry by service and host id, so a new name would strand every
/// passphrase users asked Berth to remember. It stays as it is.
const SERVICE: &str = "dev.berth.app";

/// Keeps the passphrase of `host`'s key, replacing one kept before.
pub async fn remember(host: &HostId, passphrase: &Secret) -> Result<()> {
    let passphrase = passphrase.clone();
    with_entry(host, move |entry| entry.set_password(passphrase.expose())).await
}

/// The passphrase kept for `host`, if any.
pub async fn recall(host: &HostId) -> Result<Option<Secret>> {
    with_entry(host, |entry| match entry.get_password() {
        Ok(passphrase) => Ok(Some(Secret::new(passphrase))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(other) => Err(other),
    })
    .await
}

/// Drops the passphrase kept for `host`; nothing kept is not an error.
pub async fn forget(host: &HostId) -> Result<()> {
    with_entry(host, |entry| match entry.delete_credential() {
        Err(keyring::Error::NoEntry) => Ok(()),
        done => done,
    })
    .await
}

/// How many times a keyring call is tried when the keyring fails to answer. The Linux Secret
/// Service client waits only 2 s for each D-Bus reply, and a keyring daemon that is being
/// started on first use, or is writing its file under heavy disk load, can take longer; every
/// call here is idempotent, so asking again is safe.
const ATTEMPTS: usize = 3;

async fn with_entry<T: Send + 'static>(
    host: &HostId,
    work: impl Fn(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
) -> Result<T> {
    let user = host.as_str().to_owned();
    tokio::task::spawn_blocking(move || {
        let entry = keyring::Entry::new(SERVICE, &user)?;
        let mut attempt = 1;
        loop {
            match work(&entry) {
                Err(keyring::Error::PlatformFailure(err)) if attempt < ATTEMPTS => {
                    tracing::warn!(%err, attempt, "the keyring failed; asking again");
                    attempt += 1;
                }
                done => return done,
            }
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("the keyring task failed: {e}")))?
    .map_err(|e| Error::Keyring(e.to_string()))
}
