//! What a new container is made of, as the create form fills it in — in Docker's own syntax
//! for ports (`-p`) and mounts (`-v`) — and every field checked before the engine is called,
//! with a message naming the field.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, HostConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{Error, Result};
use crate::image_ref::ImageRef;
use crate::object_refs::is_object_name;
use crate::volumes::validate_labels;

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
    /// `volume-or-/host/path:/container/path[:ro]` each, as `docker run -v` takes them.
    pub mounts: Vec<String>,
    /// `no` (or empty), `always`, `unless-stopped`, `on-failure[:max-retries]`.
    pub restart: String,
    pub labels: Vec<(String, String)>,
    /// Empty: the default bridge.
    pub network: String,
    pub working_dir: String,
    /// `user[:group]`, by name or id.
    pub user: String,
    /// Empty, or bytes with an optional unit: `512m`, `2g`.
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
            let (key, binding) = parse_port(spec).map_err(field("ports"))?;
            exposed.push(key.clone());
            bindings
                .entry(key)
                .or_insert_with(|| Some(Vec::new()))
                .get_or_insert_with(Vec::new)
                .push(binding);
        }
        let binds: Vec<String> = self
            .mounts
            .iter()
            .map(|m| m.trim())
            .filter(|m| !m.is_empty())
            .map(|m| check_mount(m).map(|()| m.to_owned()))
            .collect::<Result<_>>()
            .map_err(field("mounts"))?;
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

/// `[ip:][host-port:]container-port[/protocol]` as the engine's port key (`80/tcp`) and binding.
fn parse_port(spec: &str) -> Result<(String, PortBinding)> {
    let refuse = |why: &str| {
        invalid(format!(
            "The port mapping {spec:?} {why}; write [ip:][host-port:]container-port[/tcp|udp|sctp], e.g. 8080:80."
        ))
    };
    let (mapping, protocol) = match spec.rsplit_once('/') {
        Some((mapping, protocol)) => (mapping, protocol),
        None => (spec, "tcp"),
    };
    if !matches!(protocol, "tcp" | "udp" | "sctp") {
        return refuse("has an unknown protocol");
    }
    // An IPv6 address comes in brackets: [::1]:8080:80.
    let (ip, rest) = match mapping.strip_prefix('[') {
        Some(bracketed) => match bracketed.split_once("]:") {
            Some((ip, rest)) if ip.parse::<std::net::Ipv6Addr>().is_ok() => (Some(ip), rest),
            _ => return refuse("has a malformed IPv6 address"),
        },
        None => (None, mapping),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (ip, host_port, container_port) = match (ip, parts.as_slice()) {
        (None, [container]) => (None, "", *container),
        (None, [host, container]) => (None, *host, *container),
        (None, [ip, host, container]) => (Some(*ip), *host, *container),
        (Some(ip), [host, container]) => (Some(ip), *host, *container),
        _ => return refuse("has too many parts"),
    };
    if let Some(ip) = ip.filter(|ip| ip.parse::<std::net::IpAddr>().is_err()) {
        return refuse(&format!("has {ip:?} where an IP address goes"));
    }
    let port = |text: &str| text.parse::<u16>().ok().filter(|p| *p > 0);
    if container_port.contains('-') || host_port.contains('-') {
        return refuse("is a range; give one mapping per port");
    }
    let Some(container_port) = port(container_port) else {
        return refuse("needs a container port between 1 and 65535");
    };
    if !host_port.is_empty() && port(host_port).is_none() {
        return refuse("needs a host port between 1 and 65535 (or none, for any free one)");
    }
    Ok((
        format!("{container_port}/{protocol}"),
        PortBinding {
            host_ip: ip.map(str::to_owned),
            host_port: Some(host_port.to_owned()),
        },
    ))
}

fn check_mount(spec: &str) -> Result<()> {
    let refuse = |why: &str| {
        invalid(format!(
            "The mount {spec:?} {why}; write volume:/path or /host/path:/path, with :ro for read-only."
        ))
    };
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [source, target] => (*source, *target, None),
        [source, target, mode] => (*source, *target, Some(*mode)),
        _ => return refuse("needs a source and a container path"),
    };
    if !(source.starts_with('/') || is_object_name(source)) {
        return refuse("has a source that is neither an absolute host path nor a volume name");
    }
    if !target.starts_with('/') {
        return refuse("needs an absolute path in the container");
    }
    if let Some(mode) = mode {
        if !mode
            .split(',')
            .all(|m| matches!(m, "ro" | "rw" | "z" | "Z"))
        {
            return refuse("has an unknown mode (ro, rw, z or Z)");
        }
    }
    Ok(())
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
    let lower = text.to_ascii_lowercase();
    let (number, unit) = match lower.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => lower.split_at(at),
        None => (lower.as_str(), ""),
    };
    let scale: i64 = match unit.trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => {
            return invalid(format!(
                "The memory limit {text:?} must be a number with an optional unit: 512m, 2g."
            ))
        }
    };
    match number
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
    {
        Some(bytes) if bytes >= MIN_MEMORY => Ok(Some(bytes)),
        Some(_) => invalid(format!(
            "The memory limit {text:?} is below the engine's minimum of 6m."
        )),
        None => invalid(format!(
            "The memory limit {text:?} must be a number with an optional unit: 512m, 2g."
        )),
    }
}

fn parse_cpus(text: &str) -> Result<Option<i64>> {
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(cpus) if cpus > 0.0 && cpus <= 1024.0 => Ok(Some((cpus * 1e9).round() as i64)),
        _ => invalid(format!(
            "The CPU limit {text:?} must be a number of CPUs above 0, like 0.5 or 2."
        )),
    }
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
                    ports: vec!["8000-8010:80".into()],
                    ..request()
                },
                "range",
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
}
