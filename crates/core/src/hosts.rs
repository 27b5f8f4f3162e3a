//! Hosts: an id, a display name, and how to reach the host's Docker engine.

pub mod discovery;
pub mod import;
pub mod keys;
mod manage;
pub(crate) mod on_demand;
pub(crate) mod own_connections;
pub mod passphrases;
pub mod saved;
pub mod select;
pub(crate) mod ssh;
pub(crate) mod tls;

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{Error, Result};
use crate::hosts::discovery::LocalEnv;

/// The port of SSH, left out wherever an address is written (as OpenSSH does).
pub const SSH_PORT: u16 = 22;

/// This machine's user, whom SSH logs in as when an address names no user (as `ssh` does):
/// `$USER`, `$LOGNAME`, or on Windows `$USERNAME`; `None` when none is set.
pub fn local_user() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|user| !user.is_empty())
}

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
    /// Plain HTTP, `host:port` (an IPv6 host in brackets): nothing encrypts it.
    Tcp(String),
    /// HTTPS to `host:port`, the engine's certificate checked against the folder's `ca.pem`,
    /// with its `cert.pem` and `key.pem` as the client's certificate when they are there (the
    /// docker CLI's `DOCKER_TLS_VERIFY` with `DOCKER_CERT_PATH`, or a context's TLS data).
    Tls {
        authority: String,
        cert_dir: PathBuf,
    },
    /// A Windows named pipe, `//./pipe/docker_engine`.
    NamedPipe(String),
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
    /// Hosts to hop through first, in order (OpenSSH's ProxyJump): the first is dialled
    /// directly, each next one through the one before, and the target through the last.
    pub jump: Vec<JumpHost>,
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
    /// Parses the hops of a ProxyJump, `hop[,hop…]` in the order they are passed through, as
    /// OpenSSH's parse_jump reads them: no spaces around the commas, no empty hop.
    pub fn parse_chain(text: &str, default_user: &str) -> Result<Vec<Self>> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::InvalidInput(
                "The jump hosts are empty; write [user@]host[:port], several separated by commas."
                    .to_owned(),
            ));
        }
        text.split(',')
            .map(|hop| Self::parse(hop, default_user))
            .collect()
    }

    /// Parses one hop written as ProxyJump writes it, `[ssh://][user@]host[:port]`; the user
    /// defaults to `default_user`.
    pub fn parse(text: &str, default_user: &str) -> Result<Self> {
        let invalid = |why: &str| {
            Err(Error::InvalidInput(format!(
                "The jump host {text:?} {why}; write it as [user@]host[:port], several separated by commas."
            )))
        };
        if text.contains(',') {
            return invalid("has more than one hop here");
        }
        if text.is_empty() || text.trim() != text {
            return invalid("is empty or has spaces around it");
        }
        let bare = text.strip_prefix("ssh://").unwrap_or(text);
        if text.starts_with("ssh://") && bare.contains('/') {
            return invalid("has a path, which a jump host does not take");
        }
        let (user, rest) = bare.rsplit_once('@').unwrap_or((default_user, bare));
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
        if self.port != SSH_PORT {
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

    /// The standard files, with Berth's own kept in the profile `folder`: the user's OpenSSH
    /// files are read, keys accepted in Berth go to its own file.
    pub fn in_profile(home: Option<&std::path::Path>, folder: &std::path::Path) -> Self {
        Self::standard(home, folder.join("known_hosts"))
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
    /// The local engine, found in this process's environment as the docker CLI finds it:
    /// `DOCKER_HOST`, the current context, the default socket, then the well-known sockets
    /// of desktop engines ([`crate::hosts::discovery`]).
    pub fn local() -> Result<Self> {
        Ok(
            crate::hosts::discovery::discover(&crate::hosts::discovery::LocalEnv::from_process())?
                .0,
        )
    }

    /// Parses a Docker host address as `DOCKER_HOST` writes it, the way docker/cli's
    /// `opts.ParseHost` reads it: `unix://` (empty: the default socket), `tcp://` (host and
    /// port may be left out: `localhost`, 2375), `npipe://` (empty: `//./pipe/docker_engine`),
    /// `host:port` without a scheme as tcp, and `/path` as a unix socket (newer docker/cli).
    pub fn parse(address: &str) -> Result<Self> {
        let address = address.trim();
        let invalid =
            |why: &str| Error::InvalidInput(format!("The Docker host {address:?} {why}."));
        if address.is_empty() {
            return Self::parse(crate::hosts::discovery::PLATFORM_DEFAULT);
        }
        if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid(
                "has spaces or control characters; write unix:///path/to/docker.sock or tcp://host:port",
            ));
        }
        let (scheme, rest) = match address.split_once("://") {
            Some((scheme, rest)) => (scheme, rest),
            None if address.starts_with('/') => ("unix", address),
            None => ("tcp", address),
        };
        match scheme {
            "unix" => {
                let path = if rest.is_empty() {
                    "/var/run/docker.sock"
                } else {
                    rest
                };
                if rest.contains("://") {
                    return Err(invalid(
                        "has a second scheme inside its unix:// path; write unix:///path/to/docker.sock",
                    ));
                }
                if !path.starts_with('/') {
                    // docker resolves it against the working directory, which for Berth is
                    // wherever it was started.
                    return Err(invalid(
                        "has a relative socket path; write the absolute path, unix:///path/to/docker.sock",
                    ));
                }
                Ok(Endpoint::Unix(PathBuf::from(path)))
            }
            "npipe" => {
                if rest.contains("://") {
                    return Err(invalid(
                        "has a second scheme inside its npipe:// path; write npipe:////./pipe/docker_engine",
                    ));
                }
                let pipe = if rest.is_empty() {
                    "//./pipe/docker_engine"
                } else {
                    rest
                };
                Ok(Endpoint::NamedPipe(pipe.to_owned()))
            }
            "tcp" => parse_tcp(rest)
                .map_err(|why| match why.contains("write ") {
                    true => invalid(&why),
                    false => invalid(&format!("{why}; write tcp://host:port")),
                })
                .map(Endpoint::Tcp),
            "ssh" => Err(invalid(
                "is an ssh:// address; add it as a saved host (Hosts → Add), where its key and host key are set",
            )),
            "fd" => Err(invalid(
                "is fd://, the daemon's systemd socket activation, not an address a client connects to; write unix:///var/run/docker.sock",
            )),
            _ => Err(invalid(
                "has an unknown scheme; write unix:///path/to/docker.sock, tcp://host:port or npipe:////./pipe/docker_engine",
            )),
        }
    }
}

