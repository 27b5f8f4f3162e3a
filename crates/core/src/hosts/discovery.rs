//! Finding the local engine the way the `docker` CLI does, and saying how it was found.
//!
//! The order, and where each rule comes from (docker/cli, `cli/command/cli.go`
//! `resolveContextName` and `getDockerEndPoint`; `cli/config/config.go`; the context store in
//! `cli/context/store/metadatastore.go`):
//!
//! 1. `DOCKER_HOST`, when not empty: the CLI then uses its "default" context, which is exactly
//!    that address. It wins over `DOCKER_CONTEXT` (resolveContextName checks it first).
//! 2. `DOCKER_CONTEXT`, when not empty.
//! 3. `currentContext` in `config.json`, in `$DOCKER_CONFIG` or else `~/.docker`
//!    (config.Dir). A config.json that cannot be read or parsed is warned about and the CLI
//!    goes on without it (LoadDefaultConfigFile); so does Berth, and the warning is kept.
//! 4. The context named `default` is no context (the CLI's built-in one): the platform default.
//!
//! A named context is read from `contexts/meta/<sha256 of its name>/meta.json` (the store's
//! `contextdirOf`), its engine at `Endpoints.docker.Host`. A context that does not exist, a
//! meta.json that does not parse, or a context without a docker endpoint is an error naming
//! the file, as the CLI refuses every command then; Berth does not guess another engine.
//!
//! 5. The platform default: `npipe:////./pipe/docker_engine` on Windows,
//!    `unix:///var/run/docker.sock` elsewhere (moby's client DefaultDockerHost).
//! 6. Berth's own addition, not the CLI's: when the default socket does not exist, the sockets
//!    the usual engines on a desktop leave at well-known places, in order: Docker Desktop,
//!    Colima, OrbStack, Rancher Desktop, rootless Docker, Podman. (Docker Desktop and Colima
//!    also create a context and make it current; this finds them when the user switched back
//!    to `default`, or set no context at all.)

use std::path::{Path, PathBuf};

use serde::Serialize;
use specta::Type;

use crate::error::{Error, Result};
use crate::hosts::{Endpoint, HostId, HostSpec, KeySource, KnownHostsFiles, SshTarget, Transport};

/// Where the engine listens when nothing says otherwise (moby client's DefaultDockerHost).
#[cfg(windows)]
pub const PLATFORM_DEFAULT: &str = "npipe:////./pipe/docker_engine";
#[cfg(not(windows))]
pub const PLATFORM_DEFAULT: &str = "unix:///var/run/docker.sock";

/// [`PLATFORM_DEFAULT`] as an endpoint.
pub fn platform_default() -> Endpoint {
    #[cfg(windows)]
    return Endpoint::NamedPipe("//./pipe/docker_engine".to_owned());
    #[cfg(not(windows))]
    return Endpoint::Unix(PathBuf::from("/var/run/docker.sock"));
}

/// The context the docker CLI uses when none is set: no context, the default endpoint.
const DEFAULT_CONTEXT: &str = "default";

/// What discovery reads, passed in so tests can point every path somewhere of their own.
#[derive(Debug, Clone, Default)]
pub struct LocalEnv {
    pub docker_host: Option<String>,
    /// `DOCKER_TLS_VERIFY` is set (to anything but empty): TLS, the engine's certificate
    /// checked.
    pub docker_tls_verify: bool,
    /// `DOCKER_TLS` is set: TLS without checking, which Berth refuses.
    pub docker_tls: bool,
    /// `DOCKER_CERT_PATH`: the folder of ca.pem, cert.pem and key.pem; else the config folder.
    pub docker_cert_path: Option<PathBuf>,
    pub docker_context: Option<String>,
    /// `$DOCKER_CONFIG`: the folder of config.json and the context store.
    pub docker_config: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub xdg_runtime_dir: Option<PathBuf>,
    /// [`PLATFORM_DEFAULT`] outside tests.
    pub platform_default: String,
    /// For a host that follows one named context (see [`context_hosts`]): that context,
    /// whatever DOCKER_HOST, DOCKER_CONTEXT and config.json say.
    pub pinned_context: Option<String>,
    /// Where host keys are checked, for a context whose engine is reached over `ssh://`;
    /// without them such a context is refused.
    pub known_hosts: Option<KnownHostsFiles>,
}

