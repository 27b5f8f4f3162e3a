//! Finding the local engine against the real one: its socket placed (by symlink) at each
//! well-known path and behind contexts of every kind, in a fake home and Docker config folder.
//! Every engine found must answer.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use berth_core::discovery::{self, context_meta_file, LocalEnv, Runtime};
use berth_core::{EndpointSource, Engine, HostSpec};

/// The machine's real engine.
const REAL_SOCKET: &str = "/var/run/docker.sock";

struct Fake {
    root: PathBuf,
    env: LocalEnv,
}

impl Fake {
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
        let file = context_meta_file(&self.root.join("home/.docker"), name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, meta).unwrap();
    }

    fn host_context(&self, name: &str, host: &str) {
        let meta = serde_json::json!({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host}}});
        self.context(name, &meta.to_string());
    }

    fn current(&self, name: &str) {
        let config = serde_json::json!({"currentContext": name});
        std::fs::write(
            self.root.join("home/.docker/config.json"),
            config.to_string(),
        )
        .unwrap();
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
    spec.discovery.expect("the local spec says how").address
}

#[tokio::test]
async fn each_well_known_socket_is_found_in_order_when_the_default_is_missing() {
    let fake = Fake::new("unix:///nonexistent/berth-test/docker.sock");
    let home = fake.root.join("home");
    let run = fake.root.join("run");
    let places = [
        (Runtime::DockerDesktop, home.join(".docker/run/docker.sock")),
        (Runtime::Colima, home.join(".colima/default/docker.sock")),
        (Runtime::OrbStack, home.join(".orbstack/run/docker.sock")),
        (Runtime::RancherDesktop, home.join(".rd/docker.sock")),
        (Runtime::RootlessDocker, run.join("docker.sock")),
        (Runtime::Podman, run.join("podman/podman.sock")),
    ];
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
