//! A profile kept under Berth's old identifier (`dev.berth.app`) is moved to the new one's
//! folders on the first start of a Berth that has the new identifier, and the app shows what it
//! held.

use berth_e2e::{App, Profile};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_profile_is_moved_on_first_start_and_its_saved_host_and_settings_show() {
    let profile = Profile::new("moved");
    let new = profile.data_folder();
    std::fs::remove_dir(&new).unwrap();
    let old = profile.base("data").join("dev.berth.app");
    let old_config = profile.base("config").join("dev.berth.app");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::create_dir_all(&old_config).unwrap();
    // A host saved by the old build: the local engine again, without SSH, under its own name.
    let store = berth_core::Store::open(&old, &mut Vec::new())
        .await
        .unwrap();
    store
        .save_host(&berth_e2e::saved_local_engine("moved", "Moved engine"))
        .await
        .unwrap();
    store.close().await;
    std::fs::write(
        old.join("settings.json"),
        r#"{"settings": {"theme": "dark", "logTail": 123, "terminalFontSize": 15}}"#,
    )
    .unwrap();
    let known_hosts = "[10.200.0.9]:22 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMovedMovedMovedMoved\n";
    std::fs::write(old.join("known_hosts"), known_hosts).unwrap();
    std::fs::write(old_config.join("kept"), "config").unwrap();

    let app = App::launch_in(&profile).await;
    app.find(r#"[data-testid="host"][data-name="Moved engine"][data-state="online"]"#)
        .await;
    let settings = app.invoke("settings_get").await;
    assert_eq!(settings["theme"], "dark");
    assert_eq!(settings["logTail"], 123);
    app.screenshot("moved-profile").await;
    app.close().await;

    // Moved, not copied: the old folders are gone, every file is in the new ones.
    assert!(!old.exists() && !old_config.exists());
    assert_eq!(
        std::fs::read_to_string(new.join("known_hosts")).unwrap(),
        known_hosts
    );
    assert_eq!(
        std::fs::read_to_string(profile.base("config").join("dev.berth.desktop/kept")).unwrap(),
        "config"
    );
}
