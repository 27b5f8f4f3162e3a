//! Engine event → alert → desktop notification: a container crashes, the core's alerter
//! (as the app runs it) turns its `die` into an alert, and the notification is handed to the
//! desktop's notification service, which answers with its id (dunst, on the bench's private
//! X display and session bus: see scripts/bench.sh).

use std::time::Duration;

use berth_core::alerts::{self, AlertKind, AlertRules, ContainerMatch, Notice};
use berth_core::{Berth, ContainerAction, HostChange, HostId, HostSpec};
use berth_testkit::{docker, Labelled, NotificationDaemon};

use crate::report::{Row, Target};
use crate::{now_ms, percentiles};
use tokio::sync::{mpsc, watch};

const ROUNDS: usize = 60;

pub async fn notify(t: &Labelled) {
    let _daemon = NotificationDaemon::start();
    let berth = Berth::start(vec![HostSpec::local().unwrap()], None);
    let mut updates = berth.subscribe();
    while !matches!(
        updates.recv().await.unwrap().change,
        HostChange::Snapshot { .. }
    ) {}
    let engine = berth.engine(&HostId::local()).unwrap();
    let (key, value) = t.label_pair();
    let rules = AlertRules {
        only: vec![ContainerMatch::Label { key, value }],
        ..AlertRules::default()
    };

    let (mut to_alert, mut to_shown) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let name = t.name("crash");
        let id = t.create(&name, &["sh", "-c", "exit 1"]);
        while !berth.states()[0].containers.iter().any(|c| c.id == id) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // A fresh alerter each round, as at the app's start: no storm limit or quiet period
        // carries over from the round before.
        let (notices, mut alerted) = mpsc::channel(4);
        let (_rules, rules_rx) = watch::channel(rules.clone());
        let (_counted, counts) = mpsc::channel(1);
        let alerter = tokio::spawn(alerts::watch(
            berth.states(),
            berth.subscribe(),
            |_: &HostId| Some("Local".to_owned()),
            rules_rx,
            counts,
            notices,
        ));
        engine
            .container_action(&id, ContainerAction::Start)
            .await
            .unwrap();
        let notice = tokio::time::timeout(Duration::from_secs(10), alerted.recv())
            .await
            .expect("an alert for the crash")
            .unwrap();
        let alerted_ms = now_ms();
        let Notice::Alert(alert) = &notice else {
            panic!("{notice:?}")
        };
        assert_eq!(alert.kind, AlertKind::Died { exit_code: 1 });
        let shown = notify_rust::Notification::new()
            .appname("Berth")
            .summary(&notice.title())
            .body(&notice.body())
            .action("default", "Open")
            .show_async()
            .await
            .expect("the notification service takes it");
        let shown_ms = now_ms();
        to_alert.push(alerted_ms - alert.time_ms as f64);
        to_shown.push(shown_ms - alert.time_ms as f64);
        // Storm protection keeps a desktop to a handful at a time; so does the bench, rather
        // than stack sixty on screen.
        shown.close_async().await;
        alerter.abort();
        docker(&["rm", &id]);
    }
    println!("Engine event → alert → notification shown: {ROUNDS} crashes (die, exit 1)");
    let (alert_p50, alert_p99, _) = percentiles(to_alert);
    let (p50, p99, max) = percentiles(to_shown);
    Row::new("Alerts", "engine event → notification shown, p99", p99, "ms")
        .target(Target::Below(50.0))
        .note(format!("p50 {p50:.1} ms, max {max:.1} ms; to the alert: p50 {alert_p50:.1} ms, p99 {alert_p99:.1} ms"))
        .record();
    println!();
}
