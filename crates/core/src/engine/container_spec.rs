//! What a new container is made of, as the create form fills it in — in Docker's own syntax
//! for ports (`-p`) and mounts (`-v`) — and every field checked before the engine is called,
//! with a message naming the field.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, HostConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::engine::image_ref::ImageRef;
use crate::engine::object_refs::is_object_name;
use crate::engine::volumes::validate_labels;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ContainerRequest {
    pub image: String,
    /// Empty: the engine picks one.
    pub name: String,
    /// Words as a shell splits them; empty: the image's command.
    pub command: String,
    /// Empty: the image's entrypoint.
    pub entrypoint: String,
    /// `NAME=value` each.
    pub env: Vec<String>,
    /// `[ip:][host-port:]container-port[/tcp|udp|sctp]` each, as `docker run -p` takes them.
    pub ports: Vec<String>,
    /// `/container/path` (an anonymous volume) or `volume-or-/host/path:/container/path[:mode]`
    /// each, as `docker run -v` takes them.
    pub mounts: Vec<String>,
    /// `no` (or empty), `always`, `unless-stopped`, `on-failure[:max-retries]`.
    pub restart: String,
    pub labels: Vec<(String, String)>,
    /// Empty: the default bridge.
    pub network: String,
    pub working_dir: String,
    /// `user[:group]`, by name or id.
    pub user: String,
    /// Empty, or bytes with an optional unit (b, k, m, g, t, p): `512m`, `1.5g`.
    pub memory: String,
    /// Empty, or a number of CPUs: `0.5`, `2`.
    pub cpus: String,
}

/// The parts of a request the engine takes, once every field has been checked.
pub(crate) struct CheckedRequest {
    pub image: ImageRef,
    pub name: Option<String>,
    pub body: ContainerCreateBody,
}

impl ContainerRequest {
    /// Checks every field; the first refusal names its field.
    pub fn validate(&self) -> Result<()> {
        self.checked().map(|_| ())
    }

    pub(crate) fn checked(&self) -> Result<CheckedRequest> {
        // Each refusal names its field as this type's serialized field name, for the form.
        let field = |name: &'static str| move |err: Error| err.in_field(name);
        let image = ImageRef::parse(&self.image).map_err(field("image"))?;
        let name = self.name.trim();
        if !name.is_empty() {
            check_container_name(name).map_err(field("name"))?;
        }
        let command = words("command", &self.command).map_err(field("command"))?;
        let entrypoint = words("entrypoint", &self.entrypoint).map_err(field("entrypoint"))?;
        for variable in &self.env {
            check_env(variable).map_err(field("env"))?;
        }
        let mut exposed = Vec::new();
        let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
        for spec in self
            .ports
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            for (key, binding) in parse_port(spec).map_err(field("ports"))? {
                if !exposed.contains(&key) {
                    exposed.push(key.clone());
                }
                bindings
                    .entry(key)
                    .or_insert_with(|| Some(Vec::new()))
                    .get_or_insert_with(Vec::new)
                    .push(binding);
            }
        }
        let mut binds = Vec::new();
        let mut anonymous = Vec::new();
        for spec in self
            .mounts
            .iter()
            .map(|m| m.trim())
            .filter(|m| !m.is_empty())
        {
            match parse_mount(spec).map_err(field("mounts"))? {
                Mount::Bind(bind) => binds.push(bind),
                Mount::Anonymous(path) => anonymous.push(path),
            }
        }
        let restart = parse_restart(self.restart.trim()).map_err(field("restart"))?;
        validate_labels(&self.labels).map_err(field("labels"))?;
        let network = self.network.trim();
        if !network.is_empty() && !is_object_name(network) {
            return invalid::<CheckedRequest>(format!(
                "The network {network:?} is not a network name."
            ))
            .map_err(field("network"));
        }
        let working_dir = self.working_dir.trim();
        if !working_dir.is_empty() && !working_dir.starts_with('/') {
            return invalid::<CheckedRequest>(format!(
                "The working directory must be an absolute path in the container, not {working_dir:?}."
            ))
            .map_err(field("workingDir"));
        }
        let user = self.user.trim();
        let user_ok = user.split(':').count() <= 2
            && user.split(':').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            });
        if !user.is_empty() && !user_ok {
            return invalid::<CheckedRequest>(format!(
                "The user {user:?} must be user[:group], by name or number."
            ))
            .map_err(field("user"));
        }
        let memory = parse_memory(self.memory.trim()).map_err(field("memory"))?;
        let nano_cpus = parse_cpus(self.cpus.trim()).map_err(field("cpus"))?;

        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            cmd: (!command.is_empty()).then_some(command),
            entrypoint: (!entrypoint.is_empty()).then_some(entrypoint),
            env: Some(self.env.iter().map(|e| e.trim().to_owned()).collect()),
            exposed_ports: (!exposed.is_empty()).then_some(exposed),
            labels: Some(self.labels.iter().cloned().collect()),
            working_dir: (!working_dir.is_empty()).then(|| working_dir.to_owned()),
            user: (!user.is_empty()).then(|| user.to_owned()),
            volumes: (!anonymous.is_empty()).then_some(anonymous),
            host_config: Some(HostConfig {
                binds: (!binds.is_empty()).then_some(binds),
                port_bindings: (!bindings.is_empty()).then_some(bindings),
                restart_policy: Some(restart),
                network_mode: (!network.is_empty()).then(|| network.to_owned()),
                memory,
                nano_cpus,
                ..Default::default()
            }),
            ..Default::default()
        };
        Ok(CheckedRequest {
            image,
            name: (!name.is_empty()).then(|| name.to_owned()),
            body,
        })
    }
}

