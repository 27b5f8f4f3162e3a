//! The app killed with SIGKILL while it writes — container stats, engine events, activity, a
//! saved host, a changed setting — again and again. After each kill both databases pass
//! `PRAGMA integrity_check`, the settings file reads, nothing is set aside as damaged at the next
//! start, and every host save and settings change the app had confirmed (its `invoke` promise
//! resolved) is there when the app is started again.
//!
//! - `BERTH_CRASH_KILLS`: how many kills (default [`SHORT_KILLS`], the short suite's count;
//!   scripts/reliability.sh runs 50).
//! - `BERTH_CRASH_SEED`: the seed of the kill moments (default: from the clock; printed, so a
//!   failing run can be repeated).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use berth_core::history::store::{HISTORY_FILE, HOSTS_FILE};
use berth_e2e::{eventually, App, Profile, PATIENCE};
use berth_testkit::Labelled;
use serde_json::{json, Value};
use sqlx::Connection;

/// Kills in the short suite CI runs.
const SHORT_KILLS: usize = 8;
/// The settings file in the app's data folder (crates/core/src/settings.rs).
const SETTINGS_FILE: &str = "settings.json";
/// The kill's moment comes this long after the writing started, at the earliest and at the
/// latest.
const KILL_WINDOW_MS: (u64, u64) = (50, 1500);
/// A saved host's engine: an address nothing listens on, so its watcher fails at once and
/// backs off, touching no network.
const NOWHERE: &str = "unix:///nonexistent/berth-kill-test.sock";
/// Saved hosts kept across kills, so that rows written rounds ago (since folded from the WAL
/// into the database) are checked too; past this many they are forgotten through the app.
const HOSTS_KEPT: usize = 300;

/// Hosts are saved by this many loops at once, each one save after another.
const HOST_LOOPS: usize = 3;
/// How often the test asks the page what the app confirmed.
const ASK_EVERY_MS: u64 = 5;
/// Once its moment has come, the kill waits this long at most for the app to confirm
/// something more.
const KILL_WAITS_FOR_NEWS: Duration = Duration::from_millis(500);

/// splitmix64: the kill moments from a printed seed.
struct Moments(u64);

