//! Finding the local engine against the real one: its socket placed (by symlink) at each
//! well-known path and behind contexts of every kind, in a fake home and Docker config folder.
//! Every engine found must answer.
// Unix sockets stand in for engines (symlinks to the real one, listeners of the tests' own).
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use berth_core::hosts::discovery::{
    self, context_meta_file, list_contexts, LocalDiscovery, LocalEnv, Runtime,
};
use berth_core::hosts::Transport;
use berth_core::hosts::{Endpoint, KeySource, KnownHostsFiles};
use berth_core::{
    Berth, EndpointSource, Engine, ErrorCode, HostId, HostSpec, HostState, HostStatus,
};

/// The machine's real engine.
const REAL_SOCKET: &str = "/var/run/docker.sock";

struct Fake {
    root: PathBuf,
    env: LocalEnv,
}

impl Fake {
    /// A fake home and runtime folder whose platform default socket, in the fake's folder,
    /// exists only when a test makes it.
    fn with_own_default() -> Self {
        let mut fake = Self::new("unix:///placeholder");
        fake.env.platform_default = format!("unix://{}", fake.default_socket().display());
        fake
    }

    fn default_socket(&self) -> PathBuf {
        self.root.join("docker.sock")
    }

    /// A listening socket's file at `path` (the listener itself is not needed).
    fn socket(&self, path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::net::UnixListener::bind(path).unwrap();
    }

    /// The well-known sockets Berth looks for, in the order it must look.
    fn well_known(&self) -> [(Runtime, PathBuf); 6] {
        let home = self.root.join("home");
        let run = self.root.join("run");
        [
            (Runtime::DockerDesktop, home.join(".docker/run/docker.sock")),
            (Runtime::Colima, home.join(".colima/default/docker.sock")),
            (Runtime::OrbStack, home.join(".orbstack/run/docker.sock")),
            (Runtime::RancherDesktop, home.join(".rd/docker.sock")),
            (Runtime::RootlessDocker, run.join("docker.sock")),
            (Runtime::Podman, run.join("podman/podman.sock")),
        ]
    }

    fn config(&self) -> PathBuf {
        self.env.docker_config_dir().unwrap()
    }

    fn found(&self) -> LocalDiscovery {
        discovery::discover(&self.env).unwrap().1
    }

    fn refused(&self) -> String {
        discovery::discover(&self.env).unwrap_err().to_string()
    }

    /// A fake home and runtime folder; the platform default is `default` (a real path or not).
    fn new(default: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "berth-discovery-it-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("home/.docker")).unwrap();
        std::fs::create_dir_all(root.join("run")).unwrap();
        let env = LocalEnv {
            home: Some(root.join("home")),
            xdg_runtime_dir: Some(root.join("run")),
            platform_default: default.to_owned(),
            ..LocalEnv::default()
        };
        Self { root, env }
    }

    /// The real engine's socket, reachable at `path` too.
    fn link_engine(&self, path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(REAL_SOCKET, path).unwrap();
    }

    fn context(&self, name: &str, meta: &str) {
        let file = context_meta_file(&self.config(), name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, meta).unwrap();
    }

