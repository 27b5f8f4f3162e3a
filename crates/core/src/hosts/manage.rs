//! Saving, editing, unlocking and removing hosts, in one place for every front end: a host is
//! checked once, gets its id and timestamps here, its passphrase goes to the keyring only when
//! the user asks (otherwise it lasts for this run), and the watcher follows what was saved.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::engine::{Engine, EngineInfo};
use crate::error::{AcceptedHostKey, Error, Result};
use crate::history::activity::{self, Action};
use crate::history::store::now_ms;
use crate::hosts::import::{self, HostCandidate};
use crate::hosts::keys::{self, GeneratedKey};
use crate::hosts::saved::SavedHost;
use crate::hosts::{passphrases, HostId, Secret};
use crate::Berth;

impl Berth {
    /// The hosts the user saved.
    pub async fn saved_hosts(&self) -> Result<Vec<SavedHost>> {
        self.store("hosts cannot be saved")?.saved_hosts().await
    }

    /// Tries a host before it is saved: the SSH login, then its engine. `accept` is the host
    /// key the user has accepted (host, port and fingerprint, as the refusal gave them), when
    /// it was unknown.
    pub async fn test_host(
        &self,
        host: &SavedHost,
        passphrase: Option<Secret>,
        accept: Option<&AcceptedHostKey>,
    ) -> Result<EngineInfo> {
        let known_hosts = &self.profile("hosts cannot be tried")?.known_hosts;
        // A saved host being edited is tried with the passphrase the keyring keeps for it.
        let spec = match passphrase {
            None if !host.id.as_str().is_empty() => {
                host.spec_with_remembered_passphrase(known_hosts).await?
            }
            passphrase => host.spec(known_hosts, passphrase)?,
        };
        Engine::connect_accepting(&spec.endpoint, accept)
            .await?
            .info()
            .await
    }

    /// Forgets the keys Berth's own known_hosts file has for `host:port`, after the user read
    /// why a changed key was refused: the next connection is a first one again. Returns how
    /// many keys went.
    pub async fn forget_host_key(&self, host: &str, port: u16) -> Result<u32> {
        let known_hosts = &self.profile("host keys cannot be forgotten")?.known_hosts;
        crate::forget_host_key(known_hosts, host, port).await
    }

    /// Keeps a new or edited host and watches it from now on; returns it as saved. A host
    /// with an empty id is new and gets one here (a new host may also bring its own); an
    /// edited one keeps when it was added. A passphrase given is kept in the keyring when
    /// `remember` is set, and dropped from it otherwise; with none given, one kept before is
    /// used.
    pub async fn save_host(
        &self,
        host: SavedHost,
        passphrase: Option<Secret>,
        remember: bool,
    ) -> Result<SavedHost> {
        host.validate()?;
        let host = stamped(host, &self.saved_hosts().await?);
        let save = async {
            let known_hosts = &self.profile("hosts cannot be saved")?.known_hosts;
            // The keyring first: if it fails, nothing is saved and the user may untick
            // "remember".
            keep_or_drop(&host.id, passphrase.as_ref(), remember).await?;
            self.store("hosts cannot be saved")?
                .save_host(&host)
                .await?;
            let spec = match passphrase {
                Some(passphrase) => host.spec(known_hosts, Some(passphrase))?,
                None => host.spec_with_remembered_passphrase(known_hosts).await?,
            };
            // An edited host reconnects with its new details.
            let _ = self.remove(&host.id);
            self.add(spec)?;
            self.know_saved(&host.id, Some(&host));
            Ok(())
        };
        let (id, name) = (&host.id, &host.name);
        activity::logged(&self.activity_log(), id, Action::SaveHost, name, save).await?;
        Ok(host)
    }

    /// Unlocks the key of a saved host that is waiting for its passphrase: the passphrase is
    /// tried first, so a wrong one is said here and changes nothing.
    pub async fn unlock_host(
        &self,
        host: &HostId,
        passphrase: Secret,
        remember: bool,
    ) -> Result<()> {
        let known_hosts = &self.profile("hosts cannot be unlocked")?.known_hosts;
        let saved = self
            .saved_hosts()
            .await?
            .into_iter()
            .find(|saved| &saved.id == host)
            .ok_or_else(|| Error::NotFound(format!("no saved host with id {host}")))?;
        let spec = saved.spec(known_hosts, Some(passphrase.clone()))?;
        Engine::connect(&spec.endpoint).await?;
        keep_or_drop(host, Some(&passphrase), remember).await?;
        let _ = self.remove(host);
        self.add(spec)
    }

