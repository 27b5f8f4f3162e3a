//! Berth's benchmark. Every figure is printed next to a peer measured in the same run on the
//! same engine: a raw HTTP request on the engine socket, `docker logs`, `docker stats`.
//! Run it with `scripts/bench.sh` (a release build against the local engine).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use berth_core::{Berth, Endpoint, Engine, HostChange, HostSpec, LogOptions};
use berth_testkit::{docker, local_dockerd_pid, Labelled};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use berth_testkit::procfs::{self, cpu_seconds};

mod alerts;
mod app;
mod many;
mod report;
mod ssh;
mod swarm;

use report::{Row, Target};

pub const LOG_LINES: u32 = 1_000_000;
pub const STATS_CONTAINERS: usize = 50;
const STATS_SECONDS: u64 = 10;
pub const LIST_ROUNDS: usize = 40;
const EVENT_ROUNDS: usize = 100;

// One thread, as the app runs its async work (see use_one_io_thread in src-tauri/lib.rs).
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let engine = Engine::connect(&Endpoint::local().expect("DOCKER_HOST"))
        .await
        .expect("a local engine (scripts/bench.sh starts one)");
    let t = Labelled::new("bench");
    // Sections named on the command line run alone (`berth-bench logs`); none named, all run.
    let only: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |section: &str| only.is_empty() || only.iter().any(|s| s == section);
    println!("Berth benchmark — peers measured in the same run\n");
    if wanted("logs") {
        logs(&engine, &t).await;
    }
    if wanted("list") || wanted("stats") {
        let running = start_containers(&t, STATS_CONTAINERS);
        if wanted("list") {
            list(&engine).await;
            cli_ps();
        }
        if wanted("stats") {
            stats(&engine, &running).await;
        }
        // Later sections make what they need: these would weigh on them.
        for id in &running {
            docker(&["rm", "-f", id]);
        }
    }
    if wanted("events") {
        events(&t).await;
    }
    if wanted("alerts") {
        alerts::notify(&t).await;
    }
    if wanted("app") {
        app::measure(&engine, &t).await;
    }
    if wanted("ssh") {
        ssh::compare(&engine, &t).await;
    }
    if wanted("swarm") {
        swarm::compare(&engine, &t).await;
    }
    report::finish(&only);
}

/// The wall clock in unix milliseconds, with the fraction: comparable with engine event times.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

/// Peak resident memory of this process so far (VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    procfs::kib_field(&format!("/proc/{}/status", std::process::id()), "VmHWM:") / 1024.0
}

async fn logs(engine: &Engine, t: &Labelled) {
    let id = t.run(&t.name("log"), &[], &["seq", "1", &LOG_LINES.to_string()]);
    docker(&["wait", &id]);

    let engine_pid = local_dockerd_pid().expect("the local dockerd runs");
    let engine_cpu_before = cpu_seconds(engine_pid);
    let start = Instant::now();
    let status = Command::new("docker")
        .args(["logs", &id])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("docker logs runs");
    assert!(status.success());
    let peer = start.elapsed().as_secs_f64();
    let peer_engine_cpu = cpu_seconds(engine_pid) - engine_cpu_before;

    let rss_before = peak_rss_mib();
    let cpu_before = cpu_seconds(std::process::id());
    let engine_cpu_before = cpu_seconds(engine_pid);
    let start = Instant::now();
    let counted = read_whole_log(engine, &id).await;
    let ours = start.elapsed().as_secs_f64();
    let ours_cpu = cpu_seconds(std::process::id()) - cpu_before;
    let ours_engine_cpu = cpu_seconds(engine_pid) - engine_cpu_before;
    assert_eq!(counted.0, LOG_LINES as usize, "every line arrived");

    let (ours_rate, peer_rate) = (f64::from(LOG_LINES) / ours, f64::from(LOG_LINES) / peer);
    println!("Logs: {LOG_LINES} lines, engine → UI-facing batches (serialized)");
    Row::new("Logs", "1M-line log, engine → core batches", ours_rate, "lines/s")
        .peer("docker logs to /dev/null", peer_rate)
        .target(Target::RatioAtLeast(1.2))
        .note(format!(
            "{ours_cpu:.2} CPU s, dockerd {ours_engine_cpu:.2} CPU s, {} MiB of JSON; docker logs: dockerd {peer_engine_cpu:.2} CPU s; peak RSS {rss_before:.1} MiB before, {:.1} MiB after",
            counted.1 >> 20,
            peak_rss_mib()
        ))
        .record();
    println!();
    docker(&["rm", "-f", &id]);
}

