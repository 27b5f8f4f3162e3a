//! Remote engines over plain SSH, with nothing installed on the remote host: one authenticated
//! SSH connection per host, and every HTTP connection to the remote engine a channel on it
//! (see `transport`).

mod host_keys;
mod known_hosts;
pub(crate) mod patterns;
mod transport;

pub use host_keys::forget_host_key;

/// Opens connections to a remote engine, for requests made without bollard.
pub(crate) use transport::ChannelConnector as Dialer;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use russh::client::{self, AuthResult, Handle};
use russh::keys::agent::client::{AgentClient, AgentStream};
use russh::keys::{decode_secret_key, PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};

use crate::error::{AcceptedHostKey, Error, Hop, Result};
use crate::hosts::{KeySource, Secret, SshTarget};
use host_keys::HostToCheck;

/// TCP connect, key exchange and authentication together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// With no traffic for this long a keepalive goes out; after `KEEPALIVE_MAX` unanswered ones
/// the connection counts as dead, so a vanished host is seen within ~10 s even when idle.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(3);
const KEEPALIVE_MAX: usize = 2;

/// A Docker client for `target`'s engine, and a dialer of further connections to it. Fails
/// before any request is sent when a host key is unknown, changed or revoked, and says
/// precisely why when the login or the engine socket is refused. `accepted` is a host key the
/// user has just accepted.
pub(crate) async fn connect(
    target: &SshTarget,
    accepted: Option<&AcceptedHostKey>,
) -> Result<Dialer> {
    let session = tokio::time::timeout(CONNECT_TIMEOUT, login(target, accepted, Hop::Target))
        .await
        .map_err(|_| {
            unreachable(
                target,
                format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
            )
        })??;
    let session = Arc::new(session);
    let route = transport::probe_socket(&session, target).await?;
    Ok(transport::connector(session, target, route))
}

type Session = Handle<HostKeyCheck>;

fn client_config(host_key_algorithms: Vec<russh::keys::Algorithm>) -> Arc<client::Config> {
    Arc::new(client::Config {
        nodelay: true,
        preferred: russh::Preferred {
            // AES-GCM first: with AES-NI it costs sshd and Berth less CPU per byte than
            // ChaCha20-Poly1305, and a followed log is CPU-bound on both ends.
            cipher: std::borrow::Cow::Borrowed(&[
                russh::cipher::AES_256_GCM,
                russh::cipher::CHACHA20_POLY1305,
                russh::cipher::AES_256_CTR,
            ]),
            key: std::borrow::Cow::Owned(host_key_algorithms),
            ..Default::default()
        },
        keepalive_interval: Some(KEEPALIVE_INTERVAL),
        keepalive_max: KEEPALIVE_MAX,
        ..Default::default()
    })
}

async fn login(
    target: &SshTarget,
    accepted: Option<&AcceptedHostKey>,
    hop: Hop,
) -> Result<Session> {
    let host = HostToCheck::read(&target.known_hosts, hop, &target.address, target.port).await?;
    let config = client_config(host.preferred_algorithms());
    let mut check = HostKeyCheck {
        host,
        accepted: accepted.cloned(),
        _jump: None,
    };
    // The last hop carries the connection to the target; it is reached through the hops
    // before it, each one's host key checked as a jump host's.
    let connected = match target.jump.split_last() {
        None => client::connect(config, (target.address.as_str(), target.port), check).await,
        Some((jump, before)) => {
            let hop = SshTarget {
                address: jump.address.clone(),
                port: jump.port,
                user: jump.user.clone(),
                jump: before.to_vec(),
                ..target.clone()
            };
            let jump_session = Box::pin(login(&hop, accepted, Hop::Jump)).await?;
            let tunnel = jump_session
                .channel_open_direct_tcpip(
                    target.address.as_str(),
                    u32::from(target.port),
                    "127.0.0.1",
                    0,
                )
                .await
                .map_err(|err| {
                    unreachable(
                        target,
                        format!(
                            "the jump host {jump} could not reach {}:{}: {err}",
                            target.address, target.port
                        ),
                    )
                })?;
            check._jump = Some(jump_session);
            client::connect_stream(config, tunnel.into_stream(), check).await
        }
    };
    let mut session = connected.map_err(|failure| match failure {
        Refusal::HostKey(err) => err,
        Refusal::Ssh(err) => connect_error(target, &err),
    })?;
    authenticate(&mut session, target).await?;
    Ok(session)
}