/// The `host:port` of a `tcp://` address as docker/cli's `ParseTCPAddr` reads it: an empty
/// host is `localhost`, an empty port 2375; an IPv6 host in brackets.
fn parse_tcp(rest: &str) -> std::result::Result<String, String> {
    if rest.contains("://") {
        return Err("has a second scheme after tcp://".to_owned());
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if !matches!(path, "" | "/") {
        // docker/cli keeps it as a prefix of every API path (a proxy's); Berth talks to the
        // engine at the root.
        return Err(format!(
            "has the path {path:?}, a prefix Berth does not put before the engine's API; write tcp://host:port"
        ));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') || host.ends_with(']') => (host, port),
        Some(_) if authority.starts_with('[') => {
            return Err("has an IPv6 address missing its ']'".to_owned())
        }
        Some(_) => {
            return Err(
                "has an IPv6 address without brackets; write tcp://[address]:port".to_owned(),
            )
        }
        None => (authority, ""),
    };
    let port = match port {
        "" => 2375,
        port => match port.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => {
                return Err(format!(
                    "has {port:?} where the port goes; write a port from 1 to 65535"
                ))
            }
        },
    };
    let host = match host {
        "" => "localhost".to_owned(),
        bracketed if bracketed.starts_with('[') => {
            match bracketed
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .map(str::parse::<std::net::Ipv6Addr>)
            {
                Some(Ok(_)) => bracketed.to_owned(),
                _ => return Err(format!("has {bracketed:?}, which is not an IPv6 address")),
            }
        }
        host if is_host_address(host) && !host.contains(':') => host.to_owned(),
        host => return Err(format!("has {host:?} where a host name or address goes")),
    };
    Ok(format!("{host}:{port}"))
}

/// How a host's engine traffic travels, for the window to mark what crosses a network in
/// the clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Transport {
    /// A socket or named pipe on this machine.
    Local,
    Ssh,
    Tls,
    /// Plain `tcp://`: anyone on the path reads and drives the engine.
    Unencrypted,
}

impl Endpoint {
    /// Where ports the engine publishes are reached from this machine.
    pub fn web_address(&self) -> String {
        match self {
            Endpoint::Unix(_) => "localhost".to_owned(),
            Endpoint::Tcp(authority) | Endpoint::Tls { authority, .. } => authority
                .rsplit_once(':')
                .map_or(authority.as_str(), |(host, _)| host)
                .to_owned(),
            Endpoint::NamedPipe(_) => "localhost".to_owned(),
            Endpoint::Ssh(target) => target.address.clone(),
        }
    }

