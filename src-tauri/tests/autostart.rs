//! Starting at login, set in Settings, goes through tauri-plugin-autostart to the platform's
//! own record: on Linux an XDG autostart entry. A process of its own, since it points HOME at
//! a private folder: the plugin (auto-launch 0.5) writes `~/.config/autostart` whatever
//! XDG_CONFIG_HOME says, so HOME is what keeps the test out of the user's own autostart.
#![cfg(target_os = "linux")]

use serde_json::json;

mod mock_app;
use mock_app::invoke;

/// The `.desktop` files in `folder`, with their contents.
fn entries(folder: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "desktop"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

#[test]
fn start_at_login_writes_and_removes_the_autostart_entry() {
    let home = std::env::temp_dir().join(format!("berth-autostart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let config = home.join(".config");
    std::fs::create_dir_all(&config).unwrap();
    // Set before the app starts, while no other thread reads the environment (the only test).
    std::env::set_var("HOME", &home);
    std::env::set_var("XDG_CONFIG_HOME", &config);
    std::env::set_var("XDG_DATA_HOME", home.join("data"));
    let folder = home.join("data/berth");
    std::fs::create_dir_all(&folder).unwrap();
    let (app, window) = mock_app::build(&folder, Vec::new());
    let autostart = config.join("autostart");

    let mut settings = invoke(&window, "settings_get", json!({})).unwrap();
    assert_eq!(settings["startAtLogin"], false);
    assert_eq!(entries(&autostart), []);

    settings["startAtLogin"] = json!(true);
    invoke(&window, "settings_update", json!({"settings": settings})).unwrap();
    let written = entries(&autostart);
    let [(name, entry)] = &written[..] else {
        panic!("one autostart entry: {written:?}");
    };
    let exe = std::env::current_exe().unwrap();
    assert!(
        entry.contains(&format!("Exec={}", exe.display())),
        "{name} starts this program: {entry}"
    );
    assert_eq!(
        invoke(&window, "settings_get", json!({})).unwrap()["startAtLogin"],
        true
    );

    // The platform's record is the truth: an entry removed outside Berth reads as off.
    std::fs::remove_file(autostart.join(name)).unwrap();
    let mut settings = invoke(&window, "settings_get", json!({})).unwrap();
    assert_eq!(settings["startAtLogin"], false);

    settings["startAtLogin"] = json!(true);
    invoke(
        &window,
        "settings_update",
        json!({"settings": settings.clone()}),
    )
    .unwrap();
    assert_eq!(entries(&autostart).len(), 1);
    settings["startAtLogin"] = json!(false);
    invoke(&window, "settings_update", json!({"settings": settings})).unwrap();
    assert_eq!(entries(&autostart), [], "turned off, the entry is gone");
    assert_eq!(
        invoke(&window, "settings_get", json!({})).unwrap()["startAtLogin"],
        false
    );
    drop(window);
    drop(app);
    let _ = std::fs::remove_dir_all(&home);
}
