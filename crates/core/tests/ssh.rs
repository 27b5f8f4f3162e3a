//! A remote engine over real SSH (tests/env/sshhost.sh): every key kind, host key checks
//! before anything is sent, and each way a connection is refused, told apart.

use std::path::{Path, PathBuf};

use berth_core::error::{ErrorDetails, Hop};
use berth_core::{
    AcceptedHostKey, ContainerAction, Endpoint, Engine, ErrorCode, HostId, KeySource,
    KnownHostsFiles, LogOptions, SavedHost, Secret, SshTarget,
};
use berth_testkit::{docker_on, read_until, RemoteHost};
use futures_util::StreamExt;

/// A private folder for this test's known-hosts file (Berth's own), removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("berth-ssh-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn target(remote: &RemoteHost, key: KeySource, known_hosts: &Path) -> SshTarget {
    SshTarget {
        address: remote.address.clone(),
        port: 22,
        user: remote.user.clone(),
        key,
        socket: remote.socket(),
        known_hosts: KnownHostsFiles {
            openssh: Vec::new(),
            berth: known_hosts.to_owned(),
        },
        jump: Vec::new(),
    }
}

fn key_file(remote: &RemoteHost, name: &str, passphrase: Option<&str>) -> KeySource {
    KeySource::File {
        path: remote.key(name),
        passphrase: passphrase.map(Secret::new),
    }
}

async fn connect(target: SshTarget) -> berth_core::Result<Engine> {
    Engine::connect(&Endpoint::Ssh(Box::new(target))).await
}

async fn connect_accepting(
    target: SshTarget,
    accepted: &AcceptedHostKey,
) -> berth_core::Result<Engine> {
    Engine::connect_accepting(&Endpoint::Ssh(Box::new(target)), Some(accepted)).await
}

fn accepted(remote: &RemoteHost, port: u16, fingerprint: &str) -> AcceptedHostKey {
    AcceptedHostKey {
        host: remote.address.clone(),
        port,
        fingerprint: fingerprint.to_owned(),
    }
}

/// The test host, logged in to with the plain ed25519 key, its host key known.
fn plain_target(remote: &RemoteHost) -> SshTarget {
    target(
        remote,
        key_file(remote, "ed25519", None),
        &remote.key("known_hosts"),
    )
}

/// The remote engine, logged in with the plain ed25519 key, its host key known.
async fn connect_with_plain_key(remote: &RemoteHost) -> Engine {
    connect(plain_target(remote))
        .await
        .expect("the SSH test host answers")
}

#[tokio::test]
async fn every_key_kind_reaches_the_remote_engine_and_acts_on_it() {
    let remote = RemoteHost::get();
    let t = remote.labelled("ssh-keys");
    let name = t.name("remote");
    let id = t.run_sleeper(&name, &[]);
    let known = remote.key("known_hosts");
    let passphrase = remote.passphrase();

    for key in [
        key_file(&remote, "ed25519", None),
        key_file(&remote, "ed25519_protected", Some(&passphrase)),
        key_file(&remote, "rsa", None),
        key_file(&remote, "ecdsa", None),
    ] {
        let engine = connect(target(&remote, key.clone(), &known))
            .await
            .unwrap_or_else(|e| panic!("{key:?}: {e}"));
        let containers = engine.containers().await.unwrap();
        assert!(containers.iter().any(|c| c.name == name), "{key:?}");
    }

    let engine = connect_with_plain_key(&remote).await;
    engine
        .container_action(&id, ContainerAction::Stop)
        .await
        .unwrap();
    let state = docker_on(
        Some(&remote.docker_host),
        &["inspect", "-f", "{{.State.Status}}", &id],
    );
    assert_eq!(state, "exited");
}

