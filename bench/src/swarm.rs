//! The swarm of tests/env/swarm.sh (the local engine its manager, the SSH test host's engine
//! its worker): the service list as the core, a raw request and both CLIs get it, and how soon
//! an update that fails on the worker is told by Berth's alerter and by `docker events`, both
//! timed from the failed task's own status time (both nodes share this machine's clock).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_core::alerts::{self, AlertKind, AlertRules, Notice};
use berth_core::swarm::nodes::NodeRole;
use berth_core::swarm::services::{FailureAction, Service, ServiceRequest, UpdatePolicy};
use berth_core::swarm::tasks::TaskQuery;
use berth_core::{Berth, Engine, HostChange, HostId, HostSpec};
use berth_testkit::{docker, Labelled, REGISTRY_BUSYBOX};
use tokio::io::AsyncBufReadExt;
use tokio::sync::{mpsc, watch};

use crate::report::Row;
use crate::{median, now_ms, raw_get, whole_processes, LIST_ROUNDS};

const SERVICES: usize = 50;
const UPDATE_ROUNDS: usize = 5;
/// An image no node can pull: the registry answers, without it.
const MISSING_IMAGE: &str = "127.0.0.1:5000/berth-test/missing:nowhere";
/// Generous for starting 50 tasks over two engines on a 2-core machine.
const SETTLE: Duration = Duration::from_secs(240);

pub async fn compare(engine: &Engine, t: &Labelled) {
    // Services are no containers: Labelled's own cleanup leaves them. This guard removes them
    // at the end of the section, panics included.
    let _services = RemovedAtEnd(t.label.clone());
    list(engine, t).await;
    update_paused(engine, t).await;
}

struct RemovedAtEnd(String);

impl Drop for RemovedAtEnd {
    fn drop(&mut self) {
        let listed = Command::new("docker")
            .args(["service", "ls", "-q", "--filter"])
            .arg(format!("label={}", self.0))
            .output();
        let Ok(listed) = listed else { return };
        let ids = String::from_utf8_lossy(&listed.stdout);
        let ids: Vec<&str> = ids.split_whitespace().collect();
        if !ids.is_empty() {
            let _ = Command::new("docker")
                .args(["service", "rm"])
                .args(&ids)
                .stdout(Stdio::null())
                .status();
        }
    }
}

/// A service of the bench: one replica of the registry's busybox sleeping, labelled.
fn request(t: &Labelled, name: String) -> ServiceRequest {
    let (key, value) = t.label_pair();
    ServiceRequest {
        name,
        image: REGISTRY_BUSYBOX.to_owned(),
        replicas: Some(1),
        command: vec!["sleep".into(), "3600".into()],
        labels: [(key, value)].into(),
        ..ServiceRequest::default()
    }
}

