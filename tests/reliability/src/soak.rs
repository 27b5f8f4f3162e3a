//! A soak: 50 streams open at once through the core (25 followed logs and 25 stats streams over
//! ten chatty containers) for ten minutes, five of them closed and opened again every 30 s. A
//! child process of its own does it, so that what it measures of itself (RSS, open file
//! descriptors, threads, live tokio tasks) is the streams' and nothing else's. After a warm-up
//! of a fifth of the time, every figure must stay within ±10 % of where it was then.
//!
//! The core, not the desktop app: the app's streams are these same core streams, forwarded by
//! the shell a batch at a time (the e2e suite checks the shell closes them with their view and
//! bounds what the page has not drawn).

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_core::{Endpoint, Engine, LogOptions};
use berth_testkit::Labelled;
use futures_util::StreamExt;
use tokio::task::JoinHandle;

use crate::{report, Size};

const CONTAINERS: usize = 10;
const LOGS: usize = 25;
const STATS: usize = 25;
const CHURN_EVERY: Duration = Duration::from_secs(30);
const CHURNED: usize = 5;
const SAMPLE_EVERY: Duration = Duration::from_secs(5);
/// How far a figure may move from where it was after the warm-up.
const FLAT: f64 = 0.10;

/// One measurement of the child by itself.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    seconds: u64,
    rss_kib: u64,
    fds: u64,
    threads: u64,
    tasks: u64,
    items: u64,
}

impl Sample {
    fn line(&self) -> String {
        format!(
            "sample {} {} {} {} {} {}",
            self.seconds, self.rss_kib, self.fds, self.threads, self.tasks, self.items
        )
    }

    fn parse(line: &str) -> Option<Self> {
        let n: Vec<u64> = line
            .strip_prefix("sample ")?
            .split(' ')
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        let [seconds, rss_kib, fds, threads, tasks, items] = n[..] else {
            return None;
        };
        Some(Self {
            seconds,
            rss_kib,
            fds,
            threads,
            tasks,
            items,
        })
    }
}

fn status_field(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn open_fds() -> u64 {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count() as u64)
}

/// Opens stream `n` (a log for the first LOGS, stats after) and counts what it yields.
fn open(engine: &Engine, ids: &[String], n: usize, items: &Arc<AtomicUsize>) -> JoinHandle<()> {
    let id = std::slice::from_ref(&ids[n % ids.len()]);
    let items = items.clone();
    if n < LOGS {
        let options = LogOptions {
            tail: Some(0),
            follow: true,
            ..LogOptions::default()
        };
        let stream = engine.logs(id, &options).expect("a log opens");
        tokio::spawn(async move {
            futures_util::pin_mut!(stream);
            while let Some(Ok(_)) = stream.next().await {
                items.fetch_add(1, SeqCst);
            }
        })
    } else {
        let stream = engine.stats(id).expect("stats open");
        tokio::spawn(async move {
            futures_util::pin_mut!(stream);
            while let Some(Ok(_)) = stream.next().await {
                items.fetch_add(1, SeqCst);
            }
        })
    }
}

/// The child: holds the streams for `seconds`, printing a sample every few seconds.
pub async fn child(seconds: u64, ids: Vec<String>) {
    let engine = Engine::connect(&Endpoint::local().expect("a local engine"))
        .await
        .expect("the local engine answers");
    let items = Arc::new(AtomicUsize::new(0));
    let mut streams: Vec<JoinHandle<()>> = (0..LOGS + STATS)
        .map(|n| open(&engine, &ids, n, &items))
        .collect();
    let start = Instant::now();
    let mut next_churn = CHURN_EVERY;
    let mut churn_from = 0;
    let mut out = std::io::stdout();
    while start.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(SAMPLE_EVERY).await;
        if start.elapsed() >= next_churn {
            next_churn += CHURN_EVERY;
            let count = streams.len();
            for n in (churn_from..churn_from + CHURNED).map(|n| n % count) {
                streams[n].abort();
                streams[n] = open(&engine, &ids, n, &items);
            }
            churn_from += CHURNED;
        }
        let dead = streams.iter().filter(|s| s.is_finished()).count();
        let sample = Sample {
            seconds: start.elapsed().as_secs(),
            rss_kib: status_field("VmRSS:"),
            fds: open_fds(),
            threads: status_field("Threads:"),
            tasks: tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks() as u64,
            items: items.load(SeqCst) as u64,
        };
        let _ = writeln!(out, "{}", sample.line());
        if dead > 0 {
            let _ = writeln!(out, "ended {dead}");
        }
        let _ = out.flush();
    }
}

