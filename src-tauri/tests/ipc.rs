//! The shell's IPC surface on Tauri's mock runtime, against the real local engine: commands
//! reach the engine, and errors cross as `{ code, message }`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use berth_core::{HostSpec, Secret};
use berth_testkit::{inspect, Labelled, RemoteHost, PATIENCE};
use serde_json::{json, Value};
use tauri::Manager;

mod mock_app;
use mock_app::{invoke, MockApp, MockWindow};

/// The app keeps its known hosts under the XDG data folder: a private one per test run, so
/// tests neither read nor leave anything in the user's.
fn private_data_folder() -> &'static std::path::Path {
    static FOLDER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder = std::env::temp_dir().join(format!("berth-ipc-{}", std::process::id()));
        // Set once, before any app starts, while no other thread reads the environment.
        std::env::set_var("XDG_DATA_HOME", &folder);
        // Berth's own log as the app writes it, in full detail (it goes under XDG_DATA_HOME
        // too): what any test does is in it, for the test that looks for secrets there.
        berth_app::init_logging("debug,berth_core=trace,berth_app=trace");
        folder
    })
}

/// A folder for one test's settings and databases, empty.
fn test_folder(name: &str) -> std::path::PathBuf {
    let folder = private_data_folder().join(name);
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// The app watching the local engine, with what it saves in a fresh folder.
fn app_window() -> (MockApp, MockWindow) {
    let folder = test_folder(&format!("app-{}", NEXT_APP.fetch_add(1, Ordering::Relaxed)));
    app_in(&folder, vec![HostSpec::local().unwrap()])
}

static NEXT_APP: AtomicUsize = AtomicUsize::new(0);

/// The app keeping what it saves in `folder`, watching `hosts` besides the saved ones.
fn app_in(folder: &std::path::Path, hosts: Vec<HostSpec>) -> (MockApp, MockWindow) {
    private_data_folder();
    mock_app::build(folder, hosts)
}

fn wait_online(window: &MockWindow) -> Value {
    let start = Instant::now();
    loop {
        let hosts = invoke(window, "hosts_state", json!({})).unwrap();
        if hosts[0]["status"]["state"] == "online" {
            return hosts;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "local host never came online: {hosts}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn lists_hosts_and_acts_on_containers() {
    let (_app, window) = app_window();
    let t = Labelled::new("ipc");
    let name = t.name("ipc");
    let id = t.run_sleeper(&name, &[]);

    let hosts = wait_online(&window);
    assert_eq!(hosts[0]["host"], "local");
    assert_eq!(hosts[0]["name"], "Local");
    assert!(hosts[0]["status"]["engine"]["version"].is_string());

    invoke(
        &window,
        "container_action",
        json!({"host": "local", "id": id, "action": "stop"}),
    )
    .expect("stop succeeds");
    assert_eq!(inspect(&id, "{{.State.Status}}"), "exited");

    invoke(
        &window,
        "container_remove",
        json!({"host": "local", "id": id, "options": {"force": false, "volumes": true}}),
    )
    .expect("remove succeeds");
    assert!(
        std::process::Command::new("docker")
            .args(["inspect", &id])
            .output()
            .unwrap()
            .status
            .code()
            != Some(0)
    );
}

#[test]
fn errors_cross_as_code_and_message() {
    let (_app, window) = app_window();
    wait_online(&window);

    let err = invoke(
        &window,
        "container_action",
        json!({"host": "local", "id": "../x", "action": "start"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    assert!(err["message"].as_str().unwrap().contains("../x"));

    let err = invoke(
        &window,
        "container_action",
        json!({"host": "local", "id": "berth-missing-ipc", "action": "start"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "not_found");

    let err = invoke(&window, "hosts_reconnect", json!({"host": "nope"})).unwrap_err();
    assert_eq!(err["code"], "not_found");
}

#[test]
fn settings_are_checked_then_kept_across_restarts() {
    let folder = test_folder("settings");
    let (app, window) = app_in(&folder, Vec::new());
    let defaults = invoke(&window, "settings_get", json!({})).unwrap();
    let every_alert = json!({
        "doNotDisturb": false, "died": true, "oomKilled": true, "unhealthy": true,
        "restartLoop": true, "hostOffline": true, "updateFailed": true, "nodeDown": true,
        "serviceShort": true, "only": [],
    });
    assert_eq!(
        defaults,
        json!({
            "theme": "system", "logTail": 500, "terminalFontSize": 13, "alerts": every_alert,
            "closeToTray": true, "startAtLogin": false, "startHidden": false,
            "defaultHost": "local", "statsRetentionHours": 24,
        })
    );
    // The defaults with `changes` laid over them.
    let with = |changes: Value| {
        let mut settings = defaults.clone();
        for (key, value) in changes.as_object().unwrap() {
            settings[key] = value.clone();
        }
        json!({ "settings": settings })
    };

    let refused = invoke(
        &window,
        "settings_update",
        with(json!({"theme": "dark", "logTail": 0})),
    )
    .expect_err("a tail of 0 lines is refused");
    assert_eq!(refused["code"], "invalid_input");
    assert_eq!(refused["field"], "logTail", "{refused}");
    let mut blank_rule = every_alert.clone();
    blank_rule["only"] = json!([{"by": "project", "name": " "}]);
    let refused = invoke(
        &window,
        "settings_update",
        with(json!({"theme": "dark", "logTail": 10, "alerts": blank_rule})),
    )
    .expect_err("a rule without a project name is refused");
    assert_eq!(refused["message"], "Alert rule 1 needs a project.");
    // The core's rule on how long stats are kept, named by the setting.
    let refused = invoke(
        &window,
        "settings_update",
        with(json!({"statsRetentionHours": 0})),
    )
    .expect_err("no stats history at all is refused");
    assert_eq!(refused["code"], "invalid_input");
    assert_eq!(refused["field"], "statsRetentionHours", "{refused}");
    let refused = invoke(
        &window,
        "settings_update",
        with(json!({"defaultHost": "nowhere"})),
    )
    .expect_err("a host that is not watched is refused");
    assert_eq!(refused["field"], "defaultHost", "{refused}");
    assert_eq!(
        invoke(&window, "settings_get", json!({})).unwrap(),
        defaults,
        "nothing of a refused change is kept"
    );

    let alerts = json!({
        "doNotDisturb": true, "died": true, "oomKilled": false, "unhealthy": true,
        "restartLoop": true, "hostOffline": false, "updateFailed": true, "nodeDown": false,
        "serviceShort": true,
        "only": [{"by": "label", "key": "tier", "value": ""}, {"by": "container", "name": "db"}],
    });
    let chosen = with(json!({
        "theme": "dark", "logTail": 2000, "terminalFontSize": 15, "alerts": alerts,
        "closeToTray": false, "startHidden": true, "statsRetentionHours": 72,
    }));
    invoke(&window, "settings_update", chosen.clone()).unwrap();
    drop(window);
    drop(app);

    let (_app, window) = app_in(&folder, Vec::new());
    assert_eq!(
        invoke(&window, "settings_get", json!({})).unwrap(),
        chosen["settings"]
    );
    assert!(folder.join("settings.json").exists());
    let _ = std::fs::remove_dir_all(&folder);
}

/// Every file under `folder`, recursively.
fn files_under(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_remote_host_is_tried_saved_watched_and_forgotten_and_no_passphrase_is_written() {
    let remote = RemoteHost::get();
    // The app's own layout: its data folder holds the databases and known hosts alike.
    let data = private_data_folder().join("dev.berth.desktop");
    std::fs::create_dir_all(&data).unwrap();
    let (_app, window) = app_in(&data, Vec::new());
    let passphrase = remote.passphrase();
    let host = json!({
        "id": "namespace", "name": "Namespace", "address": remote.address, "port": 22,
        "user": remote.user, "keyPath": remote.key("ed25519_protected"), "socket": remote.socket(),
        "tags": ["test"], "createdMs": 0, "lastSeenMs": null,
    });

    // An unknown host key comes back with its facts, for the user to compare: which hop, host,
    // port and key.
    let unknown = invoke(
        &window,
        "hosts_test",
        json!({"host": host, "passphrase": passphrase, "accept": null}),
    )
    .expect_err("the host key is not known yet");
    assert_eq!(unknown["code"], "host_key_unknown", "{unknown}");
    let facts = &unknown["details"];
    assert_eq!(facts["kind"], "hostKey", "{unknown}");
    assert_eq!(facts["hop"], "target", "{unknown}");
    assert_eq!(facts["host"], remote.address.as_str(), "{unknown}");
    let fingerprint = facts["offered"]["fingerprint"].as_str().unwrap();
    assert!(fingerprint.starts_with("SHA256:"), "{unknown}");

    // Accepted (exactly that host, port and key), the key is remembered; the protected key
    // then asks for its passphrase.
    let accept = json!({"host": facts["host"], "port": facts["port"], "fingerprint": fingerprint});
    let locked = invoke(
        &window,
        "hosts_test",
        json!({"host": host, "passphrase": null, "accept": accept}),
    )
    .expect_err("no passphrase given");
    assert_eq!(locked["code"], "passphrase_required", "{locked}");
    let engine = invoke(
        &window,
        "hosts_test",
        json!({"host": host, "passphrase": passphrase, "accept": null}),
    )
    .expect("SSH and the engine answer");
    assert!(engine["version"].is_string(), "{engine}");

    invoke(
        &window,
        "hosts_save",
        json!({"host": host, "passphrase": passphrase, "remember": true}),
    )
    .expect("saved, the passphrase in the keyring");
    let kept = |host: &str| {
        tauri::async_runtime::block_on(berth_core::hosts::passphrases::recall(
            &berth_core::HostId::new(host),
        ))
        .unwrap()
    };
    assert_eq!(kept("namespace"), Some(Secret::new(passphrase.clone())));
    let start = Instant::now();
    loop {
        let hosts = invoke(&window, "hosts_state", json!({})).unwrap();
        let watched = hosts
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["host"] == "namespace");
        if watched.is_some_and(|h| h["status"]["state"] == "online") {
            break;
        }
        assert!(start.elapsed() < PATIENCE, "never online: {hosts}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let saved = invoke(&window, "hosts_saved", json!({})).unwrap();
    assert_eq!(saved[0]["id"], "namespace", "{saved}");

    // What the app saved and what it logged (Berth's own log, at every level).
    let logs = _app.path().app_log_dir().unwrap();
    let logged = files_under(&logs);
    assert!(
        logged
            .iter()
            .any(|file| std::fs::read_to_string(file).unwrap().contains("save host")),
        "the log is written, and says what was done: {logged:?}"
    );
    // bollard logs whole request and response bodies at debug (a container's environment,
    // its passwords included): the file takes none of it, even logged at debug.
    for file in &logged {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            !text.contains("DEBUG bollard") && !text.contains("TRACE bollard"),
            "bollard's bodies are in {}",
            file.display()
        );
    }
    for file in files_under(&data).into_iter().chain(logged) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&passphrase),
            "the passphrase is in {}",
            file.display()
        );
    }

    // A wrong passphrase is refused before the host is touched.
    let wrong = invoke(
        &window,
        "hosts_unlock",
        json!({"host": "namespace", "passphrase": "not it", "remember": true}),
    )
    .expect_err("a wrong passphrase");
    assert_eq!(wrong["code"], "passphrase_wrong", "{wrong}");
    assert_eq!(kept("namespace"), Some(Secret::new(passphrase.clone())));

    // The saved host as the one the window opens on, until it is removed.
    let mut settings = invoke(&window, "settings_get", json!({})).unwrap();
    settings["defaultHost"] = json!("namespace");
    invoke(&window, "settings_update", json!({"settings": settings})).unwrap();

    invoke(&window, "hosts_remove", json!({"host": "namespace"})).expect("removed");
    let settings = invoke(&window, "settings_get", json!({})).unwrap();
    assert_eq!(
        settings["defaultHost"], "local",
        "a removed host falls back to local"
    );
    assert_eq!(
        kept("namespace"),
        None,
        "removing a host drops its passphrase"
    );
    let hosts = invoke(&window, "hosts_state", json!({})).unwrap();
    assert!(hosts.as_array().unwrap().is_empty(), "{hosts}");
    assert_eq!(
        invoke(&window, "hosts_saved", json!({})).unwrap(),
        json!([])
    );
    drop(window);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_damaged_history_at_start_is_set_aside_and_told_once_and_the_saved_hosts_stay() {
    let folder = test_folder("damaged-history");
    let host = berth_core::SavedHost {
        id: berth_core::HostId::new("kept"),
        ..berth_core::SavedHost::direct("Kept", "unix:///tmp/berth-ipc-nowhere.sock")
    };
    tauri::async_runtime::block_on(async {
        let store = berth_core::Store::open(&folder, &mut Vec::new())
            .await
            .unwrap();
        store.save_host(&host).await.unwrap();
        store.close().await;
    });
    let damage = "what a crash left of the history ".repeat(100);
    std::fs::write(folder.join("history.sqlite"), &damage).unwrap();

    let (_app, window) = app_in(&folder, Vec::new());
    let told = invoke(&window, "startup_notices", json!({})).unwrap();
    assert_eq!(told.as_array().map(Vec::len), Some(1), "{told}");
    assert_eq!(told[0]["file"], "history.sqlite");
    let kept = told[0]["keptAs"].as_str().unwrap();
    assert!(kept.contains("history.sqlite.corrupt-"), "{kept}");
    assert_eq!(std::fs::read_to_string(kept).unwrap(), damage);
    assert_eq!(
        invoke(&window, "startup_notices", json!({})).unwrap(),
        json!([]),
        "told once"
    );
    let saved = invoke(&window, "hosts_saved", json!({})).unwrap();
    assert_eq!(saved[0]["id"], "kept", "{saved}");
    let watched = invoke(&window, "hosts_state", json!({})).unwrap();
    assert_eq!(watched[0]["host"], "kept", "{watched}");
    // The fresh history is in use.
    let query = json!({"host": null, "search": "", "failedOnly": false, "limit": 10});
    invoke(&window, "activity_list", json!({ "query": query })).expect("the history answers");
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn a_settings_file_that_is_not_json_at_start_is_set_aside_and_told() {
    let folder = test_folder("damaged-settings");
    let damaged = r#"{"settings": {"theme": "dark", "logTail": 20"#;
    std::fs::write(folder.join("settings.json"), damaged).unwrap();

    let (_app, window) = app_in(&folder, Vec::new());
    let told = invoke(&window, "startup_notices", json!({})).unwrap();
    assert_eq!(told.as_array().map(Vec::len), Some(1), "{told}");
    assert_eq!(told[0]["file"], "settings.json");
    let kept = told[0]["keptAs"].as_str().unwrap().to_owned();
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), damaged);
    assert_eq!(
        invoke(&window, "settings_get", json!({})).unwrap()["theme"],
        "system",
        "defaults"
    );
    let mut changed = invoke(&window, "settings_get", json!({})).unwrap();
    changed["theme"] = json!("light");
    invoke(&window, "settings_update", json!({"settings": changed})).unwrap();
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        damaged,
        "still kept"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// What the page was sent, in bytes of message bodies, per channel: the mock runtime's page
/// never reads nor acknowledges anything, like a page whose script is stalled.
#[derive(Default, Clone)]
struct Unread(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<u32, usize>>>);

impl Unread {
    fn on(&self, channel: u32) -> usize {
        self.0.lock().unwrap().get(&channel).copied().unwrap_or(0)
    }
}

/// The app on the local engine keeping what it saves in `folder`, its page's channels counted
/// into `unread`.
fn app_with_a_stalled_page(folder: &std::path::Path, unread: &Unread) -> (MockApp, MockWindow) {
    let counted = unread.clone();
    let builder = tauri::test::mock_builder().channel_interceptor(move |_, channel, _, body| {
        // Log lines and terminal output travel as raw frames, other messages as JSON.
        let bytes = match body {
            tauri::ipc::InvokeResponseBody::Json(json) => json.len(),
            tauri::ipc::InvokeResponseBody::Raw(raw) => raw.len(),
        };
        *counted.0.lock().unwrap().entry(channel.0).or_default() += bytes;
        true
    });
    mock_app::build_on(builder, folder, vec![HostSpec::local().unwrap()])
}

/// The window of unacknowledged bytes a stream may have (streams.rs), and what one message
/// may add past it.
const WINDOW: usize = 1024 * 1024;
const ONE_MESSAGE: usize = 128 * 1024;

/// A page that reads nothing is sent a bounded amount. A terminal (every byte matters) is sent
/// one window and then its engine read pauses; a log has one message in flight while the core
/// keeps reading, holding only what the view would keep and counting the rest.
#[test]
fn a_page_that_does_not_acknowledge_is_sent_a_bounded_amount() {
    let folder = test_folder("stalled-page");
    let unread = Unread::default();
    let (_app, window) = app_with_a_stalled_page(&folder, &unread);
    wait_online(&window);
    let t = Labelled::new("ipc-window");
    // Logs as fast as the engine takes them; rotated, so the disk does not fill meanwhile.
    let rotated = ["--log-opt", "max-size=4m", "--log-opt", "max-file=2"];
    let logger = t.run(&t.name("flood-log"), &rotated, &["yes", "a log line"]);
    let shell = t.run_sleeper(&t.name("flood-tty"), &[]);

    let (logs, tty) = (901, 902);
    let options = json!({"tail": 0, "since": null, "until": null, "follow": true, "filter": null, "timestamps": false});
    let log = invoke(
        &window,
        "logs_open",
        json!({"host": "local", "ids": [logger], "options": options, "channel": format!("__CHANNEL__:{logs}")}),
    )
    .expect("the log opens");
    let request = json!({"command": ["yes"], "cols": 80, "rows": 24});
    let terminal = invoke(
        &window,
        "exec_open",
        json!({"host": "local", "id": shell, "request": request, "channel": format!("__CHANNEL__:{tty}")}),
    )
    .expect("the terminal opens");

    let start = Instant::now();
    while unread.on(logs) == 0 || unread.on(tty) < WINDOW {
        assert!(
            start.elapsed() < PATIENCE,
            "the streams never sent what they may: log {} B, terminal {} B",
            unread.on(logs),
            unread.on(tty)
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Both keep producing; nothing more reaches the page, as nothing more is read.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let held = (unread.on(logs), unread.on(tty));
    std::thread::sleep(std::time::Duration::from_secs(2));
    println!(
        "unacknowledged after 5 s of flooding: log {} KiB, terminal {} KiB (window {} KiB)",
        held.0 / 1024,
        held.1 / 1024,
        WINDOW / 1024
    );
    assert_eq!((unread.on(logs), unread.on(tty)), held, "paused");
    assert!(
        held.0 < ONE_MESSAGE && held.1 < WINDOW + ONE_MESSAGE,
        "{held:?}"
    );

    // Acknowledged, the log sends again: what it held meanwhile, as one more message.
    let acked = u32::try_from(held.0).unwrap();
    invoke(
        &window,
        "stream_ack",
        json!({"stream": log, "bytes": acked}),
    )
    .unwrap();
    let start = Instant::now();
    while unread.on(logs) == held.0 {
        assert!(start.elapsed() < PATIENCE, "the log never resumed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    for stream in [log, terminal["stream"].clone()] {
        invoke(&window, "stream_close", json!({ "stream": stream })).unwrap();
    }
    assert_eq!(
        invoke(&window, "streams_open", json!({})).unwrap(),
        json!([])
    );
}

/// berthctl beside this test binary (target/debug), built with the workspace's tests.
fn berthctl() -> std::process::Command {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .and_then(std::path::Path::parent)
        .unwrap()
        .join("berthctl");
    assert!(
        path.exists(),
        "{} is missing: cargo build -p berthctl",
        path.display()
    );
    let mut command = std::process::Command::new(path);
    command
        .env("XDG_DATA_HOME", private_data_folder())
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .stdin(std::process::Stdio::null());
    command
}

#[test]
fn a_host_saved_in_the_window_is_in_berthctl_and_the_reverse_and_its_actions_in_activity() {
    let data = private_data_folder().join("dev.berth.desktop");
    std::fs::create_dir_all(&data).unwrap();
    let (_app, window) = app_in(&data, Vec::new());
    let host = json!({
        "id": "", "name": "From the window", "address": "", "port": 22, "user": "",
        "keyPath": null, "socket": "/var/run/docker.sock", "tags": [], "proxyJump": null,
        "dockerHost": "unix:///var/run/docker.sock", "createdMs": 0, "lastSeenMs": null,
    });
    let saved = invoke(
        &window,
        "hosts_save",
        json!({"host": host, "passphrase": null, "remember": false}),
    )
    .expect("saved");
    let listed = berthctl()
        .args(["hosts", "ls", "-o", "json"])
        .output()
        .unwrap();
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["name"] == "From the window" && h["id"] == saved["id"]),
        "berthctl lists the window's host: {listed}"
    );

    let added = berthctl()
        .args(["hosts", "add", "--no-input", "--name", "From berthctl"])
        .args(["--address", "unix:///var/run/docker.sock"])
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let in_window = invoke(&window, "hosts_saved", json!({})).unwrap();
    let from_cli = in_window
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "From berthctl")
        .unwrap_or_else(|| panic!("the window has berthctl's host: {in_window}"))
        .clone();

    // The window, coming back into focus, watches it, once.
    let watched = |window: &MockWindow, id: &Value| {
        invoke(window, "hosts_state", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .any(|h| &h["host"] == id)
    };
    assert!(!watched(&window, &from_cli["id"]));
    assert_eq!(
        invoke(&window, "hosts_follow_saved", json!({})).unwrap(),
        true
    );
    assert!(watched(&window, &from_cli["id"]), "watched once followed");
    assert_eq!(
        invoke(&window, "hosts_follow_saved", json!({})).unwrap(),
        false,
        "nothing new the second time, its own saves included"
    );

    // The Activity view lists what berthctl did, marked as the CLI's.
    let activity = invoke(
        &window,
        "activity_list",
        json!({"query": {"host": from_cli["id"], "search": "", "failedOnly": false, "limit": 10}}),
    )
    .unwrap();
    assert_eq!(activity[0]["action"], "save host", "{activity}");
    assert_eq!(activity[0]["frontEnd"], "cli", "{activity}");

    // Removed in berthctl, it is no longer watched once followed.
    let removed = berthctl()
        .args(["hosts", "rm", "--force", "From berthctl"])
        .output()
        .unwrap();
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    assert_eq!(
        invoke(&window, "hosts_follow_saved", json!({})).unwrap(),
        true
    );
    assert!(!watched(&window, &from_cli["id"]));
    invoke(&window, "hosts_remove", json!({"host": saved["id"]})).expect("removed");
}
