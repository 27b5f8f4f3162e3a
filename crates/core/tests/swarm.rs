//! berth-core's Swarm against the real two-node swarm tests/env/swarm.sh makes: the local
//! engine the manager, the SSH test host's engine a worker. Each test's services carry its own
//! label and are removed at its end; the nodes are left as they were found.

use berth_core::swarm::nodes::NodeRole;
use berth_core::swarm::services::ServiceRequest;
use berth_core::swarm::tasks::TaskQuery;
use berth_core::swarm::Membership;
use berth_core::{Endpoint, Engine, ErrorCode};
use berth_testkit::{RemoteHost, PATIENCE, REGISTRY_BUSYBOX};

mod swarm_support;
use swarm_support::{manager, unique, until, Made, MadeValue};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_and_the_worker_say_where_they_stand() {
    let manager = manager().await;
    let Membership::Manager {
        nodes, managers, ..
    } = manager.swarm_membership().await.unwrap()
    else {
        panic!("the local engine is a manager (tests/env/swarm.sh)");
    };
    assert_eq!((nodes, managers), (2, 1));
    let remote = RemoteHost::get();
    let worker = Engine::connect(&Endpoint::parse(&remote.docker_host).unwrap())
        .await
        .unwrap();
    let Membership::Worker {
        manager_addresses, ..
    } = worker.swarm_membership().await.unwrap()
    else {
        panic!("the SSH test host's engine is a worker");
    };
    assert!(
        manager_addresses
            .iter()
            .any(|a| a.starts_with("10.200.0.1:")),
        "{manager_addresses:?}"
    );
    let listed = manager.nodes().await.unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[0].role, NodeRole::Manager);
    assert!(listed[0].leader);
    assert!(listed.iter().all(|n| n.status == "ready"), "{listed:?}");
    let err = worker.nodes().await.unwrap_err();
    assert_ne!(err.code(), ErrorCode::Internal, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_and_a_config_are_made_mounted_in_a_service_listed_without_their_value_and_removed(
) {
    use berth_core::swarm::secrets::Kind;
    use futures_util::StreamExt;
    let engine = manager().await;
    let mut made = Vec::new();
    // Dropped after the service, on any failure too.
    let mut guards = Vec::new();
    for kind in [Kind::Secret, Kind::Config] {
        let name = unique(&format!("{kind:?}").to_lowercase());
        let labels = [("berth.test".to_owned(), name.clone())].into();
        let value = berth_core::Secret::new(format!("s3cr3t {kind:?} value"));
        let id = engine
            .swarm_value_create(kind, &name, &value, &labels)
            .await
            .unwrap();
        let listed = engine.swarm_values(kind).await.unwrap();
        let found = listed.iter().find(|s| s.id == id).expect("listed");
        assert_eq!(found.name, name);
        assert!(!format!("{listed:?}").contains("s3cr3t"), "no value listed");
        let again = engine
            .swarm_value_create(kind, &name, &value, &labels)
            .await
            .unwrap_err();
        assert_eq!(again.code(), ErrorCode::Conflict, "{again}");
        let bad = engine
            .swarm_value_create(kind, "a/b", &value, &labels)
            .await
            .unwrap_err();
        assert_eq!(bad.field(), Some("name"));
        guards.push(MadeValue {
            engine: engine.clone(),
            kind,
            id: id.clone(),
        });
        made.push((kind, id, name));
    }
    let [(_, _, secret), (_, _, config)] = [made[0].clone(), made[1].clone()];

    // Both mounted in a service, whose task reads them where Docker puts them.
    let request = ServiceRequest {
        replicas: Some(1),
        command: vec![
            "sh".into(),
            "-c".into(),
            format!("cat /run/secrets/{secret} /{config}; echo; sleep 3600"),
        ],
        secrets: vec![secret.clone()],
        configs: vec![config.clone()],
        ..Default::default()
    };
    let missing = engine
        .service_create(&ServiceRequest {
            name: unique("unmade"),
            image: REGISTRY_BUSYBOX.to_owned(),
            secrets: vec!["berth-no-such-secret".into()],
            ..request.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(missing.field(), Some("secrets"), "{missing}");
    let service = Made::service(&engine, "mounts", request).await;
    let id = service.id.clone();
    let read = until("the task printed both values", async || {
        let mut batches = engine
            .service_logs(&id, &berth_core::LogOptions::default())
            .unwrap();
        let mut text = String::new();
        while let Some(batch) = batches.next().await {
            for line in batch.unwrap().lines() {
                text.push_str(line.text);
            }
        }
        text.contains("Config value").then_some(text)
    })
    .await;
    assert!(
        read.contains("s3cr3t Secret values3cr3t Config value"),
        "{read}"
    );
    drop(service);

    for (kind, id, _) in made {
        // The engine refuses to remove one while the service's last task still holds it.
        until("removed", async || {
            engine.swarm_value_remove(kind, &id).await.ok()
        })
        .await;
        assert!(!engine
            .swarm_values(kind)
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updating_one_service_of_a_stack_changes_only_that_service_and_the_stack_goes_as_one() {
    use berth_core::swarm::stacks::stacks_of;
    use berth_core::swarm::STACK_LABEL;
    let engine = manager().await;
    let stack = unique("stack");
    let mut guards = Vec::new();
    for part in ["web", "worker", "cache"] {
        let service = ServiceRequest {
            replicas: Some(1),
            labels: [(STACK_LABEL.to_owned(), stack.clone())].into(),
            ..Default::default()
        };
        guards.push(Made::service(&engine, &format!("{stack}_{part}"), service).await);
    }
    let ids: Vec<String> = guards.iter().map(|made| made.id.clone()).collect();
    let versions = |services: &[berth_core::swarm::services::Service]| {
        ids.iter()
            .map(|id| services.iter().find(|s| &s.id == id).unwrap().version)
            .collect::<Vec<u64>>()
    };
    let before = engine.services().await.unwrap();
    let grouped = stacks_of(&before);
    let ours = grouped.iter().find(|s| s.name == stack).expect("the stack");
    assert_eq!(ours.services, 3);
    let old = versions(&before);

    engine.service_scale(&ids[0], old[0], 2).await.unwrap();
    let new = versions(&engine.services().await.unwrap());
    assert!(new[0] > old[0], "the scaled service changed");
    assert_eq!(&new[1..], &old[1..], "its stack's other services did not");

    engine.stack_remove(&stack).await.unwrap();
    let left = engine.services().await.unwrap();
    assert!(
        !left.iter().any(|s| ids.contains(&s.id)),
        "the stack went as one"
    );
    drop(guards);
    let gone = engine.stack_remove(&stack).await.unwrap_err();
    assert_eq!(gone.code(), ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_services_logs_are_merged_from_its_tasks_on_both_nodes() {
    use futures_util::StreamExt;
    let engine = manager().await;
    let made = Made::service(
        &engine,
        "logs",
        ServiceRequest {
            replicas: Some(2),
            // Each task says which container it is, then stays.
            command: vec![
                "sh".into(),
                "-c".into(),
                "echo hello from $(hostname); sleep 3600".into(),
            ],
            ..Default::default()
        },
    )
    .await;
    let id = made.id.clone();
    let by_service = TaskQuery {
        service: Some(id.clone()),
        node: None,
    };
    until("both tasks running, one on each node", async || {
        let tasks = engine.tasks(&by_service).await.unwrap();
        let mut nodes: Vec<&str> = tasks
            .iter()
            .filter(|t| t.state == "running")
            .map(|t| t.node_id.as_str())
            .collect();
        nodes.sort();
        nodes.dedup();
        (nodes.len() == 2).then_some(())
    })
    .await;
    let senders = until("a line from each task", async || {
        let options = berth_core::LogOptions::default();
        let mut batches = engine.service_logs(&id, &options).unwrap();
        let mut senders = std::collections::BTreeSet::new();
        while let Some(batch) = batches.next().await {
            for line in batch.unwrap().lines() {
                if let Some(sender) = line.text.strip_prefix("hello from ") {
                    senders.insert(sender.to_owned());
                }
            }
        }
        (senders.len() == 2).then_some(senders)
    })
    .await;
    assert_eq!(senders.len(), 2, "{senders:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_update_completes_and_a_failing_one_rolls_back_by_itself_saying_why() {
    use berth_core::swarm::services::{FailureAction, UpdatePolicy};
    use berth_testkit::docker;
    let engine = manager().await;
    // A second tag in the local registry, which both nodes reach.
    let v2 = format!(
        "127.0.0.1:5000/berth-test/tagged:swarm-{}",
        std::process::id()
    );
    docker(&["pull", REGISTRY_BUSYBOX]);
    docker(&["tag", REGISTRY_BUSYBOX, &v2]);
    docker(&["push", &v2]);
    // Untagged on both nodes once the service is gone (dropped after it).
    let _tag = Untag(v2.clone());
    let made = Made::service(
        &engine,
        "rolling",
        ServiceRequest {
            replicas: Some(2),
            update: Some(UpdatePolicy {
                parallelism: 1,
                delay_ms: 0,
                monitor_ms: 2000,
                failure_action: FailureAction::Rollback,
                start_first: false,
            }),
            ..Default::default()
        },
    )
    .await;
    let id = made.id.clone();
    let service = async || {
        engine
            .services()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.id == id)
            .unwrap()
    };
    let listed = until("2 tasks running", async || {
        let s = service().await;
        (s.running == 2).then_some(s)
    })
    .await;

    engine
        .service_update_image(&id, listed.version, &v2)
        .await
        .unwrap();
    let updated = until("the update completed", async || {
        let s = service().await;
        (s.update.as_ref().is_some_and(|u| u.state == "completed") && s.running == 2).then_some(s)
    })
    .await;
    assert_eq!(updated.image, v2);
    let tasks = engine
        .tasks(&TaskQuery {
            service: Some(id.clone()),
            node: None,
        })
        .await
        .unwrap();
    assert!(
        tasks
            .iter()
            .filter(|t| t.state == "running")
            .all(|t| t.image == v2),
        "{tasks:?}"
    );

    // An image no node can pull: the new tasks fail, and the engine rolls back by itself.
    // The manager's events tell each step of it.
    let told = {
        use futures_util::StreamExt;
        let mut events = Box::pin(engine.events(None));
        let id = id.clone();
        tokio::spawn(async move {
            let mut states = Vec::new();
            while let Some(Ok(event)) = events.next().await {
                if event.kind == berth_core::EventKind::Service && event.id == id {
                    states.extend(event.new_state.clone());
                    if event.new_state.as_deref() == Some("rollback_completed") {
                        break;
                    }
                }
            }
            states
        })
    };
    let missing = "127.0.0.1:5000/berth-test/missing:nowhere";
    engine
        .service_update_image(&id, updated.version, missing)
        .await
        .unwrap();
    let rolled_back = until("rolled back", async || {
        let s = service().await;
        s.update
            .as_ref()
            .is_some_and(|u| u.state == "rollback_completed")
            .then_some(s)
    })
    .await;
    assert_eq!(rolled_back.image, v2, "back on the image that worked");
    let message = rolled_back.update.unwrap().message;
    assert!(
        message.contains("rollback"),
        "the engine says why: {message}"
    );
    let failed = engine
        .tasks(&TaskQuery {
            service: Some(id.clone()),
            node: None,
        })
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.image == missing && t.error.is_some());
    assert!(failed.is_some(), "a failed task says why");
    let states = tokio::time::timeout(PATIENCE, told).await.unwrap().unwrap();
    assert_eq!(
        states,
        ["updating", "rollback_started", "rollback_completed"],
        "as events"
    );
}

/// Removes a tag from both nodes when dropped (forced: a task's container may still hold it).
struct Untag(String);

impl Drop for Untag {
    fn drop(&mut self) {
        let remote = RemoteHost::get();
        for host in [None, Some(remote.docker_host.as_str())] {
            let mut command = std::process::Command::new("docker");
            if let Some(host) = host {
                command.args(["-H", host]);
            }
            let _ = command.args(["rmi", "-f", &self.0]).output();
        }
    }
}

/// The manager reached only over SSH: the test host's sshd shares this machine's files, so its
/// socket path leads to the local engine, the manager, through an SSH connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_is_managed_over_ssh_alone() {
    use berth_core::{KeySource, KnownHostsFiles, SshTarget};
    let remote = RemoteHost::get();
    let over_ssh = Engine::connect(&Endpoint::Ssh(Box::new(SshTarget {
        address: remote.address.clone(),
        port: 22,
        user: remote.user.clone(),
        key: KeySource::File {
            path: remote.key("ed25519"),
            passphrase: None,
        },
        socket: "/var/run/docker.sock".to_owned(),
        known_hosts: KnownHostsFiles {
            openssh: Vec::new(),
            berth: remote.key("known_hosts"),
        },
        jump: Vec::new(),
    })))
    .await
    .expect("the manager over the test host's sshd");
    assert!(matches!(
        over_ssh.swarm_membership().await.unwrap(),
        Membership::Manager { .. }
    ));
    let made = Made::service(
        &over_ssh,
        "over-ssh",
        ServiceRequest {
            replicas: Some(1),
            ..Default::default()
        },
    )
    .await;
    let id = made.id.clone();
    assert_eq!(over_ssh.nodes().await.unwrap().len(), 2);
    let listed = until("its task running", async || {
        let s = over_ssh
            .services()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.id == id)?;
        (s.running == 1).then_some(s)
    })
    .await;
    over_ssh
        .service_scale(&id, listed.version, 0)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_that_pauses_and_a_service_short_of_tasks_are_told() {
    use berth_core::alerts::{self, AlertKind, AlertRules, Notice};
    use berth_core::swarm::services::{FailureAction, UpdatePolicy};
    use berth_core::{Berth, HostId, HostSpec, HostStatus};
    use std::sync::Arc;
    use tokio::sync::{mpsc, watch};

    let berth = Arc::new(Berth::start(
        vec![HostSpec {
            id: HostId::new("manager"),
            name: "Manager".into(),
            endpoint: Endpoint::local().unwrap(),
            local: None,
        }],
        None,
    ));
    let host = HostId::new("manager");
    until("the manager online", async || {
        matches!(
            berth.watcher(&host).unwrap().state().status,
            HostStatus::Online { .. }
        )
        .then_some(())
    })
    .await;
    let (_rules, rules) = watch::channel(AlertRules::default());
    let (counted, counts) = mpsc::channel(16);
    let engines = {
        let berth = berth.clone();
        move || berth.online_engines()
    };
    tokio::spawn(alerts::swarm::count_services(engines, counted));
    let (told, mut notices) = mpsc::channel(64);
    tokio::spawn(alerts::watch(
        berth.states(),
        berth.subscribe(),
        |_: &HostId| Some("Manager".to_owned()),
        rules,
        counts,
        told,
    ));

    let engine = manager().await;
    // A service short of its tasks is told once it has been seen short for a minute: by then
    // the counts have come twice more at most, the first one after it was made.
    let short_for = std::time::Duration::from_millis(alerts::swarm::SHORT_FOR_MS as u64);
    let deadline =
        tokio::time::Instant::now() + short_for + alerts::swarm::COUNT_EVERY * 2 + PATIENCE;
    // Placed nowhere: short of its one task from the start.
    let short = Made::service(
        &engine,
        "short",
        ServiceRequest {
            replicas: Some(1),
            constraints: vec!["node.labels.berth-nowhere==true".into()],
            ..Default::default()
        },
    )
    .await;
    // Updated to an image no node can pull, with the update set to pause on failure.
    let paused = Made::service(
        &engine,
        "pausing",
        ServiceRequest {
            replicas: Some(1),
            update: Some(UpdatePolicy {
                parallelism: 1,
                delay_ms: 0,
                monitor_ms: 2000,
                failure_action: FailureAction::Pause,
                start_first: false,
            }),
            ..Default::default()
        },
    )
    .await;
    let listed = until("its task running", async || {
        let service = engine
            .services()
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.id == paused.id)?;
        (service.running == 1).then_some(service)
    })
    .await;
    engine
        .service_update_image(
            &paused.id,
            listed.version,
            "127.0.0.1:5000/berth-test/missing:nowhere",
        )
        .await
        .unwrap();

    let mut seen = (false, false);
    while seen != (true, true) {
        let notice = tokio::time::timeout_at(deadline, notices.recv())
            .await
            .unwrap_or_else(|_| panic!("told so far: {seen:?}"))
            .unwrap();
        let Notice::Alert(alert) = notice else {
            continue;
        };
        match &alert.kind {
            AlertKind::UpdateFailed { service, state } if *service == paused.name => {
                assert_eq!(state, "paused");
                assert_eq!(alert.title(), format!("{}'s update paused", paused.name));
                seen.0 = true;
            }
            AlertKind::ServiceShort {
                service,
                running,
                desired,
            } if *service == short.name => {
                assert_eq!((*running, *desired), (0, 1));
                seen.1 = true;
            }
            _ => {}
        }
    }
}
