//! Images, volumes and networks against the real engine, and how containers refer to them.

use berth_core::{Endpoint, Engine};
use berth_testkit::{inspect, Labelled, TEST_IMAGE};

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