#[tokio::test]
async fn logs_follow_and_stats_stream_over_ssh() {
    let remote = RemoteHost::get();
    let t = remote.labelled("ssh-streams");
    let id = t.run(
        &t.name("chatty"),
        &[],
        &[
            "sh",
            "-c",
            "seq 1 2000; trap 'exit 0' TERM; while true; do echo tick; sleep 0.2; done",
        ],
    );
    let engine = connect_with_plain_key(&remote).await;

    let options = LogOptions {
        follow: true,
        ..LogOptions::default()
    };
    let mut logs = engine.logs(std::slice::from_ref(&id), &options).unwrap();
    let mut text = String::new();
    while !text.contains("2000\n") || !text.contains("tick") {
        let batch = tokio::time::timeout(berth_testkit::PATIENCE, logs.next())
            .await
            .expect("log lines arrive")
            .expect("the log follows")
            .unwrap();
        text.push_str(&batch.text);
    }
    assert!(text.starts_with("1\n2\n3\n"));

    let mut stats = engine.stats(std::slice::from_ref(&id)).unwrap();
    let batch = tokio::time::timeout(berth_testkit::PATIENCE, stats.next())
        .await
        .expect("a stats sample arrives")
        .unwrap()
        .unwrap();
    assert!(batch
        .iter()
        .any(|sample| sample.id == id && sample.memory_bytes > 0));
}

#[tokio::test]
async fn a_terminal_over_ssh_follows_a_resize() {
    let remote = RemoteHost::get();
    let t = remote.labelled("ssh-exec");
    let id = t.run_sleeper(&t.name("term"), &[]);
    let engine = connect_with_plain_key(&remote).await;
    let request = berth_core::ExecRequest {
        command: None,
        cols: 80,
        rows: 24,
    };
    let (session, mut output) = engine.exec(&id, &request).await.unwrap();
    session.write(b"stty size\n").await.unwrap();
    read_until(&mut output, "24 80").await;
    session.resize(120, 40).await.unwrap();
    session.write(b"stty size\n").await.unwrap();
    read_until(&mut output, "40 120").await;
}

#[tokio::test]
async fn an_unknown_host_key_is_shown_and_learned_only_once_accepted() {
    let remote = RemoteHost::get();
    let scratch = Scratch::new("unknown");
    let berth_file = scratch.0.join("known_hosts");
    let target = target(&remote, key_file(&remote, "ed25519", None), &berth_file);
    let logins = remote.accepted_logins();

    let err = connect(target.clone()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::HostKeyUnknown, "{err}");
    let expected = host_fingerprint(&remote);
    assert!(
        err.to_string().contains(&expected),
        "{err} shows {expected}"
    );
    assert_eq!(
        remote.accepted_logins(),
        logins,
        "no login before the key is accepted"
    );

    let Some(ErrorDetails::HostKey(facts)) = err.details() else {
        panic!("{err:?} carries the host key's facts");
    };
    assert_eq!(
        (facts.hop, facts.host.as_str(), facts.port),
        (Hop::Target, remote.address.as_str(), 22)
    );
    assert_eq!(facts.offered.fingerprint, expected);
    assert_eq!(facts.offered.key_type, "ssh-ed25519");
    assert!(facts.known.is_empty());

    let wrong = accepted(
        &remote,
        22,
        "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    );
    let other_port = accepted(&remote, 2222, &expected);
    for not_this in [wrong, other_port] {
        let err = connect_accepting(target.clone(), &not_this)
            .await
            .unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::HostKeyUnknown,
            "{not_this:?} is not this host, port and key"
        );
    }

    connect_accepting(target.clone(), &accepted(&remote, 22, &expected))
        .await
        .expect("the accepted key is trusted");
    connect(target)
        .await
        .expect("and remembered in Berth's own file");
}

#[tokio::test]
async fn a_changed_host_key_is_refused_before_anything_is_sent() {
    let remote = RemoteHost::get();
    let scratch = Scratch::new("changed");
    let forged = scratch.0.join("forged");
    ssh_keygen(&forged);
    let known = scratch.0.join("known_hosts");
    std::fs::write(
        &known,
        format!(
            "{} {}\n",
            remote.address,
            key_of(&forged.with_extension("pub"))
        ),
    )
    .unwrap();
    let logins = remote.accepted_logins();

    let err = connect(target(&remote, key_file(&remote, "ed25519", None), &known))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::HostKeyChanged, "{err}");
    let message = err.to_string();
    assert!(
        message.contains(&fingerprint_of(&forged.with_extension("pub"))),
        "{message}"
    );
    assert!(message.contains(&host_fingerprint(&remote)), "{message}");
    assert_eq!(
        remote.accepted_logins(),
        logins,
        "no login, so no request, was made"
    );
}

