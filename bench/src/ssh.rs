//! The same local engine reached two ways: its socket, and over SSH through the test host's
//! sshd (tests/env/sshhost.sh), which shares this machine's filesystem and so can open the
//! local socket. Same engine, same containers: only the transport differs.

use std::time::{Duration, Instant};

use berth_core::{Endpoint, Engine, ExecRequest, KeySource, KnownHostsFiles, SshTarget};
use berth_testkit::{docker, Labelled, RemoteHost};
use futures_util::StreamExt;

use crate::report::{Row, Target};
use crate::{median, read_whole_log, LIST_ROUNDS, LOG_LINES};

const ECHO_ROUNDS: usize = 40;
const LOG_ROUNDS: usize = 3;

pub async fn compare(local: &Engine, t: &Labelled) {
    let host = RemoteHost::get();
    let target = SshTarget {
        address: host.address.clone(),
        port: 22,
        user: host.user.clone(),
        key: KeySource::File {
            path: host.key("ed25519"),
            passphrase: None,
        },
        socket: "/var/run/docker.sock".to_owned(),
        known_hosts: KnownHostsFiles {
            openssh: Vec::new(),
            berth: host.key("known_hosts"),
        },
        jump: Vec::new(),
    };
    let start = Instant::now();
    let remote = Engine::connect(&Endpoint::Ssh(Box::new(target)))
        .await
        .expect("the SSH test host (scripts/bench.sh starts it)");
    println!(
        "Over SSH (the local engine through the test host's sshd; connected in {:.0} ms)",
        start.elapsed().as_secs_f64() * 1000.0
    );

    let (mut over_socket, mut over_ssh) = (Vec::new(), Vec::new());
    for _ in 0..LIST_ROUNDS {
        over_socket.push(timed_ms(local.containers()).await);
        over_ssh.push(timed_ms(remote.containers()).await);
    }
    let (socket_ms, ssh_ms) = (median(over_socket), median(over_ssh));
    Row::new("SSH", "container list over SSH", ssh_ms, "ms")
        .peer("over the socket", socket_ms)
        .target(Target::RatioAtMost(1.3))
        .note(format!("median of {LIST_ROUNDS}"))
        .record();

    let id = t.run(
        &t.name("ssh-log"),
        &[],
        &["seq", "1", &LOG_LINES.to_string()],
    );
    docker(&["wait", &id]);
    // Alternated rounds, medians compared: one run of each swings by ±5 % on a busy machine.
    let (mut over_socket, mut over_ssh) = (Vec::new(), Vec::new());
    for _ in 0..LOG_ROUNDS {
        over_socket.push(lines_per_second(local, &id).await);
        over_ssh.push(lines_per_second(&remote, &id).await);
    }
    let (socket_rate, ssh_rate) = (median(over_socket), median(over_ssh));
    Row::new("SSH", "1M-line log over SSH", ssh_rate, "lines/s")
        .peer("over the socket", socket_rate)
        .target(Target::RatioAtLeast(0.9))
        .note(format!("median of {LOG_ROUNDS}, alternated"))
        .record();

    let sleeper = t.run_sleeper(&t.name("ssh-echo"), &[]);
    let socket_echo = echo_ms(local, &sleeper).await;
    let ssh_echo = echo_ms(&remote, &sleeper).await;
    Row::new("SSH", "exec echo over SSH, p95", ssh_echo.1, "ms")
        .peer("over the socket", socket_echo.1)
        .target(Target::Below(25.0))
        .note(format!(
            "medians: SSH {:.1} ms, socket {:.1} ms; {ECHO_ROUNDS} keys",
            ssh_echo.0, socket_echo.0
        ))
        .record();
    println!();
}

async fn timed_ms<T>(call: impl std::future::Future<Output = berth_core::Result<T>>) -> f64 {
    let start = Instant::now();
    call.await.expect("the call succeeds");
    start.elapsed().as_secs_f64() * 1000.0
}

async fn lines_per_second(engine: &Engine, id: &str) -> f64 {
    let start = Instant::now();
    let (lines, _) = read_whole_log(engine, id).await;
    assert_eq!(lines, LOG_LINES as usize, "every line arrived");
    lines as f64 / start.elapsed().as_secs_f64()
}

/// Types one character into `cat` on a TTY and waits for it to come back, as a key echoes in
/// a terminal. Returns the median and 95th percentile in ms.
async fn echo_ms(engine: &Engine, id: &str) -> (f64, f64) {
    let request = ExecRequest {
        command: Some(vec!["cat".to_owned()]),
        cols: 80,
        rows: 24,
    };
    let (session, mut output) = engine.exec(id, &request).await.expect("exec starts");
    let mut delays = Vec::new();
    for round in 0..ECHO_ROUNDS {
        let key = char::from(b'a' + (round % 26) as u8);
        let start = Instant::now();
        session.write(key.to_string().as_bytes()).await.unwrap();
        loop {
            let chunk = tokio::time::timeout(Duration::from_secs(5), output.next())
                .await
                .expect("the echo comes back")
                .expect("the terminal is open")
                .unwrap();
            if chunk.contains(key) {
                break;
            }
        }
        delays.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    delays.sort_by(f64::total_cmp);
    let p95 = delays[(delays.len() * 95 / 100).min(delays.len() - 1)];
    (median(delays), p95)
}
