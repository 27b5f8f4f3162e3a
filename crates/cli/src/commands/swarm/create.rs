//! `service create`'s flags as berth-core's request; the core checks each field, and a
//! refusal is printed beside the flag it came from.

use berth_core::swarm::services::{FailureAction, ServiceRequest, UpdatePolicy};
use berth_core::{Error, Result};

use super::labels;
use crate::args::{FailureActionArg, ModeArg, OrderArg, ServiceCreateArgs, UpdatePolicyArgs};

pub fn request(args: &ServiceCreateArgs) -> Result<ServiceRequest> {
    let replicas =
        match args.mode {
            ModeArg::Replicated => Some(args.replicas.unwrap_or(1)),
            ModeArg::Global if args.replicas.is_some() => return Err(Error::InvalidInput(
                "a global service runs a task on every node: --replicas is for a replicated one"
                    .to_owned(),
            )
            .in_field("replicas")),
            ModeArg::Global => None,
        };
    Ok(ServiceRequest {
        name: args
            .name
            .clone()
            .unwrap_or_else(|| name_from_image(&args.image)),
        image: args.image.clone(),
        replicas,
        ports: args.ports.clone(),
        env: args.env.clone(),
        labels: labels(&args.labels, "label")?,
        command: args.command.clone(),
        update: update_policy(&args.update)?,
        secrets: args.secrets.clone(),
        configs: args.configs.clone(),
        ..Default::default()
    })
}

/// The policy the `--update-*` flags give, docker's defaults for those left out; `None`
/// (the engine's own defaults) when none is given.
fn update_policy(args: &UpdatePolicyArgs) -> Result<Option<UpdatePolicy>> {
    let given = args.update_parallelism.is_some()
        || args.update_delay.is_some()
        || args.update_monitor.is_some()
        || args.update_failure_action.is_some()
        || args.update_order.is_some();
    if !given {
        return Ok(None);
    }
    let ms = |text: &Option<String>, field, default| match text {
        Some(text) => duration_ms(text, field),
        None => Ok(default),
    };
    Ok(Some(UpdatePolicy {
        parallelism: args.update_parallelism.unwrap_or(1),
        delay_ms: ms(&args.update_delay, "delayMs", 0)?,
        monitor_ms: ms(&args.update_monitor, "monitorMs", 5000)?,
        failure_action: match args.update_failure_action {
            None | Some(FailureActionArg::Pause) => FailureAction::Pause,
            Some(FailureActionArg::Continue) => FailureAction::Continue,
            Some(FailureActionArg::Rollback) => FailureAction::Rollback,
        },
        start_first: args.update_order == Some(OrderArg::StartFirst),
    }))
}

/// A duration as docker's flags take it (Go's): `500ms`, `10s`, `1m30s`, `2h`; a bare number is
/// seconds.
fn duration_ms(text: &str, field: &str) -> Result<u64> {
    let refused = || {
        Error::InvalidInput(format!(
            "{text:?} is not a duration: write 500ms, 10s, 1m30s or 2h"
        ))
        .in_field(field)
    };
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return seconds.checked_mul(1000).ok_or_else(refused);
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(refused)?;
        let number: u64 = rest[..digits].parse().map_err(|_| refused())?;
        rest = &rest[digits..];
        let unit_length = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_length] {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => return Err(refused()),
        };
        rest = &rest[unit_length..];
        total = number
            .checked_mul(unit)
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(refused)?;
    }
    match text.is_empty() {
        true => Err(refused()),
        false => Ok(total),
    }
}

/// A name for a service created without one (the engine would pick one at random, which the
/// core does not let through): the image's, with a suffix of the clock's so that two differ.
fn name_from_image(image: &str) -> String {
    // The last part of the path, without digest or tag (a registry's port is before a `/`).
    let path = image.split('@').next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    let base = last.split(':').next().unwrap_or_default();
    let base: String = base
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c,
            false => '-',
        })
        .collect();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    format!("{}-{:06x}", base.trim_matches('-'), nanos & 0xff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_go_writes_them() {
        let ms = |text| duration_ms(text, "delayMs");
        assert_eq!(ms("500ms").unwrap(), 500);
        assert_eq!(ms("10s").unwrap(), 10_000);
        assert_eq!(ms("1m30s").unwrap(), 90_000);
        assert_eq!(ms("2h").unwrap(), 7_200_000);
        assert_eq!(ms("7").unwrap(), 7000);
        for bad in ["", "s", "1.5s", "10x", "m10"] {
            assert_eq!(ms(bad).unwrap_err().field(), Some("delayMs"), "{bad}");
        }
    }

    #[test]
    fn a_name_is_made_from_the_image_when_none_is_given() {
        let name = name_from_image("127.0.0.1:5000/berth-test/busybox:latest");
        assert!(name.starts_with("busybox-"), "{name}");
        assert_eq!(name.len(), "busybox-".len() + 6);
    }

    #[test]
    fn the_update_flags_fill_in_dockers_defaults() {
        let none = UpdatePolicyArgs {
            update_parallelism: None,
            update_delay: None,
            update_monitor: None,
            update_failure_action: None,
            update_order: None,
        };
        assert_eq!(update_policy(&none).unwrap(), None);
        let some = UpdatePolicyArgs {
            update_delay: Some("1s".to_owned()),
            update_order: Some(OrderArg::StartFirst),
            ..none
        };
        assert_eq!(
            update_policy(&some).unwrap(),
            Some(UpdatePolicy {
                parallelism: 1,
                delay_ms: 1000,
                monitor_ms: 5000,
                failure_action: FailureAction::Pause,
                start_first: true,
            })
        );
    }
}