impl LocalEnv {
    /// This process's environment.
    pub fn from_process() -> Self {
        let var = |name| std::env::var(name).ok();
        let set = |name| var(name).is_some_and(|v: String| !v.is_empty());
        Self {
            docker_host: var("DOCKER_HOST"),
            docker_tls_verify: set("DOCKER_TLS_VERIFY"),
            docker_tls: set("DOCKER_TLS"),
            docker_cert_path: std::env::var_os("DOCKER_CERT_PATH")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            docker_context: var("DOCKER_CONTEXT"),
            docker_config: std::env::var_os("DOCKER_CONFIG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            home: std::env::home_dir(),
            xdg_runtime_dir: std::env::var_os("XDG_RUNTIME_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            platform_default: PLATFORM_DEFAULT.to_owned(),
            pinned_context: None,
            known_hosts: None,
        }
    }

    /// With host keys checked against `files`, for contexts reached over SSH.
    pub fn with_known_hosts(self, files: KnownHostsFiles) -> Self {
        Self {
            known_hosts: Some(files),
            ..self
        }
    }

    /// The docker CLI's config folder: `$DOCKER_CONFIG`, else `~/.docker` (config.Dir).
    pub fn docker_config_dir(&self) -> Option<PathBuf> {
        self.docker_config
            .clone()
            .or_else(|| self.home.as_ref().map(|home| home.join(".docker")))
    }

    /// `path` for people: under the home folder written with `~`.
    fn shown(&self, path: &Path) -> String {
        match self
            .home
            .as_ref()
            .and_then(|home| path.strip_prefix(home).ok())
        {
            Some(rest) => format!("~/{}", rest.display()),
            None => path.display().to_string(),
        }
    }
}

/// The local engine Berth chose, and why: shown beside the engine's version, and when it
/// cannot be reached, with everything looked at before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LocalDiscovery {
    /// The engine's address, `unix:///…`, `tcp://…` or `npipe://…`.
    pub address: String,
    /// Whether it is reached with TLS, in the clear over TCP, or on this machine.
    pub transport: Transport,
    pub source: EndpointSource,
    /// The source in words, e.g. `current context "desktop-linux" in ~/.docker/config.json`.
    pub because: String,
    /// Places looked at and passed over before this one, in order.
    pub tried: Vec<TriedEndpoint>,
    /// What the docker CLI would warn about and go on (an unreadable config.json).
    pub warnings: Vec<String>,
}

/// Which rule chose the local engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum EndpointSource {
    DockerHost,
    DockerContext {
        name: String,
    },
    /// A host of its own for one context of the docker CLI's store.
    Context {
        name: String,
    },
    CurrentContext {
        name: String,
        /// The config.json that names it, as shown to people (`~/.docker/config.json`).
        config_file: String,
    },
    /// The platform's default socket (or pipe).
    DefaultSocket,
    /// A socket a desktop engine leaves at a well-known place.
    WellKnown {
        runtime: Runtime,
        path: String,
    },
}

/// The engines whose sockets are looked for when the default one is missing, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Runtime {
    DockerDesktop,
    Colima,
    OrbStack,
    RancherDesktop,
    RootlessDocker,
    Podman,
}

impl Runtime {
    fn label(self) -> &'static str {
        match self {
            Runtime::DockerDesktop => "Docker Desktop",
            Runtime::Colima => "Colima",
            Runtime::OrbStack => "OrbStack",
            Runtime::RancherDesktop => "Rancher Desktop",
            Runtime::RootlessDocker => "rootless Docker",
            Runtime::Podman => "Podman",
        }
    }
}

/// A place looked at and passed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TriedEndpoint {
    pub address: String,
    pub because: String,
    /// Why it was passed over, e.g. "no socket there".
    pub outcome: String,
}

/// One context of the docker CLI's context store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerContext {
    pub name: String,
    /// `Endpoints.docker.Host`; `None` when the context has no docker endpoint, empty when the
    /// endpoint leaves the host to the client's default.
    pub host: Option<String>,
    /// `Endpoints.docker.SkipTLSVerify`.
    pub skip_tls_verify: bool,
    pub meta_file: PathBuf,
}

