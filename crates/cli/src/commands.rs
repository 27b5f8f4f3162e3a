//! Each command: arguments in, berth-core calls, the result printed.

mod containers;
mod events;
mod exec;
mod hosts;
mod logs;
mod pull;
mod resources;
mod stats;
mod swarm;
mod system;

use std::future::Future;
use std::process::ExitCode;

use berth_core::swarm::secrets::Kind;
use berth_core::{HostId, Result};
use futures_util::future::join_all;
use futures_util::stream::{BoxStream, StreamExt};

use crate::args::Command;
use crate::exit::{self, Outcome};
use crate::Context;

pub async fn run(context: &Context, command: Command) -> ExitCode {
    let ran = match command {
        Command::Ps(args) => containers::ps(context, &args).await,
        Command::Start(targets) => {
            containers::act(context, &targets, berth_core::ContainerAction::Start).await
        }
        Command::Stop(targets) => {
            containers::act(context, &targets, berth_core::ContainerAction::Stop).await
        }
        Command::Restart(targets) => {
            containers::act(context, &targets, berth_core::ContainerAction::Restart).await
        }
        Command::Kill(targets) => {
            containers::act(context, &targets, berth_core::ContainerAction::Kill).await
        }
        Command::Pause(targets) => {
            containers::act(context, &targets, berth_core::ContainerAction::Pause).await
        }
        Command::Unpause(targets) => {
            containers::act(context, &targets, berth_core::ContainerAction::Unpause).await
        }
        Command::Rm(args) => containers::remove(context, &args).await,
        Command::Logs(args) => logs::logs(context, &args).await,
        Command::Exec(args) => exec::exec(context, &args).await,
        Command::Stats(args) => stats::stats(context, &args).await,
        Command::Images(_) => resources::images(context).await,
        Command::Volumes(_) => resources::volumes(context).await,
        Command::Networks(_) => resources::networks(context).await,
        Command::Pull(args) => pull::pull(context, &args).await,
        Command::Events(args) => events::events(context, &args).await,
        Command::Prune(args) => system::prune(context, &args).await,
        Command::System(args) => system::system(context, &args).await,
        Command::Hosts(args) => hosts::hosts(context, args).await,
        Command::Node(args) => swarm::node(context, &args).await,
        Command::Service(args) => swarm::service(context, &args).await,
        Command::Stack(args) => swarm::stack(context, &args).await,
        Command::Secret(args) => swarm::values(context, Kind::Secret, &args).await,
        Command::Config(args) => swarm::values(context, Kind::Config, &args).await,
        Command::Completion(_) => unreachable!("answered before the profile opens"),
    };
    ran.unwrap_or_else(|err| exit::failed(&err))
}

/// Asks each chosen host concurrently with `work`. A host that fails is reported on stderr and
/// the others go on; the results come back in the hosts' order, with their names.
pub async fn on_each_host<T, F, Fut>(
    context: &Context,
    work: F,
) -> Result<(Vec<(HostId, String, T)>, Outcome)>
where
    F: Fn(HostId) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let hosts = context.berth.select_hosts(&context.choice)?;
    let results = join_all(hosts.iter().cloned().map(&work)).await;
    let mut outcome = Outcome::default();
    let mut answered = Vec::new();
    for (host, result) in hosts.into_iter().zip(results) {
        let name = host_name(context, &host);
        match result {
            Ok(value) => answered.push((host, name, value)),
            Err(err) => outcome.failed_on(&name, &err),
        }
    }
    Ok((answered, outcome))
}

/// A host's stream that ends after its first error (which it still yields, to be reported):
/// merged with other hosts' streams, one host failing ends only its own part.
pub fn until_failed<T: Send + 'static>(
    stream: BoxStream<'static, Result<T>>,
) -> BoxStream<'static, Result<T>> {
    let mut failed = false;
    stream
        .take_while(move |item| {
            let go_on = !failed;
            failed |= item.is_err();
            std::future::ready(go_on)
        })
        .boxed()
}

/// Whether more than one host is chosen, so rows say which host they are from.
pub fn several_hosts(context: &Context) -> bool {
    context.choice.all || context.choice.hosts.len() > 1
}

pub fn host_name(context: &Context, host: &HostId) -> String {
    context
        .berth
        .host_name(host)
        .unwrap_or_else(|| host.to_string())
}

/// Seconds since the epoch, for times given back from now.
pub fn now_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Whether questions can be asked: stdin and stderr (where prompts are drawn) are a terminal.
pub fn can_ask() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Bytes for people, as docker prints them (go-units' HumanSize: 1000-based, four
/// significant digits): `512B`, `4.3MB`, `25.28GB`.
pub fn bytes(n: f64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = n.max(0.0);
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{}{}", significant(value, 4), UNITS[unit])
}

/// `value` to `digits` significant digits without trailing zeros, as Go's `%.4g` writes
/// numbers under 10 000.
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let whole_digits = value.abs().log10().floor() as i32 + 1;
    let decimals = usize::try_from((digits - whole_digits).max(0)).unwrap_or(0);
    let text = format!("{value:.decimals$}");
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_owned(),
        false => text,
    }
}

/// How long ago a unix second was, as docker writes it (go-units' HumanDuration): "3 seconds
/// ago", "About a minute ago", "5 hours ago", "2 weeks ago".
pub fn ago(unix_seconds: i64) -> String {
    format!("{} ago", human_duration(now_seconds() - unix_seconds))
}

fn human_duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let minutes = seconds / 60;
    // Go rounds hours to the nearest (int(d.Hours() + 0.5)).
    let hours = (seconds + 1800) / 3600;
    match () {
        _ if seconds < 1 => "Less than a second".to_owned(),
        _ if seconds == 1 => "1 second".to_owned(),
        _ if seconds < 60 => format!("{seconds} seconds"),
        _ if minutes == 1 => "About a minute".to_owned(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".to_owned(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", seconds / 3600 / 24 / 365),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_docker_prints_them() {
        assert_eq!(bytes(512.0), "512B");
        assert_eq!(bytes(4_300_000.0), "4.3MB");
        assert_eq!(bytes(1_000_000_000.0), "1GB");
        assert_eq!(bytes(25_277_000_000.0), "25.28GB");
        assert_eq!(bytes(1_984_000.0), "1.984MB");
        assert_eq!(bytes(0.0), "0B");
    }

    #[test]
    fn ages_read_as_docker_writes_them() {
        let cases = [
            (0, "Less than a second"),
            (1, "1 second"),
            (59, "59 seconds"),
            (90, "About a minute"),
            (600, "10 minutes"),
            (3600, "About an hour"),
            (30 * 3600, "30 hours"),
            (3 * 86_400, "3 days"),
            (20 * 86_400, "2 weeks"),
            (90 * 86_400, "3 months"),
            (800 * 86_400, "2 years"),
        ];
        for (seconds, written) in cases {
            assert_eq!(human_duration(seconds), written, "{seconds}");
        }
    }
}
