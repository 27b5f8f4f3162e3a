//! Alerts from the real engine: what a user is told when containers crash, run out of memory,
//! turn unhealthy or loop, and when a host goes away — and what they are not told.

use berth_core::alerts::{self, AlertKind, AlertRules, ContainerMatch, Notice};
use berth_core::{Berth, Endpoint, HostId, HostSpec, HostStatus};
use berth_testkit::{docker, EngineRelay, Labelled, PATIENCE};
use tokio::sync::{mpsc, watch};

/// Alerts about the containers of `t` only (other tests share the engine), from a Berth
/// watching `endpoint`. The rules sender must live as long as the alerts are read.
fn alerts_of(
    t: &Labelled,
    endpoint: Endpoint,
) -> (Berth, watch::Sender<AlertRules>, mpsc::Receiver<Notice>) {
    let berth = Berth::start(
        vec![HostSpec {
            id: HostId::new("alerting"),
            name: "Alerting".into(),
            endpoint,
            local: None,
        }],
        None,
    );
    let (key, value) = t.label_pair();
    let (rules, rules_rx) = watch::channel(AlertRules {
        only: vec![ContainerMatch::Label { key, value }],
        ..AlertRules::default()
    });
    let (notices, notices_rx) = mpsc::channel(16);
    let names = |_: &HostId| Some("Alerting".to_owned());
    let updates = berth.subscribe();
    // No swarm counts here: tests/swarm.rs tells those.
    let (_, counts) = mpsc::channel(1);
    tokio::spawn(alerts::watch(
        berth.states(),
        updates,
        names,
        rules_rx,
        counts,
        notices,
    ));
    (berth, rules, notices_rx)
}

async fn next(notices: &mut mpsc::Receiver<Notice>, what: &str) -> Notice {
    tokio::time::timeout(PATIENCE, notices.recv())
        .await
        .unwrap_or_else(|_| panic!("no alert: {what}"))
        .expect("alerts keep coming")
}

/// The kind of the next alert, checking it is about container `id`.
async fn next_about(notices: &mut mpsc::Receiver<Notice>, id: &str, what: &str) -> AlertKind {
    match next(notices, what).await {
        Notice::Alert(alert) => {
            assert_eq!(alert.container.map(|c| c.id).as_deref(), Some(id), "{what}");
            alert.kind
        }
        held => panic!("{what}: {held:?}"),
    }
}

/// Waits until the watched host is online (`true`: listed, so containers made next are seen
/// live) or offline.
async fn until_online(berth: &Berth, online: bool) {
    let mut updates = berth.subscribe();
    tokio::time::timeout(PATIENCE, async {
        while matches!(berth.states()[0].status, HostStatus::Online { .. }) != online {
            let _ = updates.recv().await;
        }
    })
    .await
    .expect("the host's status changes");
}

async fn online(berth: &Berth) {
    until_online(berth, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_is_told_and_a_stop_is_not() {
    let t = Labelled::new("alerts-crash");
    let (berth, _rules, mut notices) = alerts_of(&t, Endpoint::local().unwrap());
    online(&berth).await;

    // PID 1 ignores SIGTERM: the stop ends in a SIGKILL, exit code 137.
    let stopped = t.run(&t.name("stopped"), &[], &["sleep", "3600"]);
    docker(&["stop", "-t", "1", &stopped]);
    assert_eq!(
        berth_testkit::inspect(&stopped, "{{.State.ExitCode}}"),
        "137"
    );
    let crashed = t.run(&t.name("crashed"), &[], &["sh", "-c", "sleep 0.5; exit 3"]);

    assert_eq!(
        next_about(&mut notices, &crashed, "the crash").await,
        AlertKind::Died { exit_code: 3 },
        "the first alert is the crash, not the stop before it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_out_of_memory_is_told() {
    let t = Labelled::new("alerts-oom");
    let (berth, _rules, mut notices) = alerts_of(&t, Endpoint::local().unwrap());
    online(&berth).await;

    // `tail` keeps a line until its end, and /dev/zero has none: it grows until killed.
    let hog = t.run(
        &t.name("hog"),
        &["--memory", "16m", "--memory-swap", "16m"],
        &["sh", "-c", "tail /dev/zero"],
    );
    assert_eq!(
        next_about(&mut notices, &hog, "the OOM kill").await,
        AlertKind::OomKilled
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_health_check_is_told() {
    let t = Labelled::new("alerts-health");
    let (berth, _rules, mut notices) = alerts_of(&t, Endpoint::local().unwrap());
    online(&berth).await;

    let sick = t.run_sleeper(
        &t.name("sick"),
        &[
            "--health-cmd",
            "false",
            "--health-interval",
            "1s",
            "--health-retries",
            "1",
        ],
    );
    assert_eq!(
        next_about(&mut notices, &sick, "unhealthy").await,
        AlertKind::Unhealthy
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_loop_is_told_after_the_first_crash() {
    let t = Labelled::new("alerts-loop");
    let (berth, _rules, mut notices) = alerts_of(&t, Endpoint::local().unwrap());
    online(&berth).await;

    let looping = t.run(
        &t.name("looping"),
        &["--restart", "always"],
        &["sh", "-c", "exit 1"],
    );
    assert_eq!(
        next_about(&mut notices, &looping, "the first crash").await,
        AlertKind::Died { exit_code: 1 }
    );
    assert_eq!(
        next_about(&mut notices, &looping, "the loop").await,
        AlertKind::RestartLoop { restarts: 3 }
    );
    docker(&["rm", "-f", &looping]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_going_away_is_told_and_rules_can_silence_it() {
    let t = Labelled::new("alerts-host");
    let mut relay = EngineRelay::start();
    let address = relay.address();
    let (berth, rules, mut notices) = alerts_of(&t, Endpoint::parse(&address).unwrap());
    online(&berth).await;

    relay.cut();
    match next(&mut notices, "the host offline").await {
        Notice::Alert(alert) => {
            assert!(alert.container.is_none(), "{alert:?}");
            assert!(
                matches!(alert.kind, AlertKind::HostOffline { .. }),
                "{alert:?}"
            );
            assert_eq!(alert.title(), "Alerting is offline");
        }
        held => panic!("{held:?}"),
    }

    // Back, then away again with host alerts turned off: nothing is told.
    rules.send_modify(|rules| rules.host_offline = false);
    relay.restore();
    online(&berth).await;
    relay.cut();
    until_online(&berth, false).await;
    relay.restore();
    online(&berth).await;
    let crashed = t.run(&t.name("after"), &[], &["sh", "-c", "exit 4"]);
    assert_eq!(
        next_about(&mut notices, &crashed, "a crash seen after the return").await,
        AlertKind::Died { exit_code: 4 },
        "the second outage was not told"
    );
}
