//! berthctl run as a process, as a user or a script runs it, against the real local engine and
//! the SSH test host. Each test has a profile of its own (XDG_DATA_HOME), so it reads and
//! leaves nothing in the user's.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use berth_testkit::{docker, docker_on, inspect, Labelled, RemoteHost, PATIENCE, REGISTRY_BUSYBOX};
use serde_json::Value;

/// A private profile folder (what XDG_DATA_HOME points at), empty.
fn profile(test: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("berthctl-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// berthctl with the profile in `data`, no colour and no DOCKER_HOST of the caller's.
fn berthctl(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_berthctl"));
    command
        .env("XDG_DATA_HOME", data)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null());
    command
}

fn run(data: &Path, args: &[&str]) -> Output {
    berthctl(data).args(args).output().expect("berthctl runs")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = run(data, args);
    assert!(
        out.status.success(),
        "berthctl {args:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Saves the SSH test host in `data`'s profile as `name`, the way a user does: the unknown
/// host key refused first (exit code 5, its fingerprint shown), then accepted by fingerprint.
fn save_remote(data: &Path, remote: &RemoteHost, name: &str) {
    let address = format!("{}@{}", remote.user, remote.address);
    let key = remote.key("ed25519");
    let add = |extra: &[&str]| {
        let mut args = vec![
            "hosts",
            "add",
            "--no-input",
            "--name",
            name,
            "--address",
            &address,
            "--key",
            key.to_str().unwrap(),
            "--socket",
        ];
        let socket = remote.socket();
        args.push(&socket);
        args.extend_from_slice(extra);
        run(data, &args)
    };
    let unknown = add(&[]);
    let stderr = String::from_utf8_lossy(&unknown.stderr).to_string();
    assert_eq!(unknown.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("berthctl: host_key_unknown: "), "{stderr}");
    let fingerprint = stderr
        .split_whitespace()
        .find(|word| word.starts_with("SHA256:"))
        .expect("the fingerprint is shown")
        .trim_end_matches(['.', ','])
        .to_owned();
    let saved = add(&["--accept-host-key", &fingerprint]);
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
}

#[test]
fn ps_all_hosts_json_lists_the_local_and_the_ssh_hosts_containers() {
    let data = profile("all-hosts");
    let remote = RemoteHost::get();
    save_remote(&data, &remote, "Namespace");
    let here = Labelled::new("cli-all-hosts");
    let there = remote.labelled("cli-all-hosts");
    let local_name = here.name("cli-here");
    let remote_name = there.name("cli-there");
    here.run_sleeper(&local_name, &[]);
    there.run_sleeper(&remote_name, &[]);

    let listed: Value =
        serde_json::from_str(&ok(&data, &["ps", "--all-hosts", "-o", "json"])).unwrap();
    let host_of = |name: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["hostName"].as_str().unwrap().to_owned())
    };
    assert_eq!(host_of(&local_name).as_deref(), Some("Local"), "{listed}");
    assert_eq!(
        host_of(&remote_name).as_deref(),
        Some("Namespace"),
        "{listed}"
    );

    // The table says which host each row is from; one host by name shows only its own.
    let table = ok(&data, &["ps", "--all-hosts"]);
    assert!(table.starts_with("HOST"), "{table}");
    let remote_only = ok(&data, &["-H", "Namespace", "ps", "--format", "{{.Name}}"]);
    assert!(
        remote_only.lines().any(|l| l == remote_name),
        "{remote_only}"
    );
    assert!(!remote_only.contains(&local_name), "{remote_only}");

    // Renamed, the host keeps its user, port and socket, and is reached by its new name.
    ok(
        &data,
        &[
            "hosts",
            "edit",
            "Namespace",
            "--name",
            "Renamed",
            "--no-input",
        ],
    );
    let renamed = ok(&data, &["-H", "Renamed", "ps", "-q", "--no-trunc"]);
    let remote_id = docker_on(
        Some(&remote.docker_host),
        &["inspect", "-f", "{{.Id}}", &remote_name],
    );
    assert!(renamed.lines().any(|l| l == remote_id), "{renamed}");
}

#[test]
fn an_offline_host_is_reported_on_stderr_and_the_others_still_listed() {
    let data = profile("offline");
    ok(
        &data,
        &[
            "hosts",
            "add",
            "--no-input",
            "--name",
            "Sock",
            "--address",
            "unix:///var/run/docker.sock",
        ],
    );
    let here = Labelled::new("cli-offline");
    let name = here.name("cli-online");
    here.run_sleeper(&name, &[]);
    for command in [&["ps"][..], &["stats", "--no-stream"], &["images", "ls"]] {
        let mut args = vec!["-H", "Local", "-H", "tcp://127.0.0.1:9"];
        args.extend_from_slice(command);
        let out = run(&data, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(4),
            "{command:?} unreachable: {stderr}"
        );
        assert!(
            stderr.contains("berthctl: engine_unreachable: tcp://127.0.0.1:9: "),
            "{command:?}: {stderr}"
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with("HOST"), "{command:?}: {stdout}");
        if command[0] != "images" {
            assert!(stdout.contains(&name), "{command:?}: {stdout}");
        }
    }
}

#[test]
fn a_stop_is_seen_by_docker_inspect_and_logged_as_the_clis() {
    let data = profile("stop");
    let here = Labelled::new("cli-stop");
    let name = here.name("cli-stop");
    let id = here.run_sleeper(&name, &[]);
    assert_eq!(ok(&data, &["stop", &id[..10]]).trim(), &id[..10]);
    assert_eq!(inspect(&id, "{{.State.Status}}"), "exited");
    let again = run(&data, &["start", "no-such-container-anywhere"]);
    assert_eq!(again.status.code(), Some(3), "not found");
    // Those found are acted on, the others reported: as docker does.
    let partly = run(&data, &["start", &name, "no-such-container-anywhere"]);
    assert_eq!(partly.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&partly.stdout), format!("{name}\n"));
    assert!(String::from_utf8_lossy(&partly.stderr).contains("no-such-container-anywhere"));
    assert_eq!(inspect(&id, "{{.State.Status}}"), "running");
    ok(&data, &["stop", &name]);
    // A host with no name after it names no container (not every one).
    let bare = run(&data, &["stop", "Local/"]);
    assert_eq!(
        bare.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&bare.stderr)
    );
    assert_eq!(inspect(&id, "{{.State.Status}}"), "exited");

    // The window's activity log has it, marked as done through the CLI.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let logged = runtime.block_on(async {
        let folder = data.join(berth_core::profile::IDENTIFIER);
        let (berth, _) =
            berth_core::Berth::open_for_commands(&folder, berth_core::LocalEnv::default()).await;
        let query = berth_core::history::activity::ActivityQuery {
            limit: 10,
            ..Default::default()
        };
        let logged = berth.activity(&query).await.unwrap();
        berth.close().await;
        logged
    });
    // Newest first: the second stop, the start, the first stop (failures are not logged
    // when no container was found to act on).
    assert_eq!(logged.len(), 3, "{logged:?}");
    assert_eq!(logged[0].action, "stop container");
    assert_eq!(logged[0].target, name);
    assert_eq!(logged[0].front_end, berth_core::FrontEnd::Cli);
}

