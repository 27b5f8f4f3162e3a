//! Remote hosts the user saved, kept in a database of their own (`hosts.sqlite`, see history/store.rs).
//! A saved host holds where and how to log in, never a secret.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use specta::Type;
use sqlx::Row;

use crate::error::{Error, Result};
use crate::history::store::Store;
use crate::hosts::passphrases;
use crate::hosts::{
    is_host_address, is_login_name, Endpoint, HostId, HostSpec, JumpHost, KeySource,
    KnownHostsFiles, Secret, SshTarget, SSH_PORT,
};

/// How long starting a saved host waits for the keyring (a Secret Service being activated, or
/// hung, must not hold up the app).
const KEYRING_PATIENCE: Duration = Duration::from_secs(3);

/// Where Docker listens on most hosts.
pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// A host the user saved: reached over SSH (address, port, user, key, socket, jump host), or,
/// when `docker_host` is set, directly at a `unix://` or `tcp://` engine address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SavedHost {
    pub id: HostId,
    pub name: String,
    /// Host name or IP address.
    pub address: String,
    pub port: u16,
    pub user: String,
    /// A private key file; `None` logs in with the keys of the ssh-agent.
    pub key_path: Option<String>,
    /// The engine's socket on the host (rootless engines listen elsewhere).
    pub socket: String,
    pub tags: Vec<String>,
    /// A host to hop through, `[user@]host[:port]` (OpenSSH's ProxyJump).
    pub proxy_jump: Option<String>,
    /// An engine reached without SSH, as DOCKER_HOST writes it (`unix:///run/user/1000/docker.sock`,
    /// `tcp://10.0.0.5:2375`); the SSH fields are then unused.
    pub docker_host: Option<String>,
    /// Unix milliseconds.
    pub created_ms: i64,
    /// When Berth last reached the host's engine, unix milliseconds.
    pub last_seen_ms: Option<i64>,
}

impl SavedHost {
    /// A host not saved yet (its id empty) reached without SSH, at an engine address as
    /// DOCKER_HOST writes it.
    pub fn direct(name: &str, docker_host: &str) -> Self {
        Self {
            id: HostId::new(""),
            name: name.to_owned(),
            address: String::new(),
            port: SSH_PORT,
            user: String::new(),
            key_path: None,
            socket: DEFAULT_SOCKET.to_owned(),
            tags: Vec::new(),
            proxy_jump: None,
            docker_host: Some(docker_host.to_owned()),
            created_ms: 0,
            last_seen_ms: None,
        }
    }

    /// A host not saved yet from an address as a user types it: an engine address
    /// (`tcp://…`, `unix://…`), `ssh://[user@]host[:port][/socket]`, or `[user@]host[:port]`.
    /// The user is this machine's when the address names none, as with `ssh`. Checked with
    /// [`SavedHost::validate`] before it is tried or saved.
    pub fn from_address(name: &str, address: &str) -> Result<Self> {
        Self {
            user: String::new(),
            docker_host: None,
            ..Self::direct(name, "")
        }
        .with_address(address)
    }

    /// This host at `address` (written as [`SavedHost::from_address`] takes it), keeping the
    /// user, port and socket it had where the address does not name them.
    pub fn with_address(self, address: &str) -> Result<Self> {
        let address = address.trim();
        if address.starts_with("tcp://") || address.starts_with("unix://") {
            return Ok(Self {
                docker_host: Some(address.to_owned()),
                ..self
            });
        }
        let url = match address.starts_with("ssh://") {
            true => address.to_owned(),
            false => format!("ssh://{address}"),
        };
        let parsed = crate::hosts::import::parse_ssh_url(&url)
            .map_err(|why| Error::InvalidInput(why).in_field("address"))?;
        let kept_user = Some(self.user.clone()).filter(|user| !user.is_empty());
        let Some(user) = parsed.user.or(kept_user).or_else(crate::hosts::local_user) else {
            return Err(Error::InvalidInput(
                "the address names no user, and this machine's user is unknown: write user@host"
                    .to_owned(),
            )
            .in_field("address"));
        };
        Ok(Self {
            address: parsed.host,
            port: parsed.port.unwrap_or(self.port),
            user,
            socket: parsed.socket.unwrap_or(self.socket.clone()),
            docker_host: None,
            ..self
        })
    }

