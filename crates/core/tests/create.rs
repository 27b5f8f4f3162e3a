//! Making containers against the real engine: create from the form's request, refusals before
//! the engine is asked, rename, duplicate, health details, and a recreate that keeps settings.

use berth_core::{ContainerDetails, ContainerRequest, Endpoint, Engine, ErrorCode};
use berth_testkit::{docker, Labelled, PATIENCE, REGISTRY_BUSYBOX, TEST_IMAGE};

async fn local_engine() -> Engine {
    Engine::connect(&Endpoint::local().unwrap())
        .await
        .expect("the test engine answers")
}

/// A request setting every field (on the user-defined `network`), labelled for `t`'s cleanup.
fn full_request(t: &Labelled, image: &str, volume: &str, network: &str) -> ContainerRequest {
    ContainerRequest {
        image: image.to_owned(),
        name: t.name("made"),
        command: "sh -c 'echo started; sleep 300'".into(),
        // busybox's env runs the command after it: the container only runs if both reached it.
        entrypoint: "/bin/env".into(),
        env: vec!["MODE=test".into(), "GREETING=hello world".into()],
        ports: vec!["127.0.0.1::80/tcp".into()],
        mounts: vec![
            format!("{volume}:/data"),
            "/etc/hostname:/host-name:ro".into(),
        ],
        restart: "on-failure:2".into(),
        labels: vec![t.label_pair(), ("team".into(), "core".into())],
        network: network.to_owned(),
        working_dir: "/data".into(),
        user: "1000:1000".into(),
        memory: "64m".into(),
        cpus: "0.5".into(),
    }
}