impl Moments {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn between(&mut self, (low, high): (u64, u64)) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

/// Starts the page writing as fast as the app answers, each an app command as the UI calls it,
/// one after another: hosts saved, each under a name of its own; settings changed, each to
/// values of their own (the `n`th of [`setting`], from `arguments[1]` on); a container paused
/// and unpaused, as the row's buttons do (engine events, and an activity row each). What the
/// app confirmed — its promise resolved — is kept in `window.__berthKill` for [`TAKE`].
const WRITE: &str = r#"
const [round, firstSetting, base, toggled, nowhere, HOST_LOOPS] = arguments;
const invoke = window.__TAURI_INTERNALS__.invoke;
const told = { hosts: [], hostsAsked: 0, setting: null, settingsAsked: 0, actions: 0, errors: [] };
window.__berthKill = told;
const refused = (command, e) => told.errors.push(`${command}: ${JSON.stringify(e)}`);
const saving = async (loop) => {
  for (let n = 0; ; n++) {
    const host = {
      id: `kill-${round}-${loop}-${n}`, name: `Killed host ${round}.${loop}.${n}`, address: "", port: 22, user: "",
      keyPath: null, socket: "/var/run/docker.sock", tags: ["kill-test"], proxyJump: null,
      dockerHost: nowhere, createdMs: 0, lastSeenMs: null,
    };
    told.hostsAsked++;
    try { await invoke("hosts_save", { host, passphrase: null, remember: false }); }
    catch (e) { return refused("hosts_save", e); }
    told.hosts.push([host.id, host.name]);
  }
};
for (let loop = 0; loop < HOST_LOOPS; loop++) saving(loop);
(async () => {
  for (let n = firstSetting; ; n++) {
    const settings = { ...base, logTail: 1 + n % 10000, terminalFontSize: 8 + Math.floor(n / 10000) % 25 };
    told.settingsAsked++;
    try { await invoke("settings_update", { settings }); }
    catch (e) { return refused("settings_update", e); }
    told.setting = n;
  }
})();
(async () => {
  for (let n = 0; ; n++) {
    // A kill between the two leaves it paused: the next round's pause is then refused, which
    // is kept as activity all the same.
    const action = n % 2 ? "unpause" : "pause";
    try { await invoke("container_action", { host: "local", id: toggled, action }); told.actions++; }
    catch (e) { await new Promise((done) => setTimeout(done, 10)); }
  }
})();
return null;
"#;

/// What the page was told since it was last asked: the hosts whose save was confirmed, the
/// last settings change confirmed, counts, and any refusal.
const TAKE: &str = r#"
const told = window.__berthKill;
return { ...told, hosts: told.hosts.splice(0) };
"#;

/// The settings each change writes: `n` as two settings, distinct for 250 000 changes.
type Setting = (u64, u64);

fn setting(n: u64) -> Setting {
    (1 + n % 10_000, 8 + (n / 10_000) % 25)
}

/// Which change of [`setting`] `settings` are.
fn setting_number(settings: &Value) -> u64 {
    let field = |name: &str| {
        settings[name]
            .as_u64()
            .unwrap_or_else(|| panic!("no {name} in {settings}"))
    };
    let (tail, font) = (field("logTail"), field("terminalFontSize"));
    assert_eq!(setting((font - 8) * 10_000 + tail - 1), (tail, font));
    (font - 8) * 10_000 + tail - 1
}

/// What one round of writing was told by the time the app was killed.
#[derive(Default)]
struct Told {
    /// Hosts whose save was confirmed: id and name.
    hosts: Vec<(String, String)>,
    hosts_asked: u64,
    /// The last settings change confirmed.
    setting: Option<u64>,
    settings_asked: u64,
    actions: u64,
}

impl Told {
    /// Adds what the page says it was told since it was last asked; whether anything new was
    /// confirmed.
    fn add(&mut self, page: &Value) -> bool {
        let before = (self.hosts.len(), self.setting);
        let errors = page["errors"].as_array().cloned().unwrap_or_default();
        assert!(errors.is_empty(), "refused before the kill: {errors:?}");
        for host in page["hosts"].as_array().into_iter().flatten() {
            let field = |n: usize| host[n].as_str().unwrap_or_default().to_owned();
            self.hosts.push((field(0), field(1)));
        }
        self.setting = page["setting"].as_u64().or(self.setting);
        self.hosts_asked = page["hostsAsked"].as_u64().unwrap_or_default();
        self.settings_asked = page["settingsAsked"].as_u64().unwrap_or_default();
        self.actions = page["actions"].as_u64().unwrap_or_default();
        before != (self.hosts.len(), self.setting)
    }
}

/// `PRAGMA integrity_check` of the database at `path`: `ok`, or what it found.
async fn integrity(path: &Path) -> String {
    let check = async {
        let url = format!("sqlite://{}", path.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await?;
        let row: (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await?;
        let _ = conn.close().await;
        Ok::<_, sqlx::Error>(row.0)
    };
    check.await.unwrap_or_else(|e| e.to_string())
}

/// The saved hosts in the database at `path`: id and name.
async fn hosts_in(path: &Path) -> BTreeMap<String, String> {
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("hosts.sqlite opens");
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM hosts")
        .fetch_all(&mut conn)
        .await
        .expect("hosts.sqlite reads");
    let _ = conn.close().await;
    rows.into_iter().collect()
}

/// How many stats samples, engine events and activity rows the history at `path` holds.
async fn history_kept(path: &Path) -> [i64; 3] {
    let url = format!("sqlite://{}", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("history.sqlite opens");
    let mut counts = [0; 3];
    let queries = [
        "SELECT count(*) FROM stats_1s",
        "SELECT count(*) FROM events",
        "SELECT count(*) FROM activity",
    ];
    for (count, query) in counts.iter_mut().zip(queries) {
        let row: (i64,) = sqlx::query_as(query)
            .fetch_one(&mut conn)
            .await
            .expect("history.sqlite reads");
        *count = row.0;
    }
    let _ = conn.close().await;
    counts
}

/// Copies each database with its `-wal` and `-shm` into `to`: opening the files where they are
/// would fold the WAL into them, and the next start of the app is to find them as the kill
/// left them.
fn copy_databases(data: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for file in [HISTORY_FILE, HOSTS_FILE] {
        for suffix in ["", "-wal", "-shm"] {
            let name = format!("{file}{suffix}");
            if data.join(&name).exists() {
                std::fs::copy(data.join(&name), to.join(&name)).unwrap();
            }
        }
    }
}

/// Files the app set aside as damaged (recovery.rs names them `<file>.corrupt-<time>`).
fn set_aside_in(data: &Path) -> Vec<String> {
    std::fs::read_dir(data)
        .unwrap()
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".corrupt-"))
        .collect()
}

/// Launches the app and waits until it writes all it can: the local engine online, the
/// containers table's stats stream open, and a sample of `steady` (running throughout) kept
/// in the history this launch — the engine sends a container's first sample a second after
/// the stream opens, so a kill sooner would find none written.
async fn launch(profile: &Profile, steady: &str) -> App {
    let since_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 1000;
    let app = App::launch_in(profile).await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    eventually("the containers' stats streaming", || async {
        let open = app.invoke("streams_open").await;
        open.as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "stats"))
    })
    .await;
    eventually("a stats sample kept", || async {
        let kept = app
            .invoke_with(
                "stats_history",
                json!({"host": "local", "container": steady, "sinceMs": since_ms}),
            )
            .await;
        kept.as_array().is_some_and(|samples| !samples.is_empty())
    })
    .await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_killed_while_it_writes_loses_nothing_it_confirmed() {
    let kills: usize = std::env::var("BERTH_CRASH_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SHORT_KILLS);
    let seed: u64 = std::env::var("BERTH_CRASH_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("{kills} kills, seed {seed} (BERTH_CRASH_SEED={seed} repeats the kill moments)");
    let mut moments = Moments(seed);

    // Running containers, so the app streams and keeps their stats; one is paused and
    // unpaused through the app.
    let t = Labelled::new("e2e-kill");
    let mut ours = vec![t.run_sleeper(&t.name("kill-toggled"), &[])];
    for n in 0..2 {
        ours.push(t.run_sleeper(&t.name(&format!("kill-steady-{n}")), &[]));
    }
    let toggled = ours[0].clone();
    let profile = Profile::new("kill");
    let data = profile.data_folder();
    let scratch = std::env::temp_dir().join(format!("berth-e2e-kill-copy-{}", std::process::id()));

    // What must be there at the next start: every host whose save was confirmed, and settings
    // no older than the last change confirmed (changes are made one after another, each to
    // values of their own, so a later one may have landed as the app was killed).
    let mut hosts: BTreeMap<String, String> = BTreeMap::new();
    let mut settings_floor = 0u64;
    let (mut hosts_confirmed, mut settings_confirmed) = (0usize, 0usize);
    // The confirmed hosts found missing, and the kills after which the confirmed settings were.
    let (mut hosts_lost, mut settings_lost) = (BTreeSet::new(), BTreeSet::new());
    let (mut intact, mut actions, mut processes, mut set_aside_before) = (0, 0, 0, 0);
    let (mut launches, mut writing) = (Duration::ZERO, Duration::ZERO);
    let started = Instant::now();

    for round in 0..=kills {
        // Ours again if something stopped them meanwhile (a restart of the shared engine by
        // another test): without a running container the app keeps no stats.
        let _ = std::process::Command::new("docker")
            .arg("start")
            .args(&ours)
            .output();
        let launched = Instant::now();
        let app = launch(&profile, &ours[1]).await;
        let launch_took = launched.elapsed();
        launches += launch_took;

        // Everything confirmed before the last kill is there, as the app reads it.
        let saved = app.invoke("hosts_saved").await;
        let saved: BTreeMap<String, String> = saved
            .as_array()
            .expect("hosts_saved lists the hosts")
            .iter()
            .map(|h| {
                let field = |name: &str| h[name].as_str().unwrap_or_default().to_owned();
                (field("id"), field("name"))
            })
            .collect();
        let missing: Vec<&String> = hosts
            .iter()
            .filter(|(id, name)| saved.get(*id) != Some(name))
            .map(|(id, _)| id)
            .collect();
        if !missing.is_empty() {
            println!("  start {round}: confirmed hosts missing: {missing:?}");
        }
        hosts_lost.extend(missing.into_iter().cloned());
        let kept_aside = set_aside_in(&data);
        if kept_aside.len() > set_aside_before {
            println!("  start {round}: set aside as damaged: {kept_aside:?}");
            set_aside_before = kept_aside.len();
        }
        let base = app.invoke("settings_get").await;
        if setting_number(&base) < settings_floor {
            println!("  start {round}: settings {base}, change {settings_floor} was confirmed");
            settings_lost.insert(round - 1);
        }
        if hosts.len() > HOSTS_KEPT {
            let ids: Vec<&String> = hosts.keys().collect();
            let forgotten = app
                .client
                .execute(
                    "const invoke = window.__TAURI_INTERNALS__.invoke;\
                     return Promise.allSettled(arguments[0].map((host) => invoke('hosts_remove', { host })));",
                    vec![json!(ids)],
                )
                .await;
            forgotten.expect("the kept hosts are forgotten");
            hosts.clear();
        }
        if round == kills {
            app.close().await;
            break;
        }

        // Write everything at once, as fast as it goes, and kill the app at some moment;
        // meanwhile ask the page what the app confirmed, every few milliseconds.
        let first_setting = setting_number(&base) + 1;
        app.client
            .execute(
                WRITE,
                vec![
                    json!(round),
                    json!(first_setting),
                    base,
                    json!(toggled),
                    json!(NOWHERE),
                    json!(HOST_LOOPS),
                ],
            )
            .await
            .expect("the page starts writing");
        let write_started = Instant::now();
        let after = Duration::from_millis(moments.between(KILL_WINDOW_MS));
        let mut told = Told::default();
        loop {
            let page = tokio::time::timeout(PATIENCE, app.client.execute(TAKE, vec![]))
                .await
                .expect("the page says what was saved in time")
                .expect("the page says what was saved");
            let news = told.add(&page);
            // Killed once its moment has come, right as the test has heard of a save: what
            // the app confirmed last is then as fresh as the test can know it.
            let late = write_started.elapsed();
            if late >= after && (news || late >= after + KILL_WAITS_FOR_NEWS) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(ASK_EVERY_MS)).await;
        }
        let killed_processes = app.kill().await;
        writing += write_started.elapsed();
        processes += killed_processes;
        actions += told.actions;
        println!(
            "  kill {round} (launched in {launch_took:.1?}) after {:.1?}: {} of {} host saves confirmed, {} of {} settings changes, {} container actions, {killed_processes} processes",
            write_started.elapsed(),
            told.hosts.len(),
            told.hosts_asked,
            told.setting.map_or(0, |n| n + 1 - first_setting),
            told.settings_asked,
            told.actions,
        );

        // The files as the kill left them: both databases intact, every confirmed host in
        // hosts.sqlite, the settings file whole and holding the last confirmed change or one
        // made after it.
        hosts_confirmed += told.hosts.len();
        hosts.extend(told.hosts);
        settings_confirmed += told.setting.map_or(0, |n| n + 1 - first_setting) as usize;
        settings_floor = told.setting.unwrap_or(first_setting - 1);
        copy_databases(&data, &scratch);
        let checks = [
            integrity(&scratch.join(HISTORY_FILE)).await,
            integrity(&scratch.join(HOSTS_FILE)).await,
        ];
        if checks.iter().all(|c| c == "ok") {
            intact += 1;
        } else {
            println!("  kill {round}: integrity_check said {checks:?}");
        }
        let on_disk = hosts_in(&scratch.join(HOSTS_FILE)).await;
        let missing: Vec<&String> = hosts
            .iter()
            .filter(|(id, name)| on_disk.get(*id) != Some(name))
            .map(|(id, _)| id)
            .collect();
        if !missing.is_empty() {
            println!("  kill {round}: confirmed hosts not in {HOSTS_FILE}: {missing:?}");
        }
        hosts_lost.extend(missing.into_iter().cloned());
        let file = std::fs::read(data.join(SETTINGS_FILE));
        match file.as_deref().map(serde_json::from_slice::<Value>) {
            // Never written: the defaults, and none changed.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && settings_confirmed == 0 => {}
            Err(err) => {
                println!("  kill {round}: {SETTINGS_FILE} cannot be read: {err}");
                settings_lost.insert(round);
            }
            Ok(Ok(file)) if setting_number(&file["settings"]) >= settings_floor => {}
            Ok(Ok(file)) => {
                println!(
                    "  kill {round}: {SETTINGS_FILE} holds {}, change {settings_floor} was confirmed",
                    file["settings"]
                );
                settings_lost.insert(round);
            }
            Ok(Err(err)) => {
                println!("  kill {round}: {SETTINGS_FILE} does not read: {err}");
                settings_lost.insert(round);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let set_aside = set_aside_in(&data);
    let [stats, events, activity] = history_kept(&data.join(HISTORY_FILE)).await;
    println!(
        "kept through the kills: {stats} stats samples, {events} engine events, {activity} activity rows"
    );
    let elapsed = started.elapsed();
    println!(
        "kills: {kills}, confirmed host saves: {hosts_confirmed}, lost: {}, \
         settings confirmed: {settings_confirmed}, lost: {}, \
         integrity_check ok: {intact}/{kills}, set aside: {}",
        hosts_lost.len(),
        settings_lost.len(),
        set_aside.len()
    );
    println!(
        "{actions} container actions through the app, {processes} processes killed; \
         {elapsed:.1?} in all: {:.1?} a launch (to the stats streaming), {:.1?} of writing a round",
        launches / (kills as u32 + 1),
        writing / kills.max(1) as u32,
    );
    assert!(
        hosts_confirmed > 0 && settings_confirmed > 0,
        "nothing was confirmed before a kill"
    );
    assert!(
        stats > 0 && events > 0 && activity > 0,
        "the app was not writing its history"
    );
    assert!(hosts_lost.is_empty(), "confirmed host saves lost");
    assert!(settings_lost.is_empty(), "confirmed settings lost");
    assert_eq!(intact, kills, "databases damaged by a kill");
    assert_eq!(
        set_aside,
        Vec::<String>::new(),
        "files set aside as damaged"
    );
}