    /// A host not saved yet from one found in the user's SSH config, Docker contexts or
    /// DOCKER_HOST, as the window's form is filled from it.
    pub fn from_candidate(candidate: &crate::hosts::import::HostCandidate) -> Self {
        Self {
            address: candidate.address.clone(),
            port: candidate.port,
            user: candidate.user.clone(),
            key_path: candidate.key_path.clone(),
            socket: candidate
                .socket
                .clone()
                .unwrap_or_else(|| DEFAULT_SOCKET.to_owned()),
            proxy_jump: candidate.proxy_jump.clone(),
            docker_host: candidate.docker_host.clone(),
            ..Self::direct(&candidate.name, "")
        }
    }

    /// Checks every field before anything is saved or dialed; the message names the field.
    /// An empty id is a host not saved yet: it can be tried, and gets its id as it is saved.
    pub fn validate(&self) -> Result<()> {
        // Each refusal names its field as this type's serialized field name, for the form.
        let invalid =
            |field: &str, message: String| Err(Error::InvalidInput(message).in_field(field));
        // The local engine and the hosts made from Docker contexts have ids of their own.
        let id = self.id.as_str();
        if id == HostId::LOCAL || id.starts_with(crate::hosts::discovery::CONTEXT_HOST_PREFIX) {
            return invalid("id", format!("{id:?} is not a saved host's id."));
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return invalid("name", "The name must have 1 to 64 characters.".to_owned());
        }
        if let Some(tag) = self
            .tags
            .iter()
            .find(|t| t.trim().is_empty() || t.chars().count() > 32)
        {
            return invalid(
                "tags",
                format!("The tag {tag:?} must have 1 to 32 characters."),
            );
        }
        if let Some(address) = &self.docker_host {
            return match Endpoint::parse(address.trim()) {
                Ok(_) => Ok(()),
                Err(err) => invalid(
                    "dockerHost",
                    format!("The engine address must be unix:///path or tcp://host:port — {err}."),
                ),
            };
        }
        if !is_host_address(&self.address) {
            return invalid(
                "address",
                format!(
                    "The address {:?} is not a host name or IP address.",
                    self.address
                ),
            );
        }
        if self.port == 0 {
            return invalid("port", "The port must be between 1 and 65535.".to_owned());
        }
        if !is_login_name(&self.user) {
            return invalid(
                "user",
                format!("The user {:?} is not a valid login name.", self.user),
            );
        }
        if let Some(path) = &self.key_path {
            if !path.starts_with('/') {
                return invalid(
                    "keyPath",
                    format!("The key file must be an absolute path, not {path:?}."),
                );
            }
        }
        if !self.socket.starts_with('/') || self.socket.contains(char::is_whitespace) {
            return invalid(
                "socket",
                format!(
                    "The Docker socket must be an absolute path, not {:?}.",
                    self.socket
                ),
            );
        }
        if let Some(jump) = &self.proxy_jump {
            JumpHost::parse_chain(jump, &self.user).map_err(|err| err.in_field("proxyJump"))?;
        }
        Ok(())
    }

    /// How Berth watches this host. `passphrase` unlocks an encrypted key file. Fails only for
    /// a host that does not pass [`validate`](Self::validate).
    pub fn spec(
        &self,
        known_hosts: &KnownHostsFiles,
        passphrase: Option<Secret>,
    ) -> Result<HostSpec> {
        self.validate()?;
        if let Some(address) = &self.docker_host {
            return Ok(HostSpec {
                id: self.id.clone(),
                name: self.name.clone(),
                endpoint: Endpoint::parse(address.trim())?,
                local: None,
            });
        }
        let key = match &self.key_path {
            Some(path) => KeySource::File {
                path: path.into(),
                passphrase,
            },
            None => KeySource::Agent,
        };
        let jump = match &self.proxy_jump {
            Some(jump) => JumpHost::parse_chain(jump, &self.user)?,
            None => Vec::new(),
        };
        Ok(HostSpec {
            id: self.id.clone(),
            name: self.name.clone(),
            endpoint: Endpoint::Ssh(Box::new(SshTarget {
                address: self.address.clone(),
                port: self.port,
                user: self.user.clone(),
                key,
                socket: self.socket.clone(),
                known_hosts: known_hosts.clone(),
                jump,
            })),
            local: None,
        })
    }

