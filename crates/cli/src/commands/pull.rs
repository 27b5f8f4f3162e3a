//! `pull`: an image onto each chosen host, a progress bar per layer on a terminal (plain lines
//! as layers finish elsewhere), logged as the window logs a pull.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;

use berth_core::{HostId, PullProgress, Result};
use futures_util::future::join_all;
use futures_util::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::args::PullArgs;
use crate::commands::containers::short_id;
use crate::commands::{host_name, several_hosts};
use crate::exit::Outcome;
use crate::output::printable;
use crate::Context;

pub async fn pull(context: &Context, args: &PullArgs) -> Result<ExitCode> {
    let hosts = context.berth.select_hosts(&context.choice)?;
    // Checked (and every host's pull started) before any progress is drawn.
    let mut pulls = Vec::new();
    for host in &hosts {
        pulls.push((
            host.clone(),
            context.berth.image_pull(host, &args.image).await,
        ));
    }
    let bars = MultiProgress::new();
    let labelled = several_hosts(context);
    let shown = pulls.into_iter().map(|(host, pull)| {
        let bars = bars.clone();
        let prefix = labelled.then(|| host_name(context, &host));
        async move {
            let pull = pull?;
            pull.show(|progress| show(progress, bars, prefix)).await?;
            Ok::<HostId, berth_core::Error>(host)
        }
    });
    let mut outcome = Outcome::default();
    let mut done = String::new();
    for (host, result) in hosts.iter().zip(join_all(shown).await) {
        match result {
            Ok(_) => done.push_str(&format!(
                "{} pulled on {}\n",
                args.image,
                host_name(context, host)
            )),
            Err(err) => outcome.failed_on(&host_name(context, host), &err),
        }
    }
    crate::output::write_stdout(done.as_bytes())?;
    Ok(outcome.exit_code())
}

/// Draws one host's progress until the pull ends.
async fn show(
    mut progress: futures_util::stream::BoxStream<'static, Result<Vec<PullProgress>>>,
    bars: MultiProgress,
    prefix: Option<String>,
) -> Result<()> {
    let drawn = std::io::stderr().is_terminal();
    let style =
        ProgressStyle::with_template("{prefix}{msg:<24} {bar:30} {bytes:>10}/{total_bytes:<10}")
            .expect("a valid template")
            .progress_chars("=> ");
    let done_style = ProgressStyle::with_template("{prefix}{msg}").expect("a valid template");
    let prefix = prefix.map(|p| format!("{p}: ")).unwrap_or_default();
    let mut layers: HashMap<String, ProgressBar> = HashMap::new();
    while let Some(batch) = progress.next().await {
        for report in batch? {
            let Some(layer) = report.layer else {
                let _ = bars.println(format!("{prefix}{}", printable(&report.status)));
                continue;
            };
            let bar = layers.entry(layer.clone()).or_insert_with(|| {
                let bar = bars.add(ProgressBar::new(0).with_style(style.clone()));
                bar.set_prefix(format!("{prefix}{}: ", printable(&short_id(&layer))));
                bar
            });
            if let (Some(current), Some(total)) = (report.current, report.total) {
                bar.set_length(total);
                bar.set_position(current);
            }
            let finished = matches!(report.status.as_str(), "Pull complete" | "Already exists");
            bar.set_message(printable(&report.status));
            if finished {
                if bar.length().unwrap_or(0) == 0 {
                    // Nothing was downloaded ("Already exists"): the status alone, no empty bar.
                    bar.set_style(done_style.clone());
                }
                bar.finish();
                if !drawn {
                    eprintln!(
                        "{prefix}{}: {}",
                        printable(&layer),
                        printable(&report.status)
                    );
                }
            }
        }
    }
    Ok(())
}