/// The type and base64 of a public key file, as a known_hosts line holds them.
fn key_of(public_key: &Path) -> String {
    let line = std::fs::read_to_string(public_key).unwrap();
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A file of known hosts written by the test, read as an OpenSSH file (not Berth's own).
fn openssh_target(remote: &RemoteHost, scratch: &Scratch, openssh_file: &str) -> SshTarget {
    let file = scratch.0.join("openssh_known_hosts");
    std::fs::write(&file, openssh_file).unwrap();
    SshTarget {
        known_hosts: KnownHostsFiles {
            openssh: vec![file],
            berth: scratch.0.join("berth_known_hosts"),
        },
        ..target(
            remote,
            key_file(remote, "ed25519", None),
            Path::new("/nonexistent"),
        )
    }
}

fn host_key_facts(err: &berth_core::Error) -> berth_core::error::HostKeyFacts {
    match err.details() {
        Some(ErrorDetails::HostKey(facts)) => facts,
        None => panic!("{err:?} carries no host key facts"),
    }
}

#[tokio::test]
async fn a_key_of_another_type_than_the_one_on_record_is_refused_as_changed() {
    let remote = RemoteHost::get();
    let scratch = Scratch::new("other-type");
    // The host has ed25519 and ECDSA keys; on record is an RSA key it does not have.
    let forged = scratch.0.join("forged_rsa");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f"])
        .arg(&forged)
        .status()
        .unwrap();
    assert!(status.success());
    let target = openssh_target(
        &remote,
        &scratch,
        &format!(
            "{} {}\n",
            remote.address,
            key_of(&forged.with_extension("pub"))
        ),
    );
    let logins = remote.accepted_logins();

    let err = connect(target.clone()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::HostKeyChanged, "{err}");
    let facts = host_key_facts(&err);
    assert_eq!(facts.known.len(), 1);
    assert_eq!(facts.known[0].key.key_type, "ssh-rsa");
    assert_eq!(
        facts.known[0].key.fingerprint,
        fingerprint_of(&forged.with_extension("pub"))
    );
    assert!(!facts.known[0].berths_own);
    assert_eq!(
        facts.known[0].forget_command.as_deref(),
        Some(
            format!(
                "ssh-keygen -R '{}' -f '{}'",
                remote.address,
                target.known_hosts.openssh[0].display()
            )
            .as_str()
        )
    );

    // Accepting the offered key does not get past a key on record: it is never a first
    // connection.
    let offered = accepted(&remote, 22, &facts.offered.fingerprint);
    let err = connect_accepting(target.clone(), &offered)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::HostKeyChanged, "{err}");
    assert!(!target.known_hosts.berth.exists(), "nothing was learned");
    assert_eq!(remote.accepted_logins(), logins, "no login was made");
}

#[tokio::test]
async fn the_key_type_on_record_is_asked_for_first() {
    let remote = RemoteHost::get();
    let scratch = Scratch::new("preferred");
    // Only the host's ECDSA key is on record; left to itself, the server would show ed25519.
    let target = openssh_target(
        &remote,
        &scratch,
        &format!(
            "{} {}\n",
            remote.address,
            key_of(&remote.key("host_ecdsa.pub"))
        ),
    );
    connect(target)
        .await
        .expect("the server shows the ECDSA key on record");
}

#[tokio::test]
async fn a_revoked_key_is_refused_even_where_it_is_also_on_record() {
    let remote = RemoteHost::get();
    let scratch = Scratch::new("revoked");
    let host_key = key_of(&remote.key("host_ed25519.pub"));
    let target = openssh_target(
        &remote,
        &scratch,
        &format!(
            "{} {host_key}\n@revoked some-other-host {host_key}\n",
            remote.address
        ),
    );
    let err = connect(target).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::HostKeyRevoked, "{err}");
    assert_eq!(
        host_key_facts(&err).offered.fingerprint,
        host_fingerprint(&remote)
    );
}