/// Docker's rule for container names (an empty one lets the engine pick).
pub(crate) fn check_container_name(name: &str) -> Result<()> {
    if is_object_name(name) {
        return Ok(());
    }
    invalid(format!(
        "The name {name:?} must have 2 or more letters, digits, _ . -, starting with a letter or digit."
    ))
}

fn invalid<T>(message: String) -> Result<T> {
    Err(Error::InvalidInput(message))
}

fn words(field: &str, text: &str) -> Result<Vec<String>> {
    shell_words::split(text.trim())
        .map_err(|_| Error::InvalidInput(format!("The {field} has an unclosed quote: {text:?}.")))
}

fn check_env(variable: &str) -> Result<()> {
    let Some((name, _)) = variable.split_once('=') else {
        return invalid(format!(
            "The environment variable {variable:?} needs a value: write NAME=value."
        ));
    };
    let mut chars = name.chars();
    let name_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !name_ok {
        return invalid(format!(
            "The environment variable name {name:?} must be letters, digits and _, not starting with a digit."
        ));
    }
    Ok(())
}

/// `[ip:][host-port:]container-port[/protocol]` as the engine's port keys (`80/tcp`) and
/// bindings, read as `docker run -p` reads it (go-connections `nat.ParsePortSpec`): a range
/// gives one binding per port, a host range with one container port is a pool the engine picks
/// from, an IPv6 address may come with or without brackets.
pub(crate) fn parse_port(spec: &str) -> Result<Vec<(String, PortBinding)>> {
    let refuse = |why: String| {
        invalid(format!(
            "The port mapping {spec:?} {why}; write [ip:][host-port:]container-port[/tcp|udp|sctp], e.g. 8080:80 or 8000-8010:8000-8010."
        ))
    };
    // Everything before the last two `:`-parts is the IP, so `::1:80:80` is `::1`, 80, 80.
    let parts: Vec<&str> = spec.split(':').collect();
    let (ip, host_port, container) = match parts.as_slice() {
        [container] => ("", "", *container),
        [host, container] => ("", *host, *container),
        [ip @ .., host, container] => (&spec[..ip.join(":").len()], *host, *container),
        [] => ("", "", ""),
    };
    let ip = match ip.strip_prefix('[') {
        Some(bracketed) => match bracketed.strip_suffix(']') {
            Some(inner) => inner,
            None => return refuse(format!("has {ip:?}, an IPv6 address missing its ']'")),
        },
        None => ip,
    };
    if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
        return refuse(format!(
            "has {ip:?} where an IP address goes (a host name is not taken, as docker does not take one)"
        ));
    }
    let (container, protocol) = container.split_once('/').unwrap_or((container, ""));
    if container.is_empty() {
        return refuse("has no container port".to_owned());
    }
    let protocol = match protocol.to_ascii_lowercase().as_str() {
        "" | "tcp" => "tcp",
        "udp" => "udp",
        "sctp" => "sctp",
        other => return refuse(format!("has the unknown protocol {other:?}")),
    };
    let Some((first, last)) = port_range(container) else {
        return refuse(format!(
            "has {container:?} where the container port goes (a port or range within 1 to 65535)"
        ));
    };
    if first == 0 {
        return refuse("has container port 0, which the engine cannot publish".to_owned());
    }
    let host = if host_port.is_empty() {
        None
    } else {
        match port_range(host_port) {
            Some(range) => Some(range),
            None => {
                return refuse(format!(
                    "has {host_port:?} where the host port goes (a port or range within 0 to 65535, or none for any free one)"
                ))
            }
        }
    };
    if let Some((host_first, host_last)) = host {
        if last != first && host_last - host_first != last - first {
            return refuse(format!(
                "maps the host range {host_port} to the container range {container} of another length"
            ));
        }
    }
    Ok((first..=last)
        .map(|port| {
            let host_port = match host {
                None => String::new(),
                // One container port and a host range: the engine takes any free port of it.
                Some((host_first, host_last)) if first == last && host_first != host_last => {
                    format!("{host_first}-{host_last}")
                }
                Some((host_first, _)) => (host_first + (port - first)).to_string(),
            };
            (
                format!("{port}/{protocol}"),
                PortBinding {
                    host_ip: (!ip.is_empty()).then(|| ip.to_owned()),
                    host_port: Some(host_port),
                },
            )
        })
        .collect())
}

/// `N` or `N-M` as `nat.ParsePortRange` reads it: decimal ports within 0 to 65535, N ≤ M.
fn port_range(text: &str) -> Option<(u16, u16)> {
    let number = |n: &str| {
        (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .then(|| n.parse::<u16>().ok())
            .flatten()
    };
    let (first, last) = match text.split_once('-') {
        Some((first, last)) => (number(first)?, number(last)?),
        None => (number(text)?, number(text)?),
    };
    (first <= last).then_some((first, last))
}

/// A `-v` mount, checked: bind mounts and named volumes go to the engine's `Binds` as written;
/// an anonymous volume (`-v /data`) is only a path in the container (`Volumes`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Mount {
    Bind(String),
    Anonymous(String),
}