/// The bench's services once each of `ids` runs its task.
async fn running(engine: &Engine, ids: &[String]) -> Vec<Service> {
    let deadline = Instant::now() + SETTLE;
    loop {
        let ours: Vec<Service> = engine
            .services()
            .await
            .unwrap()
            .into_iter()
            .filter(|s| ids.contains(&s.id))
            .collect();
        if ours.len() == ids.len() && ours.iter().all(|s| s.running == s.desired) {
            return ours;
        }
        assert!(
            Instant::now() < deadline,
            "services still starting: {ours:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn list(engine: &Engine, t: &Labelled) {
    let started = Instant::now();
    let mut ids = Vec::new();
    for i in 0..SERVICES {
        let made = request(t, t.name(&format!("svc{i}")));
        ids.push(engine.service_create(&made).await.unwrap());
    }
    running(engine, &ids).await;
    // Where the scheduler put them (it balances tasks over the nodes that may take them).
    let managers: Vec<String> = engine
        .nodes()
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.role == NodeRole::Manager)
        .map(|n| n.id)
        .collect();
    let tasks = engine.tasks(&TaskQuery::default()).await.unwrap();
    let ours = tasks
        .iter()
        .filter(|task| ids.contains(&task.service_id) && task.state == "running");
    let on_manager = ours.filter(|task| managers.contains(&task.node_id)).count();
    println!(
        "(made {SERVICES} services, each 1 replica of busybox `sleep 3600`, placed by the scheduler: \
         {on_manager} on the manager, {} on the worker; all running in {:.0} s)\n",
        SERVICES - on_manager,
        started.elapsed().as_secs_f64()
    );

    let version = engine.info().await.unwrap().api_version;
    let path = format!("/v{version}/services?status=true");
    let (mut ours, mut peer) = (Vec::new(), Vec::new());
    let mut count = 0;
    for _ in 0..LIST_ROUNDS {
        let start = Instant::now();
        raw_get(&path).await;
        peer.push(start.elapsed().as_secs_f64() * 1000.0);
        let start = Instant::now();
        count = engine.services().await.unwrap().len();
        ours.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let (ours, peer) = (median(ours), median(peer));
    Row::new(
        "Swarm",
        format!("{count} services with task counts, core"),
        ours,
        "ms",
    )
    .peer("raw HTTP on the socket", peer)
    .note(format!("median of {LIST_ROUNDS}; GET {path}"))
    .record();

    let (ours, peer) = whole_processes(&["service", "ls"]);
    Row::new("Swarm", "berthctl service ls, whole process", ours, "ms")
        .peer("docker service ls", peer)
        .note(format!("median of {LIST_ROUNDS}"))
        .record();
    println!();

    removed(engine, &ids).await;
}

/// Removes the services of `ids` and waits until their tasks are gone: `sleep` ignores the
/// stop signal, so each task takes the 10 s grace period to stop, load that would otherwise
/// fall into the next measurement.
async fn removed(engine: &Engine, ids: &[String]) {
    for id in ids {
        engine.service_remove(id).await.unwrap();
    }
    let deadline = Instant::now() + SETTLE;
    loop {
        let tasks = engine.tasks(&TaskQuery::default()).await.unwrap();
        let left: Vec<_> = tasks
            .iter()
            .filter(|t| ids.contains(&t.service_id))
            .collect();
        if left.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "tasks left: {left:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A service on the worker is rolled onto an image no node has, its update set to pause on
/// the first failure. Timed from the failed task's status time: Berth's UpdateFailed notice,
/// against `docker events` printing the service's `updatestate.new=paused` (one thread runs
/// both listeners, as one runs the app's async work). A new service each round: rolling a
/// paused update back is itself an update, slower and less certain to settle.
async fn update_paused(engine: &Engine, t: &Labelled) {
    let berth = Arc::new(Berth::start(vec![HostSpec::local().unwrap()], None));
    let mut updates = berth.subscribe();
    while !matches!(
        updates.recv().await.unwrap().change,
        HostChange::Snapshot { .. }
    ) {}
    drop(updates);

    let (mut to_berth, mut to_docker) = (Vec::new(), Vec::new());
    for _ in 0..UPDATE_ROUNDS {
        let name = t.name("pausing");
        // From a moment before the service is made: however long `docker events` takes to
        // connect, it replays the service's creation, which tells it is listening before the
        // update (whose events it prints live).
        let since = format!("{:.3}", now_ms() / 1000.0);
        let mut peer = tokio::process::Command::new("docker")
            .args(["events", "--since", &since, "--filter", "type=service"])
            .args(["--format", "{{json .}}"])
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("docker events runs");
        let (heard_tx, mut heard) = mpsc::unbounded_channel();
        let lines = peer.stdout.take().unwrap();
        let listened = name.clone();
        tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(lines).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let at_ms = now_ms();
                let event: serde_json::Value = serde_json::from_str(&line).unwrap();
                let attributes = &event["Actor"]["Attributes"];
                if attributes["name"] == listened.as_str() {
                    let paused = attributes["updatestate.new"] == "paused";
                    let _ = heard_tx.send((paused, at_ms));
                }
            }
        });

        let id = engine
            .service_create(&ServiceRequest {
                constraints: vec!["node.role==worker".into()],
                update: Some(UpdatePolicy {
                    parallelism: 1,
                    delay_ms: 0,
                    monitor_ms: 1000,
                    failure_action: FailureAction::Pause,
                    // The new task before the old one stops: stop-first, the engine would only
                    // judge the new task after the old one's 10 s grace period (`sleep` ignores
                    // the stop signal), and that wait, not the telling, would be measured.
                    start_first: true,
                }),
                ..request(t, name.clone())
            })
            .await
            .unwrap();
        let listed = running(engine, std::slice::from_ref(&id)).await.remove(0);
        tokio::time::timeout(Duration::from_secs(10), heard.recv())
            .await
            .expect("docker events tells of the service made");

        // The app's alerter as it runs it, fresh each round as at the app's start: no storm
        // window carries over.
        let (counted, counts) = mpsc::channel(16);
        let engines = {
            let berth = berth.clone();
            move || berth.online_engines()
        };
        let counter = tokio::spawn(alerts::swarm::count_services(engines, counted));
        let (_rules, rules) = watch::channel(AlertRules::default());
        let (told, mut notices) = mpsc::channel(64);
        let alerter = tokio::spawn(alerts::watch(
            berth.states(),
            berth.subscribe(),
            |_: &HostId| Some("Local".to_owned()),
            rules,
            counts,
            told,
        ));

        engine
            .service_update_image(&id, listed.version, MISSING_IMAGE)
            .await
            .unwrap();
        let berth_ms = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                let notice = notices.recv().await.unwrap();
                let Notice::Alert(alert) = &notice else {
                    continue;
                };
                if let AlertKind::UpdateFailed { service, state } = &alert.kind {
                    if *service == name {
                        assert_eq!(state, "paused");
                        return now_ms();
                    }
                }
            }
        })
        .await
        .expect("Berth tells of the paused update");
        let docker_ms = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let (true, at_ms) = heard.recv().await.unwrap() {
                    return at_ms;
                }
            }
        })
        .await
        .expect("docker events prints the paused update");
        alerter.abort();
        counter.abort();
        drop(peer);

        let failed_ms = first_failure_ms(engine, &id).await;
        to_berth.push(berth_ms - failed_ms);
        to_docker.push(docker_ms - failed_ms);
        removed(engine, std::slice::from_ref(&id)).await;
    }

    let max = |delays: &[f64]| delays.iter().copied().fold(f64::MIN, f64::max);
    let (berth_median, docker_median) = (median(to_berth.clone()), median(to_docker.clone()));
    println!(
        "Task failing on the worker → update paused, told: {UPDATE_ROUNDS} rounds, from the failed \
         task's status time (1 replica on the worker rolled onto an image no node can pull; \
         start-first, monitor 1 s, pause on failure)"
    );
    Row::new(
        "Swarm",
        "task failed → update paused alert, median",
        berth_median,
        "ms",
    )
    .peer("docker events", docker_median)
    .note(format!(
        "max: Berth {:.1} ms, docker events {:.1} ms (its updatestate.new=paused line)",
        max(&to_berth),
        max(&to_docker)
    ))
    .record();
    println!();
}

/// When the service's first task on the missing image failed, by the worker's clock: the
/// task's status timestamp (its `updated_at` moves on as the manager later shuts it down).
async fn first_failure_ms(engine: &Engine, service: &str) -> f64 {
    let query = TaskQuery {
        service: Some(service.to_owned()),
        node: None,
    };
    let tasks = engine.tasks(&query).await.unwrap();
    let failed = tasks.iter().filter(|task| {
        task.image == MISSING_IMAGE && matches!(task.state.as_str(), "rejected" | "failed")
    });
    let first = failed
        .map(|task| {
            // In unix nanoseconds, as the engine's own template gives it.
            let at = docker(&["inspect", "-f", "{{.Status.Timestamp.UnixNano}}", &task.id]);
            at.trim().parse::<f64>().unwrap() / 1e6
        })
        .fold(f64::MAX, f64::min);
    assert!(first < f64::MAX, "a failed task: {tasks:?}");
    first
}
