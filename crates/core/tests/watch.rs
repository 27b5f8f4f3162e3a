//! The per-host watcher against the real engine: live changes, engine loss and return.

use std::time::Duration;

use berth_core::{
    Berth, ContainerState, Endpoint, ErrorCode, EventKind, HostChange, HostId, HostSpec, HostState,
    HostStatus,
};
use berth_testkit::{docker, EngineRelay, Labelled, PATIENCE};

fn spec(endpoint: Endpoint) -> HostSpec {
    HostSpec {
        id: HostId::new("under-test"),
        name: "Under test".into(),
        endpoint,
        local: None,
    }
}

/// Waits until the watched host's state satisfies `check`, as a consumer sees it: the current
/// state first, then after each update. Panics after [`PATIENCE`].
async fn wait_until<T>(
    berth: &Berth,
    what: &str,
    mut check: impl FnMut(&HostState) -> Option<T>,
) -> T {
    let mut updates = berth.subscribe();
    let found = tokio::time::timeout(PATIENCE, async {
        loop {
            if let Some(found) = check(&berth.states()[0]) {
                return found;
            }
            updates.recv().await.expect("updates keep coming");
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("the host never showed {what}"))
}

fn is_online(state: &HostState) -> Option<()> {
    matches!(state.status, HostStatus::Online { .. }).then_some(())
}

fn container_state(state: &HostState, id: &str) -> Option<ContainerState> {
    state
        .containers
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_that_end_on_their_own_are_shown_ended() {
    let berth = Berth::start(vec![spec(Endpoint::local().unwrap())], None);
    wait_until(&berth, "online", is_online).await;

    // The engine says `die` before its list says so; nothing else follows to correct a stale
    // "running" (no `stop` event for a container nobody stopped).
    let t = Labelled::new("watch-ended");
    let ids: Vec<String> = (0..8)
        .map(|n| t.run(&t.name(&format!("ends-{n}")), &[], &["sh", "-c", "exit 3"]))
        .collect();
    wait_until(&berth, "every container exited", |s| {
        ids.iter()
            .all(|id| container_state(s, id) == Some(ContainerState::Exited))
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_containers_made_and_removed_with_the_cli() {
    let berth = Berth::start(vec![spec(Endpoint::local().unwrap())], None);
    wait_until(&berth, "online", is_online).await;
    let mut updates = berth.subscribe();

    let t = Labelled::new("watch");
    let name = t.name("live");
    let id = t.run_sleeper(&name, &[]);
    wait_until(&berth, "the new container running", |s| {
        (container_state(s, &id) == Some(ContainerState::Running)).then_some(())
    })
    .await;

    docker(&["stop", "-t", "1", &id]);
    wait_until(&berth, "the container exited", |s| {
        (container_state(s, &id) == Some(ContainerState::Exited)).then_some(())
    })
    .await;

    docker(&["rm", &id]);
    wait_until(&berth, "the container removed", |s| {
        container_state(s, &id).is_none().then_some(())
    })
    .await;

    // The table changed only through incremental updates, never a re-list.
    let mut incremental = 0;
    while let Ok(update) = updates.try_recv() {
        match update.change {
            HostChange::Containers { .. } => incremental += 1,
            HostChange::Events { .. } => {}
            other => panic!("unexpected update while online: {other:?}"),
        }
    }
    assert!(
        incremental >= 3,
        "run, stop and rm each sent a change ({incremental})"
    );

    // The timeline kept what happened, in order.
    let actions: Vec<String> = berth.states()[0]
        .events
        .iter()
        .filter(|e| e.id == id)
        .map(|e| e.action.clone())
        .collect();
    let position = |action: &str| {
        actions
            .iter()
            .position(|a| a == action)
            .unwrap_or_else(|| panic!("no {action} event in {actions:?}"))
    };
    assert!(
        position("create") < position("start")
            && position("start") < position("die")
            && position("die") < position("destroy"),
        "events in order: {actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_volume_and_network_events() {
    let berth = Berth::start(vec![spec(Endpoint::local().unwrap())], None);
    wait_until(&berth, "online", is_online).await;
    let t = Labelled::new("events");
    let volume = t.volume("evt-vol");
    let network = t.network("evt-net");
    let seen = |kind: EventKind, name: &str| {
        let name = name.to_owned();
        move |s: &HostState| {
            s.events
                .iter()
                .any(|e| e.kind == kind && e.action == "create" && (e.name == name || e.id == name))
                .then_some(())
        }
    };
    wait_until(
        &berth,
        "the volume's create event",
        seen(EventKind::Volume, &volume),
    )
    .await;
    wait_until(
        &berth,
        "the network's create event",
        seen(EventKind::Network, &network),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marks_a_lost_engine_offline_and_relists_when_it_returns() {
    let mut relay = EngineRelay::start();
    let endpoint = Endpoint::parse(&relay.address()).unwrap();
    let berth = Berth::start(vec![spec(endpoint)], None);
    let host = HostId::new("under-test");
    wait_until(&berth, "online", is_online).await;

    relay.cut();
    let code = wait_until(&berth, "offline", |s| match &s.status {
        HostStatus::Offline { code, .. } => Some(*code),
        _ => None,
    })
    .await;
    assert_eq!(code, ErrorCode::EngineUnreachable);
    let err = berth.engine(&host).unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::EngineUnreachable,
        "actions refused while offline"
    );

    // Made while the host is unreachable: only a fresh list after the return can show it.
    let t = Labelled::new("relist");
    let id = t.run_sleeper(&t.name("while-away"), &[]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(container_state(&berth.states()[0], &id).is_none());
    relay.restore();
    wait_until(&berth, "online again", is_online).await;
    assert_eq!(
        container_state(&berth.states()[0], &id),
        Some(ContainerState::Running),
        "re-listed"
    );
    assert!(berth.engine(&host).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_that_is_not_there_is_offline_with_a_reason() {
    let nowhere = Endpoint::parse("unix:///tmp/berth-watch-nowhere.sock").unwrap();
    let berth = Berth::start(vec![spec(nowhere)], None);
    let reason = wait_until(&berth, "offline", |s| match &s.status {
        HostStatus::Offline { reason, .. } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(reason.contains("berth-watch-nowhere.sock"), "{reason}");
}

#[tokio::test]
async fn an_engine_that_stays_away_is_retried_ever_less_often_with_jitter() {
    let nowhere = Endpoint::parse("unix:///tmp/berth-watch-away.sock").unwrap();
    let berth = Berth::start(vec![spec(nowhere)], None);
    let mut updates = berth.subscribe();
    let mut waits = Vec::new();
    // 250 ms, then doubling: the fifth wait is announced after about 4 s.
    while waits.len() < 5 {
        let update = tokio::time::timeout(PATIENCE, updates.recv())
            .await
            .expect("the watcher keeps trying")
            .unwrap();
        if let HostChange::Status {
            status:
                HostStatus::Offline {
                    retry_in_ms: Some(wait),
                    ..
                },
        } = update.change
        {
            waits.push(wait);
        }
    }
    println!("waits between attempts (ms): {waits:?}");
    for (n, wait) in waits.iter().enumerate() {
        let nominal = 250.0 * 2f64.powi(i32::try_from(n).unwrap());
        let ratio = f64::from(*wait) / nominal;
        assert!(
            (0.74..=1.26).contains(&ratio),
            "wait {n} is {wait} ms, {ratio:.2}× the nominal {nominal} ms"
        );
    }
    assert!(
        waits
            .windows(2)
            .any(|w| f64::from(w[1]) / f64::from(w[0]) != 2.0),
        "jittered, not exact doublings: {waits:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_events_timeline_survives_a_restart() {
    let path = std::env::temp_dir().join(format!("berth-watch-events-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    let t = Labelled::new("events-kept");
    let volume;
    {
        let store = berth_core::Store::open(&path, &mut Vec::new())
            .await
            .unwrap();
        let berth = Berth::start(vec![spec(Endpoint::local().unwrap())], Some(store.clone()));
        wait_until(&berth, "online", is_online).await;
        volume = t.volume("kept-vol");
        wait_until(&berth, "the volume's event", |s| {
            s.events.iter().any(|e| e.id == volume).then_some(())
        })
        .await;
        // Notices go out before the disk write; wait for the write before "restarting".
        let host = HostId::new("under-test");
        let start = std::time::Instant::now();
        while !store
            .recent_events(&host, 10)
            .await
            .unwrap()
            .iter()
            .any(|e| e.id == volume)
        {
            assert!(
                start.elapsed() < PATIENCE,
                "the event never reached the store"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // A new start on the same database knows the event before anything new happens.
    let store = berth_core::Store::open(&path, &mut Vec::new())
        .await
        .unwrap();
    let berth = Berth::start(
        vec![spec(
            Endpoint::parse("unix:///tmp/berth-nowhere.sock").unwrap(),
        )],
        Some(store),
    );
    wait_until(&berth, "the kept event", |s| {
        s.events
            .iter()
            .any(|e| e.id == volume && e.kind == EventKind::Volume)
            .then_some(())
    })
    .await;
    drop(berth);
    let _ = std::fs::remove_dir_all(&path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_known_list_is_kept_and_shown_at_the_next_start_until_the_engine_answers() {
    let path = std::env::temp_dir().join(format!("berth-watch-list-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    let t = Labelled::new("list-kept");
    let (first, later);
    {
        let store = berth_core::Store::open(&path, &mut Vec::new())
            .await
            .unwrap();
        let berth = Berth::start(vec![spec(Endpoint::local().unwrap())], Some(store.clone()));
        wait_until(&berth, "online", is_online).await;
        first = t.run_sleeper(&t.name("first"), &[]);
        later = t.run_sleeper(&t.name("later"), &[]);
        wait_until(&berth, "both containers", |s| {
            (container_state(s, &first).is_some() && container_state(s, &later).is_some())
                .then_some(())
        })
        .await;
        // Kept a moment after the change, or at the latest on close.
        berth.close().await;
    }
    // The next start, with the engine out of reach: the list as it was, not online.
    let store = berth_core::Store::open(&path, &mut Vec::new())
        .await
        .unwrap();
    let berth = Berth::start(
        vec![spec(
            Endpoint::parse("unix:///tmp/berth-nowhere.sock").unwrap(),
        )],
        Some(store),
    );
    // At once, for the window's first frame.
    berth.restored().await;
    let state = berth.states().remove(0);
    assert_eq!(
        container_state(&state, &first),
        Some(ContainerState::Running)
    );
    assert!(container_state(&state, &later).is_some());
    assert!(!matches!(state.status, HostStatus::Online { .. }));
    drop(berth);
    let _ = std::fs::remove_dir_all(&path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_host_with_an_engine_address_is_watched_without_ssh() {
    use berth_core::{KnownHostsFiles, SavedHost};
    use berth_testkit::RemoteHost;
    // The SSH test host's engine, by its socket: like a rootless engine on this machine.
    let remote = RemoteHost::get();
    let t = remote.labelled("direct-saved");
    let name = t.name("direct");
    t.run_sleeper(&name, &[]);
    let saved = SavedHost {
        id: HostId::new("direct"),
        name: "Rootless".to_owned(),
        address: String::new(),
        port: 22,
        user: String::new(),
        key_path: None,
        socket: String::new(),
        tags: vec![],
        proxy_jump: None,
        docker_host: Some(remote.docker_host.clone()),
        created_ms: 0,
        last_seen_ms: None,
    };
    let unused = KnownHostsFiles {
        openssh: Vec::new(),
        berth: "/nonexistent".into(),
    };
    let berth = Berth::start(vec![saved.spec(&unused, None).unwrap()], None);
    let start = std::time::Instant::now();
    while !berth.states()[0].containers.iter().any(|c| c.name == name) {
        assert!(start.elapsed() < PATIENCE, "{:?}", berth.states());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
