//! SIGKILL in the middle of writing: a child process opens the core's `Store` in a folder the
//! way the app does and, as fast as it can, records stats, engine events and activity and saves
//! hosts, printing each host once `save_host` returned. It is killed at a random moment; then
//! both databases must pass `PRAGMA integrity_check`, open again without being set aside, and
//! hold every host the child was told was saved.
//!
//! The desktop app itself is killed the same way by the e2e test
//! `the_app_killed_while_it_writes_loses_nothing_it_confirmed` (tests/e2e/tests/kill.rs:
//! every process of the built app, the shell's settings file, what the app confirmed over
//! IPC), which scripts/reliability.sh runs 50 times. This harness stays beside it for what
//! the app cannot give: a writer with nothing between it and the core — about 260 saved hosts
//! a second here, each with stats, events and activity beside it, where the app through its
//! page saves about 60 — and 50 kills in under a minute, so more of its kills land inside a
//! commit.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use berth_core::history::activity::{Activity, FrontEnd};
use berth_core::history::store::{HISTORY_FILE, HOSTS_FILE};
use berth_core::{EngineEvent, EventKind, HostId, SavedHost, StatsSample, Store};
use sqlx::Connection;

use crate::{report, Size};

fn saved_host(n: u64) -> SavedHost {
    SavedHost {
        id: HostId::new(format!("h{n}")),
        name: format!("host {n}"),
        address: format!("10.0.{}.{}", n / 250, n % 250 + 1),
        port: 22,
        user: "me".into(),
        key_path: None,
        socket: "/var/run/docker.sock".into(),
        tags: vec!["crash".into()],
        proxy_jump: None,
        docker_host: None,
        created_ms: 1,
        last_seen_ms: None,
    }
}

/// The child: writes until it is killed.
pub async fn child(folder: &Path) {
    let store = Store::open(folder, &mut Vec::new())
        .await
        .expect("the store opens");
    let start: u64 = std::fs::read_to_string(folder.join("next"))
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let host = HostId::new("local");
    let mut out = std::io::stdout();
    for n in start.. {
        let now = berth_core::history::store::now_ms();
        let samples: Vec<StatsSample> = (0..20)
            .map(|c| StatsSample {
                id: format!("c{c}"),
                time_ms: now,
                cpu_percent: 1.5,
                memory_bytes: 1 << 20,
                memory_limit_bytes: 1 << 30,
                net_rx_per_sec: 0.0,
                net_tx_per_sec: 0.0,
                block_read_per_sec: 0.0,
                block_write_per_sec: 0.0,
                pids: 1,
            })
            .collect();
        let events: Vec<EngineEvent> = (0..10)
            .map(|c| EngineEvent {
                time_ms: now,
                kind: EventKind::Container,
                action: "start".into(),
                id: format!("c{c}"),
                name: format!("c{c}"),
                exit_code: None,
                new_state: None,
            })
            .collect();
        let activity = Activity {
            time_ms: now,
            host: host.clone(),
            action: "start container".into(),
            target: format!("c{n}"),
            error: None,
            duration_ms: 3,
            front_end: FrontEnd::Window,
        };
        let saving = saved_host(n);
        let (a, b, c, d) = tokio::join!(
            store.record_stats(&host, &samples),
            store.record_events(&host, &events),
            store.record_activity(&activity),
            store.save_host(&saving),
        );
        a.and(b).and(c).expect("writes succeed");
        d.expect("the host is saved");
        // Only now may the user be told it is saved.
        let _ = writeln!(out, "saved {n}");
        let _ = out.flush();
    }
}

fn integrity(path: &Path) -> String {
    let runtime = tokio::runtime::Handle::current();
    let url = format!("sqlite://{}", path.display());
    tokio::task::block_in_place(|| {
        runtime.block_on(async {
            let mut conn = sqlx::SqliteConnection::connect(&url)
                .await
                .map_err(|e| e.to_string())?;
            let row: (String,) = sqlx::query_as("PRAGMA integrity_check")
                .fetch_one(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            let _ = conn.close().await;
            Ok::<_, String>(row.0)
        })
    })
    .unwrap_or_else(|e| e)
}

pub async fn run(size: Size) {
    let kills = size.pick(50, 10);
    println!(
        "\n== SIGKILL while stats, events, activity and a saved host are written, {kills} times"
    );
    let folder = std::env::temp_dir().join(format!("berth-rel-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("a folder");
    let me = std::env::current_exe().expect("the suite's binary");
    let (mut confirmed, mut intact, mut reopened, mut lost) = (0u64, 0, 0, 0u64);
    let mut told: Vec<u64> = Vec::new();
    for kill in 0..kills {
        let mut child = Command::new(&me)
            .args(["crash-child", &folder.to_string_lossy()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the child starts");
        let stdout = child.stdout.take().expect("piped");
        let reader = std::thread::spawn(move || {
            std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("saved ").and_then(|n| n.parse::<u64>().ok()))
                .collect::<Vec<u64>>()
        });
        // Opening and migrating takes a moment; kill somewhere in the writing after it.
        let wait = 300 + (kill as u64 * 7919) % 700;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let _ = Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status();
        let _ = child.wait();
        let saved = reader.join().unwrap_or_default();
        confirmed += saved.len() as u64;
        told.extend(&saved);
        let next = told.iter().max().map_or(0, |n| n + 1);
        std::fs::write(folder.join("next"), next.to_string()).expect("next");

        let checks = [HISTORY_FILE, HOSTS_FILE].map(|f| integrity(&folder.join(f)));
        if checks.iter().all(|c| c == "ok") {
            intact += 1;
        } else {
            println!("  kill {kill}: integrity_check said {checks:?}");
        }
        let mut set_aside = Vec::new();
        if let Ok(store) = Store::open(&folder, &mut set_aside).await {
            if set_aside.is_empty() {
                reopened += 1;
            }
            let hosts = store.saved_hosts().await.unwrap_or_default();
            let missing = told
                .iter()
                .filter(|n| !hosts.iter().any(|h| h.id.as_str() == format!("h{n}")))
                .count() as u64;
            lost += missing;
            store.close().await;
        }
    }
    let _ = std::fs::remove_dir_all(&folder);
    report(
        confirmed > 0,
        format!("hosts reported saved before a kill: {confirmed}"),
    );
    report(
        intact == kills,
        format!("kills after which both databases pass integrity_check: {intact}/{kills}"),
    );
    report(
        reopened == kills,
        format!("reopened without setting a database aside: {reopened}/{kills}"),
    );
    report(lost == 0, format!("saved hosts lost: {lost}"));
}