/// Reads a `-v` value as `docker run -v` does (docker/cli `loader.ParseVolume` splits it, moby's
/// `linux_parser.go` `ParseMountRaw` checks it): `/container/path` alone is an anonymous volume,
/// `source:/container/path[:mode]` a bind (absolute source) or a named volume, and the mode a
/// comma list with at most one of each kind: `ro`/`rw`, `z`/`Z`, a propagation (`shared`,
/// `slave`, `private` and their `r` forms, binds only), `nocopy` (volumes only),
/// `consistent`/`cached`/`delegated`.
pub(crate) fn parse_mount(spec: &str) -> Result<Mount> {
    let refuse = |why: &str| {
        invalid(format!(
            "The mount {spec:?} {why}; write /path for an anonymous volume, or volume:/path or /host/path:/path, with :ro for read-only."
        ))
    };
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.len() > 3 {
        return refuse("has too many colons");
    }
    if parts.iter().any(|part| part.is_empty()) {
        return refuse("has an empty section between colons");
    }
    let is_mode = |text: &str| mode_kinds(text).is_some();
    let (source, target, mode) = match parts.as_slice() {
        [target] => {
            if !target.starts_with('/') {
                return refuse(
                    "is one path, an anonymous volume, and it must be absolute in the container",
                );
            }
            if *target == "/" {
                return refuse("mounts over the container's root /");
            }
            return Ok(Mount::Anonymous((*target).to_owned()));
        }
        [_, mode] if is_mode(mode) => {
            return refuse("has a mode but no container path");
        }
        [source, target] => (*source, *target, None),
        [source, target, mode] => (*source, *target, Some(*mode)),
        _ => return refuse("needs a source and a container path"),
    };
    let bind = source.starts_with('/');
    if !bind && !is_object_name(source) {
        let why = if source.starts_with(['.', '~']) {
            // docker resolves these against its own working directory; a remote engine has none
            // that means anything here.
            "has a relative host path, which Berth does not resolve (the engine may be on another machine): give the absolute path"
        } else {
            "has a source that is neither an absolute host path nor a volume name"
        };
        return refuse(why);
    }
    if !target.starts_with('/') {
        return refuse("needs an absolute path in the container");
    }
    if target == "/" {
        return refuse("mounts over the container's root /");
    }
    if let Some(mode) = mode {
        let Some(kinds) = mode_kinds(mode) else {
            return refuse("has an unknown or repeated mode (at most one each of ro/rw, z/Z, shared/slave/private/rshared/rslave/rprivate, nocopy)");
        };
        if kinds.propagation && !bind {
            return refuse(
                "sets a bind propagation on a named volume; propagation applies to host paths only",
            );
        }
        if kinds.nocopy && bind {
            return refuse("sets nocopy on a host path; nocopy applies to named volumes only");
        }
    }
    Ok(Mount::Bind(spec.to_owned()))
}

struct ModeKinds {
    propagation: bool,
    nocopy: bool,
}

/// The kinds a `-v` mode sets, or None when an item is unknown or a kind is given twice
/// (moby `linux_parser.go` `ValidMountMode`).
fn mode_kinds(mode: &str) -> Option<ModeKinds> {
    let mut seen = [false; 5];
    for item in mode.split(',') {
        let kind = match item {
            "rw" | "ro" => 0,
            "z" | "Z" => 1,
            "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate" => 2,
            "nocopy" => 3,
            "consistent" | "cached" | "delegated" => 4,
            _ => return None,
        };
        if std::mem::replace(&mut seen[kind], true) {
            return None;
        }
    }
    Some(ModeKinds {
        propagation: seen[2],
        nocopy: seen[3],
    })
}

fn parse_restart(policy: &str) -> Result<RestartPolicy> {
    let (name, retries) = match policy.split_once(':') {
        Some(("on-failure", retries)) => match retries.parse::<i64>() {
            Ok(n) if n >= 0 => (RestartPolicyNameEnum::ON_FAILURE, Some(n)),
            _ => return invalid(format!("The restart policy {policy:?} needs a number of retries after on-failure:.")),
        },
        Some(_) => return invalid(format!("The restart policy {policy:?} takes a count only after on-failure.")),
        None => match policy {
            "" | "no" => (RestartPolicyNameEnum::NO, None),
            "always" => (RestartPolicyNameEnum::ALWAYS, None),
            "unless-stopped" => (RestartPolicyNameEnum::UNLESS_STOPPED, None),
            "on-failure" => (RestartPolicyNameEnum::ON_FAILURE, None),
            _ => {
                return invalid(format!(
                    "The restart policy {policy:?} must be no, always, unless-stopped or on-failure[:retries]."
                ))
            }
        },
    };
    Ok(RestartPolicy {
        name: Some(name),
        maximum_retry_count: retries,
    })
}

/// Docker will not start a container with less.
const MIN_MEMORY: i64 = 6 * 1024 * 1024;

fn parse_memory(text: &str) -> Result<Option<i64>> {
    if text.is_empty() {
        return Ok(None);
    }
    match ram_in_bytes(text) {
        Ok(bytes) if bytes >= MIN_MEMORY => Ok(Some(bytes)),
        Ok(_) => invalid(format!(
            "The memory limit {text:?} is below the engine's minimum of 6m."
        )),
        Err(why) => invalid(format!(
            "The memory limit {text:?} {why}: write a number with an optional unit b, k, m, g, t or p, like 512m or 1.5g."
        )),
    }
}