    fn host_context(&self, name: &str, host: &str) {
        let meta = serde_json::json!({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host}}});
        self.context(name, &meta.to_string());
    }

    fn current(&self, name: &str) {
        let config = serde_json::json!({"auths": {}, "currentContext": name});
        std::fs::write(self.config().join("config.json"), config.to_string()).unwrap();
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Connects where discovery points and asks the engine who it is.
async fn answers(env: &LocalEnv) -> String {
    let spec = HostSpec::local_in(env).expect("an engine is found");
    let engine = Engine::connect(&spec.endpoint)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", spec.endpoint));
    let info = engine.info().await.expect("the engine answers info");
    assert!(!info.version.is_empty());
    let (_, found) = discovery::discover(env).unwrap();
    assert_eq!(found.address, spec.endpoint.to_string());
    found.address
}

#[tokio::test]
async fn each_well_known_socket_is_found_in_order_when_the_default_is_missing() {
    let fake = Fake::new("unix:///nonexistent/berth-test/docker.sock");
    let places = fake.well_known();
    for (_, path) in &places {
        fake.link_engine(path);
    }
    for (i, (runtime, path)) in places.iter().enumerate() {
        let (_, found) = discovery::discover(&fake.env).unwrap();
        assert!(
            matches!(found.source, EndpointSource::WellKnown { runtime: r, .. } if r == *runtime),
            "{runtime:?}: {found:?}"
        );
        assert_eq!(
            found.tried.len(),
            i + 1,
            "the default, then each one before"
        );
        assert_eq!(
            answers(&fake.env).await,
            format!("unix://{}", path.display())
        );
        std::fs::remove_file(path).unwrap();
    }
    let (_, found) = discovery::discover(&fake.env).unwrap();
    assert_eq!(found.address, "unix:///nonexistent/berth-test/docker.sock");
    assert_eq!(
        found.tried.len(),
        places.len(),
        "all of them were looked at"
    );
}

#[tokio::test]
async fn with_docker_host_unset_the_current_context_wins_over_the_default_socket() {
    let fake = Fake::new(&format!("unix://{REAL_SOCKET}"));
    assert_eq!(answers(&fake.env).await, format!("unix://{REAL_SOCKET}"));

    let linked = fake.root.join("context/docker.sock");
    fake.link_engine(&linked);
    fake.host_context("unix-ctx", &format!("unix://{}", linked.display()));
    fake.current("unix-ctx");
    assert_eq!(
        answers(&fake.env).await,
        format!("unix://{}", linked.display())
    );
    let (_, found) = discovery::discover(&fake.env).unwrap();
    assert_eq!(
        found.because,
        "current context \"unix-ctx\" in ~/.docker/config.json"
    );
}

#[tokio::test]
async fn a_tcp_context_is_reached_over_tcp() {
    let relay = tcp_relay().await;
    let fake = Fake::new(&format!("unix://{REAL_SOCKET}"));
    fake.host_context("tcp-ctx", &format!("tcp://{relay}"));
    let mut env = fake.env.clone();
    env.docker_context = Some("tcp-ctx".into());
    assert_eq!(answers(&env).await, format!("tcp://{relay}"));
    let (_, found) = discovery::discover(&env).unwrap();
    assert_eq!(
        found.transport,
        Transport::Unencrypted,
        "no TLS data: plain HTTP"
    );
}

/// A context's TLS material where the docker CLI's store keeps it.
fn tls_context(fake: &Fake, name: &str, host: &str, certs: &Path, skip_verify: bool) {
    let meta = serde_json::json!({"Name": name, "Metadata": {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip_verify}}});
    fake.context(name, &meta.to_string());
    let dir = discovery::context_tls_dir(&fake.root.join("home/.docker"), name);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["ca.pem", "cert.pem", "key.pem"] {
        std::fs::copy(certs.join(file), dir.join(file)).unwrap();
    }
}

/// Connects to `endpoint` and reads its engine through both of Berth's paths: bollard (info,
/// the container list) and a connection of its own (`system df`).
async fn engine_answers(endpoint: &berth_core::hosts::Endpoint) -> Result<(), berth_core::Error> {
    let engine = Engine::connect(endpoint).await?;
    engine.info().await?;
    engine.containers().await?;
    engine.disk_usage().await?;
    Ok(())
}

#[tokio::test]
async fn a_tls_engine_is_reached_with_docker_tls_verify_and_a_context_s_certificates() {
    let remote = berth_testkit::RemoteHost::get();
    let fake = Fake::new(&format!("unix://{REAL_SOCKET}"));

    // DOCKER_HOST with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as docker-machine sets them.
    let mut env = fake.env.clone();
    env.docker_host = Some(remote.tls_docker_host());
    env.docker_tls_verify = true;
    env.docker_cert_path = Some(remote.tls_certs());
    let (endpoint, found) = discovery::discover(&env).unwrap();
    assert_eq!(found.transport, Transport::Tls);
    engine_answers(&endpoint)
        .await
        .expect("the TLS engine answers");

    // The same engine without TLS: it does not speak plain HTTP, and the address is marked.
    env.docker_tls_verify = false;
    let (endpoint, found) = discovery::discover(&env).unwrap();
    assert_eq!(found.transport, Transport::Unencrypted);
    assert!(engine_answers(&endpoint).await.is_err());

    // DOCKER_TLS alone asks for no check of the engine's certificate: refused before dialling.
    env.docker_tls = true;
    let err = discovery::discover(&env).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    assert!(err.to_string().contains("DOCKER_TLS_VERIFY"), "{err}");

    // A context with TLS data in the store.
    tls_context(
        &fake,
        "tls-ctx",
        &remote.tls_docker_host(),
        &remote.tls_certs(),
        false,
    );
    let mut env = fake.env.clone();
    env.docker_context = Some("tls-ctx".into());
    let (endpoint, found) = discovery::discover(&env).unwrap();
    assert_eq!(found.transport, Transport::Tls);
    engine_answers(&endpoint)
        .await
        .expect("the TLS context's engine answers");

    // One that would skip verification is refused, naming the context.
    tls_context(
        &fake,
        "insecure",
        &remote.tls_docker_host(),
        &remote.tls_certs(),
        true,
    );
    env.docker_context = Some("insecure".into());
    let err = discovery::discover(&env).unwrap_err();
    assert!(err.to_string().contains("\"insecure\""), "{err}");
}

