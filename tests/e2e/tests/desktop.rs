//! The desktop app, started and driven as a user would, against the real local engine.

use std::process::Command;
use std::time::Instant;

use berth_e2e::{eventually, App};
use berth_testkit::{docker, inspect, Labelled, TEST_IMAGE};

fn dockerd_running() -> bool {
    Command::new("pgrep")
        .args(["-x", "dockerd"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_show_up_live_stop_from_the_window_and_survive_an_engine_restart() {
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;

    // A container made outside Berth appears without a reload.
    let t = Labelled::new("e2e");
    let name = t.name("e2e-live");
    let row = format!(r#"tr[data-name="{name}"]"#);
    let started = Instant::now();
    let id = t.run_sleeper(&name, &[]);
    app.find(&row).await;
    println!(
        "container visible in the window {:?} after docker run returned",
        started.elapsed()
    );
    assert_eq!(
        app.find(&format!("{row} [data-testid=state]"))
            .await
            .text()
            .await
            .unwrap()
            .to_lowercase(),
        "running"
    );
    app.screenshot("containers").await;

    // Stop from the window; the engine agrees, and so does the row.
    app.click(&format!(r#"{row} button[aria-label="Stop {name}"]"#))
        .await;
    eventually("the engine to report the container stopped", || async {
        inspect(&id, "{{.State.Status}}") == "exited"
    })
    .await;
    eventually("the row to show exited", || async {
        let badge = app.find(&format!("{row} [data-testid=state]")).await;
        badge.text().await.unwrap_or_default().to_lowercase() == "exited"
    })
    .await;

    // Removed with the CLI: the row leaves.
    docker(&["rm", &id]);
    app.gone(&row).await;

    // The other sections show the engine's real objects, and the timeline what just happened.
    let volume = t.volume("e2e-vol");
    app.click(r#"[data-testid="section-volumes"]"#).await;
    app.find(&format!(
        r#"[data-testid="volume-row"][data-name="{volume}"]"#
    ))
    .await;
    app.screenshot("volumes").await;
    app.click(r#"[data-testid="section-images"]"#).await;
    app.find(&format!(
        r#"[data-testid="image-row"][data-name="{TEST_IMAGE}"]"#
    ))
    .await;
    app.screenshot("images").await;
    app.click(r#"[data-testid="section-networks"]"#).await;
    app.find(r#"[data-testid="network-row"][data-name="bridge"]"#)
        .await;
    app.screenshot("networks").await;
    app.click(r#"[data-testid="section-events"]"#).await;
    app.find(&format!(r#"[data-testid="event-row"][data-name="{name}"]"#))
        .await;
    app.screenshot("events").await;
    app.click(r#"[data-testid="section-containers"]"#).await;

    // The engine goes away: the window says so instead of spinning or crashing…
    let status = Command::new("pkill")
        .args(["-TERM", "-x", "dockerd"])
        .status()
        .unwrap();
    assert!(status.success(), "dockerd was running");
    eventually("dockerd to exit", || async { !dockerd_running() }).await;
    let empty = app
        .find(r#"[data-testid="host-unavailable"][data-state="offline"]"#)
        .await;
    assert!(empty.text().await.unwrap().contains("unreachable"));
    app.find(r#"[data-testid="host"][data-state="offline"]"#)
        .await;
    app.screenshot("engine-unreachable").await;

    // …and shows the list again by itself once the engine is back.
    let env_script = concat!(env!("CARGO_MANIFEST_DIR"), "/../env/engine.sh");
    let status = Command::new(env_script).status().unwrap();
    assert!(status.success(), "dockerd restarts");
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    app.find(r#"[data-testid="container-count"]"#).await;
    app.screenshot("engine-back").await;

    app.close().await;
}
