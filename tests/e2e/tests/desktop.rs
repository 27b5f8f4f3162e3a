//! The desktop app, started and driven as a user would, against the real local engine.

use std::process::Command;
use std::time::{Duration, Instant};

use berth_e2e::{eventually, screen_shot, App, Profile, Tray};
use berth_testkit::{
    docker, inspect, local_dockerd_pid, Labelled, NotificationDaemon, RemoteHost, TEST_IMAGE,
};

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
    // The row may first show the container as created: its start is the next engine event.
    app.wait_for_text(&format!("{row} [data-testid=state]"), "unning")
        .await;
    app.screenshot("containers").await;

    // Stop from the window; the engine agrees, and so does the row.
    app.click(&format!(r#"{row} button[aria-label="Stop {name}"]"#))
        .await;
    eventually("the engine to report the container stopped", || async {
        inspect(&id, "{{.State.Status}}") == "exited"
    })
    .await;
    eventually("the row to show exited", || async {
        app.text(&format!("{row} [data-testid=state]"))
            .await
            .to_lowercase()
            == "exited"
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
        r#"[data-testid="image-row"][data-tags~="{TEST_IMAGE}"]"#
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
    stop_local_engine().await;
    let empty = app
        .find(r#"[data-testid="host-unavailable"][data-state="offline"]"#)
        .await;
    assert!(empty.text().await.unwrap().contains("unreachable"));
    app.find(r#"[data-testid="host"][data-state="offline"]"#)
        .await;
    app.screenshot("engine-unreachable").await;

    // …and shows the list again by itself once the engine is back.
    start_local_engine();
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    app.find(r#"[data-testid="container-count"]"#).await;
    app.screenshot("engine-back").await;

    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_log_view_carries_on_by_itself_after_the_engine_restarts() {
    // A container the engine starts again when it comes back; each start writes a line of its
    // own, so a line from after the restart can be told from the ones before.
    let t = Labelled::new("e2e-resume");
    let name = t.name("e2e-boots");
    t.run(
        &name,
        &["--restart", "always"],
        &[
            "sh",
            "-c",
            "echo boot-$(cat /proc/sys/kernel/random/uuid | cut -c1-8); trap 'exit 0' TERM; while true; do sleep 1; done",
        ],
    );
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    app.click(&format!(r#"button[aria-label="Logs of {name}"]"#))
        .await;
    const LOG: &str = r#"[data-testid="log-view"] .xterm-rows"#;
    let before = app.wait_for_text(LOG, "boot-").await;
    let boots = |text: &str| text.matches("boot-").count();
    assert_eq!(boots(&before), 1, "one start so far: {before:?}");
    streams_become(&app, &["logs"]).await;

    stop_local_engine().await;
    app.find(r#"[data-testid="host"][data-state="offline"]"#)
        .await;
    start_local_engine();
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;

    // The same view, never reopened, shows the second start's line.
    eventually(
        "the log view to show the line of the second start",
        || async { boots(&app.text(LOG).await) == 2 },
    )
    .await;
    streams_become(&app, &["logs"]).await;
    app.screenshot("logs-after-restart").await;
    app.close().await;
}

/// Stops the machine's dockerd as `systemctl stop docker` would (SIGTERM: it stops its
/// containers first) and waits until it is gone.
async fn stop_local_engine() {
    let dockerd = local_dockerd_pid().expect("the local dockerd runs");
    let status = Command::new("kill")
        .args(["-TERM", &dockerd.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "dockerd was running");
    eventually("dockerd to exit", || async {
        local_dockerd_pid().is_none()
    })
    .await;
}

/// Starts the machine's dockerd again the way tests/env sets it up.
fn start_local_engine() {
    let env_script = concat!(env!("CARGO_MANIFEST_DIR"), "/../env/engine.sh");
    let status = Command::new(env_script).status().unwrap();
    assert!(status.success(), "dockerd restarts");
}

/// The terminal's visible text (xterm's DOM renderer keeps one element per row).
const TERMINAL_ROWS: &str = r#"[data-testid="terminal"] .xterm-rows"#;
const ENTER: &str = "\u{E007}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_and_a_terminal_from_the_window_and_their_streams_close_with_the_view() {
    let t = Labelled::new("e2e-streams");
    let name = t.name("e2e-logs");
    t.run(
        &name,
        &[],
        &["sh", "-c", "echo hello from berth; echo warning >&2; trap 'exit 0' TERM; while true; do sleep 1; done"],
    );
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    // The table follows the usage of the running containers on screen: one stats stream.
    streams_become(&app, &["stats"]).await;

    // Settings: a log opens with the number of lines chosen there; the theme applies at once.
    app.click(r#"[data-testid="section-settings"]"#).await;
    let tail = app.find("#log-tail").await;
    tail.clear().await.unwrap();
    tail.send_keys("1000").await.unwrap();
    app.click(r#"[role="group"][aria-label="Theme"] button:nth-child(3)"#)
        .await;
    app.find(r#"html[data-theme="dark"] [aria-label="Theme"] button.active:nth-child(3)"#)
        .await;
    // Clearing the field briefly asked for 0 lines, which was refused; 1000 was then kept.
    app.gone(r#"[role="alert"]"#).await;
    app.screenshot("settings").await;
    app.click(r#"[role="group"][aria-label="Theme"] button:nth-child(1)"#)
        .await;
    app.click(r#"[data-testid="section-containers"]"#).await;

    // Logs: the container's lines appear in the log view, and one stream is open for them.
    app.click(&format!(r#"button[aria-label="Logs of {name}"]"#))
        .await;
    let shown = app.find(r#"select[aria-label="Lines to show"]"#).await;
    assert_eq!(shown.prop("value").await.unwrap().as_deref(), Some("1000"));
    app.wait_for_text(
        r#"[data-testid="log-view"] .xterm-rows"#,
        "hello from berth",
    )
    .await;
    app.wait_for_text(r#"[data-testid="log-view"] .xterm-rows"#, "warning")
        .await;
    streams_become(&app, &["logs"]).await;
    app.screenshot("logs").await;

    // Terminal: typed commands run in the container; the log closed with its tab.
    app.click(r#"[role="tab"]:nth-child(2)"#).await;
    app.wait_for_text(TERMINAL_ROWS, "#").await;
    app.click(r#"[data-testid="terminal"] .xterm-screen"#).await;
    app.type_keys(&format!("echo typed-$((6*7)){ENTER}")).await;
    app.wait_for_text(TERMINAL_ROWS, "typed-42").await;
    streams_become(&app, &["terminal"]).await;

    // Resizing the window resizes the TTY inside the container.
    let before = terminal_size(&app).await;
    app.client.set_window_size(900, 600).await.unwrap();
    let start = std::time::Instant::now();
    let mut after = terminal_size(&app).await;
    while after == before {
        assert!(
            start.elapsed() < berth_e2e::PATIENCE,
            "the TTY stayed {before:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        after = terminal_size(&app).await;
    }
    assert!(
        after.0 < before.0 && after.1 < before.1,
        "{before:?} → {after:?}"
    );
    app.screenshot("terminal").await;

    // Stats: live figures; the terminal closed with its tab.
    app.click(r#"[role="tab"]:nth-child(3)"#).await;
    streams_become(&app, &["stats"]).await;
    app.wait_for_text(r#"[data-testid="stat-cpu"]"#, "%").await;
    app.screenshot("stats").await;

    // Back to the table: the detail's streams are gone, the table's sparklines are back.
    app.click(r#"button[aria-label="Back to containers"]"#)
        .await;
    app.find(&format!(r#"tr[data-name="{name}"] .usage svg"#))
        .await;
    streams_become(&app, &["stats"]).await;
    app.close().await;
}

/// Waits until exactly the streams of `kinds` are open in the app.
async fn streams_become(app: &App, kinds: &[&str]) {
    let expected = serde_json::json!(kinds);
    let start = std::time::Instant::now();
    loop {
        let open = app.invoke("streams_open").await;
        if open == expected {
            return;
        }
        assert!(
            start.elapsed() < berth_e2e::PATIENCE,
            "open streams {open}, expected {expected}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Asks the shell in the terminal for its size: (rows, cols).
async fn terminal_size(app: &App) -> (u16, u16) {
    app.type_keys(&format!("clear; echo size=$(stty size | tr ' ' x)={ENTER}"))
        .await;
    let start = std::time::Instant::now();
    loop {
        if let Some(size) = stty_size(&app.text(TERMINAL_ROWS).await) {
            return size;
        }
        assert!(
            start.elapsed() < berth_e2e::PATIENCE,
            "stty size never answered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The last "size=ROWSxCOLS=" answer in the terminal's text. (xterm's rows come without line
/// breaks between them, so the answer marks its own ends.)
fn stty_size(text: &str) -> Option<(u16, u16)> {
    text.rmatch_indices("size=").find_map(|(at, _)| {
        let answer = text[at + "size=".len()..].split('=').next()?;
        let (rows, cols) = answer.split_once('x')?;
        Some((rows.parse().ok()?, cols.parse().ok()?))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_million_line_log_streams_while_the_window_stays_responsive() {
    let t = Labelled::new("e2e-million");
    let name = t.name("million");
    let id = t.run(&name, &[], &["seq", "1", "1000000"]);
    docker(&["wait", &id]);
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;

    app.click(&format!(r#"button[aria-label="Logs of {name}"]"#))
        .await;
    let started = Instant::now();
    app.find(r#"select[aria-label="Lines to show"]"#)
        .await
        .select_by_label("everything")
        .await
        .unwrap();

    // While the million lines arrive, the page keeps answering: a frozen window would leave
    // these scripts unanswered. The slowest answer is printed, not asserted.
    let mut slowest = std::time::Duration::ZERO;
    while !app.exists(r#"[data-testid="log-ended"]"#).await {
        let asked = Instant::now();
        app.client
            .execute("return document.title", vec![])
            .await
            .unwrap();
        slowest = slowest.max(asked.elapsed());
        assert!(
            started.elapsed() < berth_e2e::PATIENCE * 4,
            "the log never ended"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.wait_for_text(r#"[data-testid="log-view"] .xterm-rows"#, "1000000")
        .await;
    println!(
        "1M lines shown in {:?}; slowest page answer meanwhile {slowest:?}",
        started.elapsed()
    );
    // The view keeps its last 10,000 lines (the core skipped what came while it drew); it
    // says so, and pages back to the others.
    let out_of_view = app.text(r#"[data-testid="log-out-of-view"]"#).await;
    let out_of_view: String = out_of_view.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(
        out_of_view, "99000010000",
        "990,000 out of view, 10,000 kept"
    );
    app.screenshot("million").await;
    app.click(r#"[data-testid="log-out-of-view"] + button"#)
        .await;
    app.find(r#"[data-testid="log-ended"]"#).await;
    let page = app
        .wait_for_text(r#"[data-testid="log-page"]"#, "from the end")
        .await;
    // Digit grouping follows the page's locale.
    let page: String = page
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '–')
        .collect();
    assert_eq!(page, "20000–10001");
    // The page's last line is the 10,001st from the end: 990000.
    app.wait_for_text(r#"[data-testid="log-view"] .xterm-rows"#, "990000")
        .await;
    let rows = app.text(r#"[data-testid="log-view"] .xterm-rows"#).await;
    assert!(!rows.contains("990001"), "no line after the page: {rows}");
    app.screenshot("million-page-back").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_host_added_through_the_wizard_shows_its_containers() {
    let remote = RemoteHost::get();
    let t = remote.labelled("e2e-remote");
    let name = t.name("over-ssh");
    t.run_sleeper(&name, &[]);
    let here = Labelled::new("e2e-all-hosts");
    let local_name = here.name("here");
    here.run_sleeper(&local_name, &[]);
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;

    app.click(r#"[data-testid="add-host-button"]"#).await;
    let field = |name: &'static str| format!(r#"[data-testid="add-host"] input[name="{name}"]"#);
    let next = r#"[data-testid="add-host"] .dialog-buttons button:last-child"#;
    app.find(&field("name"))
        .await
        .send_keys("Namespace")
        .await
        .unwrap();
    app.find(&field("address"))
        .await
        .send_keys(&remote.address)
        .await
        .unwrap();
    app.find(&field("user"))
        .await
        .send_keys(&remote.user)
        .await
        .unwrap();
    let socket = app.find(&field("socket")).await;
    socket.clear().await.unwrap();
    socket.send_keys(&remote.socket()).await.unwrap();
    app.click(next).await;
    let key = remote.key("ed25519");
    app.find(&field("key"))
        .await
        .send_keys(&key.display().to_string())
        .await
        .unwrap();
    app.click(next).await;

    // First contact: the host key's fingerprint is shown to compare before anything else.
    app.wait_for_text(r#"[data-testid="host-test"]"#, "SHA256:")
        .await;
    app.screenshot("add-host-fingerprint").await;
    app.click(r#"[data-testid="host-test"] button"#).await;
    // The version the remote engine gives of itself, whatever the distribution installed.
    let version = berth_testkit::docker_on(
        Some(&format!("unix://{}", remote.socket())),
        &["version", "--format", "{{.Server.Version}}"],
    );
    app.wait_for_text(r#"[data-testid="host-test"]"#, &format!("Docker {version}"))
        .await;
    app.screenshot("add-host-tested").await;
    app.click(next).await;

    // The new host is watched: online in the sidebar, its containers in the table.
    app.find(r#"[data-testid="host"][data-name="Namespace"][data-state="online"]"#)
        .await;
    app.find(&format!(r#"tr[data-name="{name}"]"#)).await;
    app.screenshot("remote-host").await;

    // All hosts: both engines' containers in one table, each row naming its host.
    app.click(r#"[data-testid="all-hosts"]"#).await;
    app.find(&format!(r#"tr[data-name="{name}"][data-host="Namespace"]"#))
        .await;
    app.find(&format!(
        r#"tr[data-name="{local_name}"][data-host="Local"]"#
    ))
    .await;
    app.screenshot("all-hosts").await;

    // Removing it asks first, then the host leaves the sidebar (and later tests' windows).
    app.click(r#"button[aria-label="Remove Namespace"]"#).await;
    app.click("dialog .dialog-buttons button.danger").await;
    app.gone(r#"[data-testid="host"][data-name="Namespace"]"#)
        .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_is_pulled_with_progress_and_a_prune_lists_what_goes() {
    use berth_testkit::{Pulled, REGISTRY_IMAGE};
    let image = Pulled::on(None, REGISTRY_IMAGE);
    // Something to prune: a container committed without a name is a dangling image.
    let t = Labelled::new("e2e-prune");
    let writer = t.run(&t.name("writer"), &[], &["true"]);
    docker(&["wait", &writer]);
    let dangling = docker(&["commit", &writer]);
    let app = App::launch().await;
    app.click(r#"[data-testid="section-images"]"#).await;

    // A malformed name is refused before the engine is asked.
    app.click(r#"[data-testid="pull-button"]"#).await;
    let reference = r#"[data-testid="pull-dialog"] input[name="reference"]"#;
    let submit = r#"[data-testid="pull-dialog"] button[type="submit"]"#;
    app.find(reference)
        .await
        .send_keys("Not An/Image")
        .await
        .unwrap();
    app.click(submit).await;
    app.wait_for_text(
        r#"[data-testid="pull-dialog"] [role="alert"]"#,
        "not a valid image reference",
    )
    .await;

    // A real pull from the local registry: a bar per layer, the overall bar filling up.
    let field = app.find(reference).await;
    field.clear().await.unwrap();
    field.send_keys(REGISTRY_IMAGE).await.unwrap();
    app.click(submit).await;
    app.find(r#"[data-testid="pull-layer"]"#).await;
    app.wait_for_text(
        r#"[data-testid="pull-dialog"] .note"#,
        "Downloaded newer image",
    )
    .await;
    app.find(r#"[data-testid="pull-overall"][data-fraction="1.00"]"#)
        .await;
    app.screenshot("pull").await;
    assert!(image.is_in(), "the engine has the image");
    app.click(r#"[data-testid="pull-dialog"] .dialog-buttons button.secondary"#)
        .await;
    app.find(&format!(r#"tr[data-tags~="{REGISTRY_IMAGE}"]"#))
        .await;

    // Prune lists the dangling image before removing it, then it is gone from the engine.
    // Only this test's images are pruned: the committed image carries the test's label.
    app.click(r#"[data-testid="prune-images-button"]"#).await;
    let (key, value) = t.label_pair();
    app.find(r#"[data-testid="prune-images"] input[name="label"]"#)
        .await
        .send_keys(&format!("{key}={value}"))
        .await
        .unwrap();
    let short = dangling.trim_start_matches("sha256:")[..12].to_owned();
    app.wait_for_text(r#"[data-testid="prune-list"]"#, &short)
        .await;
    app.screenshot("prune-images").await;
    app.click(r#"[data-testid="prune-images"] button.danger"#)
        .await;
    eventually("the dangling image to be pruned", || async {
        !docker_ok(&["image", "inspect", &dangling])
    })
    .await;
    app.wait_for_text(r#"[data-testid="toast"]"#, "Pruned")
        .await;
    app.close().await;
}

/// Whether a docker CLI command succeeds.
fn docker_ok(args: &[&str]) -> bool {
    Command::new("docker")
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_container_is_created_from_the_form_once_a_refused_field_is_fixed() {
    let t = Labelled::new("e2e-create");
    let name = t.name("formed");
    let app = App::launch().await;
    app.click(r#"[data-testid="create-container-button"]"#)
        .await;
    let field = |name: &str| format!(r#"[data-testid="create-container"] [name="{name}"]"#);
    let fill = |name: &'static str, text: String| {
        let app = &app;
        let css = field(name);
        async move {
            let element = app.find(&css).await;
            element.clear().await.unwrap();
            element.send_keys(&text).await.unwrap();
        }
    };
    fill("image", TEST_IMAGE.to_owned()).await;
    fill("name", name.clone()).await;
    fill("command", "sleep 300".to_owned()).await;
    fill("labels", t.label.clone()).await;
    fill("ports", "80:99999".to_owned()).await;
    let submit = r#"[data-testid="create-container"] button[type="submit"]"#;
    app.click(submit).await;

    // Refused before the engine is asked, and said under the ports field.
    app.wait_for_text(
        r#"[data-testid="create-container"] [data-field="ports"]"#,
        "within 1 to 65535",
    )
    .await;
    app.screenshot("create-refused").await;
    assert_eq!(
        docker(&["ps", "-aq", "--filter", &format!("name={name}")]),
        "",
        "nothing reached the engine"
    );

    fill("ports", "127.0.0.1::80".to_owned()).await;
    app.click(submit).await;
    app.gone(r#"[data-testid="create-container"]"#).await;
    app.find(&format!(r#"tr[data-name="{name}"]"#)).await;
    eventually("the new container to run", || async {
        inspect(&name, "{{.State.Status}}") == "running"
    })
    .await;
    assert_eq!(
        inspect(
            &name,
            "{{(index (index .HostConfig.PortBindings \"80/tcp\") 0).HostIp}}"
        ),
        "127.0.0.1"
    );
    app.screenshot("created").await;

    // The activity log has both attempts: the refused one with its reason, then the run.
    app.click(r#"[data-testid="section-activity"]"#).await;
    let row = |failed: bool| {
        format!(
            r#"tr[data-testid="activity-row"][data-action="run container"][data-target="{name}"][data-failed="{failed}"]"#
        )
    };
    app.find(&format!("{} td.ok", row(false))).await;
    let refused = app.find(&format!("{} td.failed", row(true))).await;
    let reason = refused.attr("title").await.unwrap().unwrap_or_default();
    assert!(reason.contains("within 1 to 65535"), "{reason}");
    app.screenshot("activity").await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_is_notified_and_clicking_the_notification_opens_its_logs() {
    let notifications = NotificationDaemon::start();
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;

    // Stopped by the user: no notification. Then one that fails on its own.
    let t = Labelled::new("e2e-alert");
    let stopped = t.run_sleeper(&t.name("e2e-stopped"), &[]);
    docker(&["stop", &stopped]);
    let name = t.name("e2e-crash");
    t.run(
        &name,
        &[],
        &["sh", "-c", "echo 'config missing: giving up'; exit 3"],
    );
    eventually("a notification on screen", || async {
        notifications.displayed() > 0
    })
    .await;
    screen_shot("notification");

    notifications.click_newest();
    let heading = app.wait_for_text("main h1", &name).await;
    assert_eq!(
        heading, name,
        "the clicked notification opens the container"
    );
    app.wait_for_text(
        r#"[data-testid="log-view"] .xterm-rows"#,
        "config missing: giving up",
    )
    .await;
    assert_eq!(
        notifications.close_all(),
        vec![format!("{name} exited with code 3")],
        "one notification, about the crash and not the stop"
    );
    app.screenshot("notification-opened").await;

    // Do not disturb, set in Settings: the next crash shows in the window but not on screen.
    app.click(r#"[data-testid="section-settings"]"#).await;
    app.click("#do-not-disturb").await;
    app.find("#do-not-disturb:checked").await;
    app.screenshot("settings-notifications").await;
    app.click(r#"[data-testid="section-containers"]"#).await;
    let quiet = t.name("e2e-quiet");
    t.run(&quiet, &[], &["sh", "-c", "exit 4"]);
    app.find(&format!(r#"tr[data-name="{quiet}"] .badge.exited"#))
        .await;
    // Not a sleep: do not disturb turned off again, a later crash IS shown, and alerts go out
    // in the order of their events, so once it is on screen the quiet one would be too.
    app.click(r#"[data-testid="section-settings"]"#).await;
    app.click("#do-not-disturb").await;
    app.find("#do-not-disturb:not(:checked)").await;
    let loud = t.name("e2e-loud");
    t.run(&loud, &[], &["sh", "-c", "exit 5"]);
    eventually("the later crash on screen", || async {
        notifications.displayed() > 0
    })
    .await;
    let shown = notifications.close_all();
    assert!(
        shown.iter().any(|summary| summary.contains(&loud)),
        "the crash after do not disturb was shown: {shown:?}"
    );
    assert!(
        !shown.iter().any(|summary| summary.contains(&quiet)),
        "nothing shown of {quiet} while not disturbed: {shown:?}"
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_menu_starts_the_latest_container_and_hides_and_shows_the_window() {
    let tray = Tray::start().await;
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    let t = Labelled::new("e2e-tray");
    let name = t.name("e2e-tray");
    let id = t.create(
        &name,
        &[
            "sh",
            "-c",
            "trap 'exit 0' TERM; while true; do sleep 1; done",
        ],
    );
    app.find(&format!(r#"tr[data-name="{name}"]"#)).await;
    // The menu follows the hosts a moment after they change.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;

    // The containers latest active are offered: the new one, to start.
    tray.choose(&app, &format!("Start {name}"), Some("tray-menu"))
        .await;
    eventually("the container started from the tray", || async {
        inspect(&id, "{{.State.Status}}") == "running"
    })
    .await;
    app.find(&format!(r#"tr[data-name="{name}"] .badge.running"#))
        .await;

    tray.choose(&app, "Hide Berth", None).await;
    eventually("the window hidden", || async { !tray.window_shown() }).await;
    tray.choose(&app, "Show Berth", None).await;
    eventually("the window shown again", || async { tray.window_shown() }).await;

    // What the tray did is in the activity log like any other action.
    app.click(r#"[data-testid="section-activity"]"#).await;
    app.find(&format!(
        r#"tr[data-action="start container"][data-target="{name}"] td.ok"#
    ))
    .await;
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_window_keeps_berth_in_the_tray_and_it_can_start_hidden() {
    let notifications = NotificationDaemon::start();
    let tray = Tray::start().await;
    let profile = Profile::new("tray-settings");
    let app = App::launch_in(&profile).await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    eventually("the window shown at start", || async {
        tray.window_shown()
    })
    .await;

    // A fresh profile keeps Berth in the tray. A stats history the core refuses is explained
    // beside its field; a week is kept.
    app.click(r#"[data-testid="section-settings"]"#).await;
    app.find("#close-to-tray:checked").await;
    let retention = app.find("#stats-retention").await;
    retention.clear().await.unwrap();
    retention.send_keys("500\t").await.unwrap();
    app.wait_for_text(r#"[role="alert"]"#, "between 1 and 168")
        .await;
    app.screenshot("settings-refused-retention").await;
    let retention = app.find("#stats-retention").await;
    retention.clear().await.unwrap();
    retention.send_keys("168\t").await.unwrap();
    app.gone(r#"[role="alert"]"#).await;
    app.click("#start-hidden").await;
    app.find("#start-hidden:checked").await;
    app.screenshot("settings-tray").await;
    let settings_file = profile.data_folder().join("settings.json");
    eventually("both kept", || async {
        let saved: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&settings_file).unwrap_or_default())
                .unwrap_or_default();
        saved["settings"]["statsRetentionHours"] == 168 && saved["settings"]["startHidden"] == true
    })
    .await;

    // Closed, the window hides, and Berth says where it went — the first time only.
    tray.close_window();
    eventually("the window hidden", || async { !tray.window_shown() }).await;
    eventually("the notice on screen", || async {
        notifications.displayed() > 0
    })
    .await;
    screen_shot("still-running-in-tray");
    // Only this test's notices count: an engine restarted by an earlier test may still be told
    // ("Local is offline") while this one runs.
    let crash_told = |notice: &String| notice.ends_with(" exited with code 3");
    let ours = |all: Vec<String>| -> Vec<String> {
        all.into_iter()
            .filter(|notice| notice == TRAY_NOTICE || crash_told(notice))
            .collect()
    };
    assert_eq!(
        ours(notifications.close_all()),
        vec![TRAY_NOTICE.to_owned()]
    );
    tray.choose(&app, "Show Berth", None).await;
    eventually("the window shown again", || async { tray.window_shown() }).await;
    tray.close_window();
    eventually("the window hidden again", || async { !tray.window_shown() }).await;
    // Not a sleep: a crash after the second close is told, and notices go out in order, so
    // once it is on screen a second tray notice would be too.
    let t = Labelled::new("e2e-tray-notice");
    let crash = t.name("e2e-tray-crash");
    t.run(&crash, &[], &["sh", "-c", "exit 3"]);
    eventually("the crash on screen", || async {
        notifications.displayed() > 0
    })
    .await;
    assert_eq!(
        ours(notifications.close_all()),
        vec![
            format!("{crash} exited with code 3"),
            TRAY_NOTICE.to_owned()
        ],
        "the tray notice told once (history, newest first)"
    );
    app.close().await;

    // Started again, Berth stays in the tray until shown from it.
    let app = App::launch_in(&profile).await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    assert!(!tray.window_shown(), "started hidden");
    screen_shot("started-hidden");
    tray.choose(&app, "Show Berth", None).await;
    eventually("the window shown from the tray", || async {
        tray.window_shown()
    })
    .await;
    app.close().await;
}

/// What Berth says the first time its window is closed into the tray.
const TRAY_NOTICE: &str = "Berth is still running in the tray";

/// The texts of the toasts on screen.
async fn toasts(app: &App) -> Vec<String> {
    let mut texts = Vec::new();
    for toast in app
        .client
        .find_all(fantoccini::Locator::Css(r#"[data-testid="toast"]"#))
        .await
        .expect("the toasts can be looked up")
    {
        match toast.text().await {
            Ok(text) => texts.push(text),
            // Dismissed while it was read: no longer on screen.
            Err(e) if e.is_stale_element_reference() => {}
            Err(e) => panic!("reading a toast: {e}"),
        }
    }
    texts
}

/// The files in `folder` whose names start with `prefix`, with their contents.
fn files_starting(folder: &std::path::Path, prefix: &str) -> Vec<Vec<u8>> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(prefix))
        })
        .map(|path| std::fs::read(path).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_files_that_cannot_be_used_at_start_are_kept_aside_and_the_user_is_told() {
    let profile = Profile::new("damaged");
    let data = profile.data_folder();
    // A host saved before: the local engine again, reached without SSH, under a name of its own.
    let store = berth_core::Store::open(&data, &mut Vec::new())
        .await
        .unwrap();
    let kept_host = berth_e2e::saved_local_engine("kept", "Kept engine");
    store.save_host(&kept_host).await.unwrap();
    store.close().await;
    // What a crash or a full disk may leave: a history that is no database, settings cut short.
    let history = "what a crash left of the history ".repeat(100);
    std::fs::write(data.join("history.sqlite"), &history).unwrap();
    let settings = r#"{"settings": {"theme": "dark", "logTa"#;
    std::fs::write(data.join("settings.json"), settings).unwrap();

    let app = App::launch_in(&profile).await;
    app.find(r#"[data-testid="host"][data-name="Kept engine"][data-state="online"]"#)
        .await;
    eventually("both files told", || async {
        toasts(&app).await.len() == 2
    })
    .await;
    let told = toasts(&app).await;
    for file in ["history.sqlite", "settings.json"] {
        let toast = told
            .iter()
            .find(|text| text.contains(&format!("{file} could not be used")))
            .unwrap_or_else(|| panic!("nothing about {file}: {told:?}"));
        assert!(toast.contains(&format!("{file}.corrupt-")), "{toast}");
    }
    app.screenshot("startup-notices").await;
    assert_eq!(
        files_starting(&data, "history.sqlite.corrupt-"),
        [history.as_bytes()]
    );
    assert_eq!(
        files_starting(&data, "settings.json.corrupt-"),
        [settings.as_bytes()]
    );
    assert_eq!(app.invoke("settings_get").await["theme"], "system");
    for _ in 0..2 {
        app.click(r#"[data-testid="toast"] button[aria-label="Dismiss"]"#)
            .await;
    }
    app.gone(r#"[data-testid="toast"]"#).await;
    app.close().await;

    // The fresh files serve the next start, which has nothing to tell.
    let app = App::launch_in(&profile).await;
    app.find(r#"[data-testid="host"][data-name="Kept engine"][data-state="online"]"#)
        .await;
    assert_eq!(toasts(&app).await, Vec::<String>::new());
    assert_eq!(files_starting(&data, "history.sqlite.corrupt-").len(), 1);
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_brings_the_first_window_forward_and_exits() {
    let tray = Tray::start().await;
    let profile = Profile::new("second");
    let data = profile.data_folder();
    let app = App::launch_in(&profile).await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    // Something saved, to find as it was afterwards.
    app.click(r#"[data-testid="section-settings"]"#).await;
    app.click(r#"[role="group"][aria-label="Theme"] button:nth-child(2)"#)
        .await;
    eventually("the light theme saved", || async {
        std::fs::read_to_string(data.join("settings.json")).is_ok_and(|s| s.contains("light"))
    })
    .await;
    let settings = std::fs::read(data.join("settings.json")).unwrap();
    tray.choose(&app, "Hide Berth", None).await;
    eventually("the window hidden", || async { !tray.window_shown() }).await;

    let mut second = tokio::process::Command::new(berth_e2e::application())
        .envs(profile.env())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the app starts again");
    let ended = tokio::time::timeout(berth_e2e::PATIENCE, second.wait())
        .await
        .expect("a second Berth on the same profile exits")
        .unwrap();
    assert!(ended.success(), "{ended}");
    eventually("the first window forward again", || async {
        tray.window_shown()
    })
    .await;

    // The first Berth carries on, with its files as they were.
    assert_eq!(app.invoke("hosts_state").await[0]["host"], "local");
    assert_eq!(app.invoke("settings_get").await["theme"], "light");
    assert_eq!(std::fs::read(data.join("settings.json")).unwrap(), settings);
    assert!(
        files_starting(&data, "history.sqlite.corrupt-").is_empty()
            && files_starting(&data, "hosts.sqlite.corrupt-").is_empty()
    );
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_berth_started_as_the_one_on_its_profile_dies_waits_for_it_and_starts() {
    let profile = Profile::new("restart");
    let app = App::launch_in(&profile).await;
    let name = berth_e2e::bus_names_owned_by(app.processes()[0])
        .into_iter()
        .find(|name| name.ends_with(".SingleInstance"))
        .expect("Berth holds its profile's name on the session bus");
    app.close().await;

    // A Berth that is dying (killed a moment ago): its name still on the bus, and no handover
    // to it. It is gone two seconds after the next Berth starts.
    let dying = zbus::blocking::connection::Builder::session()
        .unwrap()
        .name(name.as_str())
        .unwrap()
        .build()
        .unwrap();
    // Calls to it are answered at once, and with an error: nothing is served there.
    dying.object_server();
    let gone = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        drop(dying);
    });
    let app = App::launch_in(&profile).await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    gone.join().unwrap();
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reloaded_page_ends_the_streams_it_had_opened() {
    let t = Labelled::new("e2e-reload");
    let name = t.name("ticking");
    t.run(
        &name,
        &[],
        &[
            "sh",
            "-c",
            "trap 'exit 0' TERM; while true; do date; sleep 1; done",
        ],
    );
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    app.click(&format!(r#"button[aria-label="Logs of {name}"]"#))
        .await;
    streams_become(&app, &["logs"]).await;

    app.client
        .execute("location.reload(); return null;", vec![])
        .await
        .unwrap();
    // The new page opens its own (the table's usage); the log of the old one is gone, though
    // its container still writes a line a second.
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    streams_become(&app, &["stats"]).await;
    app.close().await;
}

/// How long the page is stalled while a terminal and a log flood it.
const STALL: std::time::Duration = std::time::Duration::from_secs(60);
/// What the app's processes may grow by while stalled: each stream holds at most a window
/// (1 MiB) the page has not acknowledged; the rest is the engine connections' buffers, the
/// webview's own work, and room for the allocator.
const FLOOD_GROWTH_BOUND_MIB: u64 = 96;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_terminal_and_log_keep_the_app_s_memory_bounded_while_the_page_is_stalled() {
    let t = Labelled::new("e2e-flood");
    // Rotated, so the engine's log files stay small while the container writes for a minute.
    let rotated = ["--log-opt", "max-size=8m", "--log-opt", "max-file=2"];
    let logger = t.run(
        &t.name("flood-log"),
        &rotated,
        &["yes", "a log line written as fast as the container can"],
    );
    let name = t.name("flood-tty");
    t.run_sleeper(&name, &[]);
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;

    // A terminal running `yes`, as a user would start it…
    app.click(&format!(r#"button[aria-label="Logs of {name}"]"#))
        .await;
    app.click(r#"[role="tab"]:nth-child(2)"#).await;
    app.wait_for_text(TERMINAL_ROWS, "#").await;
    app.click(r#"[data-testid="terminal"] .xterm-screen"#).await;
    app.type_keys(&format!("yes flooding-the-terminal{ENTER}"))
        .await;
    app.wait_for_text(TERMINAL_ROWS, "flooding-the-terminal")
        .await;
    // …and the log of a container writing as fast as it can, opened by the page the way its
    // views open one: a channel whose frames are acknowledged as they come.
    let opened = app
        .client
        .execute(
            r#"const [logger] = arguments;
               const ipc = window.__TAURI_INTERNALS__;
               let stream = null;
               const channel = ipc.transformCallback((raw) => {
                 if (stream !== null && raw.message) ipc.invoke("stream_ack", { stream, bytes: raw.message.bytes });
               });
               const options = { tail: 0, since: null, until: null, follow: true, filter: null, timestamps: false };
               stream = await ipc.invoke("logs_open", { host: "local", ids: [logger], options, channel: `__CHANNEL__:${channel}` });
               return stream;"#,
            vec![serde_json::json!(logger)],
        )
        .await
        .expect("the log opens");
    assert!(opened.is_number(), "{opened}");
    streams_become(&app, &["logs", "terminal"]).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;

    // The page stops: its script runs for a minute without a break, reading nothing.
    let before = app.rss_kib();
    let bound = before + FLOOD_GROWTH_BOUND_MIB * 1024;
    app.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(STALL * 3),
            None,
            None,
        ))
        .await
        .unwrap();
    let stall = app.client.execute(
        "const end = Date.now() + arguments[0]; while (Date.now() < end) {} return true;",
        vec![serde_json::json!(STALL.as_millis() as u64)],
    );
    let watch = async {
        let started = Instant::now();
        let mut peak = before;
        while started.elapsed() < STALL {
            peak = peak.max(app.rss_kib());
            if peak > bound * 4 {
                // Far past the bound: stop the app before it takes the machine's memory.
                for pid in app.processes() {
                    let _ = Command::new("kill")
                        .args(["-KILL", &pid.to_string()])
                        .status();
                }
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        peak
    };
    let (stalled, peak) = tokio::join!(stall, watch);
    println!(
        "app RSS (all its processes): {} MiB before, at most {} MiB during a {} s stall of the page \
         under a flooding terminal and log; bound {} MiB",
        before / 1024,
        peak / 1024,
        STALL.as_secs(),
        bound / 1024
    );
    assert!(peak <= bound, "the app grew past its bound");
    stalled.expect("the page ran its stall to the end");

    // The page back, both streams go on, and the terminal answers again once the page has
    // drawn what waited.
    streams_become(&app, &["logs", "terminal"]).await;
    app.type_keys("\u{0003}").await;
    app.type_keys(&format!("clear; echo back-$((20+22)){ENTER}"))
        .await;
    app.wait_for_text(TERMINAL_ROWS, "back-42").await;
    app.close().await;
}
