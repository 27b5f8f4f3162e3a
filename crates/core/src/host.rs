//! Hosts: an id, a display name, and how to reach the host's Docker engine.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{Error, Result};

/// Where the engine listens when `DOCKER_HOST` is unset (Linux and macOS).
const DEFAULT_LOCAL_ADDRESS: &str = "unix:///var/run/docker.sock";

/// A host's stable id. The local engine is always [`HostId::LOCAL`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type)]
#[serde(transparent)]
pub struct HostId(String);

impl HostId {
    pub const LOCAL: &'static str = "local";

    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn local() -> Self {
        Self::new(Self::LOCAL)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a Docker engine listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    /// Plain HTTP, `host:port`.
    Tcp(String),
    /// The engine socket of a host reached over SSH (boxed: it is much larger than the others).
    Ssh(Box<SshTarget>),
}

/// A remote engine reached over SSH: who logs in where, with which key, and which socket the
/// remote engine listens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    /// Host name or address.
    pub address: String,
    pub port: u16,
    pub user: String,
    pub key: KeySource,
    /// The engine's socket on the remote host.
    pub socket: String,
    /// Where host keys are checked and learned.
    pub known_hosts: KnownHostsFiles,
    /// A host to hop through first (OpenSSH's ProxyJump).
    pub jump: Option<JumpHost>,
}

/// A host SSH hops through to reach the target, like OpenSSH's `ProxyJump`: logged in to with
/// the target's key, its host key checked against the same files; the target is then reached
/// through a TCP channel opened by the jump host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumpHost {
    pub address: String,
    pub port: u16,
    pub user: String,
}

impl JumpHost {
    /// Parses one hop written as ProxyJump writes it, `[user@]host[:port]`; the user defaults
    /// to `default_user`.
    pub fn parse(text: &str, default_user: &str) -> Result<Self> {
        let invalid = |why: &str| {
            Err(Error::InvalidInput(format!(
                "The jump host {text:?} {why}; write it as [user@]host[:port]."
            )))
        };
        if text.contains(',') {
            return invalid("has more than one hop, and Berth hops through one");
        }
        let (user, rest) = text
            .trim()
            .rsplit_once('@')
            .unwrap_or((default_user, text.trim()));
        let (address, port) = match rest.rsplit_once(':') {
            // An IPv6 address has colons of its own; a port only follows `]`.
            Some((address, port)) if !address.contains(':') || address.ends_with(']') => {
                match port.parse::<u16>() {
                    Ok(port) if port > 0 => (address.trim_matches(['[', ']']), port),
                    _ => return invalid("has a port outside 1 to 65535"),
                }
            }
            _ => (rest.trim_matches(['[', ']']), 22),
        };
        if !is_host_address(address) {
            return invalid("is not a host name or IP address");
        }
        if !is_login_name(user) {
            return invalid("has a user that is not a valid login name");
        }
        Ok(Self {
            address: address.to_owned(),
            port,
            user: user.to_owned(),
        })
    }
}

impl fmt::Display for JumpHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.address)?;
        if self.port != 22 {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// A host name or an IPv4/IPv6 address, as SSH would dial it.
pub(crate) fn is_host_address(address: &str) -> bool {
    !address.is_empty()
        && address.len() <= 253
        && address
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'))
}

/// A POSIX-style login name.
pub(crate) fn is_login_name(user: &str) -> bool {
    !user.is_empty()
        && user.len() <= 32
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// How Berth proves who it is to an SSH server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A private key file (OpenSSH, PEM or PKCS#8); encrypted ones need the passphrase.
    File {
        path: PathBuf,
        passphrase: Option<Secret>,
    },
    /// The keys of the running ssh-agent (`SSH_AUTH_SOCK`).
    Agent,
}

/// Host keys on record: OpenSSH's files (the user's and the system's; read only) and Berth's
/// own (where keys the user accepts in Berth are written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHostsFiles {
    pub openssh: Vec<PathBuf>,
    pub berth: PathBuf,
}

impl KnownHostsFiles {
    /// Where OpenSSH looks, as `ssh` does by default: `~/.ssh/known_hosts` (and
    /// `known_hosts2`), then the system's files; and Berth's own file `berth`.
    pub fn standard(home: Option<&std::path::Path>, berth: PathBuf) -> Self {
        let user = home
            .into_iter()
            .flat_map(|home| ["known_hosts", "known_hosts2"].map(|f| home.join(".ssh").join(f)));
        #[cfg(not(windows))]
        let system = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"].map(PathBuf::from);
        // Win32-OpenSSH keeps the system's file under %ProgramData%\ssh.
        #[cfg(windows)]
        let system = std::env::var_os("ProgramData")
            .map(|data| PathBuf::from(data).join("ssh").join("ssh_known_hosts"));
        Self {
            openssh: user.chain(system).collect(),
            berth,
        }
    }