/// Bytes as `docker run -m` reads them (go-units `RAMInBytes`): a decimal number, at most one
/// space, and a unit `b`, `k`, `m`, `g`, `t`, `p` (powers of 1024) optionally followed by `b` or
/// `ib`, in any case; the fraction is cut off.
pub(crate) fn ram_in_bytes(text: &str) -> std::result::Result<i64, &'static str> {
    let Some(sep) = text.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ') else {
        return Err("has no number");
    };
    let (number, suffix) = (&text[..sep + 1], &text[sep + 1..]);
    let number = number.strip_suffix(' ').unwrap_or(number);
    // Go's ParseFloat, less what Rust takes and Go does not (a leading `+` is fine in both).
    let size: f64 = match number.parse() {
        Ok(size)
            if !number
                .chars()
                .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E') =>
        {
            size
        }
        _ => return Err("is not a number"),
    };
    if size < 0.0 {
        return Err("is negative");
    }
    let lower = suffix.to_ascii_lowercase();
    let scale: f64 = match lower.as_bytes() {
        [] | [b'b'] => 1.0,
        [unit] | [unit, b'b'] | [unit, b'i', b'b'] => match unit {
            b'k' => 1024f64,
            b'm' => 1024f64.powi(2),
            b'g' => 1024f64.powi(3),
            b't' => 1024f64.powi(4),
            b'p' => 1024f64.powi(5),
            _ => return Err("has an unknown unit"),
        },
        _ => return Err("has an unknown unit"),
    };
    let bytes = (size * scale).trunc();
    if bytes >= i64::MAX as f64 {
        return Err("is too large");
    }
    Ok(bytes as i64)
}

/// The engine enforces a CPU limit as a quota of a 100 ms period, and the kernel's shortest
/// quota is 1 ms, so less than 0.01 CPUs cannot be enforced (moby says "Range of CPUs is from
/// 0.01"); docker's own client passes it on and the container then fails to start.
const MIN_NANO_CPUS: i64 = 10_000_000;

fn parse_cpus(text: &str) -> Result<Option<i64>> {
    if text.is_empty() {
        return Ok(None);
    }
    let nano = match nano_cpus(text) {
        Ok(nano) => nano,
        Err(why) => {
            return invalid(format!(
                "The CPU limit {text:?} {why}; write a number of CPUs like 0.5 or 2."
            ))
        }
    };
    if nano <= 0 {
        return invalid(format!(
            "The CPU limit {text:?} must be a number of CPUs above 0, like 0.5 or 2 (leave it empty for no limit)."
        ));
    }
    if nano < MIN_NANO_CPUS {
        return invalid(format!(
            "The CPU limit {text:?} is below 0.01 CPUs, the least the engine can enforce (a 1 ms share of each 100 ms); write 0.01 or more, or leave it empty for no limit."
        ));
    }
    if nano > 1024 * 1_000_000_000 {
        return invalid(format!(
            "The CPU limit {text:?} is above 1024 CPUs; write the number of CPUs the container may use, like 0.5 or 2."
        ));
    }
    Ok(Some(nano))
}