    /// Forgets a saved host, stops watching it and drops its remembered passphrase.
    pub async fn remove_host(&self, host: &HostId) -> Result<()> {
        let name = self.host_name(host).unwrap_or_else(|| host.to_string());
        let remove = async {
            let store = self.store("hosts cannot be saved")?;
            store.remove_host(host).await?;
            // A host another front end saved since this one started is not watched here.
            let _ = self.remove(host);
            // Its last-known list would otherwise greet a host saved later under its id.
            store.forget_container_list(host).await?;
            self.know_saved(host, None);
            Ok(())
        };
        activity::logged(
            &self.activity_log(),
            host,
            Action::RemoveHost,
            &name,
            remove,
        )
        .await?;
        forget_quietly(host).await;
        Ok(())
    }

    /// Follows what another front end (berthctl, while the window is open) did to the saved
    /// hosts since this one last looked: a new host is watched, an edited one reconnects with
    /// its new details, a removed one is no longer watched. Returns whether anything changed.
    pub async fn follow_saved_hosts(&self) -> Result<bool> {
        let (Some(profile), Some(store)) = (&self.profile, &self.store) else {
            // Nothing is saved without the databases: nothing to follow.
            return Ok(false);
        };
        let now = store.saved_hosts().await?;
        let before = std::mem::replace(
            &mut *profile
                .known_saved
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
            now.clone(),
        );
        // When Berth last reached a host changes as it is watched: not an edit.
        let same = |a: &SavedHost, b: &SavedHost| {
            SavedHost {
                last_seen_ms: None,
                ..a.clone()
            } == SavedHost {
                last_seen_ms: None,
                ..b.clone()
            }
        };
        let changed: Vec<SavedHost> = now
            .iter()
            .filter(|host| !before.iter().any(|old| same(old, host)))
            .cloned()
            .collect();
        let gone: Vec<&SavedHost> = before
            .iter()
            .filter(|old| !now.iter().any(|host| host.id == old.id))
            .collect();
        for host in &gone {
            let _ = self.remove(&host.id);
        }
        for spec in crate::hosts::saved::specs_of(&changed, &profile.known_hosts).await {
            let _ = self.remove(&spec.id);
            self.add(spec)?;
        }
        Ok(!changed.is_empty() || !gone.is_empty())
    }

    /// Records `host` (or, with `None`, its removal) as this front end's own doing, so that
    /// [`Berth::follow_saved_hosts`] does not take it for another's.
    fn know_saved(&self, id: &HostId, host: Option<&SavedHost>) {
        let Some(profile) = &self.profile else {
            return;
        };
        let mut known = profile
            .known_saved
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        known.retain(|saved| &saved.id != id);
        known.extend(host.cloned());
    }

    /// Makes a new ed25519 key pair for logging in to `host_name`: at `path` when given, else
    /// in `~/.ssh` under a name of its own (see [`keys::generate_for_host`]).
    pub async fn generate_key(
        &self,
        host_name: &str,
        path: Option<PathBuf>,
        passphrase: Option<Secret>,
    ) -> Result<GeneratedKey> {
        let home = self.profile("keys cannot be made")?.env.home.as_deref();
        keys::generate_for_host(home, host_name, path, passphrase.as_ref()).await
    }

    /// Hosts found in `~/.ssh/config`, the Docker CLI's contexts and an `ssh://` DOCKER_HOST,
    /// to fill in a new host from.
    pub async fn importable_hosts(&self) -> Vec<HostCandidate> {
        let Some(env) = self.profile.as_ref().map(|profile| &profile.env) else {
            return Vec::new();
        };
        let (Some(home), Some(docker_config)) = (env.home.clone(), env.docker_config_dir()) else {
            return Vec::new();
        };
        import::discover(home, docker_config, env.docker_host.clone()).await
    }
}

/// `host` as it is to be saved: an edited host keeps when it was added and last seen; a new one
/// is stamped now, and given an id when it has none.
fn stamped(host: SavedHost, saved: &[SavedHost]) -> SavedHost {
    if let Some(before) = saved.iter().find(|before| before.id == host.id) {
        return SavedHost {
            created_ms: before.created_ms,
            last_seen_ms: before.last_seen_ms,
            ..host
        };
    }
    let now = now_ms();
    let id = if host.id.as_str().is_empty() {
        new_id(now, saved)
    } else {
        host.id
    };
    SavedHost {
        id,
        created_ms: now,
        last_seen_ms: None,
        ..host
    }
}

/// A new host's id: `host-` and a time in base 36, made to differ from every id taken and
/// from the others this process gave (two hosts saved in the same millisecond).
fn new_id(now: i64, saved: &[SavedHost]) -> HostId {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let mut stamp = now;
    loop {
        let last = LAST.fetch_max(stamp, Ordering::Relaxed);
        if last >= stamp {
            stamp = last + 1;
            continue;
        }
        let id = HostId::new(format!("host-{}", base36(stamp)));
        if !saved.iter().any(|host| host.id == id) {
            return id;
        }
        stamp += 1;
    }
}