/// Where the store keeps context `name`'s meta.json: the folder is the SHA-256 of the name
/// in hex (docker/cli context store `contextdirOf`).
pub fn context_meta_file(docker_config: &Path, name: &str) -> PathBuf {
    context_dir(docker_config, "meta", name).join("meta.json")
}

/// Where the store keeps context `name`'s TLS material for its docker endpoint (ca.pem,
/// cert.pem, key.pem), when it has any (the store's `tlsstore.go`).
pub fn context_tls_dir(docker_config: &Path, name: &str) -> PathBuf {
    context_dir(docker_config, "tls", name).join("docker")
}

fn context_dir(docker_config: &Path, kind: &str, name: &str) -> PathBuf {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    docker_config.join("contexts").join(kind).join(hex)
}

/// A JSON object's field as Go's encoding/json finds it: the exact name first, else any
/// case (the CLI reads meta.json and config.json into structs that way).
fn field<'a>(value: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    let object = value.as_object()?;
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Reads one meta.json. Errors say which file and what is wrong with it.
fn read_meta(meta_file: &Path) -> Result<DockerContext> {
    let text = std::fs::read_to_string(meta_file).map_err(|err| {
        Error::InvalidInput(format!(
            "The Docker context file {} cannot be read: {err}",
            meta_file.display()
        ))
    })?;
    let meta: serde_json::Value = serde_json::from_str(&text).map_err(|err| {
        Error::InvalidInput(format!(
            "The Docker context file {} is not valid JSON: {err}; fix it or remove the context with `docker context rm`",
            meta_file.display()
        ))
    })?;
    let name = field(&meta, "Name")
        .and_then(|n| n.as_str())
        .unwrap_or_default();
    // `Endpoints` is a map in Go: its key "docker" is matched exactly.
    let docker = field(&meta, "Endpoints").and_then(|e| e.get("docker"));
    let host = docker.map(|docker| {
        field(docker, "Host")
            .and_then(|h| h.as_str())
            .unwrap_or_default()
            .to_owned()
    });
    let skip_tls_verify = docker
        .and_then(|docker| field(docker, "SkipTLSVerify"))
        .and_then(|skip| skip.as_bool())
        .unwrap_or(false);
    Ok(DockerContext {
        name: name.to_owned(),
        host,
        skip_tls_verify,
        meta_file: meta_file.to_owned(),
    })
}

/// Context `name` as the CLI finds it by name: missing or broken is an error naming the file.
pub fn read_context(docker_config: &Path, name: &str) -> Result<DockerContext> {
    let meta_file = context_meta_file(docker_config, name);
    if !meta_file.exists() {
        return Err(Error::NotFound(format!(
            "The Docker context {name:?} does not exist: there is no {}; pick another with `docker context use`",
            meta_file.display()
        )));
    }
    read_meta(&meta_file)
}

