//! A soak of the core: 50 streams open at once (25 followed logs and 25 stats streams over ten
//! chatty containers) for ten minutes (`BERTH_SOAK_SECONDS` sets another length), five of them
//! closed and opened again every 30 s. A child process of its own holds them, so that what it
//! measures of itself (RSS, open file descriptors, threads, live tokio tasks) is the streams'
//! and nothing else's. After a warm-up of a fifth of the time, every figure must stay flat: its
//! level at the end within ±10 % of its level after the warm-up (`berth_testkit::trend`).
//!
//! The desktop app is soaked the same way by the e2e test `fifty_streams_held_open_…`
//! (tests/e2e/tests/soak.rs), which the suite's `soak` section runs as well; this one adds
//! what only the process itself can count, its tokio tasks.

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_core::{Endpoint, Engine, LogOptions};
use berth_testkit::trend::Trend;
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

pub async fn run(size: Size) {
    let seconds = std::env::var("BERTH_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(size.pick(600, 60) as u64);
    println!(
        "\n== soak: {} streams open for {seconds} s ({LOGS} logs, {STATS} stats, {CHURNED} reopened every {} s)",
        LOGS + STATS,
        CHURN_EVERY.as_secs()
    );
    let t = Labelled::new("rel-soak");
    let ids = t.run_chatty(CONTAINERS);
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
        "  {} samples, {} after the warm-up of {warm_up} s",
        samples.len(),
        after.len()
    );
    let flowing = last.items > base.items;
    report(
        ended == 0 && flowing,
        format!(
            "streams that ended by themselves: {ended}; items received after warm-up: {}",
            last.items - base.items
        ),
    );
    for (name, unit, figure) in [
        (
            "RSS",
            " KiB",
            (|s: &Sample| s.rss_kib) as fn(&Sample) -> u64,
        ),
        ("open file descriptors", "", |s| s.fds),
        ("threads", "", |s| s.threads),
        ("tokio tasks", "", |s| s.tasks),
    ] {
        let values: Vec<u64> = after.iter().map(figure).collect();
        match Trend::of(&values) {
            Some(trend) => {
                let (held, line) = trend.judged(unit);
                report(held, format!("{name}: {line}"));
            }
            None => report(false, format!("{name}: too few samples ({})", values.len())),
        }
    }
}
