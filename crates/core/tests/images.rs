//! Images against the real engine: pulls from the local registry of tests/env/registry.sh,
//! tags, details, history, removal and pruning.

use std::collections::HashSet;

use berth_core::{Endpoint, Engine, ErrorCode, PullProgress};
use berth_testkit::{docker, Labelled, Pulled, REGISTRY_IMAGE, TEST_IMAGE};
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
    // The engine's clock, for reading back its events: it reports a pull that ends by
    // emitting an image `pull` event.
    let since = docker(&["info", "--format", "{{.SystemTime}}"]);

    // Dropped at its first download progress, the pull stops and the image never arrives.
    let mut pull = engine.pull(REGISTRY_IMAGE).unwrap();
    loop {
        let batch = pull.next().await.expect("progress before the end").unwrap();
        if batch.iter().any(|p| p.status == "Downloading") {
            break;
        }
    }
    drop(pull);

    // A pull to the end after it. Had the cancelled one gone on, this one would find the image
    // there ("up to date") or join its download, and the engine would report two pulls.
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
    // The engine's own account, up to now: the second pull ended (the positive signal), and it
    // is the only pull that did.
    let until = docker(&["info", "--format", "{{.SystemTime}}"]);
    let pulls = docker(&[
        "events",
        "--since",
        &since,
        "--until",
        &until,
        "--filter",
        "type=image",
        "--filter",
        "event=pull",
        "--format",
        "{{.Actor.ID}}",
    ]);
    let pulls: Vec<_> = pulls.lines().filter(|id| *id == REGISTRY_IMAGE).collect();
    assert_eq!(
        pulls,
        [REGISTRY_IMAGE],
        "one pull ended: the cancelled one never did"
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_is_tagged_inspected_read_layer_by_layer_and_untagged() {
    let engine = local_engine().await;
    let t = Labelled::new("image-tag");
    let tag = format!("berth-test/tagged:{}", t.name("v"));

    engine.image_tag(TEST_IMAGE, &tag).await.unwrap();
    let details = engine.image_inspect(&tag).await.unwrap();
    assert!(details.tags.contains(&tag), "{details:?}");
    assert_eq!(details.cmd, ["sh"]);
    assert!(details.layers >= 1 && details.size_bytes > 0, "{details:?}");
    let history = engine.image_history(&tag).await.unwrap();
    assert!(!history.is_empty());
    assert!(
        history.iter().any(|step| step.size_bytes > 0),
        "{history:?}"
    );

    engine.image_remove(&tag, false).await.unwrap();
    assert!(
        !engine
            .images()
            .await
            .unwrap()
            .iter()
            .any(|i| i.tags.contains(&tag)),
        "the tag is gone"
    );
    engine
        .image_inspect(TEST_IMAGE)
        .await
        .expect("the image itself stays");

    let bad = engine.image_tag(TEST_IMAGE, "Not A Tag").await.unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidInput, "{bad}");
    let missing = engine
        .image_remove("berth-test/none:missing", false)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotFound, "{missing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pruning_dangling_images_removes_an_untagged_one_and_says_what_it_freed() {
    let engine = local_engine().await;
    // Committed without a name: a dangling image, carrying its container's label. A second one
    // stands for a dangling image this test did not make: the prune is kept to the test's own
    // label, so it must stay (and a user's dangling images are never touched).
    let dangling_image = |t: &Labelled| {
        let id = t.run(
            &t.name("writer"),
            &[],
            // Random bytes: two such images share no layer, so removing one frees its own.
            &["sh", "-c", "head -c 1048576 /dev/urandom > /blob"],
        );
        docker(&["wait", &id]);
        docker(&["commit", &id])
    };
    let t = Labelled::new("image-prune");
    let other = Labelled::new("image-prune-other");
    let dangling = dangling_image(&t);
    let not_ours = dangling_image(&other);

    let pruned = engine.images_prune(false, Some(&t.label)).await.unwrap();
    assert!(
        pruned.removed.contains(&dangling),
        "{dangling} in {pruned:?}"
    );
    assert!(pruned.reclaimed_bytes >= 1 << 20, "{pruned:?}");
    assert!(
        !pruned.removed.contains(&not_ours),
        "another label's image stays: {pruned:?}"
    );
    engine
        .image_inspect(&not_ours)
        .await
        .expect("another label's dangling image stays");
    engine
        .image_inspect(TEST_IMAGE)
        .await
        .expect("tagged images stay");
}
