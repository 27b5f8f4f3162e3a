//! Images, volumes and networks against the real engine, and how containers refer to them.

use berth_core::{Endpoint, Engine};
use berth_testkit::{docker, inspect, Labelled, TEST_IMAGE};

async fn local_engine() -> Engine {
    Engine::connect(&Endpoint::local().unwrap())
        .await
        .expect("the test engine answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_images_with_tags_and_size() {
    let images = local_engine().await.images().await.unwrap();
    let test_image = images
        .iter()
        .find(|i| i.tags.iter().any(|t| t == TEST_IMAGE))
        .expect("the test image is listed");
    assert!(test_image.id.starts_with("sha256:"));
    assert!(test_image.size_bytes > 0);
    assert!(test_image.created > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_volumes_and_networks_and_what_uses_them() {
    let t = Labelled::new("resources");
    let volume = t.volume("vol");
    let network = t.network("net");
    let name = t.name("user");
    let mount = format!("{volume}:/data");
    let id = t.run_sleeper(&name, &["--network", &network, "-v", &mount]);
    let engine = local_engine().await;

    let volumes = engine.volumes().await.unwrap();
    let listed = volumes
        .iter()
        .find(|v| v.name == volume)
        .expect("volume listed");
    assert_eq!(listed.driver, "local");
    assert!(listed.labels.contains_key("berth.test"));

    let networks = engine.networks().await.unwrap();
    let listed = networks
        .iter()
        .find(|n| n.name == network)
        .expect("network listed");
    assert_eq!(listed.driver, "bridge");
    assert_eq!(
        listed.subnets.len(),
        1,
        "the engine assigned a subnet: {listed:?}"
    );
    assert!(
        networks.iter().any(|n| n.name == "none"),
        "built-in networks too"
    );

    let containers = engine.containers().await.unwrap();
    let user = containers.iter().find(|c| c.id == id).unwrap();
    assert_eq!(user.volumes, vec![volume.clone()]);
    assert_eq!(user.networks, vec![network.clone()]);
    assert_eq!(user.image_id, inspect(&id, "{{.Image}}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volume_is_created_refused_removal_while_used_then_removed_and_pruned() {
    use berth_core::{ErrorCode, VolumeRequest};
    let engine = local_engine().await;
    let t = Labelled::new("volume-crud");
    let labels = vec![t.label_pair()];
    let name = t.name("made");
    let volume = engine
        .volume_create(&VolumeRequest {
            name: name.clone(),
            driver: String::new(),
            labels: labels.clone(),
        })
        .await
        .unwrap();
    assert_eq!(
        (volume.name.as_str(), volume.driver.as_str()),
        (name.as_str(), "local")
    );
    assert_eq!(
        inspect_volume(&name, "{{.Labels}}"),
        format!("map[{}]", t.label.replace('=', ":"))
    );

    let user = t.run_sleeper(&t.name("user"), &["-v", &format!("{name}:/data")]);
    let err = engine.volume_remove(&name, false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "in use: {err}");
    docker(&["rm", "-f", &user]);
    engine.volume_remove(&name, false).await.unwrap();
    assert!(!engine
        .volumes()
        .await
        .unwrap()
        .iter()
        .any(|v| v.name == name));

    let bad = VolumeRequest {
        name: "my data".into(),
        ..Default::default()
    };
    assert_eq!(
        engine.volume_create(&bad).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );

    // Prune, kept to this test's label so that parallel tests' volumes stay.
    let unused = t.name("unused");
    engine
        .volume_create(&VolumeRequest {
            name: unused.clone(),
            labels,
            ..Default::default()
        })
        .await
        .unwrap();
    let pruned = engine.volumes_prune(Some(&t.label)).await.unwrap();
    assert_eq!(pruned.removed, [unused]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_is_created_with_its_subnet_a_container_joins_and_leaves_it_and_it_goes() {
    use berth_core::{ErrorCode, NetworkRequest};
    let engine = local_engine().await;
    let t = Labelled::new("network-crud");
    let home = t.network("home");
    let name = t.name("made");
    let request = NetworkRequest {
        name: name.clone(),
        subnet: "172.31.240.0/24".into(),
        labels: vec![t.label_pair()],
        ..Default::default()
    };
    let id = engine.network_create(&request).await.unwrap();
    let listed = engine.networks().await.unwrap();
    let made = listed.iter().find(|n| n.id == id).expect("listed");
    assert_eq!(
        (made.name.as_str(), made.driver.as_str()),
        (name.as_str(), "bridge")
    );
    assert_eq!(made.subnets, ["172.31.240.0/24"]);

    let container = t.run_sleeper(&t.name("joiner"), &["--network", &home]);
    engine.network_connect(&name, &container).await.unwrap();
    let joined = inspect(
        &container,
        "{{range $net, $_ := .NetworkSettings.Networks}}{{$net}} {{end}}",
    );
    assert!(joined.contains(&name) && joined.contains(&home), "{joined}");
    engine.network_disconnect(&name, &container).await.unwrap();
    let left = inspect(
        &container,
        "{{range $net, $_ := .NetworkSettings.Networks}}{{$net}} {{end}}",
    );
    assert_eq!(left.trim(), home);

    engine.network_remove(&id).await.unwrap();
    assert!(!engine.networks().await.unwrap().iter().any(|n| n.id == id));
    let bad = NetworkRequest {
        subnet: "10.0.0.0".into(),
        ..request
    };
    assert_eq!(
        engine.network_create(&bad).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );

    let unused = t.network("unused");
    docker(&["rm", "-f", &container]);
    let pruned = engine.networks_prune(Some(&t.label)).await.unwrap();
    let mut removed = pruned.removed.clone();
    removed.sort();
    let mut expected = vec![home, unused];
    expected.sort();
    assert_eq!(removed, expected);
}

fn inspect_volume(name: &str, format: &str) -> String {
    docker(&["volume", "inspect", "-f", format, name])
}