/// Reads a finished log to its end as the shell does (in a spawned task), serializing each
/// batch as the Tauri channel would on its way to the UI. Returns (lines, bytes of JSON).
pub async fn read_whole_log(engine: &Engine, id: &str) -> (usize, usize) {
    let mut stream = engine
        .logs(&[id.to_owned()], &LogOptions::default())
        .expect("log options");
    tokio::spawn(async move {
        let (mut lines, mut bytes) = (0usize, 0usize);
        while let Some(batch) = stream.next().await {
            let batch = batch.expect("log batch");
            lines += batch.len();
            bytes += serde_json::to_vec(&batch).expect("serializes").len();
        }
        (lines, bytes)
    })
    .await
    .unwrap()
}

fn start_containers(t: &Labelled, count: usize) -> Vec<String> {
    let ids: Vec<String> = (0..count)
        .map(|i| t.run_sleeper(&t.name(&format!("stat{i}")), &[]))
        .collect();
    println!("(started {count} running containers for the next measurements)\n");
    ids
}

/// One GET of `path` (`/v1.41/containers/json?all=1`) on the engine socket, read to the end:
/// the floor any client pays. Its length in bytes.
pub async fn raw_get(path: &str) -> usize {
    let mut socket = tokio::net::UnixStream::connect("/var/run/docker.sock")
        .await
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    socket.read_to_end(&mut response).await.unwrap();
    response.len()
}

pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

async fn list(engine: &Engine) {
    let version = engine.info().await.unwrap().api_version;
    let (mut ours, mut peer) = (Vec::new(), Vec::new());
    let mut count = 0;
    for _ in 0..LIST_ROUNDS {
        let start = Instant::now();
        raw_get(&format!("/v{version}/containers/json?all=1")).await;
        peer.push(start.elapsed().as_secs_f64() * 1000.0);
        let start = Instant::now();
        count = engine.containers().await.unwrap().len();
        ours.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    Row::new("List", format!("{count} containers, core"), median(ours), "ms")
        .peer("raw HTTP on the socket", median(peer))
        .target(Target::RatioAtMost(1.1))
        .note(format!("median of {LIST_ROUNDS}; request, parse, map to Berth's types against request and read, no parsing"))
        .record();
}

/// `berthctl ps` against `docker ps`, each a whole process (start, find the engine, list,
/// print), alternated on the same engine and its containers.
fn cli_ps() {
    let (ours, peer) = whole_processes(&["ps"]);
    Row::new("List", "berthctl ps, whole process", ours, "ms")
        .peer("docker ps", peer)
        .target(Target::RatioAtMost(1.0))
        .note(format!(
            "{STATS_CONTAINERS} running containers, median of {LIST_ROUNDS}"
        ))
        .record();
    println!();
}

/// `berthctl ARGS` and `docker ARGS` as whole processes, alternated: their median wall times
/// over [`LIST_ROUNDS`] in ms, (berthctl, docker).
pub fn whole_processes(args: &[&str]) -> (f64, f64) {
    let berthctl = std::env::current_exe().unwrap().with_file_name("berthctl");
    // A profile of the benchmark's own: the user's is neither read nor written.
    let profile = std::env::temp_dir().join(format!("berth-bench-cli-{}", std::process::id()));
    let time = |program: &std::path::Path| {
        let start = Instant::now();
        let out = Command::new(program)
            .args(args)
            .env("XDG_DATA_HOME", &profile)
            .stdout(Stdio::piped())
            .output()
            .expect("it runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        start.elapsed().as_secs_f64() * 1000.0
    };
    let docker_cli = std::path::Path::new("docker");
    // Once each first: the profile's databases are made, the binaries are in the page cache.
    time(&berthctl);
    time(docker_cli);
    let (mut ours, mut peer) = (Vec::new(), Vec::new());
    for _ in 0..LIST_ROUNDS {
        ours.push(time(&berthctl));
        peer.push(time(docker_cli));
    }
    let _ = std::fs::remove_dir_all(&profile);
    (median(ours), median(peer))
}

/// The core's stats stream, `docker stats` and oxker on the same containers at the same time,
/// each one's CPU counted over the same window.
async fn stats(engine: &Engine, ids: &[String]) {
    let me = std::process::id();
    let window = Duration::from_secs(STATS_SECONDS);
    let mut docker_stats = Command::new("docker")
        .args(["stats", "--format", "{{json .}}"])
        .args(ids)
        .stdout(Stdio::null())
        .spawn()
        .expect("docker stats runs");
    let oxker = Oxker::start();
    // Their start-up is not counted: each is read from here on.
    std::thread::sleep(Duration::from_secs(2));
    let peer_before = cpu_seconds(docker_stats.id());
    let oxker_before = cpu_seconds(oxker.pid);
    let cpu_before = cpu_seconds(me);

    let mut stream = engine.stats(ids).unwrap();
    let mut samples = 0usize;
    let deadline = tokio::time::Instant::now() + window;
    while let Ok(Some(batch)) = tokio::time::timeout_at(deadline, stream.next()).await {
        samples += batch.unwrap().len();
    }
    drop(stream);
    let ours_cpu = cpu_seconds(me) - cpu_before;
    let peer_cpu = cpu_seconds(docker_stats.id()) - peer_before;
    let oxker_cpu = cpu_seconds(oxker.pid) - oxker_before;
    let ours_rss = procfs::kib_field(&format!("/proc/{me}/status"), "VmRSS:") / 1024.0;
    let peer_rss =
        procfs::kib_field(&format!("/proc/{}/status", docker_stats.id()), "VmRSS:") / 1024.0;
    let oxker_rss = oxker.rss_mib();
    let _ = docker_stats.kill();
    let _ = docker_stats.wait();
    drop(oxker);

    let percent = |cpu: f64| cpu / STATS_SECONDS as f64 * 100.0;
    println!(
        "Stats: {} running containers, the core's stream, docker stats and oxker at the same time for {STATS_SECONDS} s ({samples} samples to Berth)",
        ids.len()
    );
    Row::new("Stats", "core stream CPU", percent(ours_cpu), "% CPU")
        .peer("docker stats", percent(peer_cpu))
        .note(format!(
            "RSS: the whole benchmark process {ours_rss:.1} MiB, docker stats {peer_rss:.1} MiB"
        ))
        .record();
    Row::new(
        "Stats",
        "core stream CPU, against oxker",
        percent(ours_cpu),
        "% CPU",
    )
    .peer("oxker", percent(oxker_cpu))
    .target(Target::RatioAtMost(0.5))
    .note(format!(
        "oxker RSS {oxker_rss:.1} MiB; the app's whole path is in the App section"
    ))
    .record();
    println!();
}

/// oxker (a Rust TUI on the same client library, watching every container of one engine) in
/// a detached tmux session, which gives it a terminal; ended when dropped.
pub struct Oxker {
    session: String,
    pub pid: u32,
}

impl Oxker {
    pub fn start() -> Self {
        let session = format!("berth-bench-{}", std::process::id());
        let started = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "200",
                "-y",
                "60",
                "oxker",
            ])
            .status()
            .is_ok_and(|s| s.success());
        assert!(started, "tmux runs oxker (scripts/bench.sh installs it)");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let pid = loop {
            let found = procfs::pids().find(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|comm| comm.trim() == "oxker")
            });
            if let Some(pid) = found {
                break pid;
            }
            assert!(std::time::Instant::now() < deadline, "oxker never started");
            std::thread::sleep(Duration::from_millis(50));
        };
        Self { session, pid }
    }

    pub fn rss_mib(&self) -> f64 {
        procfs::kib_field(&format!("/proc/{}/status", self.pid), "VmRSS:") / 1024.0
    }
}

