//! The desktop app soaked: 50 streams open at once from its page (25 followed logs and 25 stats
//! streams over ten chatty containers, acknowledged as the UI does), five of them closed and
//! opened again every 30 s, for `BERTH_SOAK_SECONDS` (90 by default; the reliability suite asks
//! for 600). Every few seconds the test reads the app's resident memory (all its processes),
//! the shell's open file descriptors and tasks (threads, less WebKit's and GLib's own helpers),
//! and the streams the shell holds open.
//! After a warm-up of a fifth of the time, each must stay flat: its level at the end within
//! ±10 % of its level after the warm-up (`berth_testkit::trend`; levels are medians, so the
//! webview's heap, which saws between garbage collections, is judged by its level).

use std::time::{Duration, Instant};

use berth_e2e::App;
use berth_testkit::trend::Trend;
use berth_testkit::Labelled;

const CONTAINERS: usize = 10;
const LOGS: usize = 25;
const STATS: usize = 25;
const CHURN_EVERY: Duration = Duration::from_secs(30);
const CHURNED: usize = 5;
const SAMPLE_EVERY: Duration = Duration::from_secs(5);

/// Installed in the page: opens and closes streams through the app's IPC the way the UI's
/// backend module does (a channel per stream; what arrived is acknowledged every 100 ms, so
/// the shell's window never stalls them) and counts what arrives.
const SOAK_SCRIPT: &str = r#"
const I = window.__TAURI_INTERNALS__;
const soak = (window.__soak = { items: 0, failed: [], streams: new Map() });
setInterval(() => {
  for (const [stream, s] of soak.streams) {
    if (s.pending > 0) {
      const bytes = s.pending;
      s.pending = 0;
      I.invoke("stream_ack", { stream, bytes });
    }
  }
}, 100);
soak.open = async (slot, kind, id) => {
  const state = { pending: 0, slot, callback: 0 };
  state.callback = I.transformCallback((raw) => {
    if (!raw || "end" in raw) return;
    soak.items += 1;
    state.pending += raw.message.bytes;
  });
  const channel = `__CHANNEL__:${state.callback}`;
  try {
    const stream =
      kind === "logs"
        ? await I.invoke("logs_open", {
            host: "local",
            ids: [id],
            options: { tail: 0, since: null, until: null, follow: true, filter: null, timestamps: false },
            channel,
          })
        : await I.invoke("stats_open", { host: "local", ids: [id], channel });
    soak.streams.set(stream, state);
    return stream;
  } catch (e) {
    soak.failed.push(String(e && e.message ? e.message : JSON.stringify(e)));
    throw e;
  }
};
soak.close = async (stream) => {
  const state = soak.streams.get(stream);
  soak.streams.delete(stream);
  await I.invoke("stream_close", { stream });
  I.unregisterCallback(state.callback);
};
return null;
"#;

#[derive(Debug, Clone, Copy)]
struct Sample {
    seconds: u64,
    /// The shell's own resident memory (the core and its streams live here).
    shell_rss_kib: u64,
    /// The webview's processes together.
    webview_rss_kib: u64,
    fds: u64,
    tasks: u64,
    streams: u64,
    items: u64,
}

fn rss_kib(pid: u32) -> u64 {
    berth_testkit::procfs::kib_field(&format!("/proc/{pid}/status"), "VmRSS:") as u64
}

/// The shell's threads, less the helper threads WebKit and GLib start and end by themselves in
/// any process that holds a webview (JavaScriptCore's garbage-collector helpers, GLib's
/// thread pools): they come and go with the page's heap, not with Berth's streams, and would
/// make a count of two dozen jitter by two.
fn shell_tasks(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| {
            let name = name.trim();
            !(name == "HeapHelper"
                || name.ends_with("ollector Thread")
                || name.starts_with("pool-"))
        })
        .count() as u64
}

fn count_entries(path: &str) -> u64 {
    std::fs::read_dir(path).map_or(0, |d| d.count() as u64)
}

async fn open(app: &App, slot: usize, ids: &[String]) -> u64 {
    let kind = if slot < LOGS { "logs" } else { "stats" };
    let id = &ids[slot % ids.len()];
    let answer = app
        .client
        .execute(
            "return window.__soak.open(arguments[0], arguments[1], arguments[2]);",
            vec![slot.into(), kind.into(), id.as_str().into()],
        )
        .await
        .unwrap_or_else(|e| panic!("opening {kind} stream {slot}: {e}"));
    answer
        .as_u64()
        .unwrap_or_else(|| panic!("a stream id, not {answer}"))
}

