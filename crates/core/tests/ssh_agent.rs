//! Logging in with the keys of an ssh-agent. Its own test binary: it points SSH_AUTH_SOCK,
//! which the whole process shares, at an agent it starts.

use std::process::{Child, Command};

use berth_core::{Endpoint, Engine, ErrorCode, KeySource, KnownHostsFiles, SshTarget};
use berth_testkit::RemoteHost;

/// An ssh-agent of this test's own, stopped (and its socket removed) on drop.
struct Agent {
    process: Child,
    socket: std::path::PathBuf,
}

impl Agent {
    fn start() -> Self {
        let socket = std::env::temp_dir().join(format!("berth-agent-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&socket);
        let process = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .spawn()
            .expect("ssh-agent runs");
        let start = std::time::Instant::now();
        while !socket.exists() {
            assert!(
                start.elapsed() < berth_testkit::PATIENCE,
                "the agent never listened"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Self { process, socket }
    }

    fn add(&self, key: &std::path::Path) {
        let status = Command::new("ssh-add")
            .arg("-q")
            .arg(key)
            .env("SSH_AUTH_SOCK", &self.socket)
            .status()
            .unwrap();
        assert!(status.success(), "ssh-add {}", key.display());
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

#[tokio::test]
async fn the_agent_logs_in_with_a_key_it_holds_and_is_refused_without_one() {
    let remote = RemoteHost::get();
    let agent = Agent::start();
    // Changing the environment is safe here: this binary runs this one test only.
    std::env::set_var("SSH_AUTH_SOCK", &agent.socket);
    let target = SshTarget {
        address: remote.address.clone(),
        port: 22,
        user: remote.user.clone(),
        key: KeySource::Agent,
        socket: remote.socket(),
        known_hosts: KnownHostsFiles {
            openssh: Vec::new(),
            berth: remote.key("known_hosts"),
        },
        jump: Vec::new(),
    };

    let err = Engine::connect(&Endpoint::Ssh(Box::new(target.clone())))
        .await
        .expect_err("an empty agent has no key the host accepts");
    assert_eq!(err.code(), ErrorCode::AuthFailed, "{err}");

    agent.add(&remote.key("rsa"));
    let engine = Engine::connect(&Endpoint::Ssh(Box::new(target)))
        .await
        .expect("the agent's RSA key logs in");
    engine.containers().await.expect("and the engine answers");
}
