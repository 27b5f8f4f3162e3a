//! The SSH test host's network link taken down and up again, ten times, while Berth watches it
//! and the local engine. Odd rounds keep the link down until Berth has marked the host offline
//! (only keepalives can tell: nothing closes); even rounds bring it back after two seconds,
//! before keepalives give up, so the session may survive. Each time the host must come back by
//! itself with a table equal to `docker ps -a` there, including a change made on it while it
//! was cut off, while the local host never leaves Online and its log stream never ends.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use berth_core::{
    Berth, Endpoint, HostChange, HostId, HostSpec, KeySource, KnownHostsFiles, LogOptions,
    SshTarget,
};

use berth_testkit::{Labelled, RemoteHost};
use futures_util::StreamExt;

use crate::outage::{online, table, wait_for};
use crate::private::docker_ps;
use crate::{report, Size};

fn remote_spec(remote: &RemoteHost) -> HostSpec {
    HostSpec {
        id: HostId::new("remote"),
        name: "remote".to_owned(),
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

/// Brings the link back up however the section ends, so a failure here cuts off no other test.
struct LinkRestored<'a>(&'a RemoteHost);

impl Drop for LinkRestored<'_> {
    fn drop(&mut self) {
        self.0.link(true);
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

pub async fn run(size: Size) {
    let flaps = size.pick(10, 3);
    println!("\n== the SSH host's link flapped {flaps} times while the local host streams");
    let remote = RemoteHost::get();
    let local_objects = Labelled::new("rel-flap");
    let remote_objects = remote.labelled("rel-flap");
    let talker = local_objects.run(
        &local_objects.name("talker"),
        &[],
        &["sh", "-c", "while true; do echo tick; sleep 0.1; done"],
    );
    let berth = Berth::start(
        vec![
            HostSpec::local().expect("a local engine"),
            remote_spec(&remote),
        ],
        None,
    );
    wait_for("both hosts online", || {
        online(&berth, "local") && online(&berth, "remote")
    })
    .await;

    // The local host's log, open for the whole section: it must never end.
    let local_log = berth
        .engine(&HostId::local())
        .expect("online")
        .logs(
            std::slice::from_ref(&talker),
            &LogOptions {
                tail: Some(0),
                follow: true,
                ..LogOptions::default()
            },
        )
        .expect("a log opens");
    let lines = Arc::new(AtomicUsize::new(0));
    let counted = lines.clone();
    let local_log = tokio::spawn(async move {
        futures_util::pin_mut!(local_log);
        while let Some(item) = local_log.next().await {
            if item.is_err() {
                return;
            }
            counted.fetch_add(1, SeqCst);
        }
    });
    // Every status the local host reports from now on: it must report none (a reconnect
    // would report Connecting, then a snapshot).
    let mut updates = berth.subscribe();
    let local_statuses = Arc::new(AtomicUsize::new(0));
    let counting = local_statuses.clone();
    let status_watch = tokio::spawn(async move {
        loop {
            match updates.recv().await {
                Ok(update) if update.host.as_str() == "local" => {
                    if matches!(
                        update.change,
                        HostChange::Status { .. } | HostChange::Snapshot { .. }
                    ) {
                        counting.fetch_add(1, SeqCst);
                    }
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });

    let _restored = LinkRestored(&remote);
    let (mut noticed, mut back, mut tables_equal, mut made, mut missed) = (0, 0, 0, 0, 0);
    let mut returns = Vec::new();
    let mut previous: Option<String> = None;
    for flap in 1..=flaps {
        let long = flap % 2 == 1;
        remote.link(false);
        if long {
            if wait_for("Berth to mark the remote host offline", || {
                !online(&berth, "remote")
            })
            .await
            .is_some()
            {
                noticed += 1;
            }
        } else {
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        // A change on the remote engine while Berth cannot reach it (its socket is reached
        // from here without the link), and the previous one removed.
        let made_now =
            remote_objects.create(&remote_objects.name(&format!("made-{flap}")), &["true"]);
        made += 1;
        if let Some(old) = previous.replace(made_now.clone()) {
            berth_testkit::docker_on(Some(&remote.docker_host), &["rm", "-f", &old]);
            made += 1;
        }
        remote.link(true);
        let up = Instant::now();
        if wait_for("the remote host online again", || online(&berth, "remote"))
            .await
            .is_some()
        {
            back += 1;
            returns.push(up.elapsed());
        }
        let settled = wait_for("the remote table to equal docker ps -a there", || {
            table(&berth, "remote") == docker_ps(&remote.docker_host)
        })
        .await;
        if settled.is_some() {
            tables_equal += 1;
        }
        let now = table(&berth, "remote");
        if !now.iter().any(|(id, _)| *id == made_now) {
            missed += 1;
        }
    }
    let before = lines.load(SeqCst);
    let still_flowing = wait_for("the local log still flowing", || {
        lines.load(SeqCst) > before
    })
    .await
    .is_some();
    let local_log_open = !local_log.is_finished();
    local_log.abort();
    let local_online = online(&berth, "local");
    drop(berth);
    status_watch.abort();
    let local_statuses = local_statuses.load(SeqCst);
    drop(remote_objects);
    drop(local_objects);

    let long_flaps = flaps.div_ceil(2);
    report(
        noticed == long_flaps,
        format!("long flaps noticed as offline: {noticed}/{long_flaps}"),
    );
    report(
        back == flaps,
        format!(
            "back online by itself: {back}/{flaps} (median {} ms after the link came up, max {} ms)",
            median(returns.clone()).as_millis(),
            returns.iter().max().copied().unwrap_or_default().as_millis()
        ),
    );
    report(
        tables_equal == flaps && missed == 0,
        format!(
            "remote table equal to `docker ps -a` after each flap: {tables_equal}/{flaps}; changes made while cut off: {made}, missed: {missed}"
        ),
    );
    report(
        local_statuses == 0 && local_online && local_log_open && still_flowing,
        format!(
            "local host: status changes {local_statuses}, online at the end: {local_online}, its log open throughout: {local_log_open}, lines: {}",
            lines.load(SeqCst)
        ),
    );
}