    /// Every file, Berth's last.
    pub(crate) fn all(&self) -> Vec<PathBuf> {
        self.openssh
            .iter()
            .chain(std::iter::once(&self.berth))
            .cloned()
            .collect()
    }
}

/// A passphrase or other secret: kept in memory only as long as it is needed, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Endpoint {
    /// The local engine: `DOCKER_HOST` when set, else the platform's default socket.
    pub fn local() -> Result<Self> {
        match std::env::var("DOCKER_HOST") {
            Ok(value) if !value.trim().is_empty() => Self::parse(value.trim()),
            _ => Self::parse(DEFAULT_LOCAL_ADDRESS),
        }
    }

    /// Parses a Docker host address as `DOCKER_HOST` writes it.
    pub fn parse(address: &str) -> Result<Self> {
        let invalid = |why: &str| Error::InvalidInput(format!("{why}: {address:?}"));
        if let Some(path) = address.strip_prefix("unix://") {
            if !path.starts_with('/') {
                return Err(invalid("a unix socket address needs an absolute path"));
            }
            return Ok(Endpoint::Unix(PathBuf::from(path)));
        }
        if let Some(authority) = address.strip_prefix("tcp://") {
            let authority = authority.trim_end_matches('/');
            let port_ok = authority
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !port_ok {
                return Err(invalid("a tcp address needs host:port"));
            }
            return Ok(Endpoint::Tcp(authority.to_owned()));
        }
        if address.starts_with("ssh://") {
            return Err(invalid(
                "ssh hosts are added as saved hosts, not through DOCKER_HOST",
            ));
        }
        Err(invalid(
            "unsupported Docker host address (expected unix:// or tcp://)",
        ))
    }
}

impl Endpoint {
    /// Where ports the engine publishes are reached from this machine.
    pub fn web_address(&self) -> String {
        match self {
            Endpoint::Unix(_) => "localhost".to_owned(),
            Endpoint::Tcp(authority) => authority
                .rsplit_once(':')
                .map_or(authority.as_str(), |(host, _)| host)
                .to_owned(),
            Endpoint::Ssh(target) => target.address.clone(),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp(authority) => write!(f, "tcp://{authority}"),
            Endpoint::Ssh(target) => write!(f, "{target}"),
        }
    }
}

impl fmt::Display for SshTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ssh://{}@{}", self.user, self.address)?;
        if self.port != 22 {
            write!(f, ":{}", self.port)?;
        }
        if let Some(jump) = &self.jump {
            write!(f, " via {jump}")?;
        }
        Ok(())
    }
}

/// A host Berth watches.
#[derive(Debug, Clone)]
pub struct HostSpec {
    pub id: HostId,
    pub name: String,
    pub endpoint: Endpoint,
}

impl HostSpec {
    /// The local engine, as the user's environment defines it.
    pub fn local() -> Result<Self> {
        Ok(Self {
            id: HostId::local(),
            name: "Local".to_owned(),
            endpoint: Endpoint::local()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_jump_host_like_proxyjump() {
        let hop = |text| {
            let jump = JumpHost::parse(text, "me").unwrap();
            (jump.user, jump.address, jump.port)
        };
        let owned = |u: &str, a: &str, p| (u.to_owned(), a.to_owned(), p);
        assert_eq!(hop("bastion"), owned("me", "bastion", 22));
        assert_eq!(
            hop("ops@bastion.example.com:2222"),
            owned("ops", "bastion.example.com", 2222)
        );
        assert_eq!(hop("[fd00::1]:2200"), owned("me", "fd00::1", 2200));
        assert_eq!(hop("fd00::1"), owned("me", "fd00::1", 22));
        for bad in [
            "",
            "a,b",
            "bastion:0",
            "bastion:ssh",
            "a b",
            "bad user@bastion",
        ] {
            let err = JumpHost::parse(bad, "me").expect_err(bad);
            assert!(err.to_string().contains("jump host"), "{bad}: {err}");
        }
    }

    #[test]
    fn parses_docker_host_addresses() {
        assert_eq!(
            Endpoint::parse("unix:///var/run/docker.sock").unwrap(),
            Endpoint::Unix("/var/run/docker.sock".into())
        );
        assert_eq!(
            Endpoint::parse("tcp://10.0.0.5:2375/").unwrap(),
            Endpoint::Tcp("10.0.0.5:2375".into())
        );
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "/var/run/docker.sock",
            "unix://relative.sock",
            "tcp://nohost",
            "tcp://:2375",
            "tcp://host:99999",
            "ssh://me@box",
            "http://x:1",
        ] {
            let err = Endpoint::parse(bad).unwrap_err();
            assert_eq!(
                err.code(),
                crate::ErrorCode::InvalidInput,
                "{bad:?} should be refused"
            );
        }
    }
}
