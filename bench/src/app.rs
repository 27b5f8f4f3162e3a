//! The whole app, release build, with three hosts watched (the local engine and the SSH test
//! host twice: over stream-local forwarding, and through the sshd that forbids it, over
//! `docker system dial-stdio`):
//! - how soon after it is spawned the first container list is painted;
//! - its idle memory, the PSS of all its processes (Berth, and WebKit's web and network
//!   processes), against an empty Tauri window built the same way, with a breakdown;
//! - its page: DOM nodes, and the web process's memory;
//! - a million-line log drawn into xterm, against `docker logs` into a terminal (tmux);
//! - its whole stats path (stream, history writes, IPC, sparklines) for 50 containers, and
//!   oxker on the same containers, at the same time;
//! - the window with 300 containers (see [`crate::many`]).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use berth_core::{Engine, HostId, SavedHost, Store};
use berth_e2e::App;
use berth_testkit::procfs::{cpu_seconds, kib_field, with_descendants};
use berth_testkit::{docker, Labelled, RemoteHost};

use crate::report::{Row, Target};
use crate::{median, Oxker, LOG_LINES, STATS_CONTAINERS};

const FIRST_LIST_ROUNDS: usize = 10;
/// The containers on the local engine as the app starts: a list a user would have.
const FIRST_LIST_CONTAINERS: usize = 20;
/// How long each app runs, once its hosts are online, before its memory is read.
const SETTLE: Duration = Duration::from_secs(20);
/// The hosts the app watches: the local engine, and the two saved SSH hosts.
const HOSTS: [&str; 3] = ["local", "forwarding", "dial-stdio"];
/// How long the app's stats path and oxker are sampled side by side.
const STATS_WINDOW: Duration = Duration::from_secs(60);

pub async fn measure(engine: &Engine, t: &Labelled) {
    let release = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release");
    let (berth, empty) = (release.join("berth"), release.join("berth-empty-window"));
    for app in [&berth, &empty] {
        assert!(
            app.exists(),
            "no {} (scripts/bench.sh builds it)",
            app.display()
        );
    }
    // The apps keep their files in a home of the bench's own, with the hosts saved there.
    let home = std::env::temp_dir().join(format!("berth-bench-app-{}", std::process::id()));
    std::env::set_var("XDG_DATA_HOME", home.join("data"));
    std::env::set_var("XDG_CONFIG_HOME", home.join("config"));
    std::env::set_var("XDG_CACHE_HOME", home.join("cache"));
    save_remote_hosts(&home.join("data/dev.berth.desktop")).await;
    // The apps WebDriver starts write their log to this process's stderr: only warnings.
    std::env::set_var("RUST_LOG", "warn");
    let launcher = Launcher::new(&home, &berth);
    let empty_launcher = Launcher::new(&home, &empty);

    println!("The app (release build; 3 hosts: local, SSH, SSH over dial-stdio)");
    first_list(&launcher, &empty_launcher, t).await;
    idle_memory(&berth, &empty);
    log_into_xterm(&launcher, t).await;
    let app = launcher.launch().await;
    mark_ms(&app, "berth:first-live-list").await;
    crate::many::measure(&app, engine).await;
    app.close().await;
    stats_path(&berth, t);
    let _ = std::fs::remove_dir_all(&home);
    println!();
}

/// Starts the app through WebDriver by a launcher that notes the time just before it execs
/// the app: the time of the spawn, on the same clock as the page's marks.
struct Launcher {
    script: PathBuf,
    spawned: PathBuf,
    app: PathBuf,
}

