//! The per-host watcher against the real engine: live changes, engine loss and return.

mod support;

use std::time::Duration;

use berth_core::{
    Berth, ContainerState, Endpoint, ErrorCode, HostChange, HostId, HostSpec, HostStatus,
    HostUpdate,
};
use support::{docker, EngineRelay, Labelled, PATIENCE};
use tokio::sync::broadcast::Receiver;

fn spec(endpoint: Endpoint) -> HostSpec {
    HostSpec {
        id: HostId::new("under-test"),
        name: "Under test".into(),
        endpoint,
    }
}

/// Waits for the first update that `check` accepts, panicking after [`PATIENCE`].
async fn wait_for<T>(
    updates: &mut Receiver<HostUpdate>,
    what: &str,
    mut check: impl FnMut(&HostChange) -> Option<T>,
) -> T {
    let found = tokio::time::timeout(PATIENCE, async {
        loop {
            let update = updates.recv().await.expect("updates keep coming");
            if let Some(found) = check(&update.change) {
                return found;
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("no update showed {what}"))
}

fn online(change: &HostChange) -> Option<()> {
    match change {
        HostChange::Snapshot {
            status: HostStatus::Online { .. },
            ..
        } => Some(()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_containers_made_and_removed_with_the_cli() {
    let berth = Berth::start(vec![spec(Endpoint::local().unwrap())]);
    let mut updates = berth.subscribe();
    wait_for(&mut updates, "the host online", online).await;

    let t = Labelled::new("watch");
    let name = t.name("live");
    let id = t.run_sleeper(&name, &[]);
    let seen = wait_for(
        &mut updates,
        "the new container running",
        |change| match change {
            HostChange::Containers { upserted, .. } => upserted
                .iter()
                .find(|c| c.id == id && c.state == ContainerState::Running)
                .cloned(),
            _ => None,
        },
    )
    .await;
    assert_eq!(seen.name, name);

    docker(&["stop", "-t", "1", &id]);
    wait_for(
        &mut updates,
        "the container exited",
        |change| match change {
            HostChange::Containers { upserted, .. } => upserted
                .iter()
                .any(|c| c.id == id && c.state == ContainerState::Exited)
                .then_some(()),
            _ => None,
        },
    )
    .await;

    docker(&["rm", &id]);
    wait_for(
        &mut updates,
        "the container removed",
        |change| match change {
            HostChange::Containers { removed, .. } => removed.contains(&id).then_some(()),
            _ => None,
        },
    )
    .await;

    let state = &berth.states()[0];
    assert!(
        state.containers.iter().all(|c| c.id != id),
        "table agrees with the updates"
    );
    assert!(state.seq >= 4, "each change counted: {}", state.seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marks_a_lost_engine_offline_and_relists_when_it_returns() {
    let mut relay = EngineRelay::start();
    let endpoint = Endpoint::parse(&relay.address()).unwrap();
    let berth = Berth::start(vec![spec(endpoint)]);
    let host = HostId::new("under-test");
    let mut updates = berth.subscribe();
    wait_for(&mut updates, "the host online", online).await;

    relay.cut();
    let code = wait_for(&mut updates, "the host offline", |change| match change {
        HostChange::Status {
            status: HostStatus::Offline { code, .. },
        } => Some(*code),
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
    relay.restore();
    let containers = wait_for(
        &mut updates,
        "the host back online",
        |change| match change {
            HostChange::Snapshot {
                status: HostStatus::Online { .. },
                containers,
            } => Some(containers.clone()),
            _ => None,
        },
    )
    .await;
    assert!(
        containers.iter().any(|c| c.id == id),
        "re-listed after reconnect"
    );
    assert!(berth.engine(&host).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_that_is_not_there_is_offline_with_a_reason() {
    let nowhere = Endpoint::parse("unix:///tmp/berth-watch-nowhere.sock").unwrap();
    let berth = Berth::start(vec![spec(nowhere)]);
    let mut updates = berth.subscribe();
    let reason = wait_for(&mut updates, "the host offline", |change| match change {
        HostChange::Status {
            status: HostStatus::Offline { reason, .. },
        } => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(reason.contains("berth-watch-nowhere.sock"), "{reason}");
}