#[tokio::test]
async fn a_tls_engine_with_a_certificate_from_another_ca_is_refused() {
    let remote = berth_testkit::RemoteHost::get();
    let fake = Fake::new(&format!("unix://{REAL_SOCKET}"));
    // The client's own certificate and key, but another CA: the engine's certificate does not
    // chain to it.
    let certs = fake.root.join("other-ca");
    std::fs::create_dir_all(&certs).unwrap();
    for file in ["cert.pem", "key.pem"] {
        std::fs::copy(remote.tls_certs().join(file), certs.join(file)).unwrap();
    }
    std::fs::copy(remote.tls_certs().join("cert.pem"), certs.join("ca.pem")).unwrap();
    let endpoint = berth_core::hosts::Endpoint::parse(&remote.tls_docker_host())
        .unwrap()
        .with_tls(certs.clone());
    let err = engine_answers(&endpoint).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::EngineUnreachable, "{err}");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");

    // No ca.pem at all: refused before dialling, naming the folder.
    std::fs::remove_file(certs.join("ca.pem")).unwrap();
    let err = engine_answers(&endpoint).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    assert!(err.to_string().contains("ca.pem"), "{err}");
}

#[tokio::test]
async fn a_tls_engine_reached_under_a_name_its_certificate_does_not_give_is_refused() {
    let remote = berth_testkit::RemoteHost::get();
    // The engine's certificate names 10.200.0.2; here it answers at 127.0.0.1 too.
    let target = remote
        .tls_docker_host()
        .trim_start_matches("tcp://")
        .to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut here, _)) = listener.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                if let Ok(mut there) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut here, &mut there).await;
                }
            });
        }
    });
    let endpoint = Endpoint::parse(&format!("tcp://{relay}"))
        .unwrap()
        .with_tls(remote.tls_certs());
    let err = engine_answers(&endpoint).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::EngineUnreachable, "{err}");
    assert!(err.to_string().contains("not valid for name"), "{err}");
}

#[tokio::test]
async fn ssh_missing_and_broken_contexts_refuse_rather_than_fall_back() {
    let fake = Fake::new(&format!("unix://{REAL_SOCKET}"));
    let meta = |name| {
        context_meta_file(&fake.root.join("home/.docker"), name)
            .display()
            .to_string()
    };
    fake.host_context("prod", "ssh://ops@prod.example.com");
    fake.context("broken", "{\"Name\":");
    for (current, says) in [
        ("prod", "ssh://".to_owned()),
        ("gone", meta("gone")),
        ("broken", meta("broken")),
    ] {
        fake.current(current);
        let err = HostSpec::local_in(&fake.env)
            .expect_err(current)
            .to_string();
        assert!(err.contains(&says), "{current}: {err}");
    }
}