#[tokio::test]
async fn hashed_names_patterns_and_ports_in_an_openssh_file_are_read_as_ssh_reads_them() {
    let remote = RemoteHost::get();
    let scratch = Scratch::new("openssh-file");
    let host_key = key_of(&remote.key("host_ed25519.pub"));
    let port = remote.no_forwarding_port();
    // Several names on a line, tabs, and the port's own entry by a pattern with a negation.
    let plain = format!(
        "other.example,{address}\t{host_key}\n[10.200.0.*]:{port},!other\t  {host_key} a comment\n",
        address = remote.address
    );
    let mut target = openssh_target(&remote, &scratch, &plain);
    connect(target.clone()).await.expect("the multi-name line");
    target.port = port;
    connect(target.clone())
        .await
        .expect("the [pattern]:port line");

    // The same file hashed by `ssh-keygen -H`, as Debian's ssh writes it.
    let status = std::process::Command::new("ssh-keygen")
        .arg("-H")
        .arg("-f")
        .arg(&target.known_hosts.openssh[0])
        .output()
        .unwrap();
    assert!(status.status.success());
    let hashed = std::fs::read_to_string(&target.known_hosts.openssh[0]).unwrap();
    assert!(hashed.starts_with("|1|"), "{hashed}");
    assert!(!hashed.contains(&remote.address), "{hashed}");
    connect(target.clone())
        .await
        .expect("the port's line, which ssh-keygen -H leaves as it is (a pattern)");
    target.port = 22;
    connect(target).await.expect("the hashed names");
}

#[tokio::test]
async fn the_wrong_key_at_the_jump_host_is_refused_naming_the_jump_host() {
    use berth_core::JumpHost;
    let remote = RemoteHost::get();
    let scratch = Scratch::new("jump-key");
    let forged = scratch.0.join("forged");
    ssh_keygen(&forged);
    let host_key = key_of(&remote.key("host_ed25519.pub"));
    let behind = SshTarget {
        address: "127.0.0.1".to_owned(),
        jump: vec![
            JumpHost::parse(&format!("{}@{}", remote.user, remote.address), "nobody").unwrap(),
        ],
        ..openssh_target(
            &remote,
            &scratch,
            &format!(
                "{} {}\n127.0.0.1 {host_key}\n",
                remote.address,
                key_of(&forged.with_extension("pub"))
            ),
        )
    };
    let logins = remote.accepted_logins();
    let err = connect(behind).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::HostKeyChanged, "{err}");
    let facts = host_key_facts(&err);
    assert_eq!(
        (facts.hop, facts.host.as_str(), facts.port),
        (Hop::Jump, remote.address.as_str(), 22)
    );
    assert!(err.to_string().contains("the jump host"), "{err}");
    assert_eq!(remote.accepted_logins(), logins, "no login anywhere");
}

#[tokio::test]
async fn forgetting_a_changed_key_makes_the_host_a_first_connection_again() {
    let remote = RemoteHost::get();
    let scratch = Scratch::new("forget");
    let forged = scratch.0.join("forged");
    ssh_keygen(&forged);
    let berth_file = scratch.0.join("known_hosts");
    let kept_line = format!(
        "[other.example]:2222 {}\n",
        key_of(&forged.with_extension("pub"))
    );
    std::fs::write(
        &berth_file,
        format!(
            "{kept_line}{} {}\n",
            remote.address,
            key_of(&forged.with_extension("pub"))
        ),
    )
    .unwrap();
    let target = target(&remote, key_file(&remote, "ed25519", None), &berth_file);

    let err = connect(target.clone()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::HostKeyChanged, "{err}");
    let facts = host_key_facts(&err);
    assert!(facts.known[0].berths_own);
    assert_eq!(facts.known[0].forget_command, None);

    let forgotten = berth_core::forget_host_key(&target.known_hosts, &facts.host, facts.port)
        .await
        .unwrap();
    assert_eq!(forgotten, 1);
    assert_eq!(
        std::fs::read_to_string(&berth_file).unwrap(),
        kept_line,
        "other hosts' keys stay"
    );
    let err = connect(target.clone()).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::HostKeyUnknown, "{err}");
    connect_accepting(target, &accepted(&remote, 22, &host_fingerprint(&remote)))
        .await
        .expect("trusted once accepted");
}

