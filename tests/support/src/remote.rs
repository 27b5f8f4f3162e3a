//! The SSH-reachable Docker host that tests/env/sshhost.sh runs in a network namespace.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use crate::Labelled;

/// What the tests know about the remote host: where it is, its keys, and how to cut it off.
#[derive(Debug, Clone)]
pub struct RemoteHost {
    pub address: String,
    pub user: String,
    /// ed25519, ed25519_protected, rsa, ecdsa (and .pub), passphrase, known_hosts,
    /// host_ed25519.pub
    pub keys: PathBuf,
    /// The remote engine's socket as seen from this machine, for the docker CLI.
    pub docker_host: String,
    env: HashMap<String, String>,
}

impl RemoteHost {
    /// Reads what tests/env/sshhost.sh wrote. Panics with the fix when it has not run.
    pub fn get() -> Self {
        let dir = std::env::var("BERTH_ENV_DIR").unwrap_or_else(|_| "/tmp/berth-env".to_owned());
        let path = PathBuf::from(dir).join("sshhost/env");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "no SSH test host ({} is missing): run tests/env/sshhost.sh",
                path.display()
            )
        });
        let env: HashMap<String, String> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Self {
            address: env["BERTH_SSH_ADDRESS"].clone(),
            user: env["BERTH_SSH_USER"].clone(),
            keys: PathBuf::from(&env["BERTH_SSH_KEYS"]),
            docker_host: env["BERTH_SSH_DOCKER_HOST"].clone(),
            env,
        }
    }

    pub fn key(&self, name: &str) -> PathBuf {
        self.keys.join(name)
    }

    /// The passphrase of the `ed25519_protected` key.
    pub fn passphrase(&self) -> String {
        std::fs::read_to_string(self.key("passphrase"))
            .unwrap()
            .trim()
            .to_owned()
    }

    /// Lets `public_key` (an authorized_keys line) log in until the guard is dropped.
    pub fn authorize(&self, public_key: &str) -> Authorized {
        use std::io::Write;
        let file = self.key("authorized_keys");
        let line = public_key.trim().to_owned();
        let mut keys = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        writeln!(keys, "{line}").unwrap();
        Authorized { file, line }
    }

    /// The port of the host's second sshd, which refuses stream-local forwarding.
    pub fn no_forwarding_port(&self) -> u16 {
        self.env["BERTH_SSH_NO_FORWARDING_PORT"].parse().unwrap()
    }

    /// The remote engine's TLS listener (`dockerd --tlsverify`), `tcp://address:port`.
    pub fn tls_docker_host(&self) -> String {
        self.env["BERTH_TLS_DOCKER_HOST"].clone()
    }

    /// The folder of a client's ca.pem, cert.pem and key.pem for [`Self::tls_docker_host`].
    pub fn tls_certs(&self) -> PathBuf {
        PathBuf::from(&self.env["BERTH_TLS_CERTS"])
    }

    /// A user who may log in over SSH but not use the Docker socket.
    pub fn no_docker_user(&self) -> String {
        self.env["BERTH_SSH_NO_DOCKER_USER"].clone()
    }

    /// A port on the host whose packets are dropped: a connection there gets no answer.
    pub fn drop_port(&self) -> u16 {
        self.env["BERTH_SSH_DROP_PORT"].parse().unwrap()
    }

    /// The engine's socket path on the remote host.
    pub fn socket(&self) -> String {
        self.docker_host.trim_start_matches("unix://").to_owned()
    }

    /// The host as a user types it into Berth, `ssh://user@address:port/socket`, for the sshd
    /// on `port` (22, or [`RemoteHost::no_forwarding_port`]).
    pub fn ssh_address(&self, port: u16) -> String {
        format!(
            "ssh://{}@{}:{port}{}",
            self.user,
            self.address,
            self.socket()
        )
    }

    /// A labelled guard for objects this test makes on the remote engine.
    pub fn labelled(&self, test: &str) -> Labelled {
        Labelled::on(&self.docker_host, test)
    }

    /// How many logins the host's sshds have accepted so far (from their logs).
    pub fn accepted_logins(&self) -> usize {
        // Both of the host's sshds: the one on port 22 and the one that refuses forwarding.
        [
            self.sshd_log(),
            self.sshd_log().with_file_name("sshd-nofwd.log"),
        ]
        .iter()
        .map(|log| {
            std::fs::read_to_string(log)
                .unwrap_or_default()
                .matches("Accepted publickey")
                .count()
        })
        .sum()
    }

    /// How many times sshd has refused the key with `fingerprint` (`SHA256:…`) so far.
    pub fn refused_logins(&self, fingerprint: &str) -> usize {
        std::fs::read_to_string(self.sshd_log())
            .unwrap_or_default()
            .lines()
            .filter(|line| line.starts_with("Failed publickey") && line.contains(fingerprint))
            .count()
    }

    fn sshd_log(&self) -> PathBuf {
        PathBuf::from(&self.env["BERTH_SSH_SSHD_CONFIG"]).with_file_name("sshd.log")
    }

    /// Stops sshd (established connections die with it).
    pub fn stop_sshd(&self) {
        // sshd forks a process per connection, each in a session of its own: end every sshd
        // in the host's namespace.
        let out = Command::new("ip")
            .args(["netns", "pids", &self.env["BERTH_SSH_NAMESPACE"]])
            .output()
            .expect("ip runs");
        for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim() == "sshd" {
                run("kill", &["-TERM", pid]);
            }
        }
    }

    /// Takes the network link to the host down or up: the host vanishes without a word.
    pub fn link(&self, up: bool) {
        let state = if up { "up" } else { "down" };
        run("ip", &["link", "set", &self.env["BERTH_SSH_LINK"], state]);
    }

    /// Brings everything back as tests/env/sshhost.sh sets it up (sshd, link).
    pub fn restore(&self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../env/sshhost.sh");
        let status = Command::new(script).status().expect("sshhost.sh runs");
        assert!(status.success(), "sshhost.sh restores the SSH host");
    }
}

fn run(program: &str, args: &[&str]) {
    let _ = Command::new(program).args(args).status();
}

/// A key added to the test host's authorized_keys; removed again on drop.
pub struct Authorized {
    file: PathBuf,
    line: String,
}

impl Drop for Authorized {
    fn drop(&mut self) {
        let keys = std::fs::read_to_string(&self.file).unwrap_or_default();
        let kept: String = keys
            .lines()
            .filter(|l| *l != self.line)
            .map(|l| format!("{l}\n"))
            .collect();
        let _ = std::fs::write(&self.file, kept);
    }
}
