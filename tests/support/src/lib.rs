//! Helpers for tests against the real engine (started by tests/env/engine.sh).
//!
//! Everything a test creates carries the label `berth.test=<unique value>` and is removed
//! when the test's [`Labelled`] guard drops (containers, then volumes and networks), so tests
//! run in parallel and leave nothing behind.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::net::{UnixListener, UnixStream};
use tokio::task::{JoinHandle, JoinSet};

mod notifications;
pub mod procfs;
mod remote;
pub mod trend;
pub use notifications::NotificationDaemon;
pub use remote::{Authorized, RemoteHost};

pub const TEST_IMAGE: &str = "berth-test/busybox:latest";
/// Busybox without applet links: no shell, nothing but `busybox <applet>`.
pub const NO_SHELL_IMAGE: &str = "berth-test/noshell:latest";
/// In the local registry of tests/env/registry.sh (and relayed to the SSH test host): two
/// layers, the second 32 MiB, absent from the engines until a test pulls it.
pub const REGISTRY_IMAGE: &str = "127.0.0.1:5000/berth-test/layered:latest";
/// The small test image, also in the local registry: for tests that pull "the latest" of an
/// image they run (it stays on the engine).
pub const REGISTRY_BUSYBOX: &str = "127.0.0.1:5000/berth-test/busybox:latest";
/// Long enough never to hang CI on a broken build, short of being a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// How many containers [`Labelled::create_many`] asks the engine for at once.
const PARALLEL_CREATES: usize = 8;
/// How many objects one `docker rm` (and the like) of a [`Labelled`] cleanup names.
const REMOVE_BATCH: usize = 200;

fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{nanos}-{n}", std::process::id())
}

pub fn docker(args: &[&str]) -> String {
    docker_on(None, args)
}