impl Launcher {
    /// A launcher of `app`, with its files in `home`, named after it.
    fn new(home: &Path, app: &Path) -> Self {
        let name = app
            .file_name()
            .expect("an executable's path")
            .to_string_lossy();
        let (script, spawned) = (
            home.join(format!("launch-{name}")),
            home.join(format!("spawned-{name}")),
        );
        // bash's EPOCHREALTIME is read without starting another process.
        std::fs::write(
            &script,
            format!(
                "#!/bin/bash\nprintf '%s' \"$EPOCHREALTIME\" > '{}'\nexec '{}' \"$@\"\n",
                spawned.display(),
                app.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self {
            script,
            spawned,
            app: app.to_owned(),
        }
    }

    async fn launch(&self) -> App {
        let _ = std::fs::remove_file(&self.spawned);
        App::launch_by(
            &self.script.display().to_string(),
            &self.app.display().to_string(),
        )
        .await
    }

    /// When the launcher exec'd the app, unix milliseconds.
    fn spawned_ms(&self) -> f64 {
        let text = std::fs::read_to_string(&self.spawned).expect("the launcher noted the spawn");
        text.trim().parse::<f64>().expect("a time in seconds") * 1000.0
    }
}

/// Reads a performance mark of the page: unix milliseconds, once it is set, waiting for it
/// up to the e2e patience.
async fn mark_ms(app: &App, name: &str) -> f64 {
    let deadline = Instant::now() + berth_e2e::PATIENCE * 4;
    loop {
        let mark = app
            .client
            .execute(
                "const [mark] = performance.getEntriesByName(arguments[0]);\
                 return mark ? performance.timeOrigin + mark.startTime : null;",
                vec![name.into()],
            )
            .await
            .expect("the page answers");
        if let Some(ms) = mark.as_f64() {
            return ms;
        }
        assert!(Instant::now() < deadline, "the page never marked {name}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The stages of a page's start every page has: its navigation starts, its document has
/// arrived, its scripts have run (DOMContentLoaded).
const PAGE_STAGES: [&str; 3] = ["navigation starts", "document arrived", "scripts have run"];
/// The stages of Berth's start after those, in the order they come: its script starts and has
/// mounted the UI, the first paint, subscribed to host updates, hosts' state loaded, the list
/// painted (the page's User Timing marks, and the browser's first contentful paint).
const BERTH_STAGES: [(&str, &str); 6] = [
    ("script starts", "berth:script-start"),
    ("UI mounted", "berth:mounted"),
    ("first paint", "first-contentful-paint"),
    ("subscribed to host updates", "berth:hosts-subscribed"),
    ("hosts' state loaded", "berth:hosts-loaded"),
    ("list painted", "berth:first-list"),
];

/// When each stage of a started app's page came, ms after the spawn: [`PAGE_STAGES`], then
/// the performance entries named in `marks` (which must all be there).
async fn page_stages(app: &App, spawned: f64, marks: &[&str]) -> Vec<f64> {
    let at = app
        .client
        .execute(
            "const [nav] = performance.getEntriesByType('navigation');\
             const marked = arguments[0].map((name) => performance.getEntriesByName(name)[0]?.startTime);\
             return [0, nav.responseEnd, nav.domContentLoadedEventEnd, ...marked]\
               .map((t) => t === undefined ? null : performance.timeOrigin + t);",
            vec![marks.into()],
        )
        .await
        .expect("the page answers");
    at.as_array()
        .expect("a list of times")
        .iter()
        .zip(PAGE_STAGES.iter().chain(marks))
        .map(|(at, stage)| {
            at.as_f64()
                .unwrap_or_else(|| panic!("no {stage} on the page"))
                - spawned
        })
        .collect()
}

/// "name at median ms" for each stage, from each start's times.
fn stage_medians(names: &[&str], starts: &[Vec<f64>]) -> String {
    names
        .iter()
        .enumerate()
        .map(|(stage, name)| {
            let at = median(starts.iter().map(|times| times[stage]).collect());
            format!("{name} {at:.0}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Times the first list painted after the spawn, [`FIRST_LIST_ROUNDS`] starts, with
/// [`FIRST_LIST_CONTAINERS`] containers on the local engine: any list (from the second start
/// on, the last-known one kept by the start before), and the engine's answer. Each round also
/// starts the empty window, whose page loading is the floor of Berth's.
async fn first_list(launcher: &Launcher, empty_launcher: &Launcher, t: &Labelled) {
    let containers: Vec<String> = (0..FIRST_LIST_CONTAINERS)
        .map(|i| t.run_sleeper(&t.name(&format!("first-list{i}")), &[]))
        .collect();
    let (mut any, mut live) = (Vec::new(), Vec::new());
    // Where the time goes: when each stage of each start came, ms after the spawn.
    let (mut stages, mut empty_stages) = (Vec::new(), Vec::new());
    let marks: Vec<&str> = BERTH_STAGES.iter().map(|(_, mark)| *mark).collect();
    let mut page = None;
    for round in 0..FIRST_LIST_ROUNDS {
        let empty = empty_launcher.launch().await;
        empty_stages.push(page_stages(&empty, empty_launcher.spawned_ms(), &[]).await);
        empty.close().await;

        let app = launcher.launch().await;
        let spawned = launcher.spawned_ms();
        any.push(mark_ms(&app, "berth:first-list").await - spawned);
        live.push(mark_ms(&app, "berth:first-live-list").await - spawned);
        stages.push(page_stages(&app, spawned, &marks).await);
        if round == FIRST_LIST_ROUNDS - 1 {
            // The page once its hosts are online and it has settled.
            wait_online(&app).await;
            tokio::time::sleep(SETTLE).await;
            page = Some(page_weight(&app).await);
        }
        app.close().await;
    }
    for id in &containers {
        docker(&["rm", "-f", id]);
    }
    let spread = |rounds: &[f64]| {
        format!(
            "min {:.0} ms, max {:.0} ms",
            rounds.iter().copied().fold(f64::MAX, f64::min),
            rounds.iter().copied().fold(f64::MIN, f64::max)
        )
    };
    let berth_names: Vec<&str> = PAGE_STAGES
        .iter()
        .copied()
        .chain(BERTH_STAGES.iter().map(|(name, _)| *name))
        .collect();
    Row::new("App", "first list painted after spawn, median", median(any.clone()), "ms")
        .target(Target::Below(1000.0))
        .note(format!(
            "{FIRST_LIST_ROUNDS} starts, {FIRST_LIST_CONTAINERS} containers on the local engine, {}; from the launcher's exec to two animation frames after the list's DOM update; from the second start on, the last-known list. Each stage's median, ms after the spawn: {}",
            spread(&any),
            stage_medians(&berth_names, &stages)
        ))
        .record();
    Row::new(
        "App",
        "empty Tauri window: its page's scripts have run after spawn, median",
        median(empty_stages.iter().map(|times| times[2]).collect()),
        "ms",
    )
    .note(format!(
        "the floor of Berth's start, started in the same rounds; each stage's median, ms after the spawn: {}",
        stage_medians(&PAGE_STAGES, &empty_stages)
    ))
    .record();
    Row::new(
        "App",
        "engine's list painted after spawn, median",
        median(live.clone()),
        "ms",
    )
    .note(format!("{FIRST_LIST_ROUNDS} starts, {}", spread(&live)))
    .record();
    let (nodes, web) = page.expect("the last round weighed the page");
    Row::new("App", "DOM nodes, idle on the containers list", nodes, "nodes")
        .note(format!(
            "web process: PSS {:.1} MiB, of it {:.1} MiB anonymous (the JS heap, DOM and layout: WebKit gives a page no heap figure of its own)",
            web.0, web.1
        ))
        .record();
}

async fn wait_online(app: &App) {
    berth_e2e::eventually("every host online", || async {
        let hosts = app.invoke("hosts_state").await;
        let online = hosts
            .as_array()
            .into_iter()
            .flatten()
            .filter(|h| h["status"]["state"] == "online")
            .count();
        online == HOSTS.len()
    })
    .await;
}

/// The page's DOM node count, and its web process's PSS and anonymous PSS in MiB.
async fn page_weight(app: &App) -> (f64, (f64, f64)) {
    let nodes = app
        .client
        .execute("return document.getElementsByTagName('*').length", vec![])
        .await
        .expect("the page answers")
        .as_f64()
        .expect("a count");
    let web = app
        .processes()
        .into_iter()
        .find(|pid| comm(*pid) == "WebKitWebProces")
        .expect("the app has a web process");
    let rollup = format!("/proc/{web}/smaps_rollup");
    (
        nodes,
        (
            readable_kib(&rollup, "Pss:") / 1024.0,
            readable_kib(&rollup, "Pss_Anon:") / 1024.0,
        ),
    )
}

/// A /proc field that must be readable: a figure read as zero would flatter the app.
fn readable_kib(path: &str, field: &str) -> f64 {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{path}: {err}"));
    assert!(text.contains(field), "{path} has no {field}");
    kib_field(path, field)
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// WebKit's painting switches for a machine without a GPU: CPU painting (which Berth sets, see
/// src-tauri/painting.rs) and no accelerated compositing (tried, not yet set). The empty window
/// is weighed once more with both, so WebKit's share of the ratio and Berth's own are told apart.
const CPU_PAINTING_WITHOUT_COMPOSITING: [(&str, &str); 2] = [
    ("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"),
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
];

fn idle_memory(berth: &Path, empty: &Path) {
    let ours = idle_pss(berth, &HOSTS, &[]);
    let peer = idle_pss(empty, &[], &[]);
    let peer_painted_as_berth = idle_pss(empty, &[], &CPU_PAINTING_WITHOUT_COMPOSITING);
    let breakdown = |processes: &[(String, f64)]| {
        processes
            .iter()
            .map(|(name, mib)| format!("{name} {mib:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let total = |processes: &[(String, f64)]| processes.iter().map(|(_, mib)| mib).sum::<f64>();
    Row::new(
        "App",
        "idle PSS, all processes, 3 hosts online",
        total(&ours),
        "MiB",
    )
    .peer("empty Tauri window", total(&peer))
    .target(Target::RatioAtMost(1.25))
    .note(format!(
        "after {} s online; Berth: {}; empty window: {} (MiB); the empty window painted on \
         the CPU without compositing: {:.1} MiB ({})",
        SETTLE.as_secs(),
        breakdown(&ours),
        breakdown(&peer),
        total(&peer_painted_as_berth),
        breakdown(&peer_painted_as_berth)
    ))
    .record();
}

/// Runs `app` alone (no WebDriver) until each of `hosts` is online (read from its log) and
/// then for [`SETTLE`], with `env` set: the PSS of it and each of its children, by process
/// name, in MiB.
fn idle_pss(app: &Path, hosts: &[&str], env: &[(&str, &str)]) -> Vec<(String, f64)> {
    let mut child = Command::new(app)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the app starts");
    let stderr = child.stderr.take().expect("piped");
    let (online_tx, online_rx) = std::sync::mpsc::channel();
    // Read to the end, so the app never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("host online") {
                let _ = online_tx.send(line);
            }
        }
    });
    let deadline = Instant::now() + berth_e2e::PATIENCE * 2;
    let mut online: Vec<&str> = Vec::new();
    while online.len() < hosts.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = online_rx
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("not every host came online: {online:?} of {hosts:?}"));
        online.extend(hosts.iter().filter(|h| line.contains(&format!("host={h}"))));
    }
    std::thread::sleep(SETTLE);
    let pss = pss_by_process(&child);
    kill(child);
    pss
}

fn pss_by_process(child: &Child) -> Vec<(String, f64)> {
    with_descendants([child.id()])
        .into_iter()
        .map(|pid| {
            let pss = readable_kib(&format!("/proc/{pid}/smaps_rollup"), "Pss:") / 1024.0;
            (comm(pid), pss)
        })
        .collect()
}

fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A finished million-line log shown whole ("everything") in the app's log view, from the
/// view opening the stream to the last line drawn in xterm, against `docker logs` of the same
/// container in a terminal emulator (tmux) to its end. While it streams, the page is asked a
/// trivial script every 50 ms: the slowest answer says whether the window kept answering.
async fn log_into_xterm(launcher: &Launcher, t: &Labelled) {
    let name = t.name("xterm-log");
    let id = t.run(&name, &[], &["seq", "1", &LOG_LINES.to_string()]);
    docker(&["wait", &id]);

    let app = launcher.launch().await;
    app.click(&format!(r#"button[aria-label="Logs of {name}"]"#))
        .await;
    // The view first shows the default tail, to its end.
    app.find(r#"[data-testid="log-ended"]"#).await;
    app.client
        .execute("performance.clearMarks()", vec![])
        .await
        .unwrap();
    app.find(r#"select[aria-label="Lines to show"]"#)
        .await
        .select_by_label("everything")
        .await
        .unwrap();
    let mut slowest = Duration::ZERO;
    let deadline = Instant::now() + berth_e2e::PATIENCE * 4;
    loop {
        let asked = Instant::now();
        let ended = app
            .client
            .execute(
                "return performance.getEntriesByName('berth:log-ended').length > 0",
                vec![],
            )
            .await
            .unwrap();
        slowest = slowest.max(asked.elapsed());
        if ended.as_bool() == Some(true) {
            break;
        }
        assert!(Instant::now() < deadline, "the log never ended");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let drawn_ms =
        mark_ms(&app, "berth:log-ended").await - mark_ms(&app, "berth:log-opening").await;
    app.wait_for_text(
        r#"[data-testid="log-view"] .xterm-rows"#,
        &LOG_LINES.to_string(),
    )
    .await;
    let out_of_view = app.text(r#"[data-testid="log-out-of-view"]"#).await;
    app.close().await;

    let peer_seconds = docker_logs_in_tmux(&id);
    let rate = f64::from(LOG_LINES) / (drawn_ms / 1000.0);
    Row::new(
        "App",
        "1M-line log, engine → drawn in xterm",
        rate,
        "lines/s",
    )
    .peer("docker logs in tmux", f64::from(LOG_LINES) / peer_seconds)
    .target(Target::AtLeast(100_000.0))
    .note(format!(
        "{drawn_ms:.0} ms; {out_of_view}; slowest page answer meanwhile {} ms (target ≤ 100 ms)",
        slowest.as_millis()
    ))
    .record();
    docker(&["rm", "-f", &id]);
}

/// `docker logs ID` run in a detached tmux session (a terminal emulator, drawing every line),
/// from the spawn to its end, in seconds.
fn docker_logs_in_tmux(id: &str) -> f64 {
    let session = format!("berth-bench-logs-{}", std::process::id());
    let start = Instant::now();
    let started = Command::new("tmux")
        .args(["new-session", "-d", "-s", &session, "-x", "200", "-y", "50"])
        .arg(format!("docker logs {id}; tmux wait-for -S {session}-done"))
        .status()
        .is_ok_and(|s| s.success());
    assert!(started, "tmux runs docker logs");
    let waited = Command::new("tmux")
        .args(["wait-for", &format!("{session}-done")])
        .status()
        .is_ok_and(|s| s.success());
    let seconds = start.elapsed().as_secs_f64();
    assert!(waited);
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
    seconds
}

/// The app showing 50 running containers (its table streams their usage, writes the history,
/// draws sparklines) and oxker watching the same engine, sampled over the same minute: CPU of
/// every process of each.
fn stats_path(berth: &Path, t: &Labelled) {
    let ids: Vec<String> = (0..STATS_CONTAINERS)
        .map(|i| t.run_sleeper(&t.name(&format!("app-stat{i}")), &[]))
        .collect();
    let app = Command::new(berth)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the app starts");
    let oxker = Oxker::start();
    // Both past their start before the window opens.
    std::thread::sleep(Duration::from_secs(10));
    let tree = with_descendants([app.id()]);
    let cpu_by_process = || {
        tree.iter()
            .map(|pid| (comm(*pid), cpu_seconds(*pid)))
            .collect::<Vec<_>>()
    };
    let (app_before, oxker_before) = (cpu_by_process(), cpu_seconds(oxker.pid));
    std::thread::sleep(STATS_WINDOW);
    let used: Vec<(String, f64)> = cpu_by_process()
        .into_iter()
        .zip(&app_before)
        .map(|((name, after), (_, before))| (name, after - before))
        .collect();
    let app_used: f64 = used.iter().map(|(_, cpu)| cpu).sum();
    let oxker_used = cpu_seconds(oxker.pid) - oxker_before;
    let app_pss: f64 = pss_by_process(&app).iter().map(|(_, mib)| mib).sum();
    let oxker_rss = oxker.rss_mib();
    drop(oxker);
    kill(app);
    for id in &ids {
        docker(&["rm", "-f", id]);
    }
    let percent = |cpu: f64| cpu / STATS_WINDOW.as_secs_f64() * 100.0;
    let by_process: Vec<String> = used
        .iter()
        .map(|(name, cpu)| format!("{name} {:.2} %", percent(*cpu)))
        .collect();
    Row::new(
        "App",
        "stats of 50 containers, the app's whole path",
        percent(app_used),
        "% CPU",
    )
    .peer("oxker, at the same time", percent(oxker_used))
    .target(Target::RatioAtMost(0.5))
    .note(format!(
        "over the same {} s; the app: {}; PSS {app_pss:.1} MiB; oxker RSS {oxker_rss:.1} MiB",
        STATS_WINDOW.as_secs(),
        by_process.join(", ")
    ))
    .record();
}

async fn save_remote_hosts(folder: &Path) {
    let remote = RemoteHost::get();
    std::fs::create_dir_all(folder).unwrap();
    // The test host's key, trusted for both its sshds (known_hosts names a host with its
    // port when it is not 22).
    let host_key = std::fs::read_to_string(remote.key("host_ed25519.pub")).unwrap();
    let host_key: Vec<&str> = host_key.split_whitespace().take(2).collect();
    let known_hosts: String = [22, remote.no_forwarding_port()]
        .iter()
        .map(|port| match port {
            22 => format!("{} {}\n", remote.address, host_key.join(" ")),
            port => format!("[{}]:{port} {}\n", remote.address, host_key.join(" ")),
        })
        .collect();
    std::fs::write(folder.join("known_hosts"), known_hosts).unwrap();
    let store = Store::open(folder, &mut Vec::new()).await.unwrap();
    for (id, port) in [(HOSTS[1], 22), (HOSTS[2], remote.no_forwarding_port())] {
        let host = SavedHost {
            id: HostId::new(id),
            key_path: Some(remote.key("ed25519").display().to_string()),
            ..SavedHost::from_address(id, &remote.ssh_address(port)).unwrap()
        };
        store.save_host(&host).await.unwrap();
    }
}
