//! Remote hosts: find them elsewhere, try one, save it (and watch it), unlock its key, forget
//! it — each a call to the core, which owns the rules and the keyring.

use berth_core::hosts::import::HostCandidate;
use berth_core::hosts::keys::GeneratedKey;
use berth_core::{AcceptedHostKey, Berth, EngineInfo, HostId, SavedHost, Secret};
use tauri::State;

use crate::error::IpcResult;

/// The hosts the user saved.
#[tauri::command]
#[specta::specta]
pub async fn hosts_saved(berth: State<'_, Berth>) -> IpcResult<Vec<SavedHost>> {
    Ok(berth.saved_hosts().await?)
}

/// Watches what berthctl saved, edited or removed since the window last looked (the window
/// asks when it gains focus); whether anything changed, for the window to load the hosts again.
#[tauri::command]
#[specta::specta]
pub async fn hosts_follow_saved(berth: State<'_, Berth>) -> IpcResult<bool> {
    Ok(berth.follow_saved_hosts().await?)
}

/// Tries a host before it is saved: the SSH login, then its engine. `accept` is the host key
/// the user has accepted (host, port and fingerprint, as the refusal gave them), when it was
/// unknown.
#[tauri::command]
#[specta::specta]
pub async fn hosts_test(
    berth: State<'_, Berth>,
    host: SavedHost,
    passphrase: Option<String>,
    accept: Option<AcceptedHostKey>,
) -> IpcResult<EngineInfo> {
    let passphrase = passphrase.map(Secret::new);
    Ok(berth.test_host(&host, passphrase, accept.as_ref()).await?)
}

/// Forgets the keys Berth's own known_hosts file has for `host:port`, after the user read why
/// a changed key was refused. Returns how many keys went.
#[tauri::command]
#[specta::specta]
pub async fn hosts_forget_key(berth: State<'_, Berth>, host: String, port: u16) -> IpcResult<u32> {
    Ok(berth.forget_host_key(&host, port).await?)
}

/// Keeps a new host (an empty `id`: the core gives it one) or an edited one, and watches it
/// from now on; returns it as saved. The passphrase is remembered in the keyring only when
/// `remember` is set.
#[tauri::command]
#[specta::specta]
pub async fn hosts_save(
    berth: State<'_, Berth>,
    host: SavedHost,
    passphrase: Option<String>,
    remember: bool,
) -> IpcResult<SavedHost> {
    let passphrase = passphrase.map(Secret::new);
    Ok(berth.save_host(host, passphrase, remember).await?)
}

/// Unlocks the key of a saved host that is waiting for its passphrase; a wrong one is refused
/// and changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn hosts_unlock(
    berth: State<'_, Berth>,
    host: HostId,
    passphrase: String,
    remember: bool,
) -> IpcResult<()> {
    let passphrase = Secret::new(passphrase);
    Ok(berth.unlock_host(&host, passphrase, remember).await?)
}

/// Forgets a saved host and stops watching it.
#[tauri::command]
#[specta::specta]
pub async fn hosts_remove(berth: State<'_, Berth>, host: HostId) -> IpcResult<()> {
    Ok(berth.remove_host(&host).await?)
}

/// Makes a new ed25519 key pair for logging in to `host_name`: at `path` when given, else in
/// `~/.ssh` under a name of its own. Existing files are never overwritten.
#[tauri::command]
#[specta::specta]
pub async fn keys_generate(
    berth: State<'_, Berth>,
    host_name: String,
    path: Option<String>,
    passphrase: Option<String>,
) -> IpcResult<GeneratedKey> {
    let (path, passphrase) = (path.map(Into::into), passphrase.map(Secret::new));
    Ok(berth.generate_key(&host_name, path, passphrase).await?)
}

/// Hosts found in `~/.ssh/config`, the Docker CLI's contexts and an `ssh://` DOCKER_HOST,
/// to pre-fill the add-host form.
#[tauri::command]
#[specta::specta]
pub async fn hosts_import(berth: State<'_, Berth>) -> IpcResult<Vec<HostCandidate>> {
    Ok(berth.importable_hosts().await)
}
