//! Remote hosts: find them elsewhere, try one, save it (and watch it), unlock its key, forget
//! it. A passphrase is kept only in the OS keyring, and only when the user asks; otherwise it
//! lasts for this run of the app.

use berth_core::history::activity;
use berth_core::hosts::import::{self, HostCandidate};
use berth_core::hosts::passphrases;
use berth_core::{
    AcceptedHostKey, Berth, Engine, EngineInfo, Error, HostId, KnownHostsFiles, SavedHost, Secret,
    Store,
};
use tauri::State;

use crate::error::IpcResult;

/// Host keys: the user's OpenSSH file is read; keys accepted in Berth go to Berth's own file.
pub fn known_hosts_files() -> KnownHostsFiles {
    KnownHostsFiles::standard(
        dirs::home_dir().as_deref(),
        crate::data_folder().join("known_hosts"),
    )
}

fn saved_hosts_store(store: &Option<Store>) -> Result<&Store, Error> {
    crate::opened(store, "hosts cannot be saved")
}

/// The hosts the user saved.
#[tauri::command]
#[specta::specta]
pub async fn hosts_saved(store: State<'_, Option<Store>>) -> IpcResult<Vec<SavedHost>> {
    Ok(saved_hosts_store(&store)?.saved_hosts().await?)
}

/// Tries a host before it is saved: the SSH login, then its engine. `accept` is the host key
/// the user has accepted (host, port and fingerprint, as the refusal gave them), when it was
/// unknown.
#[tauri::command]
#[specta::specta]
pub async fn hosts_test(
    files: State<'_, KnownHostsFiles>,
    host: SavedHost,
    passphrase: Option<String>,
    accept: Option<AcceptedHostKey>,
) -> IpcResult<EngineInfo> {
    host.validate()?;
    let spec = host.spec(&files, passphrase.map(Secret::new))?;
    let engine = Engine::connect_accepting(&spec.endpoint, accept.as_ref()).await?;
    Ok(engine.info().await?)
}

/// Forgets the keys Berth's own known_hosts file has for `host:port`, after the user read why
/// a changed key was refused: the next connection is a first one again. Returns how many keys
/// went.
#[tauri::command]
#[specta::specta]
pub async fn hosts_forget_key(
    files: State<'_, KnownHostsFiles>,
    host: String,
    port: u16,
) -> IpcResult<u32> {
    Ok(berth_core::forget_host_key(&files, &host, port).await?)
}

/// Keeps a new or edited host and watches it from now on. A passphrase given is kept in the
/// keyring when `remember` is set, and dropped from it otherwise; with none given, one kept
/// before is used.
#[tauri::command]
#[specta::specta]
pub async fn hosts_save(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    files: State<'_, KnownHostsFiles>,
    host: SavedHost,
    passphrase: Option<String>,
    remember: bool,
) -> IpcResult<()> {
    host.validate()?;
    let passphrase = passphrase.map(Secret::new);
    let save = async {
        // The keyring first: if it fails, nothing is saved and the user may untick "remember".
        keep_or_drop(&host.id, passphrase.as_ref(), remember).await?;
        saved_hosts_store(&store)?.save_host(&host).await?;
        let spec = match passphrase {
            Some(passphrase) => host.spec(&files, Some(passphrase))?,
            None => host.spec_with_remembered_passphrase(&files).await?,
        };
        // An edited host reconnects with its new details.
        let _ = berth.remove(&host.id);
        berth.add(spec)
    };
    Ok(activity::logged(store.as_ref(), &host.id, "save host", &host.name, save).await?)
}

/// Unlocks the key of a saved host that is waiting for its passphrase: the passphrase is tried
/// first, so a wrong one is said here and changes nothing.
#[tauri::command]
#[specta::specta]
pub async fn hosts_unlock(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    files: State<'_, KnownHostsFiles>,
    host: HostId,
    passphrase: String,
    remember: bool,
) -> IpcResult<()> {
    let saved = saved_hosts_store(&store)?
        .saved_hosts()
        .await?
        .into_iter()
        .find(|saved| saved.id == host)
        .ok_or_else(|| Error::NotFound(format!("no saved host with id {host}")))?;
    let passphrase = Secret::new(passphrase);
    let spec = saved.spec(&files, Some(passphrase.clone()))?;
    Engine::connect(&spec.endpoint).await?;
    keep_or_drop(&host, Some(&passphrase), remember).await?;
    let _ = berth.remove(&host);
    berth.add(spec)?;
    Ok(())
}