/// How far each figure strayed from `base`, as the largest fraction either way.
fn strayed(samples: &[Sample], base: &Sample, figure: fn(&Sample) -> u64) -> f64 {
    let base = figure(base).max(1) as f64;
    samples
        .iter()
        .map(|s| (figure(s) as f64 - base).abs() / base)
        .fold(0.0, f64::max)
}

pub async fn run(size: Size) {
    let seconds = size.pick(600, 60) as u64;
    println!(
        "\n== soak: {} streams open for {seconds} s ({LOGS} logs, {STATS} stats, {CHURNED} reopened every {} s)",
        LOGS + STATS,
        CHURN_EVERY.as_secs()
    );
    let t = Labelled::new("rel-soak");
    let ids: Vec<String> = (0..CONTAINERS)
        .map(|n| {
            t.run(
                &t.name(&format!("chatty-{n}")),
                &[],
                &["sh", "-c", "while true; do echo tick; sleep 0.05; done"],
            )
        })
        .collect();
    let me = std::env::current_exe().expect("the suite's binary");
    let mut child = Command::new(&me)
        .arg("soak-child")
        .arg(seconds.to_string())
        .args(&ids)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the child starts");
    let stdout = child.stdout.take().expect("piped");
    let lines: Vec<String> = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect()
    })
    .await
    .unwrap_or_default();
    let _ = child.wait();
    drop(t);

    let samples: Vec<Sample> = lines.iter().filter_map(|l| Sample::parse(l)).collect();
    let ended: usize = lines
        .iter()
        .filter_map(|l| l.strip_prefix("ended ")?.parse::<usize>().ok())
        .sum();
    let warm_up = seconds / 5;
    let after: Vec<Sample> = samples
        .iter()
        .copied()
        .filter(|s| s.seconds >= warm_up)
        .collect();
    let (Some(base), Some(last)) = (after.first().copied(), after.last().copied()) else {
        report(
            false,
            format!("soak samples: {} (none after warm-up)", samples.len()),
        );
        return;
    };
    println!(
        "  after warm-up ({warm_up} s): RSS {} KiB, fds {}, threads {}, tasks {}",
        base.rss_kib, base.fds, base.threads, base.tasks
    );
    println!(
        "  at the end ({} s): RSS {} KiB, fds {}, threads {}, tasks {}; {} samples",
        last.seconds,
        last.rss_kib,
        last.fds,
        last.threads,
        last.tasks,
        samples.len()
    );
    let flowing = last.items > base.items;
    report(
        ended == 0 && flowing,
        format!(
            "streams that ended by themselves: {ended}; items received after warm-up: {}",
            last.items - base.items
        ),
    );
    for (name, figure) in [
        ("RSS", (|s: &Sample| s.rss_kib) as fn(&Sample) -> u64),
        ("open file descriptors", |s| s.fds),
        ("threads", |s| s.threads),
        ("tokio tasks", |s| s.tasks),
    ] {
        let strayed = strayed(&after, &base, figure);
        report(
            strayed <= FLAT,
            format!(
                "{name}: at most {:.1} % from the warm-up figure (bound {:.0} %)",
                strayed * 100.0,
                FLAT * 100.0
            ),
        );
    }
}
