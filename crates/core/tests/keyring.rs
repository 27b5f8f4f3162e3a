//! The OS keyring (here the Secret Service of tests/env/keyring-session.sh) as Berth meets it
//! on a slow desktop. Its own test binary: it freezes the session's keyring daemon.

use berth_core::hosts::passphrases;
use berth_core::{HostId, Secret};
use std::process::Command;
use std::time::Duration;

/// The process that owns the Secret Service name on this session bus.
fn secret_service_pid() -> String {
    let reply = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ])
        .output()
        .expect("dbus-send runs");
    let reply = String::from_utf8_lossy(&reply.stdout);
    reply
        .split_whitespace()
        .skip_while(|word| *word != "uint32")
        .nth(1)
        .unwrap_or_else(|| panic!("no Secret Service on the session bus: {reply}"))
        .to_owned()
}

fn signal(pid: &str, signal: &str) {
    let status = Command::new("kill").args([signal, pid]).status().unwrap();
    assert!(status.success(), "kill {signal} {pid}");
}

#[tokio::test]
async fn a_keyring_that_answers_late_is_asked_again() {
    let host = HostId::new(format!("berth-test-late-keyring-{}", std::process::id()));
    let daemon = secret_service_pid();

    // Frozen past the 2 s the D-Bus client waits for a reply, as a keyring being started or
    // writing under load can be.
    signal(&daemon, "-STOP");
    let thaw = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(2500));
        signal(&daemon, "-CONT");
    });
    let remembered = passphrases::remember(&host, &Secret::new("late but kept")).await;
    thaw.join().unwrap();
    remembered.expect("asked again once the keyring answers");

    assert_eq!(
        passphrases::recall(&host).await.unwrap(),
        Some(Secret::new("late but kept"))
    );
    passphrases::forget(&host).await.unwrap();
}