/// Checks the server's key during the key exchange, before authentication or any request.
struct HostKeyCheck {
    host: HostToCheck,
    accepted: Option<AcceptedHostKey>,
    /// The jump host's connection, which carries this one: kept open as long as it.
    _jump: Option<Session>,
}

/// Why the SSH handshake stopped: the host key, or the connection itself.
#[derive(Debug)]
enum Refusal {
    HostKey(Error),
    Ssh(russh::Error),
}

impl From<russh::Error> for Refusal {
    fn from(err: russh::Error) -> Self {
        Refusal::Ssh(err)
    }
}

impl client::Handler for HostKeyCheck {
    type Error = Refusal;

    async fn check_server_key(
        &mut self,
        offered: &PublicKeyOrCertificate,
    ) -> Result<bool, Refusal> {
        let PublicKeyOrCertificate::PublicKey { key, .. } = offered else {
            return Err(Refusal::HostKey(Error::AuthFailed(format!(
                "{} presents a host certificate; Berth checks plain host keys only",
                self.host.host
            ))));
        };
        self.host
            .verify(key, self.accepted.as_ref())
            .await
            .map(|()| true)
            .map_err(Refusal::HostKey)
    }
}

async fn authenticate(session: &mut Session, target: &SshTarget) -> Result<()> {
    let ssh = |err: russh::Error| connect_error(target, &err);
    // RSA keys sign with SHA-2 when the server says it accepts that (modern sshd refuses SHA-1).
    let rsa_hash = session
        .best_supported_rsa_hash()
        .await
        .map_err(ssh)?
        .flatten();
    let refused = |what: &str| {
        Error::AuthFailed(format!(
            "{}@{} refused {what}; is its public key in the user's authorized_keys?",
            target.user, target.address
        ))
    };
    match &target.key {
        KeySource::File { path, passphrase } => {
            let key = load_key(path, passphrase.as_ref().map(|p| p.expose())).await?;
            let key = PrivateKeyWithHashAlg::new(Arc::new(key), rsa_hash);
            match session
                .authenticate_publickey(target.user.as_str(), key)
                .await
                .map_err(ssh)?
            {
                AuthResult::Success => Ok(()),
                AuthResult::Failure { .. } => Err(refused(&format!("the key {}", path.display()))),
            }
        }
        KeySource::Agent => {
            let agent = connect_agent().await.map_err(|err| {
                Error::AuthFailed(format!(
                    "no ssh-agent to ask for keys ({err}); set SSH_AUTH_SOCK or pick a key file"
                ))
            })?;
            if login_with_agent(session, target, agent, rsa_hash).await? {
                Ok(())
            } else {
                Err(refused("every key of the ssh-agent"))
            }
        }
    }
}

/// The ssh-agent at `SSH_AUTH_SOCK`, as OpenSSH finds it.
#[cfg(unix)]
async fn connect_agent() -> std::result::Result<Agent, russh::keys::Error> {
    Ok(AgentClient::connect_env().await?.dynamic())
}

/// Windows' OpenSSH agent service listens on a named pipe; `SSH_AUTH_SOCK` may name another
/// (as for Pageant's OpenSSH-compatible pipe).
#[cfg(windows)]
async fn connect_agent() -> std::result::Result<Agent, russh::keys::Error> {
    let pipe = std::env::var_os("SSH_AUTH_SOCK")
        .filter(|pipe| !pipe.is_empty())
        .unwrap_or_else(|| r"\\.\pipe\openssh-ssh-agent".into());
    Ok(AgentClient::connect_named_pipe(pipe).await?.dynamic())
}

/// An agent on whichever stream the platform reaches it by.
type Agent = AgentClient<Box<dyn AgentStream + Send + Unpin + 'static>>;