    /// Like [`spec`](Self::spec), with the passphrase remembered in the OS keyring when the
    /// key is encrypted. A keyring that fails or does not answer in time is passed over: the
    /// host then comes up `passphrase_required` and the user can enter it.
    pub async fn spec_with_remembered_passphrase(
        &self,
        known_hosts: &KnownHostsFiles,
    ) -> Result<HostSpec> {
        let encrypted = match (&self.docker_host, &self.key_path) {
            (None, Some(path)) => crate::hosts::ssh::key_needs_passphrase(Path::new(path)).await,
            _ => false,
        };
        let passphrase = if encrypted {
            match tokio::time::timeout(KEYRING_PATIENCE, passphrases::recall(&self.id)).await {
                Ok(Ok(remembered)) => remembered,
                Ok(Err(err)) => {
                    tracing::warn!(%err, host = %self.id, "no remembered passphrase");
                    None
                }
                Err(_) => {
                    tracing::warn!(host = %self.id, "the keyring did not answer in time");
                    None
                }
            }
        } else {
            None
        };
        self.spec(known_hosts, passphrase)
    }
}

/// The saved hosts, and those of them to watch. Their passphrases are not kept, so a host
/// whose key needs one (and has none in the keyring) waits offline for it.
pub(crate) async fn watched(
    store: &Store,
    known_hosts: &KnownHostsFiles,
) -> (Vec<SavedHost>, Vec<HostSpec>) {
    let saved = match store.saved_hosts().await {
        Ok(saved) => saved,
        Err(err) => {
            tracing::error!(%err, "the saved hosts could not be read");
            return (Vec::new(), Vec::new());
        }
    };
    let specs = specs_of(&saved, known_hosts).await;
    (saved, specs)
}

/// How to reach each of `saved` (those that are valid).
pub(crate) async fn specs_of(saved: &[SavedHost], known_hosts: &KnownHostsFiles) -> Vec<HostSpec> {
    let specs = saved.iter().map(|host| async {
        host.spec_with_remembered_passphrase(known_hosts)
            .await
            .inspect_err(|err| tracing::error!(%err, host = %host.id, "a saved host is not valid"))
            .ok()
    });
    futures_util::future::join_all(specs)
        .await
        .into_iter()
        .flatten()
        .collect()
}

