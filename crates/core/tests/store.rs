//! Berth's databases: stats downsampling and retention, events, saved hosts, surviving a
//! restart, and what happens to a database that cannot be used.

use berth_core::history::store::{StatsRetention, COARSE_RETENTION, EVENTS_KEPT, FINE_RETENTION};
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

/// A data folder of the test's own, empty.
fn temp_folder(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("berth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    path
}

/// Opens the databases in `folder`, where nothing needs setting aside.
async fn open(folder: &std::path::Path) -> Store {
    let mut set_aside = Vec::new();
    let store = Store::open(folder, &mut set_aside).await.unwrap();
    assert_eq!(set_aside, []);
    store
}

#[tokio::test]
async fn keeps_seconds_for_an_hour_minutes_for_a_day_and_survives_a_restart() {
    let path = temp_folder("stats");
    let host = HostId::local();
    let fine = FINE_RETENTION.as_millis() as i64;
    let coarse = COARSE_RETENTION.as_millis() as i64;
    {
        let store = open(&path).await;
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
        store.compact(NOW, StatsRetention::default()).await.unwrap();
        assert_eq!(
            store.stats_rows().await.unwrap(),
            (2, 1),
            "an hour of seconds, a day of minutes"
        );
    }

    // A new process opens the same file: the history is still there.
    let store = open(&path).await;
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
    std::fs::remove_dir_all(&path).unwrap();
}

#[tokio::test]
async fn per_minute_stats_are_kept_as_long_as_the_user_chose() {
    let path = temp_folder("retention");
    let store = open(&path).await;
    let host = HostId::local();
    const HOUR: i64 = 60 * MINUTE;
    // Per-second samples 2, 30 and 100 hours old, each folded into its minute on compaction.
    let ages = [2 * HOUR, 30 * HOUR, 100 * HOUR];
    let samples: Vec<StatsSample> = ages.iter().map(|age| sample(NOW - age, 5.0, 1)).collect();
    store.record_stats(&host, &samples).await.unwrap();
    let kept = |store: Store| {
        let host = host.clone();
        async move {
            let history = store.stats_history(&host, "c1", 0).await.unwrap();
            history
                .iter()
                .map(|s| (NOW - s.time_ms) / HOUR)
                .collect::<Vec<_>>()
        }
    };

    let week = StatsRetention::hours(7 * 24).unwrap();
    store.compact(NOW, week).await.unwrap();
    assert_eq!(
        kept(store.clone()).await,
        [100, 30, 2],
        "a week keeps them all"
    );
    store
        .compact(NOW, StatsRetention::hours(48).unwrap())
        .await
        .unwrap();
    assert_eq!(kept(store.clone()).await, [30, 2], "two days");
    store
        .compact(NOW, StatsRetention::hours(1).unwrap())
        .await
        .unwrap();
    assert_eq!(kept(store.clone()).await, Vec::<i64>::new(), "an hour");

    for refused in [0, 7 * 24 + 1] {
        let err = StatsRetention::hours(refused).expect_err("out of range");
        assert_eq!(err.code(), berth_core::ErrorCode::InvalidInput, "{err}");
    }
    drop(store);
    std::fs::remove_dir_all(&path).unwrap();
}

#[tokio::test]
async fn keeps_a_bounded_events_timeline_per_host() {
    let path = temp_folder("events");
    let store = open(&path).await;
    let (local, other) = (HostId::local(), HostId::new("other"));
    let event = |n: i64| EngineEvent {
        time_ms: n,
        kind: match n % 3 {
            0 => EventKind::Container,
            1 => EventKind::Volume,
            _ => EventKind::Service,
        },
        action: "create".into(),
        id: format!("id{n}"),
        name: format!("name{n}"),
        exit_code: (n % 3 == 0).then_some(n % 256),
        new_state: (n % 3 == 2).then(|| format!("state{n}")),
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
        "the newest, whole (one of any three has an exit code, one a new state)"
    );

    store.compact(NOW, StatsRetention::default()).await.unwrap();
    let kept = store.recent_events(&local, usize::MAX).await.unwrap();
    assert_eq!(kept.len() as i64, EVENTS_KEPT);
    assert_eq!(kept[0].time_ms, 50, "the oldest went");
    assert_eq!(
        store.recent_events(&other, 10).await.unwrap().len(),
        1,
        "per host"
    );
    drop(store);
    std::fs::remove_dir_all(&path).unwrap();
}

#[tokio::test]
async fn saved_hosts_are_kept_replaced_and_removed_and_invalid_ones_refused() {
    use berth_core::hosts::saved::DEFAULT_SOCKET;
    use berth_core::{ErrorCode, SavedHost};
    let path = temp_folder("hosts");
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
        let store = open(&path).await;
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
    let store = open(&path).await;
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
    let _ = std::fs::remove_dir_all(&path);
}

#[tokio::test]
async fn actions_are_logged_with_how_they_ended_searched_and_bounded() {
    use berth_core::history::activity::{self, Action, ActivityQuery, FrontEnd, ACTIVITY_KEPT};
    use berth_core::{Endpoint, Engine, ErrorCode};
    let path = temp_folder("activity");
    let store = open(&path).await;
    let engine = Engine::connect(&Endpoint::local().unwrap()).await.unwrap();
    let (local, far) = (HostId::local(), HostId::new("far"));
    let window = activity::ActivityLog::new(Some(store.clone()), FrontEnd::Window);
    let cli = activity::ActivityLog::new(Some(store.clone()), FrontEnd::Cli);

    // Through the real engine: one that fails, one that succeeds.
    let missing = activity::logged(
        &window,
        &local,
        Action::Container(berth_core::ContainerAction::Stop),
        "no-such-container",
        engine.container_action("no-such-container", berth_core::ContainerAction::Stop),
    )
    .await;
    assert_eq!(missing.unwrap_err().code(), ErrorCode::NotFound);
    activity::logged(&cli, &far, Action::RemoveVolume, "pgdata", async { Ok(()) })
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
    assert_eq!(
        (entries[0].front_end, entries[1].front_end),
        (FrontEnd::Cli, FrontEnd::Window),
        "each marked with the front end it came through"
    );
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
            .record_activity(&berth_core::history::activity::Activity {
                time_ms: n,
                host: local.clone(),
                action: "start container".into(),
                target: format!("c{n}"),
                error: None,
                duration_ms: 1,
                front_end: berth_core::history::activity::FrontEnd::Cli,
            })
            .await
            .unwrap();
    }
    store.compact(NOW, StatsRetention::default()).await.unwrap();
    let kept = store
        .activity(&ActivityQuery {
            limit: u32::MAX,
            ..ActivityQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(kept.len() as i64, ACTIVITY_KEPT, "bounded");
    assert_eq!(kept[0].target, format!("c{}", ACTIVITY_KEPT + 4));
    std::fs::remove_dir_all(&path).unwrap();
}

fn saved(id: &str) -> berth_core::SavedHost {
    berth_core::SavedHost {
        id: HostId::new(id),
        name: format!("Host {id}"),
        address: "10.0.0.5".to_owned(),
        port: 22,
        user: "deploy".to_owned(),
        key_path: Some("/home/me/.ssh/id_ed25519".to_owned()),
        socket: berth_core::hosts::saved::DEFAULT_SOCKET.to_owned(),
        tags: vec!["ci".to_owned()],
        proxy_jump: Some("ops@bastion.example.com:2222".to_owned()),
        docker_host: None,
        created_ms: NOW,
        last_seen_ms: Some(NOW + 1),
    }
}

fn event(seq: i64) -> EngineEvent {
    EngineEvent {
        time_ms: NOW + seq,
        kind: EventKind::Container,
        action: "start".into(),
        id: format!("c{seq}"),
        name: "web".into(),
        exit_code: None,
        new_state: None,
    }
}

#[tokio::test]
async fn saved_hosts_move_from_an_older_history_into_their_own_database() {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    let folder = temp_folder("carry-over");
    std::fs::create_dir_all(&folder).unwrap();
    // history.sqlite as Berth left it before hosts had a database of their own: the same
    // migrations, with the hosts in it.
    let older = SqliteConnectOptions::new()
        .filename(folder.join("history.sqlite"))
        .create_if_missing(true);
    let history = SqlitePool::connect_with(older.clone()).await.unwrap();
    sqlx::migrate!("./migrations").run(&history).await.unwrap();
    let ssh = saved("build");
    let direct = berth_core::SavedHost {
        address: String::new(),
        user: String::new(),
        key_path: None,
        tags: Vec::new(),
        proxy_jump: None,
        docker_host: Some("tcp://10.0.0.6:2375".to_owned()),
        last_seen_ms: None,
        ..saved("direct")
    };
    for h in [&ssh, &direct] {
        sqlx::query(
            "INSERT INTO hosts (id, name, address, port, user, key_path, socket, tags, \
             proxy_jump, docker_host, created_ms, last_seen_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(h.id.as_str())
        .bind(&h.name)
        .bind(&h.address)
        .bind(i64::from(h.port))
        .bind(&h.user)
        .bind(&h.key_path)
        .bind(&h.socket)
        .bind(serde_json::to_string(&h.tags).unwrap())
        .bind(&h.proxy_jump)
        .bind(&h.docker_host)
        .bind(h.created_ms)
        .bind(h.last_seen_ms)
        .execute(&history)
        .await
        .unwrap();
    }
    history.close().await;

    let store = open(&folder).await;
    assert_eq!(
        store.saved_hosts().await.unwrap(),
        vec![ssh.clone(), direct]
    );
    assert!(folder.join("hosts.sqlite").exists());
    // Removed since, a host does not come back from the history on the next start.
    store.remove_host(&HostId::new("direct")).await.unwrap();
    store.close().await;
    let store = open(&folder).await;
    assert_eq!(store.saved_hosts().await.unwrap(), vec![ssh.clone()]);
    store.close().await;

    // A crash after the copy and before the history let go of it: the copy kept since wins.
    let history = SqlitePool::connect_with(older).await.unwrap();
    sqlx::query(
        "INSERT INTO hosts (id, name, address, port, user, socket, tags, created_ms) \
         VALUES ('build', 'Stale name', '10.0.0.9', 22, 'old', '/s', '[]', 0)",
    )
    .execute(&history)
    .await
    .unwrap();
    history.close().await;
    let store = open(&folder).await;
    assert_eq!(store.saved_hosts().await.unwrap(), vec![ssh]);
    store.close().await;
    std::fs::remove_dir_all(&folder).unwrap();
}

/// The names in `folder` that start with `prefix`.
fn files_starting(folder: &std::path::Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_damaged_history_is_set_aside_and_the_saved_hosts_stay() {
    let folder = temp_folder("damaged-history");
    let store = open(&folder).await;
    store.save_host(&saved("build")).await.unwrap();
    store
        .record_events(&HostId::local(), &[event(1)])
        .await
        .unwrap();
    store.close().await;
    let damage = b"not a database, whatever it was".repeat(200);
    std::fs::write(folder.join("history.sqlite"), &damage).unwrap();

    let mut set_aside = Vec::new();
    let store = Store::open(&folder, &mut set_aside).await.unwrap();
    let [kept] = &set_aside[..] else {
        panic!("one file set aside: {set_aside:?}");
    };
    assert_eq!(kept.file, "history.sqlite");
    assert!(kept.reason.contains("not a database"), "{}", kept.reason);
    assert_eq!(
        std::fs::read(&kept.kept_as).unwrap(),
        damage,
        "kept as it was"
    );
    assert!(std::path::Path::new(&kept.kept_as).starts_with(&folder));
    assert_eq!(store.saved_hosts().await.unwrap(), vec![saved("build")]);
    // A fresh history, in use.
    assert!(store
        .recent_events(&HostId::local(), 10)
        .await
        .unwrap()
        .is_empty());
    store
        .record_events(&HostId::local(), &[event(2)])
        .await
        .unwrap();
    store.close().await;
    assert_eq!(files_starting(&folder, "history.sqlite.corrupt-").len(), 1);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[tokio::test]
async fn a_hosts_database_from_a_newer_berth_is_set_aside_and_the_history_stays() {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    let folder = temp_folder("newer-hosts");
    let store = open(&folder).await;
    store.save_host(&saved("build")).await.unwrap();
    store
        .record_events(&HostId::local(), &[event(1)])
        .await
        .unwrap();
    store.close().await;
    // A migration this build does not know: the schema may be anything.
    let hosts =
        SqlitePool::connect_with(SqliteConnectOptions::new().filename(folder.join("hosts.sqlite")))
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'from the future', 1, x'00', 0)",
    )
    .execute(&hosts)
    .await
    .unwrap();
    hosts.close().await;

    let mut set_aside = Vec::new();
    let store = Store::open(&folder, &mut set_aside).await.unwrap();
    let [kept] = &set_aside[..] else {
        panic!("one file set aside: {set_aside:?}");
    };
    assert_eq!(kept.file, "hosts.sqlite");
    assert!(kept.reason.contains("migration 99"), "{}", kept.reason);
    assert!(store.saved_hosts().await.unwrap().is_empty());
    assert_eq!(
        store.recent_events(&HostId::local(), 10).await.unwrap(),
        vec![event(1)]
    );
    store.close().await;
    // The kept copy still holds the host, for whoever looks.
    let kept = SqlitePool::connect_with(SqliteConnectOptions::new().filename(&kept.kept_as))
        .await
        .unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM hosts")
        .fetch_all(&kept)
        .await
        .unwrap();
    assert_eq!(ids, ["build"]);
    kept.close().await;
    std::fs::remove_dir_all(&folder).unwrap();
}

#[tokio::test]
async fn a_database_that_is_only_busy_is_left_where_it_is() {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
    use sqlx::{Connection, SqliteConnection};
    let folder = temp_folder("busy");
    let store = open(&folder).await;
    store
        .record_events(&HostId::local(), &[event(1)])
        .await
        .unwrap();
    store.close().await;
    // Another program holding the file (an sqlite3 shell in a transaction, say).
    let mut holder = SqliteConnection::connect_with(
        &SqliteConnectOptions::new()
            .filename(folder.join("history.sqlite"))
            .locking_mode(SqliteLockingMode::Exclusive),
    )
    .await
    .unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut holder)
        .await
        .unwrap();

    let mut set_aside = Vec::new();
    let err = Store::open(&folder, &mut set_aside)
        .await
        .err()
        .expect("a locked database does not open");
    assert!(err.to_string().contains("history.sqlite"), "{err}");
    assert_eq!(set_aside, []);
    holder.close().await.unwrap();
    let store = open(&folder).await;
    assert_eq!(
        store.recent_events(&HostId::local(), 10).await.unwrap(),
        vec![event(1)]
    );
    store.close().await;
    std::fs::remove_dir_all(&folder).unwrap();
}

#[tokio::test]
async fn a_host_s_last_known_list_is_kept_replaced_across_a_restart_and_forgotten() {
    let folder = temp_folder("container-lists");
    let host = HostId::new("kept");
    let list = |names: &[&str]| -> Vec<berth_core::Container> {
        let containers: Vec<serde_json::Value> = names
            .iter()
            .map(|name| {
                serde_json::json!({
                    "id": format!("{name}-id"), "name": name, "image": "busybox", "imageId": "sha256:1",
                    "command": "sleep", "state": "running", "status": "Up 1 minute", "health": null,
                    "created": 1_800_000_000, "ports": [], "compose": null, "labels": {},
                    "networks": [], "volumes": []
                })
            })
            .collect();
        serde_json::from_value(serde_json::Value::Array(containers)).unwrap()
    };
    {
        let store = open(&folder).await;
        assert_eq!(store.container_list(&host).await.unwrap(), None);
        store
            .keep_container_list(&host, &list(&["a", "b"]))
            .await
            .unwrap();
        store
            .keep_container_list(&host, &list(&["c"]))
            .await
            .unwrap();
        store.close().await;
    }
    let store = open(&folder).await;
    assert_eq!(
        store.container_list(&host).await.unwrap(),
        Some(list(&["c"]))
    );
    assert_eq!(
        store.container_list(&HostId::new("other")).await.unwrap(),
        None
    );
    store.forget_container_list(&host).await.unwrap();
    assert_eq!(store.container_list(&host).await.unwrap(), None);
    let _ = std::fs::remove_dir_all(&folder);
}
