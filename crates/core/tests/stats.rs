//! Stats of real containers, and the stream's engine connections closing with it.

use berth_core::{Endpoint, Engine, ErrorCode, StatsSample};
use berth_testkit::{EngineRelay, Labelled, PATIENCE};
use futures_util::StreamExt;
use std::collections::HashMap;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn samples_cpu_memory_and_pids_of_running_containers() {
    let t = Labelled::new("stats");
    let busy = t.run(
        &t.name("busy"),
        &["-m", "64m"],
        &["sh", "-c", "while true; do :; done"],
    );
    let idle = t.run_sleeper(&t.name("idle"), &[]);
    let engine = Engine::connect(&Endpoint::local().unwrap()).await.unwrap();
    let mut stream = engine.stats(&[busy.clone(), idle.clone()]).unwrap();

    // Three samples each: the first has no rates, later ones settle.
    let mut seen: HashMap<String, Vec<StatsSample>> = HashMap::new();
    tokio::time::timeout(PATIENCE, async {
        while seen.get(&busy).map_or(0, Vec::len) < 3 || seen.get(&idle).map_or(0, Vec::len) < 3 {
            for sample in stream.next().await.expect("stats go on").unwrap() {
                seen.entry(sample.id.clone()).or_default().push(sample);
            }
        }
    })
    .await
    .expect("both containers sampled");

    let last = |id: &str| seen[id].last().unwrap().clone();
    let (b, i) = (last(&busy), last(&idle));
    assert!(b.cpu_percent > 30.0, "a busy loop uses a core: {b:?}");
    assert!(i.cpu_percent < b.cpu_percent / 2.0, "idle uses less: {i:?}");
    assert_eq!(b.memory_limit_bytes, 64 << 20);
    assert!(b.memory_bytes > 0 && b.memory_bytes < 64 << 20);
    assert!(b.pids >= 1);
    let times: Vec<i64> = seen[&busy].iter().map(|s| s.time_ms).collect();
    assert!(
        times.windows(2).all(|w| w[1] > w[0]),
        "samples move forward: {times:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_stats_stream_closes_its_engine_connections() {
    let t = Labelled::new("stats-close");
    let a = t.run_sleeper(&t.name("a"), &[]);
    let b = t.run_sleeper(&t.name("b"), &[]);
    let relay = EngineRelay::start();
    let engine = Engine::connect(&Endpoint::parse(&relay.address()).unwrap())
        .await
        .unwrap();
    relay.settle_at(0).await;

    let mut stream = engine.stats(&[a, b]).unwrap();
    stream.next().await.unwrap().unwrap();
    relay.settle_at(2).await;
    drop(stream);
    relay.settle_at(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_bad_requests() {
    let engine = Engine::connect(&Endpoint::local().unwrap()).await.unwrap();
    assert_eq!(
        engine.stats(&[]).err().unwrap().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        engine.stats(&["a/b".into()]).err().unwrap().code(),
        ErrorCode::InvalidInput
    );
}
