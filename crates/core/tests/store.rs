//! The history database: stats downsampling and retention, events, and surviving a restart.

use berth_core::store::{COARSE_RETENTION, EVENTS_KEPT, FINE_RETENTION};
use berth_core::{EngineEvent, EventKind, HostId, StatsSample, Store};

const MINUTE: i64 = 60_000;
const NOW: i64 = 1_800_000_000_000;

fn sample(time_ms: i64, cpu: f64, memory: i64) -> StatsSample {
    StatsSample {
        id: "c1".into(),
        time_ms,
        cpu_percent: cpu,
        memory_bytes: memory,
        memory_limit_bytes: 1 << 30,
        net_rx_per_sec: 10.0,
        net_tx_per_sec: 0.0,
        block_read_per_sec: 0.0,
        block_write_per_sec: 0.0,
        pids: 3,
    }
}

fn temp_db(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("berth-{name}-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

#[tokio::test]
async fn keeps_seconds_for_an_hour_minutes_for_a_day_and_survives_a_restart() {
    let path = temp_db("stats");
    let host = HostId::local();
    let fine = FINE_RETENTION.as_millis() as i64;
    let coarse = COARSE_RETENTION.as_millis() as i64;
    {
        let store = Store::open(&path).await.unwrap();
        // Two hours ago, one minute of samples: 10 % then 30 % CPU, memory up to 200.
        let old_minute = (NOW - 2 * fine) / MINUTE * MINUTE;
        let old: Vec<StatsSample> = (0..60)
            .map(|s| {
                sample(
                    old_minute + s * 1000,
                    if s < 30 { 10.0 } else { 30.0 },
                    100 + s * 2,
                )
            })
            .collect();
        // Two days ago: past every retention.
        let ancient = vec![sample(NOW - 2 * coarse, 50.0, 1)];
        // The last minute, and the same second twice (two views of one container).
        let recent = vec![
            sample(NOW - 5_000, 70.0, 500),
            sample(NOW - 4_000, 80.0, 600),
        ];
        for batch in [
            &old,
            &ancient,
            &recent,
            &vec![sample(NOW - 4_000, 80.0, 600)],
        ] {
            store.record_stats(&host, batch).await.unwrap();
        }
        assert_eq!(store.stats_rows().await.unwrap(), (63, 0));
        store.compact(NOW).await.unwrap();
        assert_eq!(
            store.stats_rows().await.unwrap(),
            (2, 1),
            "an hour of seconds, a day of minutes"
        );
    }

    // A new process opens the same file: the history is still there.
    let store = Store::open(&path).await.unwrap();
    let history = store
        .stats_history(&host, "c1", NOW - coarse)
        .await
        .unwrap();
    assert_eq!(history.len(), 3);
    assert!(
        (history[0].cpu_percent - 20.0).abs() < 1e-9,
        "a minute averages its seconds"
    );
    assert_eq!(history[0].memory_bytes, 218, "and keeps its peak memory");
    assert_eq!(history[1].cpu_percent, 70.0);
    assert!(history.windows(2).all(|w| w[0].time_ms < w[1].time_ms));
    let last_hour = store.stats_history(&host, "c1", NOW - fine).await.unwrap();
    assert_eq!(last_hour.len(), 2);
    assert!(store
        .stats_history(&host, "other", 0)
        .await
        .unwrap()
        .is_empty());
    drop(store);
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn keeps_a_bounded_events_timeline_per_host() {
    let path = temp_db("events");
    let store = Store::open(&path).await.unwrap();
    let (local, other) = (HostId::local(), HostId::new("other"));
    let event = |n: i64| EngineEvent {
        time_ms: n,
        kind: if n % 2 == 0 {
            EventKind::Container
        } else {
            EventKind::Volume
        },
        action: "create".into(),
        id: format!("id{n}"),
        name: format!("name{n}"),
        exit_code: (n % 3 == 0).then_some(n % 256),
    };
    let many: Vec<EngineEvent> = (0..EVENTS_KEPT + 50).map(event).collect();
    store.record_events(&local, &many).await.unwrap();
    store.record_events(&other, &[event(7)]).await.unwrap();

    let newest = store.recent_events(&local, 3).await.unwrap();
    assert_eq!(
        newest,
        vec![
            event(EVENTS_KEPT + 47),
            event(EVENTS_KEPT + 48),
            event(EVENTS_KEPT + 49)
        ],
        "the newest, whole (one of any three has an exit code)"
    );

    store.compact(NOW).await.unwrap();
    let kept = store.recent_events(&local, usize::MAX).await.unwrap();
    assert_eq!(kept.len() as i64, EVENTS_KEPT);
    assert_eq!(kept[0].time_ms, 50, "the oldest went");
    assert_eq!(
        store.recent_events(&other, 10).await.unwrap().len(),
        1,
        "per host"
    );
    drop(store);
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn saved_hosts_are_kept_replaced_and_removed_and_invalid_ones_refused() {
    use berth_core::saved_hosts::DEFAULT_SOCKET;
    use berth_core::{ErrorCode, SavedHost};
    let path = temp_db("hosts");
    let host = SavedHost {
        id: HostId::new("build"),
        name: "Build box".to_owned(),
        address: "10.0.0.5".to_owned(),
        port: 2222,
        user: "deploy".to_owned(),
        key_path: None,
        socket: DEFAULT_SOCKET.to_owned(),
        tags: vec!["ci".to_owned(), "eu".to_owned()],
        proxy_jump: Some("ops@bastion.example.com".to_owned()),
        docker_host: None,
        created_ms: NOW,
        last_seen_ms: None,
    };
    {
        let store = Store::open(&path).await.unwrap();
        store.save_host(&host).await.unwrap();
        let bad = SavedHost {
            port: 0,
            id: HostId::new("bad"),
            ..host.clone()
        };
        let err = store.save_host(&bad).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        store.host_seen(&host.id, NOW + 5).await.unwrap();
    }
    let store = Store::open(&path).await.unwrap();
    let expected = SavedHost {
        last_seen_ms: Some(NOW + 5),
        ..host.clone()
    };
    assert_eq!(store.saved_hosts().await.unwrap(), vec![expected]);

    let renamed = SavedHost {
        name: "Builder".to_owned(),
        ..host.clone()
    };
    store.save_host(&renamed).await.unwrap();
    assert_eq!(store.saved_hosts().await.unwrap()[0].name, "Builder");

    let direct = SavedHost {
        id: HostId::new("rootless"),
        name: "Rootless".to_owned(),
        docker_host: Some("unix:///run/user/1000/docker.sock".to_owned()),
        ..host.clone()
    };
    store.save_host(&direct).await.unwrap();
    assert!(store.saved_hosts().await.unwrap().contains(&direct));
    store.remove_host(&direct.id).await.unwrap();

    store.remove_host(&host.id).await.unwrap();
    assert!(store.saved_hosts().await.unwrap().is_empty());
    let err = store.remove_host(&host.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    drop(store);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn actions_are_logged_with_how_they_ended_searched_and_bounded() {
    use berth_core::activity::{self, ActivityQuery, ACTIVITY_KEPT};
    use berth_core::{Endpoint, Engine, ErrorCode};
    let path = temp_db("activity");
    let store = Store::open(&path).await.unwrap();
    let engine = Engine::connect(&Endpoint::local().unwrap()).await.unwrap();
    let (local, far) = (HostId::local(), HostId::new("far"));

    // Through the real engine: one that fails, one that succeeds.
    let missing = activity::logged(
        Some(&store),
        &local,
        "stop container",
        "no-such-container",
        engine.container_action("no-such-container", berth_core::ContainerAction::Stop),
    )
    .await;
    assert_eq!(missing.unwrap_err().code(), ErrorCode::NotFound);
    activity::logged(Some(&store), &far, "remove volume", "pgdata", async {
        Ok(())
    })
    .await
    .unwrap();

    let all = ActivityQuery {
        limit: 100,
        ..ActivityQuery::default()
    };
    let entries = store.activity(&all).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (entries[0].action.as_str(), entries[0].host.as_str()),
        ("remove volume", "far"),
        "newest first"
    );
    assert_eq!(entries[0].error, None);
    let failure = entries[1].error.as_ref().expect("the failure is kept");
    assert_eq!(failure.code, ErrorCode::NotFound);
    assert!(
        failure.message.contains("no-such-container"),
        "{}",
        failure.message
    );

    let query = |host: Option<HostId>, search: &str, failed_only| ActivityQuery {
        host,
        search: search.to_owned(),
        failed_only,
        limit: 100,
    };
    let count = |q: ActivityQuery| {
        let store = store.clone();
        async move { store.activity(&q).await.unwrap().len() }
    };
    assert_eq!(count(query(Some(far.clone()), "", false)).await, 1);
    assert_eq!(count(query(None, "PGDATA", false)).await, 1, "any case");
    assert_eq!(
        count(query(None, "no such container", false)).await,
        1,
        "errors too"
    );
    assert_eq!(count(query(None, "", true)).await, 1, "failures only");
    assert_eq!(count(query(Some(far), "", true)).await, 0);

    for n in 0..ACTIVITY_KEPT + 5 {
        store
            .record_activity(&berth_core::activity::Activity {
                time_ms: n,
                host: local.clone(),
                action: "start container".into(),
                target: format!("c{n}"),
                error: None,
                duration_ms: 1,
            })
            .await
            .unwrap();
    }
    store.compact(NOW).await.unwrap();
    let kept = store
        .activity(&ActivityQuery {
            limit: u32::MAX,
            ..ActivityQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(kept.len() as i64, ACTIVITY_KEPT, "bounded");
    assert_eq!(kept[0].target, format!("c{}", ACTIVITY_KEPT + 4));
    std::fs::remove_file(&path).unwrap();
}
