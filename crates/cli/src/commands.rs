//! Each command: arguments in, berth-core calls, the result printed.

mod containers;
mod events;
mod exec;
mod hosts;
mod logs;
mod pull;
mod resources;
mod stats;
mod system;

use std::future::Future;
use std::process::ExitCode;

use berth_core::{HostId, Result};
use futures_util::future::join_all;

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

/// Bytes for people, as docker prints them (1000-based: kB, MB, GB).
pub fn bytes(n: f64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = n;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0}{}", UNITS[unit])
    } else {
        format!("{value:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
            + UNITS[unit]
    }
}

/// "3 minutes ago" for a unix second, as docker writes it.
pub fn ago(unix_seconds: i64) -> String {
    let seconds = (now_seconds() - unix_seconds).max(0);
    let (n, unit) = match seconds {
        0 => return "Less than a second ago".to_owned(),
        1..60 => (seconds, "second"),
        60..3600 => (seconds / 60, "minute"),
        3600..86_400 => (seconds / 3600, "hour"),
        86_400..604_800 => (seconds / 86_400, "day"),
        604_800..2_592_000 => (seconds / 604_800, "week"),
        2_592_000..31_536_000 => (seconds / 2_592_000, "month"),
        _ => (seconds / 31_536_000, "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_docker_prints_them() {
        assert_eq!(bytes(512.0), "512B");
        assert_eq!(bytes(4_300_000.0), "4.3MB");
        assert_eq!(bytes(1_000_000_000.0), "1GB");
    }
}
