//! Pulling from the local registry of tests/env/registry.sh into the real engine.

use std::collections::HashSet;

use berth_core::{Endpoint, Engine, ErrorCode, PullProgress};
use berth_testkit::{Pulled, REGISTRY_IMAGE};
use futures_util::StreamExt;

async fn local_engine() -> Engine {
    Engine::connect(&Endpoint::local().unwrap())
        .await
        .expect("the test engine answers")
}

/// Pulls the layered test image to the end, with every progress report on the way.
async fn pull_all(engine: &Engine) -> Vec<PullProgress> {
    let batches: Vec<_> = engine.pull(REGISTRY_IMAGE).unwrap().collect().await;
    batches
        .into_iter()
        .flat_map(|batch| batch.expect("no error mid-pull"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_reports_layer_progress_stops_when_cancelled_and_brings_the_image() {
    let engine = local_engine().await;
    let image = Pulled::on(None, REGISTRY_IMAGE);

    // Dropped at its first download progress, the pull stops and the image never arrives.
    let mut pull = engine.pull(REGISTRY_IMAGE).unwrap();
    loop {
        let batch = pull.next().await.expect("progress before the end").unwrap();
        if batch.iter().any(|p| p.status == "Downloading") {
            break;
        }
    }
    drop(pull);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(!image.is_in(), "a cancelled pull leaves no image");

    let reports = pull_all(&engine).await;
    let layers: HashSet<_> = reports.iter().filter_map(|p| p.layer.as_deref()).collect();
    assert!(layers.len() >= 2, "two layers: {reports:?}");
    let downloading: Vec<_> = reports
        .iter()
        .filter(|p| p.status == "Downloading")
        .collect();
    assert!(
        downloading.iter().any(|p| p
            .total
            .is_some_and(|total| total > 1 << 20 && p.current <= Some(total))),
        "the big layer's download shows bytes done of its total: {downloading:?}"
    );
    assert!(
        reports
            .iter()
            .any(|p| p.status.contains("Downloaded newer image")),
        "{reports:?}"
    );
    assert!(image.is_in());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_image_is_not_found_and_a_malformed_one_never_reaches_the_engine() {
    let engine = local_engine().await;
    let missing = "127.0.0.1:5000/berth-test/missing:latest";
    let first = engine
        .pull(missing)
        .unwrap()
        .next()
        .await
        .expect("an answer");
    let err = first.expect_err("there is no such image");
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    assert!(err.to_string().contains(missing), "{err}");

    let err = engine
        .pull("Berth Test/Image")
        .err()
        .expect("refused before any request");
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
}