/// What a recreate must keep, from the engine's own account.
fn kept(details: &ContainerDetails) -> impl PartialEq + std::fmt::Debug {
    (
        details.name.clone(),
        details.env.clone(),
        details.ports.clone(),
        details.mounts.clone(),
        details.labels.clone(),
        details.restart.clone(),
        details
            .networks
            .iter()
            .map(|n| n.name.clone())
            .collect::<Vec<_>>(),
        (
            details.command.clone(),
            details.entrypoint.clone(),
            details.working_dir.clone(),
            details.user.clone(),
        ),
        (details.memory_bytes, details.nano_cpus),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_container_made_from_every_field_runs_with_them_and_duplicates() {
    let engine = local_engine().await;
    let t = Labelled::new("create-full");
    let volume = t.volume("data");
    let network = t.network("net");
    let request = full_request(&t, TEST_IMAGE, &volume, &network);

    let id = engine.container_create(&request, true).await.unwrap();
    let details = engine.container_inspect(&id).await.unwrap();
    assert!(details.running, "{details:?}");
    assert_eq!(details.name, request.name);
    assert!(details.env.contains(&"GREETING=hello world".to_owned()));
    assert_eq!(details.ports, ["127.0.0.1::80/tcp"]);
    assert_eq!(details.restart, "on-failure:2");
    assert_eq!(
        (details.memory_bytes, details.nano_cpus),
        (64 << 20, 500_000_000)
    );
    assert_eq!(
        (details.working_dir.as_str(), details.user.as_str()),
        ("/data", "1000:1000")
    );
    assert_eq!(details.command, ["sh", "-c", "echo started; sleep 300"]);
    assert_eq!(details.entrypoint, ["/bin/env"]);
    let data = details
        .mounts
        .iter()
        .find(|m| m.destination == "/data")
        .unwrap();
    assert_eq!(
        (data.kind.as_str(), data.source.as_str(), data.read_only),
        ("volume", volume.as_str(), false)
    );
    assert!(details
        .mounts
        .iter()
        .any(|m| m.kind == "bind" && m.read_only));
    let networks: Vec<_> = details.networks.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(networks, [network.as_str()]);
    assert!(!details.networks[0].ip_address.is_empty());

    // Duplicate: the form filled from the container, under a new name.
    let copy = ContainerRequest {
        name: t.name("copy"),
        ..ContainerRequest::from_details(&details)
    };
    let copy_id = engine.container_create(&copy, false).await.unwrap();
    let copied = engine.container_inspect(&copy_id).await.unwrap();
    assert_eq!(
        (
            copied.env.clone(),
            copied.ports.clone(),
            copied.restart.clone()
        ),
        (
            details.env.clone(),
            details.ports.clone(),
            details.restart.clone()
        )
    );
    assert_eq!(copied.labels, details.labels);
    assert_eq!(copied.entrypoint, details.entrypoint);
    let copied_networks: Vec<_> = copied.networks.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(copied_networks, [network.as_str()]);
    assert!(!copied.running, "created, not started");
}

/// Ports and mounts in the forms the docker CLI takes (ranges, a host range to one port, IPv6,
/// an empty host IP, an anonymous volume, propagation with ro and z, nocopy) reach the engine
/// as the docker CLI itself sends them: the two containers' HostConfig and Config agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ports_and_mounts_reach_the_engine_as_the_docker_cli_sends_them() {
    let engine = local_engine().await;
    let t = Labelled::new("create-as-cli");
    let volume = t.volume("cache");
    let ports = [
        "127.0.0.1:18000-18002:8000-8002/tcp",
        "18010-18012:80",
        "[::1]::53/udp",
        ":18020:90",
        "7000-7001/udp",
    ];
    let mounts = [
        "/data".to_owned(),
        "/tmp:/mnt/tmp:ro,rslave,z".to_owned(),
        format!("{volume}:/cache:nocopy"),
    ];
    let request = ContainerRequest {
        image: TEST_IMAGE.to_owned(),
        name: t.name("berth"),
        command: "sleep 300".into(),
        ports: ports.map(str::to_owned).to_vec(),
        mounts: mounts.to_vec(),
        labels: vec![t.label_pair()],
        ..Default::default()
    };
    let ours = engine.container_create(&request, false).await.unwrap();
    let (key, value) = t.label_pair();
    let cli_name = t.name("cli");
    let label = format!("{key}={value}");
    let mut args = vec!["create", "--name", &cli_name, "--label", &label];
    for port in &ports {
        args.extend(["-p", port]);
    }
    for mount in &mounts {
        args.extend(["-v", mount]);
    }
    args.extend([TEST_IMAGE, "sleep", "300"]);
    let theirs = docker(&args);
    let account = |id: &str| {
        let json = docker(&["inspect", id]);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let c = &value[0];
        let mut binds: Vec<String> =
            serde_json::from_value(c["HostConfig"]["Binds"].clone()).unwrap_or_default();
        binds.sort();
        (
            binds,
            c["HostConfig"]["PortBindings"].clone(),
            c["Config"]["Volumes"].clone(),
            c["Config"]["ExposedPorts"].clone(),
        )
    };
    let (ours, theirs) = (account(&ours), account(&theirs));
    assert_eq!(ours, theirs);
    assert_eq!(ours.2, serde_json::json!({"/data": {}}), "{ours:?}");
    assert_eq!(
        ours.1["80/tcp"],
        serde_json::json!([{"HostIp": "", "HostPort": "18010-18012"}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_never_reaches_the_engine_and_a_missing_image_says_to_pull() {
    let engine = local_engine().await;
    let t = Labelled::new("create-refused");
    let name = t.name("never");
    let bad = ContainerRequest {
        image: TEST_IMAGE.into(),
        name: name.clone(),
        ports: vec!["80:99999".into()],
        labels: vec![t.label_pair()],
        ..Default::default()
    };
    let err = engine.container_create(&bad, true).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("The port mapping"), "{err}");
    assert_eq!(
        docker(&["ps", "-aq", "--filter", &format!("name={name}")]),
        "",
        "nothing was made"
    );

    let missing = ContainerRequest {
        image: "berth-test/not-here:1".into(),
        labels: vec![t.label_pair()],
        ..Default::default()
    };
    let err = engine.container_create(&missing, false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    assert!(err.to_string().contains("pull it first"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_container_is_renamed_and_its_health_log_is_read() {
    let engine = local_engine().await;
    let t = Labelled::new("rename-health");
    let id = t.run_sleeper(
        &t.name("checked"),
        &["--health-cmd", "echo fine", "--health-interval", "1s"],
    );
    let renamed = t.name("renamed");
    engine.container_rename(&id, &renamed).await.unwrap();
    let bad = engine.container_rename(&id, "bad name").await.unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidInput);

    let start = std::time::Instant::now();
    let health = loop {
        let details = engine.container_inspect(&id).await.unwrap();
        assert_eq!(details.name, renamed);
        match details.health {
            Some(health) if health.status == "healthy" => break health,
            _ => assert!(start.elapsed() < PATIENCE, "never healthy: {details:?}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(
        health
            .log
            .iter()
            .any(|check| check.output.contains("fine") && check.exit_code == 0),
        "{health:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_latest_and_recreate_keeps_every_setting() {
    let engine = local_engine().await;
    let t = Labelled::new("recreate");
    let volume = t.volume("data");
    let network = t.network("net");
    let extra = t.network("extra");
    let request = full_request(&t, REGISTRY_BUSYBOX, &volume, &network);
    // The image comes from the registry, as "pull latest" needs.
    let mut pull = engine.pull(REGISTRY_BUSYBOX).unwrap();
    while let Some(batch) = futures_util::StreamExt::next(&mut pull).await {
        batch.unwrap();
    }
    let id = engine.container_create(&request, true).await.unwrap();
    engine.network_connect(&extra, &id).await.unwrap();
    let before = engine.container_inspect(&id).await.unwrap();
    assert_eq!(before.networks.len(), 2);

    let new_id = engine.container_recreate(&id, true).await.unwrap();
    assert_ne!(new_id, id);
    let after = engine.container_inspect(&new_id).await.unwrap();
    assert_eq!(kept(&after), kept(&before));
    assert!(after.running, "it ran before, so it runs again");
    let gone = engine.container_inspect(&id).await.unwrap_err();
    assert_eq!(gone.code(), ErrorCode::NotFound, "the old one is removed");
}