impl Store {
    /// Saves a new host or replaces the one with the same id. Invalid hosts are refused.
    pub async fn save_host(&self, host: &SavedHost) -> Result<()> {
        host.validate()?;
        if host.id.as_str().is_empty() {
            return Err(Error::InvalidInput("A saved host needs an id.".to_owned()).in_field("id"));
        }
        let tags = serde_json::to_string(&host.tags).map_err(|e| Error::Internal(e.to_string()))?;
        sqlx::query(
            "INSERT OR REPLACE INTO hosts \
             (id, name, address, port, user, key_path, socket, tags, proxy_jump, docker_host, \
             created_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(host.id.as_str())
        .bind(host.name.trim())
        .bind(&host.address)
        .bind(i64::from(host.port))
        .bind(&host.user)
        .bind(&host.key_path)
        .bind(&host.socket)
        .bind(tags)
        .bind(&host.proxy_jump)
        .bind(host.docker_host.as_deref().map(str::trim))
        .bind(host.created_ms)
        .bind(host.last_seen_ms)
        .execute(&self.hosts)
        .await
        .map_err(hosts_db_error)?;
        Ok(())
    }

    pub async fn saved_hosts(&self) -> Result<Vec<SavedHost>> {
        let rows = sqlx::query(
            "SELECT id, name, address, port, user, key_path, socket, tags, proxy_jump, \
             docker_host, created_ms, last_seen_ms FROM hosts ORDER BY name",
        )
        .fetch_all(&self.hosts)
        .await
        .map_err(hosts_db_error)?;
        rows.iter()
            .map(|row| {
                let tags: String = row.get("tags");
                Ok(SavedHost {
                    id: HostId::new(row.get::<String, _>("id")),
                    name: row.get("name"),
                    address: row.get("address"),
                    port: u16::try_from(row.get::<i64, _>("port")).unwrap_or(SSH_PORT),
                    user: row.get("user"),
                    key_path: row.get("key_path"),
                    socket: row.get("socket"),
                    tags: serde_json::from_str(&tags).unwrap_or_default(),
                    proxy_jump: row.get("proxy_jump"),
                    docker_host: row.get("docker_host"),
                    created_ms: row.get("created_ms"),
                    last_seen_ms: row.get("last_seen_ms"),
                })
            })
            .collect()
    }

    /// Forgets a saved host. Its history (stats, events) ages out as usual.
    pub async fn remove_host(&self, id: &HostId) -> Result<()> {
        let done = sqlx::query("DELETE FROM hosts WHERE id = ?")
            .bind(id.as_str())
            .execute(&self.hosts)
            .await
            .map_err(hosts_db_error)?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!("no saved host with id {id}")));
        }
        Ok(())
    }

    /// Moves the hosts an older Berth kept in the history database into their own. Each is
    /// copied and on disk (a full sync) before it leaves the history, so a crash in between
    /// only copies it again, and a host already here is left as it is.
    pub(crate) async fn carry_over_hosts(&self) -> Result<()> {
        let moved = async {
            // The history's migrations made this table; Berth no longer writes to it.
            let rows = sqlx::query(
                "SELECT id, name, address, port, user, key_path, socket, tags, proxy_jump, \
                 docker_host, created_ms, last_seen_ms FROM hosts",
            )
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(0);
            }
            let mut tx = self.hosts.begin().await?;
            for row in &rows {
                // Every column is text or a number; NULL where the old table allowed it.
                let text = |column: &str| row.try_get::<Option<String>, _>(column);
                let number = |column: &str| row.try_get::<Option<i64>, _>(column);
                sqlx::query(
                    "INSERT OR IGNORE INTO hosts \
                     (id, name, address, port, user, key_path, socket, tags, proxy_jump, \
                     docker_host, created_ms, last_seen_ms) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(text("id")?)
                .bind(text("name")?)
                .bind(text("address")?)
                .bind(number("port")?)
                .bind(text("user")?)
                .bind(text("key_path")?)
                .bind(text("socket")?)
                .bind(text("tags")?)
                .bind(text("proxy_jump")?)
                .bind(text("docker_host")?)
                .bind(number("created_ms")?)
                .bind(number("last_seen_ms")?)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            sqlx::query("DELETE FROM hosts").execute(&self.pool).await?;
            Ok::<_, sqlx::Error>(rows.len())
        };
        let moved = moved.await.map_err(hosts_db_error)?;
        if moved > 0 {
            tracing::info!(hosts = moved, "saved hosts moved to their own database");
        }
        Ok(())
    }

    /// Notes that the host's engine answered at `when_ms`.
    pub async fn host_seen(&self, id: &HostId, when_ms: i64) -> Result<()> {
        sqlx::query("UPDATE hosts SET last_seen_ms = ? WHERE id = ?")
            .bind(when_ms)
            .bind(id.as_str())
            .execute(&self.hosts)
            .await
            .map_err(hosts_db_error)?;
        Ok(())
    }
}