/// Offers each of the agent's keys in turn; whether one was taken.
async fn login_with_agent(
    session: &mut Session,
    target: &SshTarget,
    mut agent: Agent,
    rsa_hash: Option<russh::keys::HashAlg>,
) -> Result<bool> {
    let identities = agent
        .request_identities()
        .await
        .map_err(|err| Error::AuthFailed(format!("the ssh-agent did not list its keys: {err}")))?;
    for identity in identities {
        let key = identity.public_key().into_owned();
        let hash = if key.algorithm().is_rsa() {
            rsa_hash
        } else {
            None
        };
        let result = session
            .authenticate_publickey_with(target.user.as_str(), key, hash, &mut agent)
            .await;
        if matches!(result, Ok(AuthResult::Success)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The largest private key file Berth reads: an RSA key of 16 384 bits is about 13 KiB.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// Whether the key file is encrypted, so that connecting needs its passphrase.
pub(crate) async fn key_needs_passphrase(path: &Path) -> bool {
    matches!(
        load_key(path, None).await,
        Err(Error::PassphraseRequired(_))
    )
}

/// Loads a private key off the async threads (decrypting one runs bcrypt-pbkdf, slow on
/// purpose), telling apart a missing passphrase from a wrong one.
async fn load_key(path: &Path, passphrase: Option<&str>) -> Result<PrivateKey> {
    let (path, passphrase) = (path.to_owned(), passphrase.map(Secret::new));
    tokio::task::spawn_blocking(move || {
        load_key_blocking(&path, passphrase.as_ref().map(Secret::expose))
    })
    .await
    .map_err(|err| Error::Internal(format!("loading the key: {err}")))?
}

fn load_key_blocking(path: &Path, passphrase: Option<&str>) -> Result<PrivateKey> {
    use russh::keys::Error as K;
    let shown = path.display().to_string();
    let unreadable = |err: &dyn std::fmt::Display| {
        Error::InvalidInput(format!("the key {shown} could not be read: {err}"))
    };
    let text = read_key_file(path)?;
    // Unencrypted keys of some formats fail when given a passphrase, so try without first.
    match decode_secret_key(&text, None) {
        Ok(key) => return Ok(key),
        Err(K::KeyIsEncrypted) => {}
        // PKCS#8 files say "ENCRYPTED" in their header but fail to parse without a password.
        Err(K::Der(_)) if text.contains("ENCRYPTED") => {}
        Err(err) => return Err(unreadable(&err)),
    }
    let Some(passphrase) = passphrase else {
        return Err(Error::PassphraseRequired(shown));
    };
    decode_secret_key(&text, Some(passphrase)).map_err(|err| match err {
        K::SshKey(_) | K::Unpad(_) | K::Pkcs8(_) => Error::PassphraseWrong(shown.clone()),
        other => unreadable(&other),
    })
}

/// A private key file's text: a regular file of at most [`MAX_KEY_FILE`] bytes (not a
/// device, a FIFO that never ends, or a huge file picked by mistake).
fn read_key_file(path: &Path) -> Result<String> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => {
            Error::InvalidInput(format!("there is no key file at {shown}"))
        }
        _ => Error::InvalidInput(format!("the key {shown} could not be read: {err}")),
    })?;
    if !metadata.is_file() {
        return Err(Error::InvalidInput(format!(
            "{shown} is not a regular file; pick the private key file itself"
        )));
    }
    if metadata.len() > MAX_KEY_FILE {
        return Err(Error::InvalidInput(format!(
            "{shown} is {} KiB; a private key file is a few KiB at most",
            metadata.len() / 1024
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|err| Error::InvalidInput(format!("the key {shown} could not be read: {err}")))
}

fn unreachable(target: &SshTarget, reason: String) -> Error {
    Error::EngineUnreachable {
        endpoint: target.to_string(),
        reason,
    }
}

/// Says which of the usual ways an SSH connection fails this was.
fn connect_error(target: &SshTarget, err: &russh::Error) -> Error {
    let place = format!("{}:{}", target.address, target.port);
    let reason = match err {
        russh::Error::IO(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                format!("{place} refused the connection (is sshd running there?)")
            }
            std::io::ErrorKind::TimedOut => format!("{place} did not answer"),
            _ if io.to_string().contains("lookup") || io.to_string().contains("resolve") => {
                format!("the host name {} was not found", target.address)
            }
            _ => format!("{place}: {io}"),
        },
        russh::Error::KeepaliveTimeout => format!("{place} stopped answering"),
        other => format!("{place}: {other}"),
    };
    unreachable(target, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_small_regular_file_is_read_as_a_key() {
        let folder = std::env::temp_dir().join(format!("berth-key-file-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let big = folder.join("big");
        std::fs::write(&big, vec![b'a'; 65 * 1024]).unwrap();
        for (path, says) in [
            (Path::new("/dev/zero"), "not a regular file"),
            (folder.as_path(), "not a regular file"),
            (big.as_path(), "65 KiB"),
            (Path::new("/nonexistent/key"), "no key file"),
        ] {
            let err = read_key_file(path).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
            assert!(err.to_string().contains(says), "{}: {err}", path.display());
        }
        std::fs::write(&big, "-----BEGIN OPENSSH PRIVATE KEY-----\n").unwrap();
        assert!(read_key_file(&big).is_ok());
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
