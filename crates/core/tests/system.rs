//! The engine as a whole against the real engine: disk usage and pruning everything at once.

use berth_core::{Endpoint, Engine, VolumeRequest};
use berth_testkit::{docker, Labelled};

async fn local_engine() -> Engine {
    Engine::connect(&Endpoint::local().unwrap())
        .await
        .expect("the test engine answers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disk_usage_counts_writable_layers_and_what_a_prune_would_free() {
    let engine = local_engine().await;
    let t = Labelled::new("disk-usage");
    let writer = t.run(
        &t.name("writer"),
        &[],
        &["sh", "-c", "head -c 2097152 /dev/zero > /blob"],
    );
    docker(&["wait", &writer]);
    t.run_sleeper(&t.name("runner"), &[]);

    let usage = engine.disk_usage().await.unwrap();
    assert!(
        usage.containers.count >= 2 && usage.containers.active >= 1,
        "{usage:?}"
    );
    assert!(
        usage.containers.reclaimable_bytes >= 2 << 20,
        "the stopped writer's 2 MiB layer can be freed: {usage:?}"
    );
    assert!(
        usage.images.count >= 1 && usage.images.active >= 1,
        "{usage:?}"
    );
    assert!(usage.images.size_bytes > 0);
    let info = engine.info().await.unwrap();
    assert!(
        !info.storage_driver.is_empty() && info.root_dir.starts_with('/'),
        "{info:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_prune_removes_stopped_containers_unused_networks_and_volumes() {
    let engine = local_engine().await;
    let t = Labelled::new("system-prune");
    let stopped = t.run(&t.name("stopped"), &[], &["true"]);
    docker(&["wait", &stopped]);
    let running = t.run_sleeper(&t.name("running"), &[]);
    let network = t.network("unused");
    let volume = t.name("unused");
    engine
        .volume_create(&VolumeRequest {
            name: volume.clone(),
            labels: vec![t.label_pair()],
            ..Default::default()
        })
        .await
        .unwrap();

    // Kept to this test's label, so that parallel tests' objects stay.
    let kept = engine.system_prune(false, Some(&t.label)).await.unwrap();
    assert_eq!(kept.containers.removed, [stopped]);
    assert_eq!(kept.networks.removed, [network]);
    assert!(kept.volumes.removed.is_empty(), "volumes only when asked");
    let all = engine.system_prune(true, Some(&t.label)).await.unwrap();
    assert_eq!(all.volumes.removed, [volume]);
    assert!(all.containers.removed.is_empty());
    assert_eq!(
        docker(&["inspect", "-f", "{{.State.Running}}", &running]),
        "true",
        "a running container stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volume_size_is_read_from_the_engine_whatever_its_api_version() {
    let engine = local_engine().await;
    let t = Labelled::new("volume-size");
    let volume = t.volume("filled");
    let writer = t.run(
        &t.name("filler"),
        &["-v", &format!("{volume}:/data")],
        &["sh", "-c", "head -c 3145728 /dev/zero > /data/blob"],
    );
    docker(&["wait", &writer]);
    let sizes = engine.volume_sizes().await.unwrap();
    let size = sizes.get(&volume).copied().expect("the volume is measured");
    assert!(
        (3 << 20..4 << 20).contains(&size),
        "3 MiB written, {size} bytes measured"
    );
}