#[test]
fn logs_follow_prints_lines_as_they_come() {
    let data = profile("logs");
    let here = Labelled::new("cli-logs");
    let name = here.name("cli-ticker");
    here.run(
        &name,
        &[],
        &[
            "sh",
            "-c",
            "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done",
        ],
    );
    let mut child = berthctl(&data)
        .args(["logs", "-f", "--tail", "1", &name])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let started = Instant::now();
    // Lines written after berthctl started reach it while it runs.
    let later: Vec<String> = lines.by_ref().take(3).map(Result::unwrap).collect();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.starts_with("tick "), "{first}");
    let number = |line: &str| line.trim_start_matches("tick ").parse::<u32>().unwrap();
    assert_eq!(
        number(&later[2]),
        number(&first) + 3,
        "{first} then {later:?}"
    );
    assert!(started.elapsed() < PATIENCE);

    // --grep keeps matching lines only; a bad pattern is refused before anything runs.
    let out = ok(&data, &["logs", "--grep", "tick [0-9]*0$", &name]);
    assert!(out.lines().all(|l| l.ends_with('0')), "{out}");
    let bad = run(&data, &["logs", "--grep", "(", &name]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Runs `berthctl exec -it NAME sh` in a pseudo-terminal (Python's pty module): asks `stty
/// size`, resizes the terminal (and signals SIGWINCH as a terminal emulator does), asks again.
const PTY_DRIVER: &str = r#"
import fcntl, os, pty, select, signal, struct, sys, termios, time
def size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
size(fd, 30, 100)
out = b""
def read_until(marker, deadline=20):
    global out
    end = time.time() + deadline
    while marker not in out and time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
time.sleep(1.0)
# The marker is printed as the shell works it out, so the echo of the line typed is not it.
os.write(fd, b"stty size; echo first-$((1+1))\r")
read_until(b"first-2\r\n")
size(fd, 40, 120)
os.kill(pid, signal.SIGWINCH)
time.sleep(1.0)
os.write(fd, b"stty size; echo second-$((1+1))\r")
read_until(b"second-2\r\n")
os.write(fd, b"exit 7\r")
read_until(b"\x00", 5)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.stdout.write("\nEXIT %d\n" % os.waitstatus_to_exitcode(status))
"#;

#[test]
fn exec_it_runs_in_a_terminal_that_follows_its_size() {
    let data = profile("exec");
    let here = Labelled::new("cli-exec");
    let name = here.name("cli-exec");
    here.run_sleeper(&name, &[]);
    let out = Command::new("python3")
        .args([
            "-c",
            PTY_DRIVER,
            env!("CARGO_BIN_EXE_berthctl"),
            "exec",
            "-it",
            &name,
            "sh",
        ])
        .env("XDG_DATA_HOME", &data)
        .env_remove("DOCKER_HOST")
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("30 100\r\n"), "the first size: {text}");
    assert!(
        text.contains("40 120\r\n"),
        "the size after the resize: {text}"
    );
    assert!(text.contains("EXIT 7"), "the command's exit code: {text}");
}

#[test]
fn exec_without_a_terminal_passes_bytes_and_streams_as_they_are() {
    let data = profile("exec-piped");
    let here = Labelled::new("cli-exec-piped");
    let name = here.name("cli-exec-piped");
    here.run_sleeper(&name, &[]);
    let script = r"printf 'a\001\377b\r\n'; echo oops >&2; read line; echo got $line; exit 3";
    let mut child = berthctl(&data)
        .args(["exec", "-i", &name, "sh", "-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.stdout, b"a\x01\xffb\r\ngot hello\n",
        "bytes as written, no terminal"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "oops\n",
        "stderr apart"
    );
    assert_eq!(out.status.code(), Some(3), "the command's exit code");
}

#[test]
fn pull_fetches_from_the_local_registry() {
    let data = profile("pull");
    let here = Labelled::new("cli-pull");
    // A tag of this test's own in the local registry, not on the engine until pulled.
    let tag = format!(
        "127.0.0.1:5000/berth-test/tagged:cli-{}",
        std::process::id()
    );
    docker(&["pull", REGISTRY_BUSYBOX]);
    docker(&["tag", REGISTRY_BUSYBOX, &tag]);
    docker(&["push", &tag]);
    docker(&["rmi", &tag]);
    let out = ok(&data, &["pull", &tag]);
    assert!(out.contains("pulled on Local"), "{out}");
    let present = Command::new("docker")
        .args(["image", "inspect", &tag])
        .output()
        .unwrap();
    docker(&["rmi", &tag]);
    assert!(present.status.success(), "the image is on the engine");
    drop(here);
    let bad = run(&data, &["pull", "Not A Reference"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "refused before the engine is asked"
    );
}

#[test]
fn a_changed_host_key_ends_with_its_exit_code_and_nothing_is_sent() {
    let data = profile("changed-key");
    let remote = RemoteHost::get();
    save_remote(&data, &remote, "Namespace");
    // Berth's own known_hosts now says the host has another key (a client key, as if the
    // host were someone else).
    let known = data
        .join(berth_core::profile::IDENTIFIER)
        .join("known_hosts");
    let other = std::fs::read_to_string(remote.key("rsa.pub")).unwrap();
    let other_key: Vec<&str> = other.split_whitespace().take(2).collect();
    std::fs::write(
        &known,
        format!("{} {}\n", remote.address, other_key.join(" ")),
    )
    .unwrap();
    let out = run(&data, &["-H", "Namespace", "ps"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("berthctl: host_key_changed: "), "{stderr}");
}

#[test]
fn completions_are_generated_and_name_containers_and_hosts() {
    let data = profile("completion");
    for shell in ["bash", "zsh", "fish"] {
        let script = ok(&data, &["completion", shell]);
        assert!(
            script.contains("COMPLETE") && script.contains("berthctl"),
            "{shell}: {script}"
        );
    }
    let here = Labelled::new("cli-completion");
    let name = here.name("cli-complete-me");
    here.run_sleeper(&name, &[]);
    // What bash asks as the user presses Tab after `berthctl stop ` and after `-H `.
    let candidates = |words: &[&str]| {
        let asked = berthctl(&data)
            .env("COMPLETE", "bash")
            .env("_CLAP_COMPLETE_INDEX", (words.len() + 1).to_string())
            .env("_CLAP_COMPLETE_COMP_TYPE", "9")
            .env("_CLAP_COMPLETE_SPACE", "true")
            .args(["--", "berthctl"])
            .args(words)
            .arg("")
            .output()
            .unwrap();
        String::from_utf8(asked.stdout).unwrap()
    };
    let containers = candidates(&["stop"]);
    assert!(containers.lines().any(|l| l == name), "{containers}");
    let hosts = candidates(&["-H"]);
    assert!(hosts.lines().any(|l| l == "Local"), "{hosts}");
}

#[test]
fn bad_input_is_refused_before_anything_runs() {
    let data = profile("usage");
    let cases: [&[&str]; 5] = [
        &["ps", "--filter", "colour=red"],
        &["ps", "--format", "{{.Nope}}"],
        &["logs", "--since", "yesterday", "x"],
        &["--all-hosts", "-H", "Local", "ps"],
        &["-H", "no-such-host", "ps"],
    ];
    for args in cases {
        let out = run(&data, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("berthctl: "), "{args:?}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(2 | 3)),
            "{args:?}: {stderr}"
        );
    }
}

/// The swarm of tests/env/swarm.sh through its manager, the local engine.
#[test]
fn node_and_service_commands_work_the_swarm_through_its_manager() {
    let data = profile("swarm");
    let name = format!("berth-cli-swarm-{}", std::process::id());
    docker(&[
        "service",
        "create",
        "--detach",
        "--name",
        &name,
        "--label",
        &format!("berth.test={name}"),
        "--replicas",
        "1",
        REGISTRY_BUSYBOX,
        "sleep",
        "3600",
    ]);
    struct Gone(String);
    impl Drop for Gone {
        fn drop(&mut self) {
            let _ = Command::new("docker")
                .args(["service", "rm", &self.0])
                .output();
        }
    }
    let _gone = Gone(name.clone());

    let nodes: Value = serde_json::from_str(&ok(&data, &["node", "ls", "-o", "json"])).unwrap();
    assert_eq!(nodes.as_array().unwrap().len(), 2, "{nodes}");
    let listed = ok(
        &data,
        &["service", "ls", "--format", "{{.Name}} {{.Replicas}}"],
    );
    assert!(
        listed.lines().any(|l| l.starts_with(&format!("{name} "))),
        "{listed}"
    );
    assert_eq!(
        ok(&data, &["service", "scale", &format!("{name}=2")]).trim(),
        format!("{name} scaled to 2")
    );
    let start = Instant::now();
    loop {
        let tasks = ok(
            &data,
            &["service", "ps", &name, "--format", "{{.CurrentState}}"],
        );
        if tasks.lines().filter(|l| *l == "running").count() == 2 {
            break;
        }
        assert!(start.elapsed() < PATIENCE * 3, "never 2 running: {tasks}");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let bad = run(&data, &["service", "scale", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(ok(&data, &["service", "rm", &name]).trim(), name);
    let missing = run(&data, &["service", "rm", &name]);
    assert_eq!(missing.status.code(), Some(3));
}

/// What a swarm test made, removed when it ends, failed or not: its services, secrets and
/// configs (by their `berth.test` label, services first: a secret in use cannot go), then its
/// image tags on both nodes (forced: a task's container may still hold one).
struct SwarmMade {
    label: String,
    tags: Vec<String>,
}

impl SwarmMade {
    fn new(unique: &str) -> Self {
        Self {
            label: format!("berth.test={unique}"),
            tags: Vec::new(),
        }
    }
}

impl Drop for SwarmMade {
    fn drop(&mut self) {
        let filter = format!("label={}", self.label);
        for kind in ["service", "secret", "config"] {
            let Ok(listed) = Command::new("docker")
                .args([kind, "ls", "-q", "--filter", &filter])
                .output()
            else {
                continue;
            };
            let ids = String::from_utf8_lossy(&listed.stdout).to_string();
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if !ids.is_empty() {
                let _ = Command::new("docker")
                    .args([kind, "rm"])
                    .args(&ids)
                    .output();
            }
        }
        let remote = RemoteHost::get();
        for tag in &self.tags {
            for host in [None, Some(remote.docker_host.as_str())] {
                let mut command = Command::new("docker");
                if let Some(host) = host {
                    command.args(["-H", host]);
                }
                let _ = command.args(["rmi", "-f", tag]).output();
            }
        }
    }
}

/// Asks `check` again until it finds what it looks for; panics after a while saying `what`.
fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(start.elapsed() < PATIENCE * 3, "never: {what}");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

/// berthctl `args` with `input` on its stdin.
fn run_with_input(data: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = berthctl(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn secrets_and_configs_are_made_from_stdin_or_a_file_listed_without_their_value_and_removed() {
    let data = profile("swarm-values");
    let unique = format!("berth-cli-values-{}", std::process::id());
    let _made = SwarmMade::new(&unique);
    let label = format!("berth.test={unique}");
    let value = "not-for-any-eyes-4711";

    let secret = format!("{unique}-secret");
    let made = run_with_input(
        &data,
        &["secret", "create", "--label", &label, &secret, "-"],
        value.as_bytes(),
    );
    let stdout = String::from_utf8_lossy(&made.stdout);
    let stderr = String::from_utf8_lossy(&made.stderr);
    assert!(made.status.success(), "{stderr}");
    let secret_id = stdout.trim().to_owned();
    let config = format!("{unique}-config");
    let file = data.join("config.txt");
    std::fs::write(&file, "config text").unwrap();
    let config_id = ok(
        &data,
        &[
            "config",
            "create",
            "--label",
            &label,
            &config,
            file.to_str().unwrap(),
        ],
    )
    .trim()
    .to_owned();

    let secrets = ok(&data, &["secret", "ls", "-o", "json"]);
    assert!(
        secrets.contains(&secret) && secrets.contains(&secret_id),
        "{secrets}"
    );
    assert!(!secrets.contains(value) && !stdout.contains(value) && !stderr.contains(value));
    let configs = ok(&data, &["config", "ls", "--format", "{{.ID}} {{.Name}}"]);
    assert!(
        configs
            .lines()
            .any(|l| l == format!("{config_id} {config}")),
        "{configs}"
    );

    // Refused before the engine is asked: an empty value, a file that is not there.
    let empty = run_with_input(
        &data,
        &[
            "secret",
            "create",
            "--label",
            &label,
            &format!("{unique}-empty"),
        ],
        b"",
    );
    assert_eq!(empty.status.code(), Some(2), "{:?}", empty);
    let missing = run(&data, &["config", "create", "x", "/no/such/file"]);
    assert_eq!(missing.status.code(), Some(3));

    // Removed by id and by name.
    assert_eq!(ok(&data, &["secret", "rm", &secret_id]).trim(), secret_id);
    assert_eq!(ok(&data, &["config", "rm", &config]).trim(), config);
    let gone = ok(&data, &["secret", "ls", "--format", "{{.Name}}"]);
    assert!(!gone.contains(&secret), "{gone}");
    assert_eq!(
        run(&data, &["config", "rm", &config]).status.code(),
        Some(3)
    );
}

#[test]
fn a_service_is_created_with_a_secret_scaled_updated_rolled_back_and_its_logs_read() {
    let data = profile("swarm-service");
    let unique = format!("berth-cli-svc-{}", std::process::id());
    let mut made = SwarmMade::new(&unique);
    let label = format!("berth.test={unique}");
    // A second tag of the test image in the local registry, which both nodes reach.
    let v2 = format!(
        "127.0.0.1:5000/berth-test/busybox:cli-{}",
        std::process::id()
    );
    made.tags.push(v2.clone());
    docker(&["pull", REGISTRY_BUSYBOX]);
    docker(&["tag", REGISTRY_BUSYBOX, &v2]);
    docker(&["push", &v2]);

    let secret = format!("{unique}-secret");
    let value = "mounted-secret-value-0815";
    let created = run_with_input(
        &data,
        &["secret", "create", "--label", &label, &secret],
        value.as_bytes(),
    );
    assert!(created.status.success(), "{created:?}");

    // A field the core refuses is a usage error, under the flag it came from.
    let refused = run(
        &data,
        &[
            "service",
            "create",
            "--name",
            &unique,
            "--label",
            &label,
            "-p",
            "80",
            REGISTRY_BUSYBOX,
        ],
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("(--publish)"), "{stderr}");

    let script = format!("echo secret=$(cat /run/secrets/{secret}); sleep 3600");
    let id = ok(
        &data,
        &[
            "service",
            "create",
            "--name",
            &unique,
            "--replicas",
            "1",
            "--label",
            &label,
            "--secret",
            &secret,
            "--update-parallelism",
            "1",
            "--update-monitor",
            "2s",
            "--update-failure-action",
            "rollback",
            REGISTRY_BUSYBOX,
            "sh",
            "-c",
            &script,
        ],
    )
    .trim()
    .to_owned();
    let replicas = |wanted: &str| {
        let wanted = format!("{unique} {wanted} ");
        eventually(&wanted.clone(), || {
            let listed = ok(
                &data,
                &[
                    "service",
                    "ls",
                    "--format",
                    "{{.Name}} {{.Replicas}} {{.Image}}",
                ],
            );
            listed.lines().any(|l| l.starts_with(&wanted)).then_some(())
        })
    };
    replicas("1/1");

    // The secret's value, read back from the task through the service's logs.
    let logged = eventually("the secret in the service's logs", || {
        let out = ok(&data, &["service", "logs", "--grep", "^secret=", &id[..12]]);
        out.contains(&format!("secret={value}")).then_some(out)
    });
    assert!(logged.lines().all(|l| l.starts_with("secret=")), "{logged}");

    assert_eq!(
        ok(&data, &["service", "scale", &format!("{unique}=2")]).trim(),
        format!("{unique} scaled to 2")
    );
    replicas("2/2");

    // The update is followed to its end: when berthctl returns, every task runs v2.
    let updated = run(&data, &["service", "update", "--image", &v2, &unique]);
    let progress = String::from_utf8_lossy(&updated.stderr);
    assert!(updated.status.success(), "{progress}");
    assert_eq!(String::from_utf8_lossy(&updated.stdout).trim(), unique);
    assert!(progress.contains(&unique), "progress is shown: {progress}");
    let images = |wanted: &str| {
        let tasks = ok(
            &data,
            &[
                "service",
                "ps",
                &unique,
                "--format",
                "{{.DesiredState}} {{.CurrentState}} {{.Image}}",
            ],
        );
        let running: Vec<&str> = tasks
            .lines()
            .filter(|l| l.starts_with("running running "))
            .collect();
        assert_eq!(running.len(), 2, "{tasks}");
        assert!(running.iter().all(|l| l.ends_with(wanted)), "{tasks}");
    };
    images(&v2);

    // Rolled back, and followed too: the tasks run the first image again.
    assert_eq!(ok(&data, &["service", "rollback", &unique]).trim(), unique);
    images(REGISTRY_BUSYBOX);

    // An image no node can pull: the engine rolls back by itself, and berthctl says so.
    let failed = run(
        &data,
        &[
            "service",
            "update",
            "--image",
            "127.0.0.1:5000/berth-test/missing:nowhere",
            &unique,
        ],
    );
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("rolled back"), "{stderr}");

    assert_eq!(ok(&data, &["service", "rm", &id]).trim(), id);
    assert_eq!(
        run(&data, &["service", "logs", &unique]).status.code(),
        Some(3)
    );
}

#[test]
fn stacks_are_listed_with_their_tasks_and_removed_as_one() {
    let data = profile("swarm-stack");
    let stack = format!("berth-cli-stack-{}", std::process::id());
    let _made = SwarmMade::new(&stack);
    for service in ["web", "worker"] {
        docker(&[
            "service",
            "create",
            "--detach",
            "--name",
            &format!("{stack}_{service}"),
            "--label",
            &format!("berth.test={stack}"),
            "--label",
            &format!("com.docker.stack.namespace={stack}"),
            REGISTRY_BUSYBOX,
            "sleep",
            "3600",
        ]);
    }
    let listed = ok(
        &data,
        &["stack", "ls", "--format", "{{.Name}} {{.Services}}"],
    );
    assert!(
        listed.lines().any(|l| l == format!("{stack} 2")),
        "{listed}"
    );
    let names = eventually("a task of each of the stack's services", || {
        let tasks = ok(&data, &["stack", "ps", &stack, "--format", "{{.Name}}"]);
        let mut names: Vec<String> = tasks.lines().map(str::to_owned).collect();
        names.sort();
        names.dedup();
        (names.len() == 2).then_some(names)
    });
    assert_eq!(
        names,
        [format!("{stack}_web.1"), format!("{stack}_worker.1")]
    );

    assert_eq!(ok(&data, &["stack", "rm", &stack]).trim(), stack);
    let after = ok(&data, &["stack", "ls", "--format", "{{.Name}}"]);
    assert!(!after.lines().any(|l| l == stack), "{after}");
    assert_eq!(run(&data, &["stack", "rm", &stack]).status.code(), Some(3));
    assert_eq!(run(&data, &["stack", "ps", &stack]).status.code(), Some(3));
}

/// The worker's labels, by id and by hostname; promotion and demotion are only tried where
/// they change nothing: other tests rely on the swarm as it is.
#[test]
fn a_node_is_labelled_by_id_and_a_hostname_nodes_share_is_refused() {
    let data = profile("swarm-node");
    let key = format!("berth-cli-node-{}", std::process::id());
    let nodes: Value = serde_json::from_str(&ok(&data, &["node", "ls", "-o", "json"])).unwrap();
    let nodes = nodes.as_array().unwrap().clone();
    let id_of = |role: &str| {
        nodes
            .iter()
            .find(|n| n["role"] == role)
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let (manager, worker) = (id_of("manager"), id_of("worker"));
    /// Takes the test's label off the worker, however the test ends.
    struct Unlabel(String, String);
    impl Drop for Unlabel {
        fn drop(&mut self) {
            let _ = Command::new("docker")
                .args(["node", "update", "--label-rm", &self.1, &self.0])
                .output();
        }
    }
    let _unlabel = Unlabel(worker.clone(), key.clone());
    let labels = |data: &Path| {
        let nodes: Value = serde_json::from_str(&ok(data, &["node", "ls", "-o", "json"])).unwrap();
        nodes
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == worker.as_str())
            .unwrap()["labels"]
            .clone()
    };
    let before = labels(&data);

    let added = ok(
        &data,
        &[
            "node",
            "update",
            "--label-add",
            &format!("{key}=yes"),
            &worker,
        ],
    );
    assert_eq!(added.trim(), worker);
    assert_eq!(labels(&data)[&key], "yes");
    ok(
        &data,
        &["node", "update", "--label-rm", &key, &worker[..10]],
    );
    assert_eq!(labels(&data), before, "restored as found");

    // By its hostname (tests/env/sshhost.sh names the worker's engine `berth-remote`); a
    // hostname several nodes share is refused with their ids (the core's unit test).
    let hostname = nodes.iter().find(|n| n["id"] == worker.as_str()).unwrap()["hostname"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(hostname, "berth-remote");
    ok(
        &data,
        &[
            "node",
            "update",
            "--label-add",
            &format!("{key}=by-name"),
            &hostname,
        ],
    );
    assert_eq!(labels(&data)[&key], "by-name");
    ok(&data, &["node", "update", "--label-rm", &key, &hostname]);
    assert_eq!(labels(&data), before);

    let nothing = run(&data, &["node", "update", &worker]);
    assert_eq!(nothing.status.code(), Some(2));
    assert_eq!(run(&data, &["node", "promote"]).status.code(), Some(2));
    assert_eq!(
        run(&data, &["node", "demote", "no-such-node"])
            .status
            .code(),
        Some(3)
    );
    let already = ok(&data, &["node", "promote", &manager]);
    assert!(already.contains("already a manager"), "{already}");
}
