//! Property tests of every parser and validator a user's text reaches, through the public entry
//! points (the parsers behind them change as they are brought in line with upstream). Each
//! input is either shaped like the grammar it is fed to (so it gets past the first check) or
//! any string at all; whatever it is, the answer is a value or a clear refusal, never a panic.
//!
//! `BERTH_FUZZ_CASES` sets the inputs per parser (default 500, for `cargo test`);
//! `scripts/reliability.sh` runs 100,000 (10,000 in its short version) and prints the counts.

use std::sync::atomic::{AtomicU64, Ordering};

use berth_core::engine::object_refs;
use berth_core::hosts::import;
use berth_core::hosts::JumpHost;
use berth_core::{
    ContainerRequest, Endpoint, Error, ImageRef, KnownHostsFiles, NetworkRequest, SavedHost,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn cases() -> u32 {
    std::env::var("BERTH_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500)
}

/// A string of up to `max` characters drawn from `alphabet` (the grammar's own characters), or
/// any string at all, one time in four.
fn text(alphabet: &'static str, max: usize) -> BoxedStrategy<String> {
    let chars: Vec<char> = alphabet.chars().collect();
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(chars), 0..max)
            .prop_map(|v| v.into_iter().collect::<String>()),
        1 => any::<String>(),
    ]
    .boxed()
}

/// Lines made of `words` and grammar characters, for the line-based formats.
fn lines(words: &'static [&'static str], alphabet: &'static str) -> BoxedStrategy<String> {
    let word = prop_oneof![
        prop::sample::select(words).prop_map(str::to_owned),
        text(alphabet, 24),
    ];
    prop::collection::vec(prop::collection::vec(word, 0..6), 0..12)
        .prop_map(|lines| {
            lines
                .into_iter()
                .map(|l| l.join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .boxed()
}

/// Runs `check` on `cases()` inputs of `strategy`, counting accepted and refused ones; any
/// panic or failed property fails the test with the input that caused it.
fn fuzz<T: std::fmt::Debug>(
    what: &str,
    strategy: impl Strategy<Value = T>,
    check: impl Fn(T) -> Result<bool, String>,
) {
    let accepted = AtomicU64::new(0);
    let refused = AtomicU64::new(0);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |input| {
            match check(input) {
                Ok(true) => accepted.fetch_add(1, Ordering::Relaxed),
                Ok(false) => refused.fetch_add(1, Ordering::Relaxed),
                Err(why) => return Err(TestCaseError::fail(why)),
            };
            Ok(())
        })
        .unwrap_or_else(|e| panic!("fuzz {what}: {e}"));
    let (a, r) = (accepted.into_inner(), refused.into_inner());
    println!(
        "fuzz {what}: {} inputs, {a} accepted, {r} refused, 0 panics",
        a + r
    );
}

/// A refusal must say something a person can read.
fn judged<T>(result: Result<T, Error>) -> Result<bool, String> {
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.to_string().trim().is_empty() => {
            Err(format!("a refusal with no message: {e:?}"))
        }
        Err(_) => Ok(false),
    }
}

const REF_CHARS: &str = "abcz09AZ._-/:@+ ";
const PORT_CHARS: &str = "0123456789:-/.[]abtcpudsx ";
const MOUNT_CHARS: &str = "/abcvz:.-_~ rowshedlav";

#[test]
fn image_references() {
    fuzz(
        "image references",
        prop_oneof![
            text(REF_CHARS, 80),
            (
                text("abc.-", 12),
                text("abc/", 12),
                text("sha256:0123456789abcdef", 80)
            )
                .prop_map(|(a, b, c)| format!("{a}/{b}@{c}")),
        ],
        |input| {
            let parsed = ImageRef::parse(&input);
            if let Ok(image) = &parsed {
                // Whatever was accepted has a tag or digest to show.
                let _ = image.tag_or_digest().len();
            }
            judged(parsed)
        },
    );
}

fn request_with(field: &str, value: String) -> ContainerRequest {
    let mut request = ContainerRequest {
        image: "busybox:latest".into(),
        ..ContainerRequest::default()
    };
    match field {
        "ports" => request.ports = vec![value],
        "mounts" => request.mounts = vec![value],
        "env" => request.env = vec![value],
        "name" => request.name = value,
        "memory" => request.memory = value,
        "cpus" => request.cpus = value,
        "restart" => request.restart = value,
        "user" => request.user = value,
        "command" => request.command = value,
        _ => unreachable!("a field of the form"),
    }
    request
}

fn container_field(field: &'static str, strategy: BoxedStrategy<String>) {
    fuzz(&format!("container {field}"), strategy, |value| {
        judged(request_with(field, value).validate())
    });
}

#[test]
fn ports() {
    container_field("ports", text(PORT_CHARS, 40));
}

#[test]
fn mounts() {
    container_field("mounts", text(MOUNT_CHARS, 48));
}

#[test]
fn env() {
    container_field("env", text("AZaz09_=$ \t\n'\"", 32));
}

#[test]
fn names() {
    container_field("name", text("az09_.-/ é", 70));
}

#[test]
fn resources() {
    container_field("memory", text("0123456789.kmgtpbKMGTPB-e ", 16));
    container_field("cpus", text("0123456789.-e+ ", 16));
    container_field("restart", text("noalwysuedf-:0123456789 ", 24));
    container_field("user", text("az09:_- ", 20));
    container_field("command", text("az \"'\\$`;|&", 40));
}