/// CPUs as billionths, read exactly as docker/cli's `opts.ParseCPUs` does (a `big.Rat`): a
/// decimal with an optional exponent (`1.5`, `1e-3`) or a fraction (`1/2`); finer than a
/// billionth is "too precise".
pub(crate) fn nano_cpus(text: &str) -> std::result::Result<i64, &'static str> {
    const NOT_A_NUMBER: &str = "is not a number";
    const TOO_PRECISE: &str = "is too precise (finer than a billionth of a CPU)";
    const TOO_LARGE: &str = "is too large";
    let integer = |digits: &str| -> std::result::Result<i128, &'static str> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NOT_A_NUMBER);
        }
        digits.parse::<i128>().map_err(|_| TOO_LARGE)
    };
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let nano: i128 = if let Some((numerator, denominator)) = unsigned.split_once('/') {
        let (numerator, denominator) = (integer(numerator)?, integer(denominator)?);
        if denominator == 0 {
            return Err(NOT_A_NUMBER);
        }
        let scaled = numerator.checked_mul(1_000_000_000).ok_or(TOO_LARGE)?;
        if scaled % denominator != 0 {
            return Err(TOO_PRECISE);
        }
        scaled / denominator
    } else {
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => {
                let (sign, digits) = match exponent.strip_prefix('-') {
                    Some(digits) => (-1, digits),
                    None => (1, exponent.strip_prefix('+').unwrap_or(exponent)),
                };
                (mantissa, sign * integer(digits)?.min(1000))
            }
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if whole.is_empty() && fraction.is_empty() {
            return Err(NOT_A_NUMBER);
        }
        let digits = format!("{whole}{fraction}");
        let digits = digits.trim_start_matches('0');
        let value = if digits.is_empty() {
            0
        } else {
            integer(digits)?
        };
        let power = 9 + exponent - fraction.len() as i128;
        if power >= 0 {
            let scale = 10i128.checked_pow(u32::try_from(power).map_err(|_| TOO_LARGE)?);
            value
                .checked_mul(scale.ok_or(TOO_LARGE)?)
                .ok_or(TOO_LARGE)?
        } else {
            let scale = 10i128.checked_pow(u32::try_from(-power).map_err(|_| TOO_PRECISE)?);
            match scale {
                Some(scale) if value % scale == 0 => value / scale,
                _ if value == 0 => 0,
                _ => return Err(TOO_PRECISE),
            }
        }
    };
    let nano = if negative { -nano } else { nano };
    i64::try_from(nano).map_err(|_| TOO_LARGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ContainerRequest {
        ContainerRequest {
            image: "nginx:1.27".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_full_request_becomes_the_engine_body() {
        let full = ContainerRequest {
            image: "127.0.0.1:5000/team/web:2".into(),
            name: "web-1".into(),
            command: "sh -c 'echo hi; sleep 1'".into(),
            entrypoint: "/bin/busybox".into(),
            env: vec!["MODE=prod".into(), "EMPTY=".into()],
            ports: vec![
                "8080:80".into(),
                "127.0.0.1::443/tcp".into(),
                "[::1]:5353:53/udp".into(),
                "9000".into(),
            ],
            mounts: vec![
                "data:/var/lib/data".into(),
                "/etc/hosts:/etc/hosts:ro".into(),
            ],
            restart: "on-failure:3".into(),
            labels: vec![("team".into(), "web".into())],
            network: "backend".into(),
            working_dir: "/srv".into(),
            user: "1000:1000".into(),
            memory: "512m".into(),
            cpus: "1.5".into(),
        };
        let checked = full.checked().unwrap();
        assert_eq!(checked.name.as_deref(), Some("web-1"));
        let body = checked.body;
        assert_eq!(body.cmd.unwrap(), ["sh", "-c", "echo hi; sleep 1"]);
        let host = body.host_config.unwrap();
        let ports = host.port_bindings.unwrap();
        let binding = |key: &str| ports[key].clone().unwrap()[0].clone();
        assert_eq!(binding("80/tcp").host_port.as_deref(), Some("8080"));
        assert_eq!(binding("443/tcp").host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(binding("443/tcp").host_port.as_deref(), Some(""));
        assert_eq!(binding("53/udp").host_ip.as_deref(), Some("::1"));
        assert_eq!(binding("9000/tcp").host_port.as_deref(), Some(""));
        assert_eq!(host.memory, Some(512 << 20));
        assert_eq!(host.nano_cpus, Some(1_500_000_000));
        assert_eq!(host.restart_policy.unwrap().maximum_retry_count, Some(3));
        assert_eq!(host.network_mode.as_deref(), Some("backend"));
    }

    #[test]
    fn each_bad_field_is_refused_with_its_name() {
        let cases: Vec<(ContainerRequest, &str)> = vec![
            (
                ContainerRequest {
                    image: "Nginx".into(),
                    ..request()
                },
                "image reference",
            ),
            (
                ContainerRequest {
                    image: "".into(),
                    ..request()
                },
                "Enter an image",
            ),
            (
                ContainerRequest {
                    name: "-web".into(),
                    ..request()
                },
                "The name",
            ),
            (
                ContainerRequest {
                    name: "my web".into(),
                    ..request()
                },
                "The name",
            ),
            (
                ContainerRequest {
                    command: "sh -c 'unclosed".into(),
                    ..request()
                },
                "The command",
            ),
            (
                ContainerRequest {
                    env: vec!["NOVALUE".into()],
                    ..request()
                },
                "The environment variable",
            ),
            (
                ContainerRequest {
                    env: vec!["1X=a".into()],
                    ..request()
                },
                "environment variable name",
            ),
            (
                ContainerRequest {
                    env: vec!["MY-VAR=a".into()],
                    ..request()
                },
                "environment variable name",
            ),
            (
                ContainerRequest {
                    ports: vec!["80:0".into()],
                    ..request()
                },
                "The port mapping",
            ),
            (
                ContainerRequest {
                    ports: vec!["70000:80".into()],
                    ..request()
                },
                "The port mapping",
            ),
            (
                ContainerRequest {
                    ports: vec!["80/icmp".into()],
                    ..request()
                },
                "protocol",
            ),
            (
                ContainerRequest {
                    ports: vec!["8000-8010:80-81".into()],
                    ..request()
                },
                "another length",
            ),
            (
                ContainerRequest {
                    ports: vec!["localhost:80:80".into()],
                    ..request()
                },
                "IP address",
            ),
            (
                ContainerRequest {
                    mounts: vec!["data:relative".into()],
                    ..request()
                },
                "The mount",
            ),
            (
                ContainerRequest {
                    mounts: vec!["./here:/data".into()],
                    ..request()
                },
                "The mount",
            ),
            (
                ContainerRequest {
                    mounts: vec!["data:/d:rx".into()],
                    ..request()
                },
                "mode",
            ),
            (
                ContainerRequest {
                    restart: "sometimes".into(),
                    ..request()
                },
                "The restart policy",
            ),
            (
                ContainerRequest {
                    restart: "on-failure:x".into(),
                    ..request()
                },
                "The restart policy",
            ),
            (
                ContainerRequest {
                    labels: vec![("".into(), "x".into())],
                    ..request()
                },
                "The label key",
            ),
            (
                ContainerRequest {
                    network: "my net".into(),
                    ..request()
                },
                "The network",
            ),
            (
                ContainerRequest {
                    working_dir: "srv".into(),
                    ..request()
                },
                "The working directory",
            ),
            (
                ContainerRequest {
                    user: "a:b:c".into(),
                    ..request()
                },
                "The user",
            ),
            (
                ContainerRequest {
                    memory: "lots".into(),
                    ..request()
                },
                "The memory limit",
            ),
            (
                ContainerRequest {
                    memory: "1m".into(),
                    ..request()
                },
                "minimum",
            ),
            (
                ContainerRequest {
                    cpus: "0".into(),
                    ..request()
                },
                "The CPU limit",
            ),
            (
                ContainerRequest {
                    cpus: "0.001".into(),
                    ..request()
                },
                "below 0.01 CPUs",
            ),
        ];
        for (bad, says) in cases {
            let err = bad.validate().expect_err(says);
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput);
            assert!(err.to_string().contains(says), "{bad:?}: {err}");
            let field = crate::error::the_changed_field(&request(), &bad);
            assert_eq!(err.field(), Some(field.as_str()), "{bad:?}: {err}");
        }
        assert!(request().validate().is_ok(), "an image alone is enough");
    }

    fn ports(spec: &str) -> Vec<(String, Option<String>, String)> {
        parse_port(spec)
            .unwrap_or_else(|e| panic!("{spec}: {e}"))
            .into_iter()
            .map(|(key, b)| (key, b.host_ip, b.host_port.unwrap_or_default()))
            .collect()
    }

    fn one(key: &str, ip: Option<&str>, host: &str) -> (String, Option<String>, String) {
        (key.to_owned(), ip.map(str::to_owned), host.to_owned())
    }

    #[test]
    fn ports_are_read_as_docker_run_reads_them() {
        // docker/go-connections nat/nat_test.go TestPartPortSpecIPV6 (IPv6 with and without
        // brackets, with and without a host port).
        assert_eq!(
            ports("[2001:4860:0:2001::68]::333"),
            [one("333/tcp", Some("2001:4860:0:2001::68"), "")]
        );
        assert_eq!(ports("[::1]:80:80"), [one("80/tcp", Some("::1"), "80")]);
        assert_eq!(
            ports("2001:4860:0:2001::68::333"),
            [one("333/tcp", Some("2001:4860:0:2001::68"), "")]
        );
        assert_eq!(ports("::1:80:80"), [one("80/tcp", Some("::1"), "80")]);
        assert_eq!(ports("::::80"), [one("80/tcp", Some("::"), "")]);
        // nat_test.go TestParsePortSpecFull: ranges give one binding per port.
        assert_eq!(
            ports("0.0.0.0:1234-1235:3333-3334/tcp"),
            [
                one("3333/tcp", Some("0.0.0.0"), "1234"),
                one("3334/tcp", Some("0.0.0.0"), "1235")
            ]
        );
        // nat_test.go TestParsePortSpecsWithRange.
        assert_eq!(
            ports("2345-2347/udp"),
            [
                one("2345/udp", None, ""),
                one("2346/udp", None, ""),
                one("2347/udp", None, "")
            ]
        );
        assert_eq!(
            ports("3456-3458:3456-3458/sctp")[1],
            one("3457/sctp", None, "3457")
        );
        // nat_test.go TestParseNetworkOpts{PrivateOnly,Public,Udp,Sctp}.
        assert_eq!(
            ports("192.168.1.100::80"),
            [one("80/tcp", Some("192.168.1.100"), "")]
        );
        assert_eq!(
            ports("192.168.1.100:8080:80"),
            [one("80/tcp", Some("192.168.1.100"), "8080")]
        );
        assert_eq!(
            ports("192.168.1.100::6000/udp"),
            [one("6000/udp", Some("192.168.1.100"), "")]
        );
        // nat_test.go TestStringer "no host mapping": an empty host IP.
        assert_eq!(ports(":8080:6000/tcp"), [one("6000/tcp", None, "8080")]);
        // Observed with docker 28.2.2 (`docker create -p`): a host range to one container port
        // is a pool the engine picks from; the protocol's case; host port 0; an empty host port.
        assert_eq!(ports("8000-8010:80"), [one("80/tcp", None, "8000-8010")]);
        assert_eq!(ports("8000-8010:8000-8010").len(), 11);
        assert_eq!(ports("1234-1236/udp").len(), 3);
        assert_eq!(ports("80/UDP"), [one("80/udp", None, "")]);
        assert_eq!(ports("0:80"), [one("80/tcp", None, "0")]);
        assert_eq!(ports(":80"), [one("80/tcp", None, "")]);
        assert_eq!(ports("8080:65535/tcp"), [one("65535/tcp", None, "8080")]);
        // nat/parse_test.go TestParsePortNumber / TestParsePort: leading zeros are a number.
        assert_eq!(ports("0123"), [one("123/tcp", None, "")]);
    }

    #[test]
    fn ports_docker_refuses_are_refused_with_the_reason() {
        // nat_test.go TestParsePortSpecEmptyContainerPort, TestParsePortSpecs (localhost),
        // TestParseNetworkOpts{PublicNoPort,NegativePorts}, parse_test.go TestParsePortRange, and
        // docker 28.2.2's refusals (observed): each with the part Berth's message names.
        let cases = [
            ("", "no container port"),
            ("0.0.0.0:1234-1235:/tcp", "no container port"),
            ("0.0.0.0:1234-1235:", "no container port"),
            ("80:", "no container port"),
            ("localhost:1234:1234/tcp", "where an IP address goes"),
            (
                "localhost:1234-1236:1234-1236/tcp",
                "where an IP address goes",
            ),
            ("192.168.1.100", "where the container port goes"),
            ("192.168.1.100:-1:-1", "where the container port goes"),
            ("[::1:80:80", "missing its ']'"),
            ("70000:80", "where the host port goes"),
            ("-1:80", "where the host port goes"),
            ("1234-1230:80", "where the host port goes"),
            ("8000-8010:80-81", "another length"),
            ("80/xyz", "unknown protocol"),
            ("80-", "where the container port goes"),
            ("-9000", "where the container port goes"),
            ("9000-8000", "where the container port goes"),
            ("8000-9000a", "where the container port goes"),
            ("asdf", "where the container port goes"),
            ("65536", "where the container port goes"),
            ("  42  ", "where the container port goes"),
            // Berth's own: the engine cannot publish container port 0.
            ("80:0", "container port 0"),
        ];
        for (spec, says) in cases {
            let err = parse_port(spec).expect_err(spec).to_string();
            assert!(err.contains(says), "{spec:?}: {err}");
            assert!(
                err.contains("write [ip:]"),
                "{spec:?} says what to write: {err}"
            );
        }
    }

    #[test]
    fn mounts_are_read_as_docker_run_reads_them() {
        // moby volume/mounts/linux_parser_test.go TestLinuxParseMountRaw, the valid list (less
        // the relative source `relative:/absolute-path` and `hostPath:…`, which are named
        // volumes there and are here too; `/with space` and propagation with ro and z/Z).
        let binds = [
            "/home:/home",
            "/home:/something/else",
            "/home:/with space",
            "relative:/absolute-path",
            "hostPath:/containerPath:ro",
            "/hostPath:/containerPath:rw",
            "/rw:/ro",
            "/hostPath:/containerPath:shared",
            "/hostPath:/containerPath:rshared",
            "/hostPath:/containerPath:slave",
            "/hostPath:/containerPath:rslave",
            "/hostPath:/containerPath:private",
            "/hostPath:/containerPath:rprivate",
            "/hostPath:/containerPath:ro,shared",
            "/hostPath:/containerPath:ro,slave",
            "/hostPath:/containerPath:ro,private",
            "/hostPath:/containerPath:ro,z,shared",
            "/hostPath:/containerPath:ro,Z,slave",
            "/hostPath:/containerPath:Z,ro,slave",
            "/hostPath:/containerPath:slave,Z,ro",
            "/hostPath:/containerPath:Z,slave,ro",
            "/hostPath:/containerPath:slave,ro,Z",
            "/hostPath:/containerPath:rslave,ro,Z",
            "/hostPath:/containerPath:ro,rshared,Z",
            "/hostPath:/containerPath:ro,Z,rprivate",
            // moby TestLinuxParseMountRawSplit.
            "/tmp:/tmp2:ro",
            "name:/named3:ro",
            // docker/cli cli/compose/loader/volume_test.go TestParseVolumeWithVolumeOptions.
            "name:/target:nocopy",
        ];
        for spec in binds {
            assert_eq!(
                parse_mount(spec).unwrap_or_else(|e| panic!("{spec}: {e}")),
                Mount::Bind(spec.to_owned())
            );
        }
        // volume_test.go TestParseVolumeAnonymousVolume, moby's `/home` and `/with space`.
        for spec in ["/path", "/path/foo", "/home", "/with space", "/data"] {
            assert_eq!(
                parse_mount(spec).unwrap(),
                Mount::Anonymous(spec.to_owned())
            );
        }
    }

    #[test]
    fn mounts_docker_refuses_are_refused_with_the_reason() {
        let cases = [
            // moby TestLinuxParseMountRaw, the invalid list.
            ("./", "anonymous volume"),
            ("../", "anonymous volume"),
            ("/:../", "absolute path in the container"),
            ("/:path", "absolute path in the container"),
            (":", "empty section"),
            ("/tmp:", "empty section"),
            (":test", "empty section"),
            (":/test", "empty section"),
            ("tmp:", "empty section"),
            (":test:", "empty section"),
            ("::", "empty section"),
            (":::", "too many colons"),
            ("/tmp:::", "too many colons"),
            (":/tmp::", "too many colons"),
            ("/path:rw", "no container path"),
            ("/path:ro", "no container path"),
            ("/rw:rw", "no container path"),
            ("path:ro", "no container path"),
            ("/path:shared", "no container path"),
            ("/path:slave", "no container path"),
            ("/path:private", "no container path"),
            ("/path:/path:sw", "mode"),
            ("/path:/path:rwz", "mode"),
            ("/path:/path:ro,rshared,rslave", "repeated mode"),
            ("/path:/path:ro,z,rshared,rslave", "repeated mode"),
            (
                "name:/absolute-path:shared",
                "propagation on a named volume",
            ),
            (
                "name:/absolute-path:rshared",
                "propagation on a named volume",
            ),
            ("name:/absolute-path:slave", "propagation on a named volume"),
            (
                "name:/absolute-path:rslave",
                "propagation on a named volume",
            ),
            (
                "name:/absolute-path:private",
                "propagation on a named volume",
            ),
            (
                "name:/absolute-path:rprivate",
                "propagation on a named volume",
            ),
            // moby TestLinuxParseMountRawSplit.
            ("/tmp:/tmp4:foo", "mode"),
            ("/tmp:tmp", "absolute path in the container"),
            // docker/cli volume_test.go TestParseVolumeTooManyColons, …MissingSource,
            // …InvalidSections, …WithEmptySource.
            ("/foo:/foo:ro:foo", "too many colons"),
            ("/foo::ro", "empty section"),
            ("/foo::rw", "empty section"),
            (":/vol", "empty section"),
            // Berth's own refusals: a relative host path (docker resolves it against its own
            // working directory), nocopy on a bind, and a one-part relative path.
            ("./foo:/target", "give the absolute path"),
            ("~/thing:/target", "give the absolute path"),
            ("/src:/dst:nocopy", "nocopy on a host path"),
            ("data", "anonymous volume"),
            ("/", "root"),
        ];
        for (spec, says) in cases {
            let err = parse_mount(spec).expect_err(spec).to_string();
            assert!(err.contains(says), "{spec:?}: {err}");
            assert!(
                err.contains("; write "),
                "{spec:?} says what to write: {err}"
            );
        }
    }

    #[test]
    fn anonymous_volumes_and_propagation_reach_the_engine_body() {
        let checked = ContainerRequest {
            mounts: vec![
                "/data".into(),
                "/src:/dst:ro,Z,rslave".into(),
                "cache:/cache:nocopy".into(),
            ],
            ports: vec!["8000-8001:9000-9001/udp".into()],
            ..request()
        }
        .checked()
        .unwrap();
        assert_eq!(checked.body.volumes, Some(vec!["/data".to_owned()]));
        let host = checked.body.host_config.unwrap();
        assert_eq!(
            host.binds,
            Some(vec![
                "/src:/dst:ro,Z,rslave".to_owned(),
                "cache:/cache:nocopy".to_owned()
            ])
        );
        assert_eq!(
            checked.body.exposed_ports,
            Some(vec!["9000/udp".to_owned(), "9001/udp".to_owned()])
        );
        let bindings = host.port_bindings.unwrap();
        assert_eq!(
            bindings["9001/udp"].as_ref().unwrap()[0]
                .host_port
                .as_deref(),
            Some("8001")
        );
    }

    #[test]
    fn memory_is_read_as_go_units_ram_in_bytes() {
        // docker/go-units size_test.go TestRAMInBytes.
        let (k, m, g, t, p) = (1i64 << 10, 1i64 << 20, 1i64 << 30, 1i64 << 40, 1i64 << 50);
        let cases = [
            ("32", 32),
            ("32b", 32),
            ("32B", 32),
            ("32k", 32 * k),
            ("32K", 32 * k),
            ("32kb", 32 * k),
            ("32Kb", 32 * k),
            ("32Kib", 32 * k),
            ("32KIB", 32 * k),
            ("32Mb", 32 * m),
            ("32Gb", 32 * g),
            ("32Tb", 32 * t),
            ("32Pb", 32 * p),
            ("32PB", 32 * p),
            ("32P", 32 * p),
            ("32.3", 32),
            ("32.3 mb", 33_869_004),
            ("0.3MB", 314_572),
            // go-units v0.5.0 TestFromHumanSize (the same grammar, decimal there).
            ("0", 0),
            ("0 ", 0),
            ("32.", 32),
            ("32. b", 32),
            (".3k", 307),
            // docker 28.2.2 `docker create -m` (observed).
            ("1.5g", 1_610_612_736),
            ("1t", t),
            ("1p", p),
            ("1e3", 1000),
        ];
        for (text, bytes) in cases {
            assert_eq!(ram_in_bytes(text), Ok(bytes), "{text:?}");
        }
        // TestRAMInBytes's errors and TestFromHumanSize's.
        for bad in [
            "", "hello", "-32", " 32 ", "32m b", "32bm", " 0", "0b ", ".", " ", "32b.", "32 bb",
            "32  b", "32 b b", "-32 B", "32x", "inf", "1nan",
        ] {
            assert!(ram_in_bytes(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(parse_memory("1.5g").unwrap(), Some(1_610_612_736));
        let err = parse_memory("32bm").unwrap_err().to_string();
        assert!(
            err.contains("unknown unit") && err.contains("write a number"),
            "{err}"
        );
    }

    #[test]
    fn cpus_are_read_as_docker_cli_parse_cpus() {
        // docker/cli cli/command/service/opts_test.go TestNanoCPUsSetAndValue ("0.35"), and
        // docker 28.2.2 `docker create --cpus` (observed): exponents and fractions are rational
        // numbers too; finer than 1e-9 is "too precise".
        let cases = [
            ("0.35", Ok(350_000_000)),
            ("1.5", Ok(1_500_000_000)),
            ("6.1", Ok(6_100_000_000)),
            ("0.001", Ok(1_000_000)),
            ("1e-3", Ok(1_000_000)),
            ("1/2", Ok(500_000_000)),
            ("0", Ok(0)),
            ("-1", Ok(-1_000_000_000)),
            ("2", Ok(2_000_000_000)),
            ("0.0000000001", Err("too precise")),
            ("1/3", Err("too precise")),
            ("abc", Err("not a number")),
            ("", Err("not a number")),
            (" 1", Err("not a number")),
            (".", Err("not a number")),
        ];
        for (text, expected) in cases {
            match (nano_cpus(text), expected) {
                (Ok(nano), Ok(want)) => assert_eq!(nano, want, "{text:?}"),
                (Err(why), Err(says)) => assert!(why.contains(says), "{text:?}: {why}"),
                (got, _) => panic!("{text:?}: {got:?}"),
            }
        }
        // Berth refuses what cannot be enforced, saying so (moby's daemon_unix.go: "Range of
        // CPUs is from 0.01").
        assert_eq!(parse_cpus("0.01").unwrap(), Some(10_000_000));
        for (bad, says) in [
            ("0.001", "below 0.01 CPUs"),
            ("1e-3", "below 0.01 CPUs"),
            ("0.0099", "below 0.01 CPUs"),
            ("0", "above 0"),
            ("-1", "above 0"),
            ("2000", "above 1024"),
            ("0.0000000001", "too precise"),
        ] {
            let err = parse_cpus(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad:?}: {err}");
        }
    }
}