    pub fn transport(&self) -> Transport {
        match self {
            Endpoint::Unix(_) | Endpoint::NamedPipe(_) => Transport::Local,
            Endpoint::Tcp(_) => Transport::Unencrypted,
            Endpoint::Tls { .. } => Transport::Tls,
            Endpoint::Ssh(_) => Transport::Ssh,
        }
    }

    /// This address with TLS from `cert_dir`; only `tcp://` addresses take it (the docker
    /// CLI ignores TLS settings for sockets and pipes, and so does Berth).
    pub fn with_tls(self, cert_dir: PathBuf) -> Self {
        match self {
            Endpoint::Tcp(authority) => Endpoint::Tls {
                authority,
                cert_dir,
            },
            other => other,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp(authority) | Endpoint::Tls { authority, .. } => {
                write!(f, "tcp://{authority}")
            }
            Endpoint::NamedPipe(pipe) => write!(f, "npipe://{pipe}"),
            Endpoint::Ssh(target) => write!(f, "{target}"),
        }
    }
}

impl fmt::Display for SshTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ssh://{}@{}", self.user, self.address)?;
        if self.port != SSH_PORT {
            write!(f, ":{}", self.port)?;
        }
        for (i, jump) in self.jump.iter().enumerate() {
            write!(f, "{}{jump}", if i == 0 { " via " } else { "," })?;
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
    /// For the local engine, where to look for it again before each connection attempt (the
    /// docker CLI resolves it anew for every command; a user who starts Colima or switches
    /// context is followed without restarting Berth). `endpoint` is then the first answer.
    pub local: Option<LocalEnv>,
}

impl HostSpec {
    /// Where the host comes from: the local engine (or an engine address given to berthctl,
    /// found the same way), a Docker context, or the user's saved hosts.
    pub fn origin(&self) -> crate::watch::HostOrigin {
        use crate::watch::HostOrigin;
        match &self.local {
            Some(env) if env.pinned_context.is_some() => HostOrigin::DockerContext,
            Some(_) => HostOrigin::Local,
            None => HostOrigin::Saved,
        }
    }

    /// The local engine, as the user's environment defines it.
    pub fn local() -> Result<Self> {
        Self::local_in(&LocalEnv::from_process())
    }

    /// The local engine as `env` defines it.
    pub fn local_in(env: &LocalEnv) -> Result<Self> {
        let (endpoint, _) = crate::hosts::discovery::discover(env)?;
        Ok(Self {
            id: HostId::local(),
            name: "Local".to_owned(),
            endpoint,
            local: Some(env.clone()),
        })
    }