#[tokio::test]
async fn each_refusal_is_told_apart() {
    let remote = RemoteHost::get();
    let known = remote.key("known_hosts");
    let scratch = Scratch::new("refusals");
    let stranger = scratch.0.join("stranger");
    ssh_keygen(&stranger);

    let cases: Vec<(SshTarget, ErrorCode, &str)> = vec![
        (
            target(
                &remote,
                key_file(&remote, "ed25519_protected", None),
                &known,
            ),
            ErrorCode::PassphraseRequired,
            "passphrase",
        ),
        (
            target(
                &remote,
                key_file(&remote, "ed25519_protected", Some("not it")),
                &known,
            ),
            ErrorCode::PassphraseWrong,
            "wrong",
        ),
        (
            target(
                &remote,
                KeySource::File {
                    path: stranger,
                    passphrase: None,
                },
                &known,
            ),
            ErrorCode::AuthFailed,
            "refused the key",
        ),
        (
            SshTarget {
                port: 2223, // nothing listens there
                ..target(&remote, key_file(&remote, "ed25519", None), &known)
            },
            ErrorCode::EngineUnreachable,
            "refused the connection",
        ),
        (
            SshTarget {
                address: "no-such-host.invalid".to_owned(),
                ..target(&remote, key_file(&remote, "ed25519", None), &known)
            },
            ErrorCode::EngineUnreachable,
            "was not found",
        ),
        (
            SshTarget {
                socket: "/run/no-docker-here.sock".to_owned(),
                ..target(&remote, key_file(&remote, "ed25519", None), &known)
            },
            ErrorCode::EngineUnreachable,
            "no Docker socket at /run/no-docker-here.sock",
        ),
    ];
    for (target, code, says) in cases {
        let shown = format!("{target:?}");
        let err = connect(target).await.expect_err(&shown);
        assert_eq!(err.code(), code, "{shown}: {err}");
        assert!(err.to_string().contains(says), "{shown}: {err}");
        assert!(
            !err.to_string().contains(&remote.passphrase()),
            "no passphrase in errors"
        );
    }
}

/// A host that drops every packet (a port of the test host behind a DROP rule): no refusal
/// ever comes, so the connection is given up after Berth's connect timeout and said so.
#[tokio::test]
async fn a_host_that_does_not_answer_is_unreachable_and_said_so() {
    let remote = RemoteHost::get();
    let target = SshTarget {
        port: remote.drop_port(),
        ..plain_target(&remote)
    };
    let start = std::time::Instant::now();
    let err = connect(target).await.expect_err("nothing answers there");
    assert_eq!(err.code(), ErrorCode::EngineUnreachable, "{err}");
    let said = err.to_string();
    assert!(
        said.contains("no answer") || said.contains("did not answer"),
        "{said}"
    );
    // Not a refusal in disguise: one comes at once, this only after waiting.
    assert!(
        start.elapsed() >= std::time::Duration::from_secs(5),
        "{said}"
    );
}

/// A user who may log in but not use the Docker socket: refused as no permission, naming the
/// fix, not as an engine that is not there.
#[tokio::test]
async fn a_user_without_access_to_the_docker_socket_is_told_permission_denied() {
    let remote = RemoteHost::get();
    let target = SshTarget {
        user: remote.no_docker_user(),
        ..plain_target(&remote)
    };
    let err = connect(target).await.expect_err("the socket is not theirs");
    assert_eq!(err.code(), ErrorCode::PermissionDenied, "{err}");
    let said = err.to_string();
    assert!(said.contains(&remote.no_docker_user()), "{said}");
    assert!(said.contains("docker group"), "{said}");
}

