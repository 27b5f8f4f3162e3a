//! Berth's reliability suite: faults injected into a private engine, the SSH test host and the
//! core's databases, with what was injected and what held printed as counts. Run it with
//! `scripts/reliability.sh` (`--short` for the version CI runs). Sections named on the command
//! line run alone (`berth-reliability outage crash`); none named, all run. Exits non-zero when
//! anything did not hold.

use std::sync::atomic::{AtomicUsize, Ordering};

mod crash;
mod flap;
mod gate;
mod malformed;
mod outage;
mod private;
mod soak;

/// How much of each fault to inject: the full suite, or the short one CI runs.
#[derive(Clone, Copy)]
pub struct Size {
    pub full: bool,
}

impl Size {
    pub fn pick(self, full: usize, short: usize) -> usize {
        if self.full {
            full
        } else {
            short
        }
    }
}

static FAILED: AtomicUsize = AtomicUsize::new(0);

/// Prints one figure with whether it held; a figure that did not hold fails the run.
pub fn report(held: bool, line: impl std::fmt::Display) {
    if !held {
        FAILED.fetch_add(1, Ordering::SeqCst);
    }
    println!("  [{}] {line}", if held { "held" } else { "FAIL" });
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("crash-child") {
        crash::child(std::path::Path::new(&args[1])).await;
        return;
    }
    if args.first().map(String::as_str) == Some("soak-child") {
        let seconds = args[1].parse().expect("seconds");
        soak::child(seconds, args[2..].to_vec()).await;
        return;
    }
    let size = Size {
        full: !args.iter().any(|a| a == "--short"),
    };
    let only: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let wanted = |section: &str| only.is_empty() || only.iter().any(|s| *s == section);
    println!(
        "Berth reliability suite ({})",
        if size.full { "full" } else { "short" }
    );
    if wanted("malformed") {
        malformed::run(size).await;
    }
    if wanted("crash") {
        crash::run(size).await;
    }
    if wanted("flap") {
        flap::run(size).await;
    }
    if wanted("soak") {
        soak::run(size).await;
    }
    if wanted("outage") {
        let engine = private::PrivateEngine::start();
        outage::run(size, &engine).await;
        engine.stop();
    }
    let failed = FAILED.load(Ordering::SeqCst);
    if failed > 0 {
        println!("\nreliability: {failed} figure(s) did not hold");
        std::process::exit(1);
    }
    println!("\nreliability: everything held");
}
