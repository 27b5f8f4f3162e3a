//! What changes a swarm's nodes, on the real two-node swarm tests/env/swarm.sh makes: draining
//! the worker, and the worker leaving and joining again. A binary of its own, its tests one at a
//! time: a drained or departed node moves every service's tasks, so no other swarm test may run
//! meanwhile (cargo runs test binaries one after another). The swarm is left with two ready,
//! active nodes, as it was found.

mod swarm_support;

use berth_core::swarm::nodes::{Availability, NodeChange, NodeRole};
use berth_core::swarm::services::{ServiceMode, ServiceRequest};
use berth_core::swarm::tasks::TaskQuery;
use berth_core::swarm::Membership;
use berth_core::{Berth, Endpoint, ErrorCode, HostId, HostSpec, HostStatus};
use berth_testkit::RemoteHost;
use swarm_support::{manager, until, Made};

/// Held by each test here, so that they too run one at a time.
static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_leaves_and_a_saved_host_joins_with_the_managers_token() {
    let _alone = ALONE.lock().await;
    let remote = RemoteHost::get();
    let (manager, worker) = (HostId::new("manager"), HostId::new("worker"));
    let berth = Berth::start(
        vec![
            HostSpec {
                id: manager.clone(),
                name: "Manager".to_owned(),
                endpoint: Endpoint::local().unwrap(),
                local: None,
            },
            HostSpec {
                id: worker.clone(),
                name: "Worker".to_owned(),
                endpoint: Endpoint::parse(&remote.docker_host).unwrap(),
                local: None,
            },
        ],
        None,
    );
    for host in [&manager, &worker] {
        until("both hosts online", async || {
            matches!(
                berth.watcher(host).unwrap().state().status,
                HostStatus::Online { .. }
            )
            .then_some(())
        })
        .await;
    }
    let membership = async |host: &HostId| {
        berth
            .engine(host)
            .unwrap()
            .swarm_membership()
            .await
            .unwrap()
    };
    let Membership::Worker { node_id: left, .. } = membership(&worker).await else {
        panic!("the SSH test host's engine is a worker (tests/env/swarm.sh)");
    };

    // The manager's events tell the node going down (an alert is made of it).
    let down = {
        use futures_util::StreamExt;
        let mut events = Box::pin(berth.engine(&manager).unwrap().events(None));
        let left = left.clone();
        tokio::spawn(async move {
            while let Some(Ok(event)) = events.next().await {
                if event.kind == berth_core::EventKind::Node
                    && event.id == left
                    && event.new_state.as_deref() == Some("down")
                {
                    return event;
                }
            }
            panic!("the events ended");
        })
    };
    // A worker leaves without force; a manager alone would be refused without it.
    berth.swarm_leave(&worker, false).await.unwrap();
    assert!(matches!(membership(&worker).await, Membership::None { .. }));
    let ticket = berth
        .engine(&manager)
        .unwrap()
        .swarm_join_ticket(NodeRole::Worker)
        .await
        .unwrap();
    assert!(ticket
        .command()
        .starts_with("docker swarm join --token SWMTKN-"));
    let refused = berth
        .swarm_join(
            &worker,
            &manager,
            NodeRole::Worker,
            Some("10.0.0.1; rm -rf /"),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.field(), Some("advertiseAddress"), "{refused}");

    berth
        .swarm_join(&worker, &manager, NodeRole::Worker, None)
        .await
        .unwrap();
    let Membership::Worker {
        node_id: joined, ..
    } = membership(&worker).await
    else {
        panic!("joined as a worker");
    };
    assert_ne!(joined, left, "a new node");

    let down = tokio::time::timeout(berth_testkit::PATIENCE, down)
        .await
        .expect("the node is told down")
        .unwrap();
    assert!(!down.name.is_empty(), "{down:?}");

    // The entry of the node that left goes once the manager sees it down.
    let engine = berth.engine(&manager).unwrap();
    until("the departed node down, and removed", async || {
        let nodes = engine.nodes().await.unwrap();
        let departed = nodes.iter().find(|n| n.id == left)?;
        if departed.status != "down" {
            return None;
        }
        let at = berth_core::swarm::actions::NodeAt {
            id: departed.id.clone(),
            hostname: departed.hostname.clone(),
            version: departed.version,
        };
        berth.node_remove(&manager, &at, false).await.ok()
    })
    .await;
    let nodes = until("two ready nodes again", async || {
        let nodes = engine.nodes().await.unwrap();
        (nodes.len() == 2 && nodes.iter().all(|n| n.status == "ready")).then_some(nodes)
    })
    .await;
    assert!(nodes.iter().any(|n| n.id == joined));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replicated_service_spreads_scales_and_moves_off_a_drained_node() {
    let _alone = ALONE.lock().await;
    let engine = manager().await;
    let made = Made::service(
        &engine,
        "spread",
        ServiceRequest {
            replicas: Some(4),
            ..Default::default()
        },
    )
    .await;
    let id = made.id.clone();
    let by_service = TaskQuery {
        service: Some(id.clone()),
        node: None,
    };
    let running_on = |tasks: &[berth_core::swarm::tasks::Task]| {
        let mut nodes: Vec<String> = tasks
            .iter()
            .filter(|t| t.desired_state == "running" && t.state == "running")
            .map(|t| t.node_id.clone())
            .collect();
        nodes.sort();
        nodes
    };
    let nodes = until("4 tasks running on both nodes", async || {
        let tasks = engine.tasks(&by_service).await.unwrap();
        let on = running_on(&tasks);
        let distinct = {
            let mut d = on.clone();
            d.dedup();
            d
        };
        (on.len() == 4 && distinct.len() == 2).then_some(distinct)
    })
    .await;
    let service = engine
        .services()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    assert_eq!(service.mode, ServiceMode::Replicated { replicas: 4 });
    assert_eq!((service.running, service.desired), (4, 4));

    engine.service_scale(&id, service.version, 2).await.unwrap();
    until("2 tasks running", async || {
        let tasks = engine.tasks(&by_service).await.unwrap();
        (running_on(&tasks).len() == 2).then_some(())
    })
    .await;
    // An update at an old version is refused: a change made meanwhile is not overwritten.
    let stale = engine
        .service_scale(&id, service.version, 3)
        .await
        .unwrap_err();
    assert_eq!(stale.code(), ErrorCode::Conflict, "{stale}");

    // Draining the worker moves its tasks to the manager; made active again afterwards.
    let worker = engine
        .nodes()
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.role == NodeRole::Worker)
        .unwrap();
    assert!(nodes.contains(&worker.id));
    let drain = NodeChange::Availability {
        availability: Availability::Drain,
    };
    engine
        .node_update(&worker.id, worker.version, &drain)
        .await
        .unwrap();
    let moved = until("every task on the manager", async || {
        let tasks = engine.tasks(&by_service).await.unwrap();
        let on = running_on(&tasks);
        (on.len() == 2 && !on.contains(&worker.id)).then_some(on)
    })
    .await;
    let drained = engine
        .nodes()
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.id == worker.id)
        .unwrap();
    let active = NodeChange::Availability {
        availability: Availability::Active,
    };
    engine
        .node_update(&worker.id, drained.version, &active)
        .await
        .unwrap();
    assert_eq!(moved.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_is_promoted_to_manager_and_demoted_back() {
    let _alone = ALONE.lock().await;
    let engine = manager().await;
    let worker = |nodes: Vec<berth_core::swarm::nodes::Node>| {
        nodes
            .into_iter()
            .find(|n| n.address.starts_with("10.200.0.2"))
            .expect("the SSH test host's node")
    };
    let node = worker(engine.nodes().await.unwrap());
    assert_eq!(node.role, NodeRole::Worker);
    let promote = NodeChange::Role {
        role: NodeRole::Manager,
    };
    engine
        .node_update(&node.id, node.version, &promote)
        .await
        .unwrap();
    let promoted = until("a manager, reachable", async || {
        let node = worker(engine.nodes().await.unwrap());
        (node.role == NodeRole::Manager && node.reachability.as_deref() == Some("reachable"))
            .then_some(node)
    })
    .await;
    let Membership::Manager { managers, .. } = engine.swarm_membership().await.unwrap() else {
        panic!("still a manager");
    };
    assert_eq!(managers, 2);

    let demote = NodeChange::Role {
        role: NodeRole::Worker,
    };
    engine
        .node_update(&promoted.id, promoted.version, &demote)
        .await
        .unwrap();
    until("a worker again, alone a manager no more", async || {
        let node = worker(engine.nodes().await.unwrap());
        let membership = engine.swarm_membership().await.ok()?;
        (node.role == NodeRole::Worker
            && matches!(membership, Membership::Manager { managers: 1, .. }))
        .then_some(())
    })
    .await;
}