/// The docker CLI against `host` (a `DOCKER_HOST` address), or the local engine.
pub fn docker_on(host: Option<&str>, args: &[&str]) -> String {
    let out = cli(host).args(args).output().expect("docker CLI runs");
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// An image a test pulls into an engine (`host`, or the local one): absent when the guard is
/// made, removed again when it drops. Pulled images carry no test label, so this is their cleanup.
pub struct Pulled {
    host: Option<String>,
    image: &'static str,
}

impl Pulled {
    pub fn on(host: Option<&str>, image: &'static str) -> Self {
        let pulled = Self {
            host: host.map(str::to_owned),
            image,
        };
        pulled.remove();
        pulled
    }

    pub fn is_in(&self) -> bool {
        cli(self.host.as_deref())
            .args(["image", "inspect", self.image])
            .output()
            .expect("docker CLI runs")
            .status
            .success()
    }

    fn remove(&self) {
        let _ = cli(self.host.as_deref())
            .args(["rmi", "-f", self.image])
            .output();
    }
}

impl Drop for Pulled {
    fn drop(&mut self) {
        self.remove();
    }
}

/// The engine socket of `host` (a `unix://` address), or the local engine's.
fn socket_of(host: Option<&str>) -> PathBuf {
    match host {
        None => engine_socket().to_owned(),
        Some(address) => PathBuf::from(
            address
                .strip_prefix("unix://")
                .unwrap_or_else(|| panic!("{address} is not a unix:// engine address")),
        ),
    }
}

/// POSTs `body` (JSON) to the engine API at `socket`, one connection per request; returns the
/// status code and the answer's text.
fn engine_post(socket: &Path, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::os::unix::net::UnixStream::connect(socket)
        .unwrap_or_else(|e| panic!("connecting to {}: {e}", socket.display()));
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("the request is sent");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("the engine answers");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    (status, answer)
}

fn cli(host: Option<&str>) -> Command {
    let mut command = Command::new("docker");
    if let Some(host) = host {
        command.args(["-H", host]);
    }
    command
}

/// A label owned by one test; removes every container, volume, network and image carrying it on
/// drop (an image a test commits from its container inherits the container's labels).
pub struct Labelled {
    pub label: String,
    /// The engine the test's objects live on; `None` is the local one.
    host: Option<String>,
}

impl Labelled {
    pub fn new(test: &str) -> Self {
        Self {
            label: format!("berth.test={}", unique(test)),
            host: None,
        }
    }

    /// Like [`Labelled::new`], for objects on the engine at `host` (a `DOCKER_HOST` address).
    pub fn on(host: &str, test: &str) -> Self {
        Self {
            label: format!("berth.test={}", unique(test)),
            host: Some(host.to_owned()),
        }
    }

    fn docker(&self, args: &[&str]) -> String {
        docker_on(self.host.as_deref(), args)
    }

    /// The label as a key and a value, for objects a test makes through Berth.
    pub fn label_pair(&self) -> (String, String) {
        let (key, value) = self.label.split_once('=').expect("key=value");
        (key.to_owned(), value.to_owned())
    }

    /// A unique container name for this test.
    pub fn name(&self, hint: &str) -> String {
        unique(hint)
    }

    /// `docker run -d` with this test's label; returns the full container id. Containers that
    /// publish no port and name no network get no network at all: they serve nothing.
    pub fn run(&self, name: &str, extra: &[&str], command: &[&str]) -> String {
        let mut args = vec!["run", "-d", "--label", &self.label, "--name", name];
        if !extra.contains(&"-p") && !extra.contains(&"--network") {
            args.extend_from_slice(&["--network", "none"]);
        }
        args.extend_from_slice(extra);
        args.push(TEST_IMAGE);
        args.extend_from_slice(command);
        self.docker(&args)
    }

    /// `docker create` with this test's label and no network: made, not started. Returns the
    /// full container id.
    pub fn create(&self, name: &str, command: &[&str]) -> String {
        let mut args = vec!["create", "--label", &self.label, "--network", "none"];
        args.extend_from_slice(&["--name", name, TEST_IMAGE]);
        args.extend_from_slice(command);
        self.docker(&args)
    }

    /// [`Labelled::create`] for each of `names` (plain names: letters, digits, `-`, `_`, `.`),
    /// several at once and through the engine's API rather than a CLI process each: a docker
    /// process costs more CPU than the engine spends making the container, and a load test
    /// makes a thousand.
    pub fn create_many(&self, names: &[String], command: &[&str]) {
        let socket = socket_of(self.host.as_deref());
        let (key, value) = self.label_pair();
        let body = serde_json::json!({
            "Image": TEST_IMAGE,
            "Cmd": command,
            "Labels": { key: value },
            "HostConfig": { "NetworkMode": "none" },
        })
        .to_string();
        let workers = PARALLEL_CREATES.min(names.len().max(1));
        std::thread::scope(|scope| {
            for worker in 0..workers {
                let (socket, body) = (&socket, &body);
                scope.spawn(move || {
                    for name in names.iter().skip(worker).step_by(workers) {
                        assert!(
                            name.chars()
                                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                            "{name:?} is not a plain container name"
                        );
                        let path = format!("/containers/create?name={name}");
                        let (status, answer) = engine_post(socket, &path, body);
                        assert_eq!(status, 201, "creating {name}: {answer}");
                    }
                });
            }
        });
    }

    /// `docker volume create` with this test's label; returns its name.
    pub fn volume(&self, hint: &str) -> String {
        let name = unique(hint);
        self.docker(&["volume", "create", "--label", &self.label, &name]);
        name
    }

    /// `docker network create` with this test's label; returns its name.
    pub fn network(&self, hint: &str) -> String {
        let name = unique(hint);
        self.docker(&["network", "create", "--label", &self.label, &name]);
        name
    }

    /// A running container whose image has no shell at all.
    pub fn run_without_shell(&self, name: &str) -> String {
        self.docker(&[
            "run",
            "-d",
            "--network",
            "none",
            "--label",
            &self.label,
            "--name",
            name,
            NO_SHELL_IMAGE,
            "busybox",
            "sleep",
            "3600",
        ])
    }

    /// A container that keeps running until stopped (and stops at once on SIGTERM).
    pub fn run_sleeper(&self, name: &str, extra: &[&str]) -> String {
        self.run(
            name,
            extra,
            &[
                "sh",
                "-c",
                "trap 'exit 0' TERM; while true; do sleep 1; done",
            ],
        )
    }

    /// `count` running containers that each write a line every 50 ms, for the soak tests;
    /// their full ids.
    pub fn run_chatty(&self, count: usize) -> Vec<String> {
        (0..count)
            .map(|n| {
                self.run(
                    &self.name(&format!("chatty-{n}")),
                    &[],
                    &["sh", "-c", "while true; do echo tick; sleep 0.05; done"],
                )
            })
            .collect()
    }
}

impl Drop for Labelled {
    fn drop(&mut self) {
        let filter = format!("label={}", self.label);
        // Containers first: volumes, networks and images in use cannot be removed.
        let kinds: [(&[&str], &[&str]); 4] = [
            (&["ps", "-aq"], &["rm", "-f", "-v"]),
            (&["volume", "ls", "-q"], &["volume", "rm", "-f"]),
            (&["network", "ls", "-q"], &["network", "rm"]),
            (&["images", "-q"], &["rmi", "-f"]),
        ];
        for (list, remove) in kinds {
            let listed = cli(self.host.as_deref())
                .args(list)
                .args(["--filter", &filter])
                .output();
            let Ok(listed) = listed else { continue };
            let names = String::from_utf8_lossy(&listed.stdout);
            let names: Vec<&str> = names.split_whitespace().collect();
            // In batches: a load test leaves a thousand, more than one command line should carry.
            for batch in names.chunks(REMOVE_BATCH) {
                let _ = cli(self.host.as_deref()).args(remove).args(batch).output();
            }
        }
    }
}

/// Reads a terminal's output until it contains `text`; returns everything read.
pub async fn read_until<S, E>(output: &mut S, text: &str) -> String
where
    S: futures_util::Stream<Item = Result<String, E>> + Unpin,
    E: std::fmt::Debug,
{
    use futures_util::StreamExt;
    let mut seen = String::new();
    tokio::time::timeout(PATIENCE, async {
        while !seen.contains(text) {
            let chunk = output
                .next()
                .await
                .expect("the terminal is still open")
                .unwrap();
            seen.push_str(&chunk);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("never saw {text:?}; the terminal showed {seen:?}"));
    seen
}

/// The local engine's process (from its pid file), while it runs. The SSH test host runs a
/// second dockerd, so "any process named dockerd" is not the local engine.
pub fn local_dockerd_pid() -> Option<u32> {
    live_pid_in(Path::new("/var/run/docker.pid"))
}

/// The process a pid file names, while it runs.
pub fn live_pid_in(pidfile: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(pidfile).ok()?.trim().parse().ok()?;
    Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
}

pub fn inspect(id: &str, format: &str) -> String {
    docker(&["inspect", "-f", format, id])
}

/// A byte relay from a socket of the test's own to the real engine socket. Cutting it is, to a
/// client, exactly an engine that went away (connections reset, socket gone); restoring it
/// brings the same real engine back.
pub struct EngineRelay {
    pub path: PathBuf,
    /// Connections to the engine open through the relay right now.
    open: Arc<AtomicUsize>,
    /// The accept loop; it owns every relayed connection, so aborting it closes them all.
    accept: Option<JoinHandle<()>>,
}

impl EngineRelay {
    pub fn start() -> Self {
        let path = std::env::temp_dir().join(format!("{}.sock", unique("berth-relay")));
        let mut relay = Self {
            path,
            open: Arc::new(AtomicUsize::new(0)),
            accept: None,
        };
        relay.restore();
        relay
    }

    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Waits until exactly `count` engine connections are open; panics after [`PATIENCE`].
    pub async fn settle_at(&self, count: usize) {
        let start = std::time::Instant::now();
        while self.open_connections() != count {
            assert!(
                start.elapsed() < PATIENCE,
                "{} engine connections open, expected {count}",
                self.open_connections()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn address(&self) -> String {
        format!("unix://{}", self.path.display())
    }

    pub fn cut(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
        let _ = std::fs::remove_file(&self.path);
    }

    pub fn restore(&mut self) {
        let listener = UnixListener::bind(&self.path).expect("relay socket binds");
        self.accept = Some(tokio::spawn(accept_loop(listener, self.open.clone())));
    }
}

/// Counts a relayed connection for as long as it lives (also when its task is aborted).
struct OpenConnection(Arc<AtomicUsize>);

impl OpenConnection {
    fn new(open: &Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::SeqCst);
        Self(open.clone())
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn accept_loop(listener: UnixListener, open: Arc<AtomicUsize>) {
    let mut relays = JoinSet::new();
    while let Ok((mut client, _)) = listener.accept().await {
        let counted = OpenConnection::new(&open);
        relays.spawn(async move {
            let _counted = counted;
            if let Ok(mut engine) = UnixStream::connect(engine_socket()).await {
                let _ = tokio::io::copy_bidirectional(&mut client, &mut engine).await;
            }
        });
    }
}

fn engine_socket() -> &'static Path {
    Path::new("/var/run/docker.sock")
}

impl Drop for EngineRelay {
    fn drop(&mut self) {
        self.cut();
    }
}