async fn close(app: &App, stream: u64) {
    app.client
        .execute(
            "return window.__soak.close(arguments[0]);",
            vec![stream.into()],
        )
        .await
        .unwrap_or_else(|e| panic!("closing stream {stream}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_streams_held_open_keep_the_app_s_memory_files_and_tasks_flat() {
    let seconds: u64 = std::env::var("BERTH_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(90);
    let t = Labelled::new("e2e-soak");
    let ids = t.run_chatty(CONTAINERS);
    let app = App::launch().await;
    app.find(r#"[data-testid="host"][data-state="online"]"#)
        .await;
    app.client
        .execute(SOAK_SCRIPT, vec![])
        .await
        .expect("the soak script installs");
    let shell = *app.processes().first().expect("the app's own process");
    let mut streams = Vec::with_capacity(LOGS + STATS);
    for slot in 0..LOGS + STATS {
        streams.push(open(&app, slot, &ids).await);
    }

    let start = Instant::now();
    let mut samples: Vec<Sample> = Vec::new();
    let mut next_churn = CHURN_EVERY;
    let mut churn_from = 0;
    while start.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(SAMPLE_EVERY).await;
        if start.elapsed() >= next_churn {
            next_churn += CHURN_EVERY;
            for slot in (churn_from..churn_from + CHURNED).map(|n| n % (LOGS + STATS)) {
                close(&app, streams[slot]).await;
                streams[slot] = open(&app, slot, &ids).await;
            }
            churn_from += CHURNED;
        }
        let open_now = app.invoke("streams_open").await;
        let items = app
            .client
            .execute("return window.__soak.items;", vec![])
            .await
            .expect("the page answers");
        let sample = Sample {
            seconds: start.elapsed().as_secs(),
            shell_rss_kib: rss_kib(shell),
            webview_rss_kib: app.rss_kib() - rss_kib(shell),
            fds: count_entries(&format!("/proc/{shell}/fd")),
            tasks: shell_tasks(shell),
            streams: open_now.as_array().map_or(0, |a| a.len() as u64),
            items: items.as_u64().unwrap_or(0),
        };
        println!("soak: {sample:?}");
        samples.push(sample);
    }
    let failed = app
        .client
        .execute("return window.__soak.failed;", vec![])
        .await
        .expect("the page answers");
    for stream in streams {
        close(&app, stream).await;
    }
    app.close().await;
    drop(t);

    let warm_up = seconds / 5;
    let after: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|s| s.seconds >= warm_up)
        .collect();
    let (base, last) = (after[0], after[after.len() - 1]);
    println!(
        "soak: {} streams for {seconds} s, {CHURNED} reopened every {} s; {} samples",
        LOGS + STATS,
        CHURN_EVERY.as_secs(),
        samples.len()
    );
    println!(
        "soak: after warm-up ({warm_up} s): shell RSS {} KiB, webview RSS {} KiB, shell fds {}, shell tasks {}, streams open {}",
        base.shell_rss_kib,
        base.webview_rss_kib, base.fds, base.tasks, base.streams
    );
    println!(
        "soak: at the end ({} s): shell RSS {} KiB, webview RSS {} KiB, shell fds {}, shell tasks {}, streams open {}; messages received after warm-up: {}",
        last.seconds,
        last.shell_rss_kib,
        last.webview_rss_kib,
        last.fds,
        last.tasks,
        last.streams,
        last.items - base.items
    );
    assert_eq!(failed, serde_json::json!([]), "streams that failed to open");
    assert!(last.items > base.items, "messages kept arriving");
    // The page's own table holds one stats stream besides the soak's.
    assert!(
        after.iter().all(|s| s.streams >= (LOGS + STATS) as u64),
        "every soak stream stayed open: {after:?}"
    );
    let mut strays = Vec::new();
    for (name, unit, figure) in [
        (
            "shell RSS",
            " KiB",
            (|s: &Sample| s.shell_rss_kib) as fn(&Sample) -> u64,
        ),
        ("webview RSS", " KiB", |s| s.webview_rss_kib),
        ("shell fds", "", |s| s.fds),
        ("shell tasks", "", |s| s.tasks),
        ("streams open", "", |s| s.streams),
    ] {
        let values: Vec<u64> = after.iter().map(figure).collect();
        let trend = Trend::of(&values).expect("enough samples after the warm-up");
        let (held, line) = trend.judged(unit);
        println!("soak: {name}: {line}");
        if !held {
            strays.push(name);
        }
    }
    assert!(strays.is_empty(), "not flat: {strays:?} — {after:?}");
}