impl Drop for Oxker {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

async fn events(t: &Labelled) {
    let berth = Berth::start(vec![HostSpec::local().unwrap()], None);
    let mut updates = berth.subscribe();
    while !matches!(
        updates.recv().await.unwrap().change,
        HostChange::Snapshot { .. }
    ) {}
    let id = t.run_sleeper(&t.name("events"), &[]);
    // A listener of its own notes when each notice arrives, as a notifier would; the engine's
    // event time says when the engine saw the change.
    let (delays_tx, mut delays_rx) = tokio::sync::mpsc::unbounded_channel();
    let listened = id.clone();
    tokio::spawn(async move {
        while let Ok(update) = updates.recv().await {
            if let HostChange::Events { events } = &update.change {
                let now_ms = now_ms();
                let paused =
                    |e: &&berth_core::EngineEvent| e.action == "pause" || e.action == "unpause";
                for event in events.iter().filter(|e| e.id == listened).filter(paused) {
                    let _ = delays_tx.send(now_ms - event.time_ms as f64);
                }
            }
        }
    });
    let engine = berth.engine(&berth_core::HostId::local()).unwrap();
    let mut delays = Vec::new();
    for round in 0..EVENT_ROUNDS {
        let action = if round % 2 == 0 {
            berth_core::ContainerAction::Pause
        } else {
            berth_core::ContainerAction::Unpause
        };
        // Under load dockerd 20.10 can answer an unpause before its state says so, and refuse
        // the next pause as "already paused": retry that round after a moment.
        let mut tries = 0;
        while let Err(err) = engine.container_action(&id, action).await {
            tries += 1;
            assert!(
                matches!(err, berth_core::Error::Conflict(_)) && tries < 50,
                "round {round}: {err}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        delays.push(delays_rx.recv().await.unwrap());
    }
    println!("Engine event → core change notice: {EVENT_ROUNDS} pause/unpause events");
    let (p50, p99, max) = percentiles(delays);
    Row::new("Events", "engine event → core notice, p99", p99, "ms")
        .target(Target::Below(50.0))
        .note(format!(
            "p50 {p50:.1} ms, max {max:.1} ms; engine times to the ms"
        ))
        .record();
    println!();
}

/// The median, 99th percentile and maximum of `samples`.
pub fn percentiles(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.5), at(0.99), at(1.0))
}