fn base36(mut n: i64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[usize::try_from(n.rem_euclid(36)).unwrap_or(0)]);
        n = n.div_euclid(36);
        if n <= 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Keeps a new passphrase the user wants remembered, or drops an old one they no longer do. A
/// machine without a keyring only fails when asked to remember.
async fn keep_or_drop(host: &HostId, passphrase: Option<&Secret>, remember: bool) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn host(id: &str, created_ms: i64) -> SavedHost {
        SavedHost {
            id: HostId::new(id),
            name: "Build box".to_owned(),
            address: "build.example".to_owned(),
            port: 22,
            user: "me".to_owned(),
            key_path: None,
            socket: crate::hosts::saved::DEFAULT_SOCKET.to_owned(),
            tags: Vec::new(),
            proxy_jump: None,
            docker_host: None,
            created_ms,
            last_seen_ms: None,
        }
    }

    #[test]
    fn a_new_host_gets_an_id_and_the_time_and_an_edited_one_keeps_its_own() {
        let before = SavedHost {
            last_seen_ms: Some(7),
            ..host("far", 5)
        };
        let edited = stamped(host("far", 0), std::slice::from_ref(&before));
        assert_eq!((edited.created_ms, edited.last_seen_ms), (5, Some(7)));

        let new = stamped(host("", 0), std::slice::from_ref(&before));
        assert!(new.id.as_str().starts_with("host-"), "{}", new.id);
        assert!(new.created_ms > 0);
        let own = stamped(host("mine", 0), &[before]);
        assert_eq!(own.id, HostId::new("mine"));
    }

    #[tokio::test]
    async fn a_saved_host_is_watched_and_an_edit_keeps_its_id_and_when_it_was_added() {
        let dir = std::env::temp_dir().join(format!("berth-manage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (berth, _) = Berth::open(&dir, crate::LocalEnv::default(), Vec::new()).await;
        // Reached without SSH: no key, so no keyring either.
        let new = SavedHost::direct("Nowhere", "unix:///tmp/berth-manage-nowhere.sock");
        let saved = berth.save_host(new, None, false).await.unwrap();
        assert!(saved.id.as_str().starts_with("host-"), "{}", saved.id);
        assert!(saved.created_ms > 0);
        assert_eq!(berth.saved_hosts().await.unwrap(), vec![saved.clone()]);
        assert!(berth.states().iter().any(|state| state.host == saved.id));

        let renamed = SavedHost {
            name: "Renamed".to_owned(),
            created_ms: 0,
            ..saved.clone()
        };
        let edited = berth.save_host(renamed, None, false).await.unwrap();
        assert_eq!(
            (&edited.id, edited.created_ms),
            (&saved.id, saved.created_ms)
        );
        assert_eq!(berth.saved_hosts().await.unwrap(), vec![edited.clone()]);
        assert_eq!(berth.host_name(&saved.id).as_deref(), Some("Renamed"));

        let refused = SavedHost::direct("Refused", "ftp://nowhere");
        let err = berth.save_host(refused, None, false).await.unwrap_err();
        assert_eq!(err.field(), Some("dockerHost"), "{err}");
        assert_eq!(berth.saved_hosts().await.unwrap().len(), 1);
        berth.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_new_key_goes_to_the_profile_s_home() {
        let home = std::env::temp_dir().join(format!("berth-manage-home-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(home.join(".ssh")).unwrap();
        let env = crate::LocalEnv {
            home: Some(home.clone()),
            ..crate::LocalEnv::default()
        };
        let (berth, _) = Berth::open(&home.join("profile"), env, Vec::new()).await;
        let key = berth.generate_key("Build box", None, None).await.unwrap();
        assert_eq!(
            key.path,
            home.join(".ssh/berth_build_box_ed25519")
                .display()
                .to_string()
        );
        assert!(
            key.public_key.starts_with("ssh-ed25519 "),
            "{}",
            key.public_key
        );
        assert!(
            key.public_key.ends_with(" berth: Build box"),
            "{}",
            key.public_key
        );
        berth.close().await;
        std::fs::remove_dir_all(&home).unwrap();
    }

    #[test]
    fn ids_made_in_the_same_millisecond_differ_and_skip_those_taken() {
        let taken = host(&format!("host-{}", base36(1_000_000)), 0);
        let ids: Vec<HostId> = (0..3)
            .map(|_| new_id(1_000_000, std::slice::from_ref(&taken)))
            .collect();
        assert!(!ids.contains(&taken.id), "{ids:?}");
        assert!(
            ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2],
            "{ids:?}"
        );
        assert_eq!(base36(0), "0");
        assert_eq!(base36(36 * 36 + 35), "10z");
    }
}