/// The watcher looks for the local engine again before each attempt: a missing context shows
/// in the host's status naming the file, and once the user creates it, the next attempt
/// connects there and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watched_local_host_shows_a_refused_context_and_follows_its_fix() {
    let fake = Fake::new("unix:///nonexistent/berth-test/docker.sock");
    fake.current("later");
    let spec = HostSpec {
        id: HostId::local(),
        name: "Local".to_owned(),
        endpoint: discovery::platform_default(),
        local: Some(fake.env.clone()),
    };
    let berth = Berth::start(vec![spec], None);
    let meta = context_meta_file(&fake.root.join("home/.docker"), "later");
    let refused = wait_until(&berth, "the refusal", |state| match &state.status {
        HostStatus::Offline { code, reason, .. } => {
            Some((*code, reason.clone(), state.discovery.clone()))
        }
        _ => None,
    })
    .await;
    assert_eq!(refused.0, ErrorCode::NotFound);
    assert!(
        refused.1.contains(&meta.display().to_string()),
        "{}",
        refused.1
    );
    assert_eq!(refused.2, None, "no address is claimed");

    let linked = fake.root.join("later/docker.sock");
    fake.link_engine(&linked);
    fake.host_context("later", &format!("unix://{}", linked.display()));
    berth.watcher(&HostId::local()).unwrap().reconnect_now();
    let found = wait_until(&berth, "online", |state| match &state.status {
        HostStatus::Online { .. } => state.discovery.clone(),
        _ => None,
    })
    .await;
    assert_eq!(found.address, format!("unix://{}", linked.display()));
    assert_eq!(
        found.because,
        "current context \"later\" in ~/.docker/config.json"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_context_is_a_host_of_its_own_that_follows_its_context() {
    let remote = berth_testkit::RemoteHost::get();
    let relay = tcp_relay().await;
    let fake = Fake::new(&format!("unix://{REAL_SOCKET}"));
    fake.host_context("current", &format!("unix://{REAL_SOCKET}"));
    fake.current("current");
    fake.host_context("plain", &format!("tcp://{relay}"));
    tls_context(
        &fake,
        "secure",
        &remote.tls_docker_host(),
        &remote.tls_certs(),
        false,
    );
    fake.host_context(
        "over-ssh",
        &format!("ssh://{}@{}", remote.user, remote.address),
    );

    let hosts = discovery::context_hosts(&fake.env);
    let ids: Vec<&str> = hosts.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        ids,
        ["context:over-ssh", "context:plain", "context:secure"],
        "every context but the current one (the local host's) and default"
    );
    // With DOCKER_HOST set, the local host is that address: the current context is a host too.
    let mut docker_host_set = fake.env.clone();
    docker_host_set.docker_host = Some(format!("unix://{REAL_SOCKET}"));
    let ids: Vec<String> = discovery::context_hosts(&docker_host_set)
        .into_iter()
        .map(|h| h.id.as_str().to_owned())
        .collect();
    assert!(ids.contains(&"context:current".to_owned()), "{ids:?}");
    let berth = Berth::start(hosts, None);
    let online = |state: &HostState| match state.status {
        HostStatus::Online { .. } => Some(state.transport),
        _ => None,
    };
    let plain = HostId::new("context:plain");
    let secure = HostId::new("context:secure");
    assert_eq!(
        wait_for_host(&berth, &plain, "online", online).await,
        Transport::Unencrypted
    );
    assert_eq!(
        wait_for_host(&berth, &secure, "online", online).await,
        Transport::Tls
    );
    // No host keys given for an ssh:// context: it says so rather than dialling unchecked.
    let refused = wait_for_host(
        &berth,
        &HostId::new("context:over-ssh"),
        "its refusal",
        |state| match &state.status {
            HostStatus::Offline { reason, .. } => Some(reason.clone()),
            _ => None,
        },
    )
    .await;
    assert!(refused.contains("host keys"), "{refused}");

    // A host whose context points nowhere yet follows it when `docker context update` fixes
    // it: the context is read again before each connection attempt.
    fake.host_context("later", "tcp://127.0.0.1:1");
    let later = berth_core::hosts::discovery::context_hosts(&fake.env)
        .into_iter()
        .find(|h| h.id.as_str() == "context:later")
        .unwrap();
    berth.add(later).unwrap();
    let later = HostId::new("context:later");
    wait_for_host(&berth, &later, "offline", |state| {
        matches!(state.status, HostStatus::Offline { .. }).then_some(())
    })
    .await;
    fake.host_context("later", &format!("unix://{REAL_SOCKET}"));
    berth.watcher(&later).unwrap().reconnect_now();
    let found = wait_for_host(&berth, &later, "online at the new address", |state| {
        online(state).and(state.discovery.clone())
    })
    .await;
    assert_eq!(found.address, format!("unix://{REAL_SOCKET}"));
    assert_eq!(found.transport, Transport::Local);
    assert_eq!(found.because, "Docker context \"later\"");
}

async fn wait_until<T>(berth: &Berth, what: &str, check: impl FnMut(&HostState) -> Option<T>) -> T {
    wait_for_host(berth, &HostId::local(), what, check).await
}

async fn wait_for_host<T>(
    berth: &Berth,
    host: &HostId,
    what: &str,
    mut check: impl FnMut(&HostState) -> Option<T>,
) -> T {
    let mut updates = berth.subscribe();
    let found = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            let state = berth.states().into_iter().find(|s| &s.host == host);
            if let Some(found) = state.as_ref().and_then(&mut check) {
                return found;
            }
            updates.recv().await.expect("updates keep coming");
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("the host never showed {what}"))
}

