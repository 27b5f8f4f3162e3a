//! The shell's IPC surface on Tauri's mock runtime, against the real local engine: commands
//! reach the engine, and errors cross as `{ code, message }`.

use std::time::Instant;

use berth_core::{HostSpec, Secret};
use berth_testkit::{inspect, Labelled, RemoteHost, PATIENCE};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

/// The app keeps its files (settings) under the XDG data folder: a private one per test run,
/// so tests neither read nor leave anything in the user's.
fn private_data_folder() -> &'static std::path::Path {
    static FOLDER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    FOLDER.get_or_init(|| {
        let folder = std::env::temp_dir().join(format!("berth-ipc-{}", std::process::id()));
        // Set once, before any app starts, while no other thread reads the environment.
        std::env::set_var("XDG_DATA_HOME", &folder);
        folder
    })
}

fn app_window() -> (
    tauri::App<tauri::test::MockRuntime>,
    WebviewWindow<tauri::test::MockRuntime>,
) {
    private_data_folder();
    let app = berth_app::build(mock_builder(), vec![HostSpec::local().unwrap()], None)
        .build(mock_context(noop_assets()))
        .expect("app builds");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, window)
}

fn invoke(
    window: &WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap())
}

fn wait_online(window: &WebviewWindow<tauri::test::MockRuntime>) -> Value {
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
    let (app, window) = app_window();
    let defaults = invoke(&window, "settings_get", json!({})).unwrap();
    let every_alert = json!({
        "doNotDisturb": false, "died": true, "oomKilled": true, "unhealthy": true,
        "restartLoop": true, "hostOffline": true, "only": [],
    });
    assert_eq!(
        defaults,
        json!({"theme": "system", "logTail": 500, "terminalFontSize": 13, "alerts": every_alert})
    );

    let refused = invoke(
        &window,
        "settings_update",
        json!({"settings": {"theme": "dark", "logTail": 0, "terminalFontSize": 13, "alerts": every_alert}}),
    )
    .expect_err("a tail of 0 lines is refused");
    assert_eq!(refused["code"], "invalid_input");
    assert!(refused["message"].as_str().unwrap().contains("Log lines"));
    let mut blank_rule = every_alert.clone();
    blank_rule["only"] = json!([{"by": "project", "name": " "}]);
    let refused = invoke(
        &window,
        "settings_update",
        json!({"settings": {"theme": "dark", "logTail": 10, "terminalFontSize": 13, "alerts": blank_rule}}),
    )
    .expect_err("a rule without a project name is refused");
    assert_eq!(refused["message"], "Alert rule 1 needs a project.");
    assert_eq!(
        invoke(&window, "settings_get", json!({})).unwrap(),
        defaults,
        "nothing of a refused change is kept"
    );

    let alerts = json!({
        "doNotDisturb": true, "died": true, "oomKilled": false, "unhealthy": true,
        "restartLoop": true, "hostOffline": false,
        "only": [{"by": "label", "key": "tier", "value": ""}, {"by": "container", "name": "db"}],
    });
    let chosen =
        json!({"theme": "dark", "logTail": 2000, "terminalFontSize": 15, "alerts": alerts});
    invoke(&window, "settings_update", json!({"settings": chosen})).unwrap();
    drop(window);
    drop(app);

    let (_app, window) = app_window();
    assert_eq!(invoke(&window, "settings_get", json!({})).unwrap(), chosen);
    let file = files_under(private_data_folder())
        .into_iter()
        .find(|f| f.ends_with("settings.json"))
        .expect("settings were written under the private data folder");
    // Only this test's file: other tests keep theirs beside it meanwhile.
    std::fs::remove_file(file).unwrap();
}

fn window_on(
    store: berth_core::Store,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    WebviewWindow<tauri::test::MockRuntime>,
) {
    private_data_folder();
    let app = berth_app::build(mock_builder(), vec![], Some(store))
        .build(mock_context(noop_assets()))
        .expect("app builds");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, window)
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
    let data = private_data_folder().join("dev.berth.app");
    std::fs::create_dir_all(&data).unwrap();
    let store = tauri::async_runtime::block_on(berth_core::Store::open(&data.join("hosts.sqlite")))
        .unwrap();
    let (_app, window) = window_on(store);
    let passphrase = remote.passphrase();
    let host = json!({
        "id": "namespace", "name": "Namespace", "address": remote.address, "port": 22,
        "user": remote.user, "keyPath": remote.key("ed25519_protected"), "socket": remote.socket(),
        "tags": ["test"], "createdMs": 0, "lastSeenMs": null,
    });

    // An unknown host key comes back with its fingerprint, for the user to compare.
    let unknown = invoke(
        &window,
        "hosts_test",
        json!({"host": host, "passphrase": passphrase, "accept": null}),
    )
    .expect_err("the host key is not known yet");
    assert_eq!(unknown["code"], "host_key_unknown", "{unknown}");
    let message = unknown["message"].as_str().unwrap();
    let fingerprint = message
        .split_whitespace()
        .find(|word| word.starts_with("SHA256:"))
        .map(|word| word.trim_end_matches('.'))
        .expect("the message shows the fingerprint");

    // Accepted, the key is remembered; the protected key then asks for its passphrase.
    let locked = invoke(
        &window,
        "hosts_test",
        json!({"host": host, "passphrase": null, "accept": fingerprint}),
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
        tauri::async_runtime::block_on(berth_core::passphrases::recall(&berth_core::HostId::new(
            host,
        )))
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

    for file in files_under(&data) {
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

    invoke(&window, "hosts_remove", json!({"host": "namespace"})).expect("removed");
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
    for made in [
        "hosts.sqlite",
        "hosts.sqlite-wal",
        "hosts.sqlite-shm",
        "known_hosts",
    ] {
        let _ = std::fs::remove_file(data.join(made));
    }
}