fn hosts_db_error(err: sqlx::Error) -> Error {
    Error::Internal(format!("the saved hosts database failed: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_read_as_typed_and_an_edit_keeps_what_it_does_not_name() {
        let typed = SavedHost::from_address("box", "ops@box.example.com:2222").unwrap();
        assert_eq!(
            (typed.user.as_str(), typed.address.as_str(), typed.port),
            ("ops", "box.example.com", 2222)
        );
        assert_eq!(typed.socket, DEFAULT_SOCKET);
        let rootless =
            SavedHost::from_address("r", "ssh://me@r/run/user/1000/docker.sock").unwrap();
        assert_eq!(rootless.socket, "/run/user/1000/docker.sock");
        let direct = SavedHost::from_address("d", "tcp://10.0.0.5:2375").unwrap();
        assert_eq!(direct.docker_host.as_deref(), Some("tcp://10.0.0.5:2375"));

        let moved = SavedHost {
            socket: "/run/docker-rootless.sock".to_owned(),
            ..typed.clone()
        }
        .with_address("new.example.com")
        .unwrap();
        assert_eq!(
            (moved.user.as_str(), moved.address.as_str(), moved.port),
            ("ops", "new.example.com", 2222),
            "the user and port it had"
        );
        assert_eq!(moved.socket, "/run/docker-rootless.sock");
        let err = SavedHost::from_address("x", "ssh://a:b@host").unwrap_err();
        assert_eq!(err.field(), Some("address"));
    }

    fn example() -> SavedHost {
        SavedHost {
            id: HostId::new("h1"),
            name: "Build box".to_owned(),
            address: "build.example.com".to_owned(),
            port: 22,
            user: "deploy".to_owned(),
            key_path: Some("/home/me/.ssh/id_ed25519".to_owned()),
            socket: DEFAULT_SOCKET.to_owned(),
            tags: vec!["ci".to_owned()],
            proxy_jump: Some("jump@bastion.example.com:2222".to_owned()),
            docker_host: None,
            created_ms: 1,
            last_seen_ms: None,
        }
    }

    #[test]
    fn a_well_formed_host_passes() {
        assert!(example().validate().is_ok());
        let ipv6 = SavedHost {
            address: "fd00::2".to_owned(),
            key_path: None,
            socket: "/run/user/1000/docker.sock".to_owned(),
            ..example()
        };
        assert!(ipv6.validate().is_ok());
        let direct = SavedHost {
            address: String::new(),
            user: String::new(),
            docker_host: Some("tcp://10.0.0.5:2375".to_owned()),
            ..example()
        };
        assert!(direct.validate().is_ok(), "the SSH fields are not used");
        let spec = direct
            .spec(
                &KnownHostsFiles {
                    openssh: Vec::new(),
                    berth: "/k".into(),
                },
                None,
            )
            .unwrap();
        assert_eq!(spec.endpoint, Endpoint::Tcp("10.0.0.5:2375".to_owned()));
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (
                SavedHost {
                    name: " ".into(),
                    ..example()
                },
                "name",
            ),
            (
                SavedHost {
                    address: "me@box".into(),
                    ..example()
                },
                "address",
            ),
            (
                SavedHost {
                    address: "a b".into(),
                    ..example()
                },
                "address",
            ),
            (
                SavedHost {
                    port: 0,
                    ..example()
                },
                "port",
            ),
            (
                SavedHost {
                    user: "".into(),
                    ..example()
                },
                "user",
            ),
            (
                SavedHost {
                    user: "a b".into(),
                    ..example()
                },
                "user",
            ),
            (
                SavedHost {
                    key_path: Some("id_rsa".into()),
                    ..example()
                },
                "key file",
            ),
            (
                SavedHost {
                    socket: "docker.sock".into(),
                    ..example()
                },
                "socket",
            ),
            (
                SavedHost {
                    tags: vec![String::new()],
                    ..example()
                },
                "tag",
            ),
            (
                SavedHost {
                    proxy_jump: Some("a@b:0".into()),
                    ..example()
                },
                "jump host",
            ),
            (
                SavedHost {
                    proxy_jump: Some("a,,b".into()),
                    ..example()
                },
                "jump host",
            ),
            (
                SavedHost {
                    docker_host: Some("ssh://me@box".into()),
                    ..example()
                },
                "engine address",
            ),
            (
                SavedHost {
                    docker_host: Some("tcp://box:2375/api".into()),
                    ..example()
                },
                "engine address",
            ),
        ];
        for (host, says) in cases {
            let err = host.validate().expect_err(says);
            assert!(err.to_string().contains(says), "{err} names {says}");
            let field = crate::error::the_changed_field(&example(), &host);
            assert_eq!(err.field(), Some(field.as_str()), "{err}");
        }
    }
}
