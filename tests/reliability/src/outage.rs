//! The private dockerd killed (SIGKILL) and restarted while a log, a stats stream and the
//! events stream are open. Each time, changes are made while Berth cannot see the engine (the
//! engine is back but the gate in front of it is shut); once the gate opens, Berth must show
//! them all by itself, its table equal to `docker ps -a`, and the log and stats streams opened
//! before the first outage must flow again by themselves (`Berth::logs` and `Berth::stats`
//! resume across outages), never opened again by the harness.

use std::time::{Duration, Instant};

use berth_core::{Berth, Endpoint, HostChange, HostId, HostSpec, HostStatus, LogOptions};
use berth_testkit::Labelled;
use futures_util::StreamExt;

use crate::gate::Gate;
use crate::private::PrivateEngine;
use crate::{report, Size};

const PATIENCE: Duration = Duration::from_secs(60);

pub fn spec(id: &str, address: &str) -> HostSpec {
    HostSpec {
        id: HostId::new(id),
        name: id.to_owned(),
        endpoint: Endpoint::parse(address).expect("a unix address"),
        local: None,
    }
}

pub fn online(berth: &Berth, host: &str) -> bool {
    berth
        .states()
        .iter()
        .any(|s| s.host.as_str() == host && matches!(s.status, HostStatus::Online { .. }))
}