fn ssh_keygen(path: &Path) {
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// `ssh-keygen -lf`'s SHA256 fingerprint of a public key file.
fn fingerprint_of(public_key: &Path) -> String {
    let out = std::process::Command::new("ssh-keygen")
        .arg("-lf")
        .arg(public_key)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned()
}

fn host_fingerprint(remote: &RemoteHost) -> String {
    fingerprint_of(&remote.key("host_ed25519.pub"))
}

/// The test host as the user would save it, logging in with the key file `key`.
fn saved_host(remote: &RemoteHost, id: &str, key: &str) -> SavedHost {
    SavedHost {
        id: HostId::new(id),
        name: "Namespace".to_owned(),
        address: remote.address.clone(),
        port: 22,
        user: remote.user.clone(),
        key_path: Some(remote.key(key).display().to_string()),
        socket: remote.socket(),
        tags: vec![],
        proxy_jump: None,
        docker_host: None,
        created_ms: 0,
        last_seen_ms: None,
    }
}

/// A refused login is not tried again by itself: a server guarded by fail2ban would ban the
/// user's address after a few, and every try is logged as an attack.
#[tokio::test]
async fn a_refused_login_is_tried_once_in_a_minute_until_the_user_acts() {
    use berth_core::{Berth, HostStatus};
    let remote = RemoteHost::get();
    let scratch = Scratch::new("refused-once");
    let stranger = scratch.0.join("stranger");
    ssh_keygen(&stranger);
    let stranger_fingerprint = fingerprint_of(&stranger.with_extension("pub"));
    let mut saved = saved_host(&remote, "refused", "ed25519");
    saved.key_path = Some(stranger.display().to_string());
    let known = KnownHostsFiles {
        openssh: Vec::new(),
        berth: remote.key("known_hosts"),
    };
    let berth = Berth::start(vec![saved.spec(&known, None).unwrap()], None);

    let refused = || match berth.states()[0].status.clone() {
        HostStatus::Offline {
            code, retry_in_ms, ..
        } => Some((code, retry_in_ms)),
        _ => None,
    };
    let start = std::time::Instant::now();
    while refused().is_none() {
        assert!(start.elapsed() < berth_testkit::PATIENCE, "never refused");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        refused(),
        Some((ErrorCode::AuthFailed, None)),
        "refused, and waiting for the user"
    );
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    let attempts = remote.refused_logins(&stranger_fingerprint);
    println!("login attempts with a refused key in 60 s: {attempts}");
    assert_eq!(attempts, 1, "one attempt, and none after the refusal");

    // The user's "Retry now" is one more attempt, and only one.
    berth.watcher(&saved.id).unwrap().reconnect_now();
    let start = std::time::Instant::now();
    while remote.refused_logins(&stranger_fingerprint) < 2 {
        assert!(start.elapsed() < berth_testkit::PATIENCE, "no retry");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(remote.refused_logins(&stranger_fingerprint), 2);
}

#[tokio::test]
async fn a_saved_host_is_watched_once_added_and_let_go_once_removed() {
    use berth_core::hosts::saved::DEFAULT_SOCKET;
    use berth_core::{Berth, HostStatus};
    let remote = RemoteHost::get();
    let t = remote.labelled("ssh-added");
    let name = t.name("watched");
    t.run_sleeper(&name, &[]);
    let saved = saved_host(&remote, "namespace", "ed25519");
    assert_ne!(
        saved.socket, DEFAULT_SOCKET,
        "the test host's engine listens elsewhere"
    );
    let known = KnownHostsFiles {
        openssh: Vec::new(),
        berth: remote.key("known_hosts"),
    };
    let berth = Berth::start(vec![], None);
    berth.add(saved.spec(&known, None).unwrap()).unwrap();
    let err = berth.add(saved.spec(&known, None).unwrap()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "one watcher per host");

    let start = std::time::Instant::now();
    loop {
        let state = berth.states().pop().expect("the added host");
        if matches!(state.status, HostStatus::Online { .. })
            && state.containers.iter().any(|c| c.name == name)
        {
            break;
        }
        assert!(start.elapsed() < berth_testkit::PATIENCE, "{state:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Followed by the engine's events over SSH: a container started now shows up.
    let later = t.name("later");
    t.run_sleeper(&later, &[]);
    let start = std::time::Instant::now();
    while !berth.states()[0].containers.iter().any(|c| c.name == later) {
        assert!(
            start.elapsed() < berth_testkit::PATIENCE,
            "{later} never showed up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    berth.remove(&saved.id).unwrap();
    assert!(berth.states().is_empty());
    assert_eq!(
        berth.remove(&saved.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn a_passphrase_remembered_in_the_keyring_unlocks_the_key_next_time() {
    use berth_core::hosts::passphrases;
    let remote = RemoteHost::get();
    let id = format!("berth-test-keyring-{}", std::process::id());
    let host = saved_host(&remote, &id, "ed25519_protected");
    let known = KnownHostsFiles {
        openssh: Vec::new(),
        berth: remote.key("known_hosts"),
    };

    let spec = host.spec_with_remembered_passphrase(&known).await.unwrap();
    let locked = Engine::connect(&spec.endpoint).await.unwrap_err();
    assert_eq!(locked.code(), ErrorCode::PassphraseRequired, "{locked}");

    passphrases::remember(&host.id, &Secret::new("not it"))
        .await
        .unwrap();
    passphrases::remember(&host.id, &Secret::new(remote.passphrase()))
        .await
        .expect("a second one replaces the first");
    let spec = host.spec_with_remembered_passphrase(&known).await.unwrap();
    let engine = Engine::connect(&spec.endpoint)
        .await
        .expect("the remembered passphrase unlocks the key");
    engine.info().await.unwrap();

    passphrases::forget(&host.id).await.unwrap();
    assert_eq!(passphrases::recall(&host.id).await.unwrap(), None);
    passphrases::forget(&host.id)
        .await
        .expect("forgetting what is not kept is fine");
}

#[tokio::test]
async fn a_generated_key_pair_logs_in_once_its_public_key_is_authorized() {
    use berth_core::hosts::keys;
    let remote = RemoteHost::get();
    let scratch = Scratch::new("keygen");
    let key = scratch.0.join("new/id_berth");
    let passphrase = Secret::new("generated and protected");

    let public = keys::generate_ed25519(&key, "berth-test", Some(&passphrase))
        .await
        .expect("a key pair");
    assert!(
        public.starts_with("ssh-ed25519 ") && public.ends_with(" berth-test"),
        "{public}"
    );
    assert_eq!(
        std::fs::read_to_string(key.with_extension("pub"))
            .unwrap()
            .trim(),
        public
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the private key is its owner's only");

    let again = keys::generate_ed25519(&key, "berth-test", None).await;
    assert_eq!(
        again.unwrap_err().code(),
        ErrorCode::Conflict,
        "never overwritten"
    );
    let relative = keys::generate_ed25519(Path::new("id_new"), "berth-test", None).await;
    assert_eq!(relative.unwrap_err().code(), ErrorCode::InvalidInput);

    let login = |passphrase: Option<&Secret>| {
        let source = KeySource::File {
            path: key.clone(),
            passphrase: passphrase.cloned(),
        };
        connect(target(&remote, source, &remote.key("known_hosts")))
    };
    let locked = login(None).await.unwrap_err();
    assert_eq!(
        locked.code(),
        ErrorCode::PassphraseRequired,
        "encrypted with the passphrase"
    );
    let refused = login(Some(&passphrase)).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::AuthFailed, "not authorized yet");
    let _authorized = remote.authorize(&public);
    let engine = login(Some(&passphrase))
        .await
        .expect("logs in with the new key");
    engine.info().await.unwrap();
}

#[tokio::test]
async fn a_pull_over_ssh_reports_progress_and_brings_the_image() {
    use berth_testkit::{Pulled, REGISTRY_IMAGE};
    let remote = RemoteHost::get();
    let engine = connect_with_plain_key(&remote).await;
    let image = Pulled::on(Some(&remote.docker_host), REGISTRY_IMAGE);

    let batches: Vec<_> = engine.pull(REGISTRY_IMAGE).unwrap().collect().await;
    let reports: Vec<_> = batches
        .into_iter()
        .flat_map(|batch| batch.expect("no error mid-pull"))
        .collect();
    assert!(
        reports
            .iter()
            .any(|p| p.status == "Downloading" && p.total.is_some_and(|t| t > 1 << 20)),
        "download progress came through the tunnel: {reports:?}"
    );
    assert!(
        reports
            .iter()
            .any(|p| p.status.contains("Downloaded newer image")),
        "{reports:?}"
    );
    assert!(image.is_in(), "the remote engine has the image");
}

#[tokio::test]
async fn a_host_behind_a_jump_host_is_reached_through_it() {
    use berth_core::JumpHost;
    let remote = RemoteHost::get();
    let scratch = Scratch::new("jump");
    // The same sshd answers on the namespace's loopback, which only the jump host can reach.
    let host_key = key_of(&remote.key("host_ed25519.pub"));
    let known = scratch.0.join("known_hosts");
    std::fs::write(
        &known,
        format!("{} {host_key}\n127.0.0.1 {host_key}\n", remote.address),
    )
    .unwrap();
    let behind = SshTarget {
        address: "127.0.0.1".to_owned(),
        jump: vec![
            JumpHost::parse(&format!("{}@{}", remote.user, remote.address), "nobody").unwrap(),
        ],
        ..target(&remote, key_file(&remote, "ed25519", None), &known)
    };
    assert_eq!(
        behind.to_string(),
        format!("ssh://root@127.0.0.1 via root@{}", remote.address)
    );
    let engine = connect(behind.clone())
        .await
        .expect("reached through the jump host");
    assert!(!engine.info().await.unwrap().version.is_empty());

    // A jump host that cannot reach the target says so.
    let nowhere = SshTarget { port: 2, ..behind };
    let err = connect(nowhere).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::EngineUnreachable, "{err}");
    assert!(
        err.to_string().contains("could not reach 127.0.0.1:2"),
        "{err}"
    );
}

#[tokio::test]
async fn a_host_behind_two_jump_hosts_is_reached_through_both_in_order() {
    use berth_core::JumpHost;
    let remote = RemoteHost::get();
    let scratch = Scratch::new("jump-two");
    // 10.200.0.2 → the namespace's loopback (reachable only from inside) → the 2222 sshd, as
    // `ProxyJump root@10.200.0.2,root@127.0.0.1` goes; each hop's key is checked.
    let host_key = key_of(&remote.key("host_ed25519.pub"));
    let known = scratch.0.join("known_hosts");
    let second = remote.no_forwarding_port();
    std::fs::write(
        &known,
        format!(
            "{0} {host_key}\n127.0.0.1 {host_key}\n[{0}]:{second} {host_key}\n",
            remote.address
        ),
    )
    .unwrap();
    let hops = format!(
        "{}@{},{}@127.0.0.1",
        remote.user, remote.address, remote.user
    );
    let behind = SshTarget {
        address: remote.address.clone(),
        port: second,
        jump: JumpHost::parse_chain(&hops, "nobody").unwrap(),
        ..target(&remote, key_file(&remote, "ed25519", None), &known)
    };
    assert_eq!(
        behind.to_string(),
        format!(
            "ssh://root@{0}:{second} via root@{0},root@127.0.0.1",
            remote.address
        )
    );
    let logins = remote.accepted_logins();
    let engine = connect(behind.clone())
        .await
        .expect("reached through both jump hosts");
    assert!(!engine.info().await.unwrap().version.is_empty());
    assert!(
        remote.accepted_logins() >= logins + 3,
        "a login at each hop and at the target"
    );

    // The second hop's key is checked as a jump host's: a forged one there is refused, naming
    // that hop.
    let forged = scratch.0.join("forged");
    ssh_keygen(&forged);
    std::fs::write(
        &known,
        format!(
            "{0} {host_key}\n127.0.0.1 {1}\n[{0}]:{second} {host_key}\n",
            remote.address,
            key_of(&forged.with_extension("pub"))
        ),
    )
    .unwrap();
    let err = connect(behind).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::HostKeyChanged, "{err}");
    let facts = host_key_facts(&err);
    assert_eq!(
        (facts.hop, facts.host.as_str(), facts.port),
        (Hop::Jump, "127.0.0.1", 22)
    );
}

#[tokio::test]
async fn where_sshd_refuses_socket_forwarding_docker_dial_stdio_carries_the_requests() {
    let remote = RemoteHost::get();
    let t = remote.labelled("ssh-dial-stdio");
    let name = t.name("via-dial-stdio");
    t.run_sleeper(&name, &[]);
    let scratch = Scratch::new("dial-stdio");
    let host_key = key_of(&remote.key("host_ed25519.pub"));
    let port = remote.no_forwarding_port();
    let known = scratch.0.join("known_hosts");
    std::fs::write(&known, format!("[{}]:{port} {host_key}\n", remote.address)).unwrap();
    let hardened = SshTarget {
        port,
        ..target(&remote, key_file(&remote, "ed25519", None), &known)
    };

    let engine = connect(hardened)
        .await
        .expect("connects without socket forwarding");
    // The remote engine's socket is not the CLI's default: only that engine has this container.
    let containers = engine.containers().await.unwrap();
    let found = containers
        .iter()
        .find(|c| c.name == name)
        .expect("the remote engine's container");
    engine
        .container_action(&found.id, ContainerAction::Stop)
        .await
        .unwrap();
    assert_eq!(
        docker_on(
            Some(&remote.docker_host),
            &["inspect", "-f", "{{.State.Running}}", &name]
        ),
        "false"
    );
}

#[tokio::test]
async fn volume_sizes_are_read_over_ssh_on_a_connection_of_berths_own() {
    let remote = RemoteHost::get();
    let t = remote.labelled("ssh-volume-size");
    let volume = t.volume("filled");
    let writer = t.run(
        &t.name("filler"),
        &["-v", &format!("{volume}:/data")],
        &["sh", "-c", "head -c 1048576 /dev/zero > /data/blob"],
    );
    docker_on(Some(&remote.docker_host), &["wait", &writer]);
    let engine = connect_with_plain_key(&remote).await;
    let sizes = engine.volume_sizes().await.unwrap();
    assert!(
        sizes.get(&volume).is_some_and(|size| *size >= 1 << 20),
        "{sizes:?}"
    );
}
