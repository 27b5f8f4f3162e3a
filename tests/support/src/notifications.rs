//! A notification daemon (dunst) on the session bus, drawn on the (Xvfb) display, so tests
//! and the benchmark see and click notifications as a user does.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::PATIENCE;

/// dunst, owning the desktop's notification service until dropped.
pub struct NotificationDaemon {
    daemon: std::process::Child,
}

impl NotificationDaemon {
    /// Starts dunst and waits until it owns the service; panics after [`PATIENCE`].
    pub fn start() -> Self {
        let daemon = Command::new("dunst")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dunst runs (tests/env/install.sh installs it)");
        let daemon = Self { daemon };
        let start = Instant::now();
        while !service_owned() {
            assert!(start.elapsed() < PATIENCE, "dunst never owned the service");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }

    /// How many notifications are on screen.
    pub fn displayed(&self) -> usize {
        let count = dunstctl(&["count", "displayed"]).expect("dunstctl count");
        count
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("dunstctl count said {count:?}"))
    }

    /// Clicks the newest notification on screen (its default action).
    pub fn click_newest(&self) {
        dunstctl(&["action", "0"]).expect("dunstctl action");
    }

    /// Closes every notification on screen; returns the summaries of all shown so far, newest
    /// first.
    pub fn close_all(&self) -> Vec<String> {
        dunstctl(&["close-all"]).expect("dunstctl close-all");
        // A history that cannot be read fails the test: it is not "nothing was shown".
        let history = dunstctl(&["history"]).expect("dunstctl history");
        let history: serde_json::Value =
            serde_json::from_str(&history).expect("dunstctl history is JSON");
        history["data"][0]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n["summary"]["data"].as_str().map(str::to_owned))
            .collect()
    }
}

impl Drop for NotificationDaemon {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// Whether something owns the notification service, asked without activating it: D-Bus would
/// otherwise start a dunst of its own from its service file.
fn service_owned() -> bool {
    Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.Notifications",
        ])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("boolean true"))
}

fn dunstctl(args: &[&str]) -> Option<String> {
    let out = Command::new("dunstctl").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
