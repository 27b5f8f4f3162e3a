//! The window with 300 containers on one engine: the work of a search keystroke, and the
//! frames drawn while 100 of them start at once (their events and lookups arriving, rows
//! changing), read in the page: the time between animation frames, where a frame longer than
//! 50 ms is a long task the user feels.

use std::time::{Duration, Instant};

use berth_core::{ContainerAction, Engine};
use berth_e2e::App;
use berth_testkit::Labelled;

use crate::report::{Row, Target};

const CONTAINERS: usize = 300;
const STARTED: usize = 100;

pub async fn measure(app: &App, engine: &Engine) {
    let (running_before, total_before) = counts(app).await;
    let t = Labelled::new("bench-many");
    // Fixed-width names of this run's own, so that searches narrow predictably.
    let tag = format!("bm{:x}", std::process::id());
    let names: Vec<String> = (1..=CONTAINERS).map(|n| format!("{tag}-{n:04}")).collect();
    t.create_many(&names, &["sleep", "3600"]);
    counts_become(app, |(_, total)| total == total_before + CONTAINERS).await;

    // Typed one key at a time, as a user narrows the list down to ten rows, then cleared.
    let typed = format!("{tag}-01");
    let mut queries: Vec<String> = (1..=typed.len()).map(|n| typed[..n].to_owned()).collect();
    queries.push(String::new());
    let keystrokes = search_work_ms(app, &queries).await;
    let (longest_key, median_key) = (
        keystrokes.iter().copied().fold(0.0, f64::max),
        crate::median(keystrokes.clone()),
    );
    Row::new("Window", "search keystroke, 300 containers, slowest", longest_key, "ms")
        .target(Target::Below(16.0))
        .note(format!(
            "{} keystrokes, median {median_key:.1} ms: the input handled, the list filtered and laid out",
            keystrokes.len()
        ))
        .record();

    app.client
        .execute(
            "window.__berthFrames = []; window.__berthRecording = true;\
             let last = performance.now();\
             const tick = (now) => { window.__berthFrames.push(now - last); last = now;\
               if (window.__berthRecording) requestAnimationFrame(tick); };\
             requestAnimationFrame(tick);",
            vec![],
        )
        .await
        .expect("the page answers");
    let started = Instant::now();
    let starts = names[..STARTED]
        .iter()
        .map(|id| engine.container_action(id, ContainerAction::Start));
    for result in futures_util::future::join_all(starts).await {
        result.expect("a container starts");
    }
    counts_become(app, |(running, _)| running == running_before + STARTED).await;
    let changed_in = started.elapsed();
    // A second more, for the last lookups and usage samples to land.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let frames = app
        .client
        .execute(
            "window.__berthRecording = false; return window.__berthFrames;",
            vec![],
        )
        .await
        .expect("the page answers");
    let mut frames: Vec<f64> = frames
        .as_array()
        .expect("frame times")
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    frames.sort_by(f64::total_cmp);
    let long = frames.iter().filter(|ms| **ms > 50.0).count();
    let p95 = frames[(frames.len() * 95 / 100).min(frames.len() - 1)];
    Row::new("Window", "longest frame while 100 of 300 start at once", *frames.last().unwrap(), "ms")
        .target(Target::Below(50.0))
        .note(format!(
            "{} frames over {:.1} s until the list showed them all running: p95 {p95:.1} ms, {long} over 50 ms",
            frames.len(),
            changed_in.as_secs_f64() + 1.0
        ))
        .record();
}

/// The time each search keystroke takes the page: from the input event to the list filtered
/// and laid out (its DOM updated, then layout forced), in ms.
async fn search_work_ms(app: &App, queries: &[String]) -> Vec<f64> {
    // The page's own update runs in a microtask queued by the input handler, before the one
    // awaited here; then layout is forced. Between keys, a frame is drawn.
    let times = app
        .client
        .execute(
            "const [queries] = arguments;\
             return (async () => {\
               const input = document.querySelector('input[aria-label=\"Search containers\"]');\
               const times = [];\
               for (const query of queries) {\
                 const start = performance.now();\
                 input.value = query;\
                 input.dispatchEvent(new Event('input', { bubbles: true }));\
                 await Promise.resolve();\
                 void document.body.offsetHeight;\
                 times.push(performance.now() - start);\
                 await new Promise((next) => requestAnimationFrame(() => setTimeout(next)));\
               }\
               return times;\
             })();",
            vec![serde_json::json!(queries)],
        )
        .await
        .expect("the page answers");
    times
        .as_array()
        .expect("keystroke times")
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect()
}

/// The list's counts: containers running, and in all.
async fn counts(app: &App) -> (usize, usize) {
    let text = app.text(r#"[data-testid="container-count"]"#).await;
    let numbers: Vec<usize> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers[..] {
        [running, total] => (running, total),
        _ => panic!("the list's count reads {text:?}"),
    }
}

async fn counts_become(app: &App, wanted: impl Fn((usize, usize)) -> bool) {
    let deadline = Instant::now() + berth_e2e::PATIENCE * 2;
    loop {
        let now = counts(app).await;
        if wanted(now) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the list's counts stayed at {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
