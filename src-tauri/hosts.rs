//! Remote hosts: find them elsewhere, try one, save it (and watch it), forget it.
//! Passphrases are used for this run of the app only and never written anywhere.

use berth_core::import::{self, HostCandidate};
use berth_core::{
    Berth, Engine, EngineInfo, Error, HostId, KnownHostsFiles, SavedHost, Secret, Store,
};
use tauri::State;

use crate::error::IpcResult;

/// Host keys: the user's OpenSSH file is read; keys accepted in Berth go to Berth's own file.
pub fn known_hosts_files() -> KnownHostsFiles {
    KnownHostsFiles {
        openssh: dirs::home_dir().map(|home| home.join(".ssh/known_hosts")),
        berth: crate::data_folder().join("known_hosts"),
    }
}

fn saved_hosts_store(store: &Option<Store>) -> Result<&Store, Error> {
    store.as_ref().ok_or_else(|| {
        Error::Internal("hosts cannot be saved: the database did not open".to_owned())
    })
}

/// The hosts the user saved.
#[tauri::command]
#[specta::specta]
pub async fn hosts_saved(store: State<'_, Option<Store>>) -> IpcResult<Vec<SavedHost>> {
    Ok(saved_hosts_store(&store)?.saved_hosts().await?)
}

/// Tries a host before it is saved: the SSH login, then its engine. `accept` is the host key
/// fingerprint the user has accepted, when the key was unknown.
#[tauri::command]
#[specta::specta]
pub async fn hosts_test(
    files: State<'_, KnownHostsFiles>,
    host: SavedHost,
    passphrase: Option<String>,
    accept: Option<String>,
) -> IpcResult<EngineInfo> {
    host.validate()?;
    let spec = host.spec(&files, passphrase.map(Secret::new));
    let engine = Engine::connect_accepting(&spec.endpoint, accept.as_deref()).await?;
    Ok(engine.info().await?)
}

/// Keeps a new or edited host and watches it from now on.
#[tauri::command]
#[specta::specta]
pub async fn hosts_save(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    files: State<'_, KnownHostsFiles>,
    host: SavedHost,
    passphrase: Option<String>,
) -> IpcResult<()> {
    if host.id.as_str() == HostId::LOCAL {
        return Err(Error::InvalidInput("the local engine is not a saved host".to_owned()).into());
    }
    saved_hosts_store(&store)?.save_host(&host).await?;
    // An edited host reconnects with its new details.
    let _ = berth.remove(&host.id);
    berth.add(host.spec(&files, passphrase.map(Secret::new)))?;
    Ok(())
}

/// Forgets a saved host and stops watching it.
#[tauri::command]
#[specta::specta]
pub async fn hosts_remove(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
) -> IpcResult<()> {
    saved_hosts_store(&store)?.remove_host(&host).await?;
    berth.remove(&host)?;
    Ok(())
}

/// Hosts found in `~/.ssh/config`, the Docker CLI's contexts and an `ssh://` DOCKER_HOST,
/// to pre-fill the add-host form.
#[tauri::command]
#[specta::specta]
pub fn hosts_import() -> Vec<HostCandidate> {
    let Some(home) = dirs::home_dir() else {
        return Vec::new();
    };
    let ssh_config = std::fs::read_to_string(home.join(".ssh/config")).unwrap_or_default();
    let docker_config =
        std::env::var_os("DOCKER_CONFIG").map_or_else(|| home.join(".docker"), Into::into);
    let docker_host = std::env::var("DOCKER_HOST").ok();
    import::from_ssh_config(&ssh_config, &home)
        .into_iter()
        .chain(import::from_docker_contexts(&docker_config))
        .chain(docker_host.and_then(|url| import::from_ssh_url(&url, "DOCKER_HOST", "DOCKER_HOST")))
        .collect()
}