/// A TCP listener on 127.0.0.1 relaying each connection to the real engine's socket.
async fn tcp_relay() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut unix) = tokio::net::UnixStream::connect(REAL_SOCKET).await {
                    let _ = tokio::io::copy_bidirectional(&mut tcp, &mut unix).await;
                }
            });
        }
    });
    address
}

// Rules checked on files alone: sockets made here stand in for engines.

/// Every rule in force at once, then taken away one by one from the top: each time the
/// next rule down must be the one that chooses.
#[test]
fn each_rule_wins_over_the_ones_below_it() {
    let mut m = Fake::with_own_default();
    for (_, path) in m.well_known() {
        m.socket(&path);
    }
    m.socket(&m.default_socket());
    m.host_context("colima", "unix:///colima.sock");
    m.host_context("desktop-linux", "unix:///desktop.sock");
    m.current("desktop-linux");
    m.env.docker_context = Some("colima".into());
    m.env.docker_host = Some("tcp://10.0.0.1:2375".into());

    let found = m.found();
    assert_eq!(
        (
            found.address.as_str(),
            &found.source,
            found.because.as_str()
        ),
        (
            "tcp://10.0.0.1:2375",
            &EndpointSource::DockerHost,
            "DOCKER_HOST"
        )
    );

    m.env.docker_host = Some(String::new()); // empty is unset, as for the CLI
    let found = m.found();
    assert_eq!(
        (found.address.as_str(), found.because.as_str()),
        ("unix:///colima.sock", "context \"colima\" (DOCKER_CONTEXT)")
    );

    m.env.docker_context = Some(String::new());
    let found = m.found();
    assert_eq!(
        (found.address.as_str(), found.because.as_str()),
        (
            "unix:///desktop.sock",
            "current context \"desktop-linux\" in ~/.docker/config.json"
        )
    );

    m.current("default");
    let found = m.found();
    assert_eq!(
        (found.address, found.source, found.tried),
        (
            m.env.platform_default.clone(),
            EndpointSource::DefaultSocket,
            vec![]
        )
    );

    std::fs::remove_file(m.default_socket()).unwrap();
    let mut passed_over = vec![m.env.platform_default.clone()];
    for (runtime, path) in m.well_known() {
        let found = m.found();
        assert_eq!(found.address, format!("unix://{}", path.display()));
        assert!(
            matches!(found.source, EndpointSource::WellKnown { runtime: r, .. } if r == runtime),
            "{runtime:?}: {found:?}"
        );
        let tried: Vec<String> = found.tried.iter().map(|t| t.address.clone()).collect();
        assert_eq!(tried, passed_over, "{runtime:?}");
        std::fs::remove_file(&path).unwrap();
        passed_over.push(found.address);
    }

    // Nothing anywhere: the default, and everything else that was looked at.
    let found = m.found();
    assert_eq!(found.address, m.env.platform_default);
    assert_eq!(found.source, EndpointSource::DefaultSocket);
    let tried: Vec<&str> = found.tried.iter().map(|t| t.because.as_str()).collect();
    assert_eq!(
        tried,
        [
            "Docker Desktop's socket ~/.docker/run/docker.sock",
            "Colima's socket ~/.colima/default/docker.sock",
            "OrbStack's socket ~/.orbstack/run/docker.sock",
            "Rancher Desktop's socket ~/.rd/docker.sock",
            &format!(
                "rootless Docker's socket {}",
                m.root.join("run/docker.sock").display()
            ),
            &format!(
                "Podman's socket {}",
                m.root.join("run/podman/podman.sock").display()
            ),
        ]
    );
    assert!(found.tried.iter().all(|t| t.outcome == "no socket there"));
}

#[test]
fn a_current_context_wins_over_the_default_socket_and_docker_config_moves_the_folder() {
    let mut m = Fake::with_own_default();
    m.socket(&m.default_socket());
    let elsewhere = m.root.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    m.env.docker_config = Some(elsewhere.clone());
    m.host_context("remote-tcp", "tcp://build.example.com:2376");
    m.current("remote-tcp");
    let found = m.found();
    assert_eq!(found.address, "tcp://build.example.com:2376");
    assert_eq!(
        found.source,
        EndpointSource::CurrentContext {
            name: "remote-tcp".into(),
            config_file: format!("{}", elsewhere.join("config.json").display()),
        }
    );
    // ~/.docker is not read when DOCKER_CONFIG says elsewhere.
    m.env.docker_config = None;
    assert_eq!(m.found().source, EndpointSource::DefaultSocket);
}