/// Every context in the store under `docker_config`, by name; unreadable ones left out (with a
/// warning in the log), as `docker context ls` lists what it can.
pub fn list_contexts(docker_config: &Path) -> Vec<DockerContext> {
    let Ok(entries) = std::fs::read_dir(docker_config.join("contexts").join("meta")) else {
        return Vec::new();
    };
    let mut found: Vec<DockerContext> = entries
        .flatten()
        .map(|entry| entry.path().join("meta.json"))
        .filter(|file| file.exists())
        .filter_map(|file| match read_meta(&file) {
            Ok(context) if !context.name.is_empty() => Some(context),
            Ok(_) => None,
            Err(err) => {
                tracing::warn!(%err, "a Docker context was left out");
                None
            }
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The engine `context` (read from the store under `docker_config`) points at, as the docker
/// CLI reaches it: a `tcp://` host with TLS data in the store is HTTPS checked against it, one
/// without is plain HTTP; an `ssh://` one is logged in to with the ssh-agent's keys, its host
/// key checked against `env.known_hosts`; an empty host is the platform default (docker/cli's
/// Endpoint.ClientOpts only sets a host when there is one).
pub fn context_endpoint(
    docker_config: &Path,
    context: &DockerContext,
    env: &LocalEnv,
) -> Result<Endpoint> {
    let platform_default = env.platform_default.as_str();
    let name = &context.name;
    let meta = context.meta_file.display();
    let Some(host) = &context.host else {
        // docker/cli context/docker load.go EndpointFromContext.
        return Err(Error::InvalidInput(format!(
            "The Docker context {name:?} has no docker endpoint in {meta}; fix it with `docker context update {name} --docker host=…`"
        )));
    };
    let address = if host.trim().is_empty() {
        platform_default
    } else {
        host.as_str()
    };
    let cannot = |err: String| {
        Error::InvalidInput(format!(
            "The Docker context {name:?} (in {meta}) cannot be used: {err}"
        ))
    };
    if address.starts_with("ssh://") {
        return ssh_endpoint(address, env).map_err(cannot);
    }
    let endpoint = Endpoint::parse(address).map_err(|err| cannot(err.to_string()))?;
    if !matches!(endpoint, Endpoint::Tcp(_)) {
        return Ok(endpoint);
    }
    if context.skip_tls_verify {
        return Err(Error::InvalidInput(format!(
            "The Docker context {name:?} (in {meta}) skips checking the engine's TLS certificate, which Berth never does; give it the engine's CA with `docker context update {name} --docker host={address},ca=…`"
        )));
    }
    let tls_dir = context_tls_dir(docker_config, name);
    Ok(if tls_dir.is_dir() {
        endpoint.with_tls(tls_dir)
    } else {
        endpoint
    })
}

/// An `ssh://[user@]host[:port][/socket]` context as the docker CLI dials it: the user the
/// address names, else this machine's; the keys of the ssh-agent (the CLI runs `ssh`, which
/// offers them); the default socket unless the address names one.
fn ssh_endpoint(address: &str, env: &LocalEnv) -> std::result::Result<Endpoint, String> {
    let url = crate::hosts::import::parse_ssh_url(address)?;
    let Some(known_hosts) = env.known_hosts.clone() else {
        return Err(
            "it is an ssh:// address, and no host keys are on record to check it against here"
                .to_owned(),
        );
    };
    let user = url
        .user
        .or_else(crate::hosts::local_user)
        .ok_or("its ssh:// address names no user, and this machine's user is unknown")?;
    Ok(Endpoint::Ssh(Box::new(SshTarget {
        address: url.host,
        port: url.port.unwrap_or(22),
        user,
        key: KeySource::Agent,
        socket: url
            .socket
            .unwrap_or_else(|| crate::hosts::saved::DEFAULT_SOCKET.to_owned()),
        known_hosts,
        jump: Vec::new(),
    })))
}

/// The hosts a front end watches besides the saved ones: the local engine (the way the docker
/// CLI finds it) and every other Docker context, their `ssh://` engines checked against the
/// known hosts of the profile in `folder`. Like the docker CLI, a malformed DOCKER_HOST or a
/// missing context is the user's to fix, not to guess around: the local host then shows why,
/// naming the file, until it is fixed.
pub fn local_hosts(env: &LocalEnv, folder: &Path) -> Vec<HostSpec> {
    let known_hosts = KnownHostsFiles::in_profile(env.home.as_deref(), folder);
    let env = env.clone().with_known_hosts(known_hosts);
    let mut hosts = vec![HostSpec::local_watched(&env)];
    hosts.extend(context_hosts(&env));
    hosts
}

/// A host for each context in the docker CLI's store but the current one (that is the local
/// host) and `default`, so the user can pick any of them without importing it. Each follows
/// its context: it is read again before every connection, as the CLI does per command.
pub fn context_hosts(env: &LocalEnv) -> Vec<HostSpec> {
    let Some(config_dir) = env.docker_config_dir() else {
        return Vec::new();
    };
    // The current context is the local host's, unless DOCKER_HOST points that elsewhere.
    let docker_host_set = env
        .docker_host
        .as_deref()
        .is_some_and(|h| !h.trim().is_empty());
    let current = current_context(env, &mut Vec::new())
        .map(|(name, _)| name)
        .filter(|_| !docker_host_set);
    list_contexts(&config_dir)
        .into_iter()
        .filter(|context| {
            context.name != DEFAULT_CONTEXT && Some(&context.name) != current.as_ref()
        })
        .map(|context| {
            let pinned = LocalEnv {
                pinned_context: Some(context.name.clone()),
                ..env.clone()
            };
            // A context that cannot be used now still becomes a host, which says why.
            let endpoint = context_endpoint(&config_dir, &context, &pinned)
                .unwrap_or_else(|_| platform_default());
            HostSpec {
                id: HostId::new(format!("{CONTEXT_HOST_PREFIX}{}", context.name)),
                name: context.name,
                endpoint,
                local: Some(pinned),
            }
        })
        .collect()
}

/// Ids of the hosts made from contexts begin with it; a saved host's id may not
/// (`SavedHost::validate`).
pub const CONTEXT_HOST_PREFIX: &str = "context:";

/// The current context's name and which rule named it, when one is named (rules 2 to 4).
fn current_context(env: &LocalEnv, warnings: &mut Vec<String>) -> Option<(String, EndpointSource)> {
    if let Some(name) = &env.pinned_context {
        let source = EndpointSource::Context { name: name.clone() };
        return Some((name.clone(), source));
    }
    if let Some(name) = env.docker_context.as_deref().filter(|n| !n.is_empty()) {
        let source = EndpointSource::DockerContext {
            name: name.to_owned(),
        };
        return Some((name.to_owned(), source));
    }
    let config_file = env.docker_config_dir()?.join("config.json");
    let text = match std::fs::read_to_string(&config_file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return None,
        Err(err) => {
            warnings.push(format!(
                "{} cannot be read ({err}); its current context, if any, was not used",
                env.shown(&config_file)
            ));
            return None;
        }
    };
    let config: serde_json::Value = match serde_json::from_str(&text) {
        Ok(config) => config,
        Err(err) => {
            warnings.push(format!(
                "{} is not valid JSON ({err}); its current context, if any, was not used",
                env.shown(&config_file)
            ));
            return None;
        }
    };
    let name = field(&config, "currentContext")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())?;
    let source = EndpointSource::CurrentContext {
        name: name.to_owned(),
        config_file: env.shown(&config_file),
    };
    Some((name.to_owned(), source))
}

/// The sockets looked for when the default one is missing, in order (rule 6).
fn well_known(env: &LocalEnv) -> Vec<(Runtime, PathBuf)> {
    let mut places = Vec::new();
    if let Some(home) = &env.home {
        places.extend([
            (Runtime::DockerDesktop, home.join(".docker/run/docker.sock")),
            (Runtime::Colima, home.join(".colima/default/docker.sock")),
            (Runtime::OrbStack, home.join(".orbstack/run/docker.sock")),
            (Runtime::RancherDesktop, home.join(".rd/docker.sock")),
        ]);
    }
    if let Some(run) = &env.xdg_runtime_dir {
        places.extend([
            (Runtime::RootlessDocker, run.join("docker.sock")),
            (Runtime::Podman, run.join("podman/podman.sock")),
        ]);
    }
    places
}

/// Whether something listens at `path`, as far as the file system says: a socket (or
/// anything, off unix) that exists, through symlinks (a stopped Colima leaves a dangling one).
fn socket_exists(path: &Path) -> bool {
    match std::fs::metadata(path) {
        #[cfg(unix)]
        Ok(meta) => {
            use std::os::unix::fs::FileTypeExt;
            meta.file_type().is_socket()
        }
        #[cfg(not(unix))]
        Ok(_) => true,
        Err(_) => false,
    }
}

fn name_of_source(source: &EndpointSource) -> String {
    match source {
        EndpointSource::DockerHost => "DOCKER_HOST".to_owned(),
        EndpointSource::DockerContext { name } => format!("context {name:?} (DOCKER_CONTEXT)"),
        EndpointSource::Context { name } => format!("Docker context {name:?}"),
        EndpointSource::CurrentContext { name, config_file } => {
            format!("current context {name:?} in {config_file}")
        }
        EndpointSource::DefaultSocket => "the default socket".to_owned(),
        EndpointSource::WellKnown { runtime, path } => {
            format!("{}'s socket {path}", runtime.label())
        }
    }
}

/// Finds the local engine from `env`, in the docker CLI's order (see the module's comment).
/// Blocking: it reads a few small files and looks at a few paths.
pub fn discover(env: &LocalEnv) -> Result<(Endpoint, LocalDiscovery)> {
    let mut warnings = Vec::new();
    let found = |endpoint: Endpoint, source, tried, warnings| {
        let discovery = LocalDiscovery {
            address: endpoint.to_string(),
            transport: endpoint.transport(),
            because: name_of_source(&source),
            source,
            tried,
            warnings,
        };
        Ok((endpoint, discovery))
    };

    // Rule 1: a non-empty DOCKER_HOST (the CLI's `os.Getenv(EnvOverrideHost) != ""`).
    if let Some(host) = env
        .docker_host
        .as_deref()
        .filter(|h| !h.trim().is_empty() && env.pinned_context.is_none())
    {
        if host.trim().starts_with("ssh://") {
            let endpoint = ssh_endpoint(host.trim(), env)
                .map_err(|why| Error::InvalidInput(format!("DOCKER_HOST {host:?}: {why}")))?;
            return found(endpoint, EndpointSource::DockerHost, Vec::new(), warnings);
        }
        let mut endpoint = Endpoint::parse(host)?;
        if matches!(endpoint, Endpoint::Tcp(_)) {
            if env.docker_tls_verify {
                // The CLI's default cert path is its config folder (cli/flags/options.go).
                let Some(cert_dir) = env
                    .docker_cert_path
                    .clone()
                    .or_else(|| env.docker_config_dir())
                else {
                    return Err(Error::InvalidInput("DOCKER_TLS_VERIFY is set but there is no DOCKER_CERT_PATH and no home folder to find the certificates in".to_owned()));
                };
                endpoint = endpoint.with_tls(cert_dir);
            } else if env.docker_tls {
                return Err(Error::InvalidInput(format!(
                    "DOCKER_TLS is set without DOCKER_TLS_VERIFY, which asks for TLS without checking the engine at {host} is who it says; Berth always checks: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder of ca.pem, cert.pem and key.pem"
                )));
            }
        }
        return found(endpoint, EndpointSource::DockerHost, Vec::new(), warnings);
    }

    // Rules 2 to 4: a named context other than "default".
    if let Some((name, source)) = current_context(env, &mut warnings) {
        if name != DEFAULT_CONTEXT {
            let Some(config_dir) = env.docker_config_dir() else {
                return Err(Error::NotFound(format!(
                    "The Docker context {name:?} ({}) cannot be looked up: there is no home folder and DOCKER_CONFIG is unset",
                    name_of_source(&source)
                )));
            };
            let named_by = |err| match err {
                Error::NotFound(message) => {
                    Error::NotFound(format!("{message} (named by {})", name_of_source(&source)))
                }
                Error::InvalidInput(message) => {
                    Error::InvalidInput(format!("{message} (named by {})", name_of_source(&source)))
                }
                other => other,
            };
            let endpoint = read_context(&config_dir, &name)
                .and_then(|context| context_endpoint(&config_dir, &context, env))
                .map_err(named_by)?;
            return found(endpoint, source, Vec::new(), warnings);
        }
    }

    // Rule 5: the platform default.
    let default = Endpoint::parse(&env.platform_default)?;
    let Endpoint::Unix(default_path) = &default else {
        // A pipe or tcp default has no socket file to look for.
        return found(default, EndpointSource::DefaultSocket, Vec::new(), warnings);
    };
    if socket_exists(default_path) {
        return found(default, EndpointSource::DefaultSocket, Vec::new(), warnings);
    }

    // Rule 6: the well-known sockets, when the default one is missing.
    let mut tried = vec![TriedEndpoint {
        address: default.to_string(),
        because: name_of_source(&EndpointSource::DefaultSocket),
        outcome: "no socket there".to_owned(),
    }];
    for (runtime, path) in well_known(env) {
        let source = EndpointSource::WellKnown {
            runtime,
            path: env.shown(&path),
        };
        let endpoint = Endpoint::Unix(path.clone());
        if socket_exists(&path) {
            return found(endpoint, source, tried, warnings);
        }
        tried.push(TriedEndpoint {
            address: endpoint.to_string(),
            because: name_of_source(&source),
            outcome: "no socket there".to_owned(),
        });
    }
    // Nothing anywhere: the default, which is what the user will start or fix; `tried` says
    // where else Berth looked.
    tried.remove(0);
    found(default, EndpointSource::DefaultSocket, tried, warnings)
}