#[test]
fn cidr() {
    fuzz(
        "network subnets (CIDR)",
        text("0123456789./:abcdef", 44),
        |subnet| {
            judged(
                NetworkRequest {
                    name: "net".into(),
                    subnet,
                    ..NetworkRequest::default()
                }
                .validate(),
            )
        },
    );
}

#[test]
fn object_references() {
    fuzz("object references", text(REF_CHARS, 80), |reference| {
        let answers = [
            judged(object_refs::container(&reference))?,
            judged(object_refs::volume(&reference))?,
            judged(object_refs::network(&reference))?,
            judged(object_refs::image(&reference))?,
        ];
        Ok(answers.iter().any(|a| *a))
    });
}

#[test]
fn docker_host() {
    let schemes =
        prop::sample::select(&["unix://", "tcp://", "ssh://", "npipe://", "http://", ""][..]);
    fuzz(
        "DOCKER_HOST",
        (schemes, text("az09.-_@:/[]%?#~ ", 48)).prop_map(|(s, rest)| format!("{s}{rest}")),
        |address| {
            judged(Endpoint::parse(&address))?;
            judged(JumpHost::parse(&address, "me"))?;
            Ok(import::from_ssh_url(&address, "fuzz", "fuzz").is_some())
        },
    );
}

#[test]
fn saved_hosts() {
    fuzz(
        "saved host fields",
        (
            text("az09 -é", 70),
            text("az09.-:[]", 40),
            any::<u16>(),
            text("az09_-", 40),
        ),
        |(name, address, port, user)| {
            judged(
                SavedHost {
                    id: berth_core::HostId::new("fuzz"),
                    name,
                    address,
                    port,
                    user,
                    key_path: None,
                    socket: "/var/run/docker.sock".into(),
                    tags: Vec::new(),
                    proxy_jump: None,
                    docker_host: None,
                    created_ms: 0,
                    last_seen_ms: None,
                }
                .validate(),
            )
        },
    );
}

const SSH_WORDS: &[&str] = &[
    "Host",
    "HostName",
    "User",
    "Port",
    "IdentityFile",
    "ProxyJump",
    "Include",
    "Match",
    "all",
    "host",
    "user",
    "exec",
    "*",
    "!",
    "=",
    "#",
    "\"",
    "%h",
    "%u",
    "%r",
    "%p",
    "~",
    "\t",
];

#[test]
fn ssh_config() {
    let home = tempdir("ssh-config");
    fuzz(
        "ssh config files",
        lines(SSH_WORDS, "az09.-_@:/*?!=\"\\%~#"),
        |config| Ok(!import::from_ssh_config(&config, &home).is_empty()),
    );
}

#[test]
fn docker_contexts() {
    let config = tempdir("contexts");
    let meta = config.join("contexts/meta/fuzz");
    std::fs::create_dir_all(&meta).unwrap();
    let url = prop_oneof![
        text("az09.-_@:/[]%?# ", 48).prop_map(|rest| format!("ssh://{rest}")),
        text("az09.-_@:/ ", 48).prop_map(|rest| format!("tcp://{rest}")),
        text("{}\":,[]az09/", 60),
    ];
    fuzz(
        "docker contexts",
        (text("az09-_ é\"", 20), url, any::<bool>()),
        |(name, url, as_json)| {
            let text = if as_json {
                serde_json::json!({"Name": name, "Endpoints": {"docker": {"Host": url}}})
                    .to_string()
            } else {
                url
            };
            std::fs::write(meta.join("meta.json"), text).map_err(|e| e.to_string())?;
            Ok(!import::from_docker_contexts(&config).is_empty())
        },
    );
    let _ = std::fs::remove_dir_all(&config);
}

const KNOWN_HOSTS_WORDS: &[&str] = &[
    "@cert-authority",
    "@revoked",
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "|1|",
    "[10.200.0.2]:22",
    "10.200.0.2",
    "*",
    "!",
    ",",
    "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
];

#[test]
fn known_hosts_lines() {
    let dir = tempdir("known-hosts");
    let files = KnownHostsFiles {
        openssh: Vec::new(),
        berth: dir.join("known_hosts"),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    fuzz(
        "known_hosts lines",
        (
            lines(KNOWN_HOSTS_WORDS, "az09.:[]|=+/,*!"),
            text("az09.:[]", 20),
            any::<u16>(),
        ),
        |(file, host, port)| {
            std::fs::write(&files.berth, &file).map_err(|e| e.to_string())?;
            judged(runtime.block_on(berth_core::forget_host_key(&files, &host, port)))
        },
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("berth-fuzz-{what}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Log filters are compiled by `Engine::logs` before anything is sent, so an unpolled stream
/// is all an accepted filter costs (the engine is only asked for its version).
#[test]
fn log_filters() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let engine = runtime
        .block_on(berth_core::Engine::connect(&Endpoint::local().unwrap()))
        .expect("the test engine");
    let ids = vec!["fuzz".to_owned()];
    fuzz(
        "log filters (regex)",
        text("a.*+?()[]{}|^$\\dwsbpLu0123456789,-:&~", 40),
        |filter| {
            let _guard = runtime.enter();
            judged(engine.logs(
                &ids,
                &berth_core::LogOptions {
                    filter: Some(filter),
                    ..berth_core::LogOptions::default()
                },
            ))
        },
    );
}
