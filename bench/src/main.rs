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
mod ssh;
mod swarm;

pub const LOG_LINES: u32 = 1_000_000;
const STATS_CONTAINERS: usize = 50;
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
    }
    if wanted("events") {
        events(&t).await;
    }
    if wanted("alerts") {
        alerts::notify(&t).await;
    }
    if wanted("app") {
        app::idle_and_first_list().await;
    }
    if wanted("ssh") {
        ssh::compare(&engine, &t).await;
    }
    if wanted("swarm") {
        swarm::compare(&engine, &t).await;
    }
}

/// The wall clock in unix milliseconds, with the fraction: comparable with engine event times.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

pub fn ratio(ours: f64, peer: f64) -> String {
    format!("{:.2}×", ours / peer)
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
    println!(
        "  berth core     {ours_rate:>12.0} lines/s  ({ours:.2} s, {ours_cpu:.2} CPU s, dockerd {ours_engine_cpu:.2} CPU s, {} MiB of JSON)",
        counted.1 >> 20
    );
    println!("  docker logs    {peer_rate:>12.0} lines/s  ({peer:.2} s, dockerd {peer_engine_cpu:.2} CPU s, to /dev/null)");
    println!(
        "  ratio          {:>12}  (target ≥ 1.2×)",
        ratio(ours_rate, peer_rate)
    );
    println!(
        "  peak RSS       {:>9.1} MiB before, {:.1} MiB after the 1M-line log (bounded by batches, not by the log)\n",
        rss_before,
        peak_rss_mib()
    );
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
    let (ours, peer) = (median(ours), median(peer));
    println!("Container list: {count} containers, median of {LIST_ROUNDS}");
    println!("  berth core     {ours:>9.2} ms  (request, parse, map to Berth's types)");
    println!("  raw HTTP       {peer:>9.2} ms  (request and read on the socket, no parsing)");
    println!(
        "  ratio          {:>12}  (target ≤ 1.1×)\n",
        ratio(ours, peer)
    );
}

/// `berthctl ps` against `docker ps`, each a whole process (start, find the engine, list,
/// print), alternated on the same engine and its containers.
fn cli_ps() {
    let (ours, peer) = whole_processes(&["ps"]);
    println!("berthctl ps as a whole process, {STATS_CONTAINERS} running containers, median of {LIST_ROUNDS}");
    println!("  berthctl ps    {ours:>9.2} ms");
    println!("  docker ps      {peer:>9.2} ms");
    println!(
        "  ratio          {:>12}  (target ≤ 1×)\n",
        ratio(ours, peer)
    );
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

async fn stats(engine: &Engine, ids: &[String]) {
    let me = std::process::id();
    let window = Duration::from_secs(STATS_SECONDS);

    let cpu_before = cpu_seconds(me);
    let mut stream = engine.stats(ids).unwrap();
    let mut samples = 0usize;
    let deadline = tokio::time::Instant::now() + window;
    while let Ok(Some(batch)) = tokio::time::timeout_at(deadline, stream.next()).await {
        samples += batch.unwrap().len();
    }
    drop(stream);
    let ours_cpu = cpu_seconds(me) - cpu_before;
    let ours_rss = procfs::kib_field(&format!("/proc/{}/status", me), "VmRSS:") / 1024.0;

    let mut peer = Command::new("docker")
        .args(["stats", "--format", "{{json .}}"])
        .args(ids)
        .stdout(Stdio::null())
        .spawn()
        .expect("docker stats runs");
    std::thread::sleep(window);
    let peer_cpu = cpu_seconds(peer.id());
    let peer_rss = procfs::kib_field(&format!("/proc/{}/status", peer.id()), "VmRSS:") / 1024.0;
    let _ = peer.kill();
    let _ = peer.wait();

    println!(
        "Stats: {} running containers for {STATS_SECONDS} s ({samples} samples to Berth)",
        ids.len()
    );
    println!(
        "  berth core     {:>9.1} % CPU   {ours_rss:>6.1} MiB RSS (the whole benchmark process)",
        ours_cpu / STATS_SECONDS as f64 * 100.0
    );
    println!(
        "  docker stats   {:>9.1} % CPU   {peer_rss:>6.1} MiB RSS   (CPU ratio {})",
        peer_cpu / STATS_SECONDS as f64 * 100.0,
        ratio(ours_cpu, peer_cpu)
    );
    match oxker_usage(window) {
        Some((oxker_cpu, oxker_rss)) => println!(
            "  oxker          {:>9.1} % CPU   {oxker_rss:>6.1} MiB RSS   (CPU ratio {}; target ≤ 0.5×, RSS ≤ 15 MiB)\n",
            oxker_cpu / STATS_SECONDS as f64 * 100.0,
            ratio(ours_cpu, oxker_cpu)
        ),
        None => println!("  oxker          not installed (scripts/bench.sh installs it)\n"),
    }
}

/// oxker (a Rust TUI on the same client library, watching every container of one engine) for
/// `window` in a detached tmux session, which gives it a terminal: its CPU seconds and RSS.
fn oxker_usage(window: Duration) -> Option<(f64, f64)> {
    Command::new("oxker").arg("--version").output().ok()?;
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
    assert!(started, "tmux runs oxker");
    std::thread::sleep(window);
    let oxker = procfs::pids().find(|pid| {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .is_ok_and(|comm| comm.trim() == "oxker")
    });
    let usage = oxker.map(|pid| {
        let rss = procfs::kib_field(&format!("/proc/{pid}/status"), "VmRSS:") / 1024.0;
        (cpu_seconds(pid), rss)
    });
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
    usage
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
    delays.sort_by(f64::total_cmp);
    let at = |q: f64| delays[((delays.len() as f64 * q) as usize).min(delays.len() - 1)];
    println!("Engine event → core change notice: {EVENT_ROUNDS} pause/unpause events");
    println!(
        "  p50 {:.1} ms   p99 {:.1} ms   max {:.1} ms  (target p99 < 50 ms; ms clock resolution)",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
