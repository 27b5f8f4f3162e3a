//! Logs against the real engine: tail then follow, stderr marked, regex filter, merged logs,
//! and the engine connection closing with the stream.

use std::time::Duration;

use berth_core::{Endpoint, Engine, ErrorCode, LogBatch, LogOptions};
use berth_testkit::{docker, EngineRelay, Labelled, PATIENCE};
use futures_util::StreamExt;

async fn engine_at(endpoint: &str) -> Engine {
    Engine::connect(&Endpoint::parse(endpoint).unwrap())
        .await
        .unwrap()
}

async fn local_engine() -> Engine {
    Engine::connect(&Endpoint::local().unwrap()).await.unwrap()
}

/// A container that writes `count` numbered lines, then one line to stderr (a moment later:
/// stdout and stderr are separate pipes, so the engine's order of close writes is not fixed),
/// then, after `then_after`, one more line, and then waits.
fn writer(t: &Labelled, count: u32, then_after: &str) -> String {
    let script = format!(
        "for i in $(seq 1 {count}); do echo \"line $i\"; done; sleep 0.3; echo oops >&2; \
         sleep {then_after}; echo later; trap 'exit 0' TERM; while true; do sleep 1; done"
    );
    let id = t.run(&t.name("logs"), &[], &["sh", "-c", &script]);
    // Wait until the first part is in the log, so tails are deterministic.
    let start = std::time::Instant::now();
    while !docker(&["logs", &id]).contains("line") || !stderr_has(&id, "oops") {
        assert!(start.elapsed() < PATIENCE, "the writer never wrote");
        std::thread::sleep(Duration::from_millis(50));
    }
    id
}

fn stderr_has(id: &str, text: &str) -> bool {
    let out = std::process::Command::new("docker")
        .args(["logs", id])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stderr).contains(text)
}

/// A log line, owned, as the tests compare them.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    source: u16,
    stderr: bool,
    time: String,
    text: String,
}

fn owned(batch: &LogBatch) -> Vec<Line> {
    batch
        .lines()
        .map(|l| Line {
            source: l.source,
            stderr: l.stderr,
            time: l.time.to_owned(),
            text: l.text.to_owned(),
        })
        .collect()
}

type Batches = futures_util::stream::BoxStream<'static, berth_core::Result<LogBatch>>;

