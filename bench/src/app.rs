//! The whole app, release build, with three hosts watched (the local engine and the SSH test
//! host twice: over stream-local forwarding, and through the sshd that forbids it, over
//! `docker system dial-stdio`): how soon after start the first container list is on screen,
//! and its idle memory — the PSS of all its processes (Berth, and WebKit's web and network
//! processes) — against an empty Tauri window built the same way.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use berth_core::{HostId, SavedHost, Store};
use berth_e2e::App;
use berth_testkit::RemoteHost;

use crate::{median, ratio};
use berth_testkit::procfs::{kib_field, pids, started_ms, with_descendants};

const FIRST_LIST_ROUNDS: usize = 5;
/// How long each app runs before its memory is read: long enough to settle after start.
const SETTLE: Duration = Duration::from_secs(20);

pub async fn idle_and_first_list() {
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
    std::env::set_var("BERTH_APP", &berth);
    save_remote_hosts(&home.join("data/dev.berth.desktop")).await;

    let mut first_list = Vec::new();
    for _ in 0..FIRST_LIST_ROUNDS {
        first_list.push(first_list_ms(&berth).await);
    }
    let berth_pss = idle_pss_mib(&berth);
    let empty_pss = idle_pss_mib(&empty);
    let _ = std::fs::remove_dir_all(&home);

    println!("The app (release build; 3 hosts: local, SSH, SSH over dial-stdio)");
    println!(
        "  first list on screen   {:>6.0} ms after start (median of {FIRST_LIST_ROUNDS}; target < 1000 ms)",
        median(first_list)
    );
    println!("  idle PSS, all processes   Berth {berth_pss:.1} MiB   empty Tauri window {empty_pss:.1} MiB");
    println!(
        "  PSS ratio              {:>8}  (target ≤ 1.25×)\n",
        ratio(berth_pss, empty_pss)
    );
}

async fn save_remote_hosts(folder: &Path) {
    let remote = RemoteHost::get();
    std::fs::create_dir_all(folder).unwrap();
    std::fs::copy(remote.key("known_hosts"), folder.join("known_hosts")).unwrap();
    let store = Store::open(folder, &mut Vec::new()).await.unwrap();
    for (id, port) in [
        ("forwarding", 22),
        ("dial-stdio", remote.no_forwarding_port()),
    ] {
        let host = SavedHost {
            id: HostId::new(id),
            name: id.to_owned(),
            address: remote.address.clone(),
            port,
            user: remote.user.clone(),
            key_path: Some(remote.key("ed25519").display().to_string()),
            socket: remote.socket(),
            tags: Vec::new(),
            proxy_jump: None,
            docker_host: None,
            created_ms: 0,
            last_seen_ms: None,
        };
        store.save_host(&host).await.unwrap();
    }
}

/// Starts the app through WebDriver and reads when the page marked its first list, against
/// when the app's process started.
async fn first_list_ms(berth: &Path) -> f64 {
    let app = App::launch().await;
    let deadline = std::time::Instant::now() + berth_e2e::PATIENCE;
    let marked = loop {
        let mark = app
            .client
            .execute(
                "const [mark] = performance.getEntriesByName('berth:first-list');\
                 return mark ? performance.timeOrigin + mark.startTime : null;",
                vec![],
            )
            .await
            .expect("the page answers");
        if let Some(ms) = mark.as_f64() {
            break ms;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the page never marked its first list"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let hosts = app.invoke("hosts_state").await;
    let online = hosts
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| h["status"]["state"] == "online")
        .count();
    let started = processes_of(berth)
        .into_iter()
        .map(started_ms)
        .fold(f64::NAN, f64::max);
    app.close().await;
    assert!(online >= 1, "no host online: {hosts}");
    marked - started
}

/// Runs `app` alone (no WebDriver) until it settles; the PSS of it and its children, in MiB.
fn idle_pss_mib(app: &Path) -> f64 {
    let mut child = Command::new(app)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the app starts");
    std::thread::sleep(SETTLE);
    let tree = with_descendants([child.id()]);
    let pss_kib: f64 = tree
        .iter()
        .map(|pid| kib_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:"))
        .sum();
    let _ = child.kill();
    let _ = child.wait();
    pss_kib / 1024.0
}

/// Running processes whose executable is `exe`.
fn processes_of(exe: &Path) -> Vec<u32> {
    let exe = exe.canonicalize().unwrap_or_else(|_| exe.to_owned());
    pids()
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).ok().as_ref() == Some(&exe))
        .collect()
}