/// Keeps a new passphrase the user wants remembered, or drops an old one they no longer do. A
/// machine without a keyring only fails when asked to remember.
async fn keep_or_drop(
    host: &HostId,
    passphrase: Option<&Secret>,
    remember: bool,
) -> Result<(), Error> {
    match passphrase {
        Some(passphrase) if remember => passphrases::remember(host, passphrase).await,
        Some(_) => {
            forget_quietly(host).await;
            Ok(())
        }
        None => Ok(()),
    }
}

async fn forget_quietly(host: &HostId) {
    if let Err(err) = passphrases::forget(host).await {
        tracing::warn!(%err, %host, "a remembered passphrase could not be dropped");
    }
}

/// Forgets a saved host and stops watching it.
#[tauri::command]
#[specta::specta]
pub async fn hosts_remove(
    berth: State<'_, Berth>,
    store: State<'_, Option<Store>>,
    host: HostId,
) -> IpcResult<()> {
    let name = berth.host_name(&host).unwrap_or_else(|| host.to_string());
    let remove = async {
        saved_hosts_store(&store)?.remove_host(&host).await?;
        berth.remove(&host)
    };
    activity::logged(store.as_ref(), &host, "remove host", &name, remove).await?;
    forget_quietly(&host).await;
    Ok(())
}

/// A key pair made for a host.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedKey {
    /// The private key file, to log in with.
    pub path: String,
    /// The line to add to the host's `~/.ssh/authorized_keys`.
    pub public_key: String,
}

/// Makes a new ed25519 key pair for logging in to `host_name`: at `path` when given, else as
/// `~/.ssh/berth_<host>_ed25519` (numbered when taken). Existing files are never overwritten.
#[tauri::command]
#[specta::specta]
pub async fn keys_generate(
    host_name: String,
    path: Option<String>,
    passphrase: Option<String>,
) -> IpcResult<GeneratedKey> {
    let path = match path {
        Some(path) => std::path::PathBuf::from(path),
        None => unused_key_path(&host_name)?,
    };
    let comment = format!("berth: {}", host_name.trim());
    let passphrase = passphrase.map(Secret::new);
    let public_key =
        berth_core::hosts::keys::generate_ed25519(&path, &comment, passphrase.as_ref()).await?;
    Ok(GeneratedKey {
        path: path.display().to_string(),
        public_key,
    })
}

fn unused_key_path(host_name: &str) -> Result<std::path::PathBuf, Error> {
    let ssh = dirs::home_dir()
        .ok_or_else(|| Error::Internal("there is no home folder for the key".to_owned()))?
        .join(".ssh");
    let slug: String = host_name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let free = |path: &std::path::Path| !path.exists() && !path.with_extension("pub").exists();
    (1..)
        .map(|n| match n {
            1 => ssh.join(format!("berth_{slug}_ed25519")),
            n => ssh.join(format!("berth_{slug}_ed25519_{n}")),
        })
        .find(|path| free(path))
        .ok_or_else(|| Error::Internal("no free key file name".to_owned()))
}

/// Hosts found in `~/.ssh/config`, the Docker CLI's contexts and an `ssh://` DOCKER_HOST,
/// to pre-fill the add-host form.
#[tauri::command]
#[specta::specta]
pub async fn hosts_import() -> Vec<HostCandidate> {
    let Some(home) = dirs::home_dir() else {
        return Vec::new();
    };
    let docker_config =
        std::env::var_os("DOCKER_CONFIG").map_or_else(|| home.join(".docker"), Into::into);
    let docker_host = std::env::var("DOCKER_HOST").ok();
    import::discover(home, docker_config, docker_host).await
}