/// Reads lines until `done` says so, or panics after [`PATIENCE`].
async fn read_until(stream: &mut Batches, mut done: impl FnMut(&[Line]) -> bool) -> Vec<Line> {
    let mut lines = Vec::new();
    tokio::time::timeout(PATIENCE, async {
        while !done(&lines) {
            let batch = stream
                .next()
                .await
                .expect("the log goes on")
                .expect("no error");
            lines.extend(owned(&batch));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("gave up; lines so far: {lines:?}"));
    lines
}

/// Every line of a log that ends.
async fn read_all(mut stream: Batches) -> Vec<Line> {
    let mut lines = Vec::new();
    while let Some(batch) = stream.next().await {
        lines.extend(owned(&batch.unwrap()));
    }
    lines
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tails_then_follows_with_stderr_marked() {
    let t = Labelled::new("logs-follow");
    let id = writer(&t, 5, "1");
    let engine = local_engine().await;
    let options = LogOptions {
        tail: Some(2),
        follow: true,
        timestamps: true,
        ..Default::default()
    };
    let mut stream = engine.logs(&[id], &options).unwrap();

    let lines = read_until(&mut stream, |lines| lines.iter().any(|l| l.text == "later")).await;
    let texts: Vec<(&str, bool)> = lines.iter().map(|l| (l.text.as_str(), l.stderr)).collect();
    assert_eq!(
        texts,
        vec![("line 5", false), ("oops", true), ("later", false)]
    );
    assert!(
        lines
            .iter()
            .all(|l| l.time.starts_with("20") && l.time.ends_with('Z')),
        "{lines:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_with_a_regex_in_the_core_and_ends_when_not_following() {
    let t = Labelled::new("logs-filter");
    let id = writer(&t, 30, "60");
    let engine = local_engine().await;
    let options = LogOptions {
        filter: Some(r"^line (2|1\d)$".into()),
        ..Default::default()
    };
    let lines = read_all(engine.logs(&[id], &options).unwrap()).await;
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let expected: Vec<String> = std::iter::once(2)
        .chain(10..=19)
        .map(|n| format!("line {n}"))
        .collect();
    assert_eq!(texts, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_back_with_tail_and_head_and_ends_after_the_page_even_when_following() {
    let t = Labelled::new("logs-page");
    // 100 lines and "oops"; "later" comes after a minute, long after the page has ended.
    let id = writer(&t, 100, "60");
    let engine = local_engine().await;
    let options = LogOptions {
        tail: Some(31),
        head: Some(10),
        follow: true,
        ..Default::default()
    };
    let lines = tokio::time::timeout(PATIENCE, read_all(engine.logs(&[id], &options).unwrap()))
        .await
        .expect("the page ends without waiting for new lines");
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    let expected: Vec<String> = (71..81).map(|n| format!("line {n}")).collect();
    assert_eq!(texts, expected, "the ten lines before the last 21");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merges_several_containers_marking_each_line_with_its_source() {
    let t = Labelled::new("logs-merged");
    let a = writer(&t, 3, "60");
    let b = writer(&t, 4, "60");
    let engine = local_engine().await;
    let lines = read_all(engine.logs(&[a, b], &LogOptions::default()).unwrap()).await;
    let from = |source: u16| lines.iter().filter(|l| l.source == source).count();
    assert_eq!(
        (from(0), from(1)),
        (4, 5),
        "3 and 4 lines plus one stderr line each"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_bad_requests_before_calling_the_engine() {
    let engine = local_engine().await;
    let bad = LogOptions {
        filter: Some("([".into()),
        ..Default::default()
    };
    let err = engine.logs(&["whatever".into()], &bad).err().unwrap();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(engine.logs(&[], &LogOptions::default()).is_err());
    assert!(engine
        .logs(&["../x".into()], &LogOptions::default())
        .is_err());

    let missing = engine
        .logs(&["berth-no-such-container".into()], &LogOptions::default())
        .unwrap()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_followed_log_closes_its_engine_connection() {
    let t = Labelled::new("logs-close");
    let id = writer(&t, 1, "60");
    let relay = EngineRelay::start();
    let engine = engine_at(&relay.address()).await;
    // Requests are not pooled: once connecting is done, nothing stays open.
    relay.settle_at(0).await;

    let options = LogOptions {
        follow: true,
        ..Default::default()
    };
    let mut stream = engine.logs(&[id], &options).unwrap();
    read_until(&mut stream, |lines| lines.iter().any(|l| l.text == "oops")).await;
    assert_eq!(
        relay.open_connections(),
        1,
        "the followed log holds one connection"
    );

    drop(stream);
    relay.settle_at(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saves_the_filtered_log_of_a_merged_view_to_a_file() {
    let t = Labelled::new("logs-save");
    let a = writer(&t, 3, "60");
    let b = writer(&t, 12, "60");
    let path = std::env::temp_dir().join(format!("{}.log", t.name("saved")));
    let options = LogOptions {
        filter: Some("^(line 1|oops)".into()),
        ..Default::default()
    };
    let names = ["a".to_owned(), "b".to_owned()];
    let written = local_engine()
        .await
        .save_logs(&[a, b], &names, &options, &path)
        .await
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    // a: line 1, oops; b: line 1, line 10, line 11, line 12, oops
    assert_eq!(written, 7, "{text}");
    assert_eq!(text.lines().count(), 7);
    assert!(text.lines().any(|l| l.ends_with(" [b] line 12")), "{text}");
    assert!(
        text.lines().any(|l| l.contains("! [a] oops")),
        "stderr marked: {text}"
    );
}