#[test]
fn a_context_that_is_missing_broken_or_unusable_is_refused_naming_its_file() {
    let mut m = Fake::with_own_default();
    m.socket(&m.default_socket());
    let config = m.config();
    let meta = |name| context_meta_file(&config, name).display().to_string();

    m.current("gone");
    let err = m.refused();
    assert!(
        err.contains("\"gone\" does not exist") && err.contains(&meta("gone")),
        "{err}"
    );
    assert!(
        err.contains("current context \"gone\" in ~/.docker/config.json"),
        "{err}"
    );

    m.env.docker_context = Some("also-gone".into());
    let err = m.refused();
    assert!(
        err.contains(&meta("also-gone")) && err.contains("DOCKER_CONTEXT"),
        "{err}"
    );
    m.env.docker_context = None;

    m.context("broken", "{\"Name\": \"broken\", \"Endpoints\": ");
    m.current("broken");
    let err = m.refused();
    assert!(
        err.contains("not valid JSON") && err.contains(&meta("broken")),
        "{err}"
    );

    m.context("no-docker", r#"{"Name":"no-docker","Endpoints":{}}"#);
    m.current("no-docker");
    let err = m.refused();
    assert!(
        err.contains("no docker endpoint") && err.contains(&meta("no-docker")),
        "{err}"
    );

    // An ssh:// context is dialled like the CLI's `ssh`, with the agent's keys, only where
    // host keys are on record to check it against.
    m.host_context("prod", "ssh://ops@prod.example.com");
    m.current("prod");
    let err = m.refused();
    assert!(
        err.contains("\"prod\"") && err.contains("no host keys"),
        "{err}"
    );
    let files = KnownHostsFiles {
        openssh: Vec::new(),
        berth: m.root.join("known_hosts"),
    };
    let (endpoint, _) =
        discovery::discover(&m.env.clone().with_known_hosts(files.clone())).unwrap();
    let Endpoint::Ssh(target) = endpoint else {
        panic!("{endpoint}")
    };
    assert_eq!(
        (target.user.as_str(), target.address.as_str(), &target.key),
        ("ops", "prod.example.com", &KeySource::Agent)
    );
    assert_eq!(target.socket, "/var/run/docker.sock");

    // The same goes for an ssh:// DOCKER_HOST, which the CLI dials the same way.
    m.env.docker_host = Some("ssh://deploy@build.example.com:2222".into());
    let err = m.refused();
    assert!(
        err.contains("DOCKER_HOST") && err.contains("no host keys"),
        "{err}"
    );
    let (endpoint, found) = discovery::discover(&m.env.clone().with_known_hosts(files)).unwrap();
    let Endpoint::Ssh(target) = endpoint else {
        panic!("{endpoint}")
    };
    assert_eq!(
        (target.user.as_str(), target.address.as_str(), target.port),
        ("deploy", "build.example.com", 2222)
    );
    assert_eq!(found.transport, Transport::Ssh);
    m.env.docker_host = None;

    // An empty host is the client's default (docker/cli only sets a host it has).
    m.host_context("empty", "");
    m.current("empty");
    assert_eq!(m.found().address, m.env.platform_default);
}

#[test]
fn an_unreadable_config_json_is_warned_about_and_passed_over_like_the_cli_does() {
    let m = Fake::with_own_default();
    m.socket(&m.default_socket());
    std::fs::write(m.config().join("config.json"), "{ not json").unwrap();
    let found = m.found();
    assert_eq!(found.source, EndpointSource::DefaultSocket);
    assert_eq!(found.warnings.len(), 1);
    assert!(found.warnings[0].contains("~/.docker/config.json is not valid JSON"));
}

#[test]
fn contexts_are_found_by_the_sha256_of_their_name_and_read_like_go_reads_json() {
    let m = Fake::with_own_default();
    // docker/cli context store: the folder of context "default" is its SHA-256 in hex.
    assert!(context_meta_file(Path::new("/d"), "default").ends_with(
        "contexts/meta/37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f/meta.json"
    ));
    m.context(
        "lower",
        r#"{"name":"lower","endpoints":{"docker":{"host":"unix:///l.sock"}}}"#,
    );
    m.host_context("upper", "unix:///u.sock");
    let listed: Vec<(String, Option<String>)> = list_contexts(&m.config())
        .into_iter()
        .map(|c| (c.name, c.host))
        .collect();
    assert_eq!(
        listed,
        [
            ("lower".to_owned(), Some("unix:///l.sock".to_owned())),
            ("upper".to_owned(), Some("unix:///u.sock".to_owned())),
        ]
    );
}