pub async fn wait_for(what: &str, mut check: impl FnMut() -> bool) -> Option<Duration> {
    if std::env::var_os("BERTH_REL_VERBOSE").is_some() {
        println!("  … waiting for {what}");
    }
    let start = Instant::now();
    while !check() {
        if start.elapsed() > PATIENCE {
            println!("  … gave up waiting for {what}");
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Some(start.elapsed())
}

/// Berth's table of `host` as `(id, state)` pairs, sorted.
pub fn table(berth: &Berth, host: &str) -> Vec<(String, String)> {
    let state = berth
        .states()
        .into_iter()
        .find(|s| s.host.as_str() == host)
        .expect("a watched host");
    let mut rows: Vec<(String, String)> = state
        .containers
        .iter()
        .map(|c| {
            let state = serde_json::to_value(c.state).expect("a state serializes");
            (c.id.clone(), state.as_str().unwrap_or_default().to_owned())
        })
        .collect();
    rows.sort();
    rows
}

/// A stream opened on `host`'s engine and counted: how many items, and whether it ended.
struct Counted {
    items: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<Option<String>>,
}

impl Counted {
    fn open<S, T>(stream: S) -> Self
    where
        S: futures_util::Stream<Item = berth_core::Result<T>> + Send + 'static,
        T: Send,
    {
        let items = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = items.clone();
        let task = tokio::spawn(async move {
            futures_util::pin_mut!(stream);
            while let Some(item) = stream.next().await {
                match item {
                    Ok(_) => {
                        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                    Err(e) => return Some(e.to_string()),
                }
            }
            None
        });
        Self { items, task }
    }

    fn items(&self) -> usize {
        self.items.load(std::sync::atomic::Ordering::SeqCst)
    }
}

pub async fn run(size: Size, engine: &PrivateEngine) {
    let rounds = size.pick(10, 3);
    println!(
        "\n== dockerd killed and restarted {rounds} times while logs, stats and events stream"
    );
    let t = Labelled::on(&engine.address, "rel-outage");
    let talker = t.run(
        &t.name("talker"),
        &["--restart", "always"],
        &["sh", "-c", "while true; do echo tick; sleep 0.1; done"],
    );
    let gate = Gate::start(&engine.address, "outage");
    let berth = Berth::start(vec![spec("private", &gate.address())], None);
    wait_for("the private engine online", || online(&berth, "private")).await;
    let mut updates = berth.subscribe();
    // Opened once: across every outage they must open again by themselves.
    let host = HostId::new("private");
    let ids = vec![talker.clone()];
    let options = LogOptions {
        tail: Some(0),
        follow: true,
        ..LogOptions::default()
    };
    let logs = Counted::open(berth.logs(&host, &ids, &options).expect("a log opens"));
    let stats = Counted::open(berth.stats(&host, &ids).expect("stats open"));

    let (mut noticed, mut resumed, mut made, mut missed) = (0, 0, 0, 0);
    let (mut tables_equal, mut live_arrived, mut events_after) = (0, 0, 0);
    let mut previous: Option<String> = None;
    for round in 1..=rounds {
        // Streams flowing before the fault.
        let before = (logs.items(), stats.items());
        wait_for("log lines and stats flowing", || {
            logs.items() > before.0 && stats.items() > before.1
        })
        .await;
        engine.kill();
        if wait_for("Berth to see the engine gone", || {
            !online(&berth, "private")
        })
        .await
        .is_some()
        {
            noticed += 1;
        }
        // The engine comes back, but Berth cannot reach it yet: what changes now, it must
        // find out by itself.
        gate.shut();
        engine.launch();
        let made_now = t.create(&t.name(&format!("made-{round}")), &["true"]);
        made += 1;
        let removed_now = previous.take();
        if let Some(old) = &removed_now {
            engine.docker(&["rm", "-f", old]);
            made += 1;
        }
        previous = Some(made_now.clone());
        gate.open();
        berth
            .watcher(&HostId::new("private"))
            .expect("watched")
            .reconnect_now();
        wait_for("Berth online again", || online(&berth, "private")).await;
        // The talker restarts by its policy; let the engine settle, then compare.
        let settled = wait_for("Berth's table to equal docker ps -a", || {
            table(&berth, "private") == engine.ps()
        })
        .await;
        let now = table(&berth, "private");
        if settled.is_some() {
            tables_equal += 1;
        }
        if !now.iter().any(|(id, _)| *id == made_now) {
            missed += 1;
        }
        if removed_now.is_some_and(|old| now.iter().any(|(id, _)| *id == old)) {
            missed += 1;
        }
        // Views open again on the engine that came back.
        wait_for("the talker running again", || {
            table(&berth, "private")
                .iter()
                .any(|(id, s)| *id == talker && s == "running")
        })
        .await;
        let before = (logs.items(), stats.items());
        if wait_for("the same log and stats streams flowing again", || {
            logs.items() > before.0 && stats.items() > before.1
        })
        .await
        .is_some()
            && !logs.task.is_finished()
            && !stats.task.is_finished()
        {
            resumed += 1;
        }
        // A change made now arrives live, as an event and in the table.
        while updates.try_recv().is_ok() {}
        let live = t.create(&t.name(&format!("live-{round}")), &["true"]);
        if wait_for("a live change", || {
            table(&berth, "private").iter().any(|(id, _)| *id == live)
        })
        .await
        .is_some()
        {
            live_arrived += 1;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_millis(200), updates.recv()).await {
                Ok(Ok(update)) => {
                    if let HostChange::Events { events } = update.change {
                        if events.iter().any(|e| e.id == live) {
                            events_after += 1;
                            break;
                        }
                    }
                }
                _ => continue,
            }
        }
        engine.docker(&["rm", "-f", &live]);
    }
    logs.task.abort();
    stats.task.abort();
    drop(berth);
    report(
        noticed == rounds,
        format!("engine loss noticed: {noticed}/{rounds}"),
    );
    report(
        missed == 0,
        format!("changes made while Berth could not see the engine: {made}, missed: {missed}"),
    );
    report(
        tables_equal == rounds,
        format!("table equal to `docker ps -a` after each return: {tables_equal}/{rounds}"),
    );
    report(
        live_arrived == rounds && events_after == rounds,
        format!("live changes after each return: {live_arrived}/{rounds} in the table, {events_after}/{rounds} as events"),
    );
    report(
        resumed == rounds,
        format!(
            "log and stats streams flowing again by themselves, never reopened: {resumed}/{rounds}"
        ),
    );
}