    /// The local engine to watch even when it cannot be found yet (a missing context, a
    /// malformed DOCKER_HOST): the watcher looks again before each attempt, and until the
    /// user fixes it the host shows why it was refused, naming the file.
    pub fn local_watched(env: &LocalEnv) -> Self {
        let env = env.clone();
        Self::local_in(&env).unwrap_or_else(|err| {
            tracing::warn!(%err, "the local engine cannot be found yet");
            Self {
                id: HostId::local(),
                name: "Local".to_owned(),
                endpoint: crate::hosts::discovery::platform_default(),
                local: Some(env),
            }
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
        assert_eq!(hop("ssh://ops@j2:22"), owned("ops", "j2", 22));
        // OpenSSH readconf.c parse_jump and `ssh -G` 9.2p1 (observed): several hops in order,
        // ssh:// hops, and the refusals (a path, spaces, an empty hop, a bad port).
        let chain = JumpHost::parse_chain("u1@j1:2222,ssh://u2@j2:22,j3", "me").unwrap();
        let chain: Vec<String> = chain.iter().map(ToString::to_string).collect();
        assert_eq!(chain, ["u1@j1:2222", "u2@j2", "me@j3"]);
        assert_eq!(
            JumpHost::parse_chain("u@[::1]:2222", "me").unwrap()[0].address,
            "::1"
        );
        for (bad, says) in [
            ("ssh://j1/path", "has a path"),
            ("j1, j2", "spaces around it"),
            ("j1,,j2", "is empty"),
            ("u@h:99999", "port outside"),
            ("u@h:0", "port outside"),
            ("", "are empty"),
        ] {
            let err = JumpHost::parse_chain(bad, "me").expect_err(bad).to_string();
            assert!(err.contains(says) && err.contains("write"), "{bad}: {err}");
        }
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
        let unix = |p: &str| Endpoint::Unix(p.into());
        let tcp = |a: &str| Endpoint::Tcp(a.into());
        let pipe = |p: &str| Endpoint::NamedPipe(p.into());
        let cases = [
            // docker/cli opts/hosts_test.go TestParseHost (ParseHost trims; empty is the default).
            ("", unix("/var/run/docker.sock")),
            ("  ", unix("/var/run/docker.sock")),
            ("tcp://host:", tcp("host:2375")),
            ("tcp://", tcp("localhost:2375")),
            ("tcp://:2375", tcp("localhost:2375")),
            ("tcp://:2376", tcp("localhost:2376")),
            ("tcp://0.0.0.0:8080", tcp("0.0.0.0:8080")),
            ("tcp://192.168.0.0:12000", tcp("192.168.0.0:12000")),
            ("tcp://192.168:8080", tcp("192.168:8080")),
            ("tcp://docker.com:2375", tcp("docker.com:2375")),
            ("unix://", unix("/var/run/docker.sock")),
            ("npipe://", pipe("//./pipe/docker_engine")),
            ("npipe:////./pipe/foo", pipe("//./pipe/foo")),
            // hosts_test.go TestParseDockerDaemonHost: no scheme is tcp.
            ("0.0.0.1:", tcp("0.0.0.1:2375")),
            ("0.0.0.1:5555", tcp("0.0.0.1:5555")),
            ("[::1]:", tcp("[::1]:2375")),
            ("[0:0:0:0:0:0:0:1]:", tcp("[0:0:0:0:0:0:0:1]:2375")),
            (":6666", tcp("localhost:6666")),
            ("tcp://:7777", tcp("localhost:7777")),
            ("unix:///run/docker.sock", unix("/run/docker.sock")),
            ("localhost:", tcp("localhost:2375")),
            ("localhost:5555", tcp("localhost:5555")),
            // TestParseTCP.
            ("[::1]:5555", tcp("[::1]:5555")),
            // moby client_test.go TestParseHostURL.
            ("tcp://localhost:2476", tcp("localhost:2476")),
            ("unix:///var/run/docker.sock", unix("/var/run/docker.sock")),
            (
                "npipe:////./pipe/docker_engine",
                pipe("//./pipe/docker_engine"),
            ),
            // Newer docker/cli hosts.go: a scheme-less absolute path is a unix socket.
            ("/var/run/docker.sock", unix("/var/run/docker.sock")),
            ("tcp://10.0.0.5:2375/", tcp("10.0.0.5:2375")),
        ];
        for (input, expected) in cases {
            match Endpoint::parse(input) {
                Ok(endpoint) => assert_eq!(endpoint, expected, "{input:?}"),
                Err(err) => panic!("{input:?}: {err}"),
            }
        }
        assert_eq!(
            Endpoint::parse("npipe:////./pipe/docker_engine")
                .unwrap()
                .to_string(),
            "npipe:////./pipe/docker_engine"
        );
    }

    #[test]
    fn rejects_malformed_addresses() {
        // docker/cli hosts_test.go TestParseHost's invalid list and TestParseDockerDaemonHost's
        // errors, docker 28.2.2's refusals (observed), then what Berth refuses on purpose: a
        // path after tcp://host:port, a relative socket, fd:// and ssh://.
        let cases = [
            ("something with spaces", "spaces"),
            ("://", "unknown scheme"),
            ("unknown://", "unknown scheme"),
            ("tcp://:port", "where the port goes"),
            ("tcp://invalid:port", "where the port goes"),
            ("udp://127.0.0.1", "unknown scheme"),
            ("udp://127.0.0.1:2375", "unknown scheme"),
            ("tcp://unix:///run/docker.sock", "second scheme"),
            ("tcp:a.b.c.d", "where the port goes"),
            ("tcp:a.b.c.d/path", "path"),
            ("tcp://0.0.0.0:1234567890", "where the port goes"),
            ("tcp://host:99999", "where the port goes"),
            ("tcp://[::1:2375", "missing its ']'"),
            ("tcp://::1:2375", "without brackets"),
            ("tcp://:7777/path", "a prefix Berth does not put"),
            ("0.0.0.1:5555/path", "a prefix Berth does not put"),
            ("tcp://localhost:2476/path", "a prefix Berth does not put"),
            ("unix://path/to/socket", "relative socket path"),
            ("unix://relative.sock", "relative socket path"),
            ("unix://tcp://127.0.0.1", "second scheme"),
            ("fd://", "systemd socket activation"),
            ("fd://something", "systemd socket activation"),
            ("ssh://me@box", "saved host"),
            ("http://x:1", "unknown scheme"),
        ];
        for (bad, says) in cases {
            let err = Endpoint::parse(bad).expect_err(bad);
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{bad:?}");
            let message = err.to_string();
            assert!(message.contains(says), "{bad:?}: {message}");
            assert!(
                message.contains("write ") || message.contains("add it"),
                "{bad:?} says what to write: {message}"
            );
        }
    }
}
