//! A dockerd of the suite's own (its own data root, exec root, pidfile and socket, no bridge
//! and no iptables), so that killing it never touches the engine other tests share. It runs in
//! a network namespace of its own: a dockerd started with `--bridge=none` deletes `docker0`
//! where it runs (moby's removeDefaultBridgeInterface), which would take the shared engine's
//! bridge away. Its socket is a file, so it is reached from here all the same.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use berth_testkit::docker_on;

const ROOT: &str = "/run/berth-rel";
pub const SOCKET: &str = "unix:///run/berth-rel/docker.sock";
const IMAGE: &str = "berth-test/busybox:latest";
const NAMESPACE: &str = "berth-rel";

/// Makes the engine's network namespace once (with only a loopback).
fn in_own_network() {
    let exists = Command::new("ip")
        .args(["netns", "exec", NAMESPACE, "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !exists {
        for args in [
            vec!["netns", "add", NAMESPACE],
            vec!["netns", "exec", NAMESPACE, "ip", "link", "set", "lo", "up"],
        ] {
            let status = Command::new("ip").args(&args).status().expect("ip runs");
            assert!(status.success(), "ip {args:?}");
        }
    }
}

/// `docker ps -a` on the engine at `address` as `(id, state)` pairs, sorted: what Berth's table
/// of that host must equal.
pub fn docker_ps(address: &str) -> Vec<(String, String)> {
    let out = docker_on(
        Some(address),
        &["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}}"],
    );
    let mut rows: Vec<(String, String)> = out
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(id, state)| (id.to_owned(), state.to_owned()))
        .collect();
    rows.sort();
    rows
}

pub struct PrivateEngine {
    pub address: String,
    /// The dockerd this process started: reaped on kill, or it would linger as a zombie.
    child: std::sync::Mutex<Option<std::process::Child>>,
}

fn pidfile() -> PathBuf {
    PathBuf::from(ROOT).join("docker.pid")
}

fn pid() -> Option<u32> {
    berth_testkit::live_pid_in(&pidfile())
}

fn ready() -> bool {
    Command::new("docker")
        .args(["-H", SOCKET, "info", "--format", "{{.ID}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl PrivateEngine {
    pub fn start() -> Self {
        std::fs::create_dir_all(ROOT).expect("the private engine's folder");
        let engine = Self {
            address: SOCKET.to_owned(),
            child: std::sync::Mutex::default(),
        };
        engine.launch();
        let loaded = Command::new("docker")
            .args(["-H", SOCKET, "image", "inspect", IMAGE])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !loaded {
            let status = Command::new("sh")
                .args([
                    "-c",
                    &format!("docker save {IMAGE} | docker -H {SOCKET} load -q"),
                ])
                .status()
                .expect("sh runs");
            assert!(
                status.success(),
                "the test image loads into the private engine"
            );
        }
        engine
    }

    /// Starts dockerd (once more) and waits until it answers.
    pub fn launch(&self) -> Duration {
        let started = Instant::now();
        if pid().is_none() {
            // A killed dockerd's containerd dies with it, leaving its pidfile; dockerd trusts
            // any live process of that pid to be its containerd and waits on it forever.
            let containerd = format!("{ROOT}/exec/containerd/containerd.pid");
            let stale = std::fs::read_to_string(&containerd)
                .ok()
                .and_then(|p| p.trim().parse::<u32>().ok())
                .is_some_and(|p| {
                    std::fs::read_to_string(format!("/proc/{p}/comm"))
                        .map_or(true, |comm| comm.trim() != "containerd")
                });
            if stale {
                let _ = std::fs::remove_file(&containerd);
            }
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(format!("{ROOT}/dockerd.log"))
                .expect("dockerd log");
            in_own_network();
            let child = Command::new("setsid")
                .args([
                    "nsenter",
                    &format!("--net=/run/netns/{NAMESPACE}"),
                    "dockerd",
                    "--data-root",
                    "/var/lib/berth-rel",
                    "--exec-root",
                    &format!("{ROOT}/exec"),
                    "--pidfile",
                    &pidfile().to_string_lossy(),
                    "-H",
                    SOCKET,
                    "--bridge=none",
                    "--iptables=false",
                    "--ip-masq=false",
                    "--ip-forward=false",
                    "--cgroup-parent=/berth-rel",
                ])
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log"))
                .stderr(log)
                .spawn()
                .expect("dockerd starts");
            *self.child.lock().unwrap_or_else(|p| p.into_inner()) = Some(child);
        }
        while !ready() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the private dockerd did not answer (see {ROOT}/dockerd.log)"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        started.elapsed()
    }

    /// SIGKILL, as a crash or the OOM killer would; returns once the process is gone.
    pub fn kill(&self) {
        let pid = pid().expect("the private dockerd runs");
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        self.reap();
        while alive(pid) {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Its containerd goes too (dockerd 20.10 cannot reattach to the one it left, and
        // waits on it); the containers' shims stay, as after a real crash of the daemon.
        let containerd = format!("{ROOT}/exec/containerd/containerd.pid");
        if let Some(p) = std::fs::read_to_string(&containerd)
            .ok()
            .and_then(|p| p.trim().parse::<u32>().ok())
        {
            let comm = std::fs::read_to_string(format!("/proc/{p}/comm")).unwrap_or_default();
            if comm.trim() == "containerd" {
                let _ = Command::new("kill")
                    .args(["-KILL", &p.to_string()])
                    .status();
                while alive(p) {
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
        let _ = std::fs::remove_file(&containerd);
        let _ = std::fs::remove_file(pidfile());
    }

    pub fn docker(&self, args: &[&str]) -> String {
        docker_on(Some(&self.address), args)
    }

    /// What `docker ps -a` shows on this engine.
    pub fn ps(&self) -> Vec<(String, String)> {
        docker_ps(&self.address)
    }

    /// Removes what the suite made and stops the engine (gracefully: it takes its containerd).
    pub fn stop(&self) {
        let ids = self.docker(&["ps", "-aq", "--filter", "label=berth.test"]);
        if !ids.is_empty() {
            let mut args = vec!["rm", "-f"];
            args.extend(ids.lines());
            self.docker(&args);
        }
        if let Some(pid) = pid() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
            let start = Instant::now();
            while alive(pid) && start.elapsed() < Duration::from_secs(30) {
                std::thread::sleep(Duration::from_millis(50));
            }
            self.reap();
        }
    }

    fn reap(&self) {
        if let Some(mut child) = self.child.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = child.wait();
        }
    }
}

/// Running, and not a zombie waiting to be reaped by another parent.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(") ")
                .map(|(_, rest)| !rest.starts_with('Z'))
        })
        .unwrap_or(false)
}
