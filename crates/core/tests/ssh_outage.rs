//! Losing a remote host: it is marked offline within seconds while the local host stays
//! usable, and it comes back by itself. Its own test binary, because it cuts the SSH test host
//! off for every test that would share it.

use std::time::{Duration, Instant};

use berth_core::{
    Berth, Endpoint, HostId, HostSpec, HostStatus, KeySource, KnownHostsFiles, SshTarget,
};
use berth_testkit::RemoteHost;

/// Keepalives (3 s, two missed) plus a reconnect attempt: what "within seconds" means here.
const NOTICED_WITHIN: Duration = Duration::from_secs(20);

fn remote_spec(remote: &RemoteHost) -> HostSpec {
    HostSpec {
        id: HostId::new("remote"),
        name: "Remote".to_owned(),
        endpoint: Endpoint::Ssh(Box::new(SshTarget {
            address: remote.address.clone(),
            port: 22,
            user: remote.user.clone(),
            key: KeySource::File {
                path: remote.key("ed25519"),
                passphrase: None,
            },
            socket: remote.socket(),
            known_hosts: KnownHostsFiles {
                openssh: Vec::new(),
                berth: remote.key("known_hosts"),
            },
            jump: Vec::new(),
        })),
        local: None,
    }
}

fn status(berth: &Berth, host: &str) -> HostStatus {
    berth
        .states()
        .into_iter()
        .find(|s| s.host.as_str() == host)
        .expect("a watched host")
        .status
}

async fn wait_until(berth: &Berth, host: &str, online: bool, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let now = status(berth, host);
        if matches!(now, HostStatus::Online { .. }) == online
            && !matches!(now, HostStatus::Connecting)
        {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "{host} still {now:?} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_lost_remote_host_goes_offline_alone_and_comes_back_by_itself() {
    let remote = RemoteHost::get();
    let berth = Berth::start(vec![HostSpec::local().unwrap(), remote_spec(&remote)], None);
    wait_until(&berth, "remote", true, berth_testkit::PATIENCE).await;
    wait_until(&berth, "local", true, berth_testkit::PATIENCE).await;

    // sshd dies: the connection closes at once.
    remote.stop_sshd();
    let took = wait_until(&berth, "remote", false, NOTICED_WITHIN).await;
    println!("offline {took:?} after sshd stopped");
    let local = berth
        .engine(&HostId::local())
        .expect("the local host stays online");
    local.containers().await.expect("and usable");
    remote.restore();
    let took = wait_until(&berth, "remote", true, NOTICED_WITHIN).await;
    println!("online again {took:?} after sshd came back");

    // The link goes down: nothing closes, only keepalives notice.
    remote.link(false);
    let took = wait_until(&berth, "remote", false, NOTICED_WITHIN).await;
    println!("offline {took:?} after the link went down");
    assert!(matches!(status(&berth, "local"), HostStatus::Online { .. }));
    remote.link(true);
    let took = wait_until(&berth, "remote", true, NOTICED_WITHIN).await;
    println!("online again {took:?} after the link came up");
}
