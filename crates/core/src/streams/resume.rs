//! Streams that outlive an outage of their host. A followed log or a stats stream runs on one
//! engine connection; when the engine goes away (dockerd restarted, the SSH link lost) that
//! connection fails — or, when dockerd stops gracefully, it stops the containers first, which
//! ends their logs as if they were done, a moment before the engine itself goes. Rather than
//! end the view and leave the user to open it again, the stream waits for the host to be back
//! and one of its containers to run again, and opens itself again, so every view recovers by
//! itself. A stream that ends while its host stays up (the container exited) ends, and errors
//! that are not about reaching the engine (a refused filter) still end it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use tokio::sync::{broadcast, watch};

use crate::engine::containers::{Container, ContainerState};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::hosts::HostId;
use crate::watch::{HostChange, HostUpdate, Watcher};

/// How long after a stream ended by itself its host must be seen offline for the end to count
/// as the engine going away: dockerd closes its API a moment after stopping the containers.
const ENGINE_GOING_AWAY: Duration = Duration::from_secs(3);

/// How long a stream that lost its engine waits to hear that the host came back before it
/// looks for itself (the loss may have been its own connection's, not the host's).
const LOOK_AGAIN_AFTER: Duration = Duration::from_secs(5);

/// `open` on `watcher`'s engine now (its errors are returned at once), then again each time
/// it fails because the engine could not be reached, or ends as its host goes offline: once
/// the host is online again and one of `ids` runs. `open` is told the unix second the stream was lost
/// at when it is opened again. Ends when it fails otherwise, or when the host is removed. Nothing runs beside it: all of this happens
/// as the consumer pulls, so a slow consumer still slows the engine connection down, and
/// dropping the stream ends it (it needs no runtime until it is pulled).
pub fn resumable<T, F>(
    watcher: &Arc<Watcher>,
    ids: &[String],
    mut open: F,
) -> Result<BoxStream<'static, Result<T>>>
where
    T: Send + 'static,
    F: FnMut(&Engine, Option<i64>) -> Result<BoxStream<'static, Result<T>>> + Send + 'static,
{
    let current = open(&watcher.engine()?, None)?;
    let mut online = watcher.online_changes();
    online.borrow_and_update();
    let state = Resuming {
        current: Some(current),
        open,
        online,
        updates: watcher.updates(),
        host: watcher.id().clone(),
        ids: ids.to_vec(),
        // Weak: a stream must not keep watching a host the user removed.
        watcher: Arc::downgrade(watcher),
    };
    Ok(futures_util::stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    })
    .boxed())
}

struct Resuming<T, F> {
    /// `None` once it has ended.
    current: Option<BoxStream<'static, Result<T>>>,
    open: F,
    online: watch::Receiver<u64>,
    updates: broadcast::Receiver<HostUpdate>,
    host: HostId,
    ids: Vec<String>,
    watcher: Weak<Watcher>,
}

impl<T, F> Resuming<T, F>
where
    F: FnMut(&Engine, Option<i64>) -> Result<BoxStream<'static, Result<T>>>,
{
    async fn next(&mut self) -> Option<Result<T>> {
        loop {
            let item = self.current.as_mut()?.next().await;
            let lost = match &item {
                Some(Ok(_)) => return item,
                Some(Err(Error::EngineUnreachable { .. })) => true,
                // Ended by itself: the container is done, unless its engine is going away
                // (a dockerd that stops gracefully stops its containers first).
                None => self.host_goes_away().await,
                Some(Err(_)) => false,
            };
            self.current = None;
            if !lost {
                return item;
            }
            match self.reopen(unix_now()).await? {
                Ok(stream) => self.current = Some(stream),
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// Whether the host goes offline within [`ENGINE_GOING_AWAY`] of a stream's end.
    async fn host_goes_away(&mut self) -> bool {
        let offline =
            |watcher: &Weak<Watcher>| watcher.upgrade().is_none_or(|w| w.engine().is_err());
        let deadline = tokio::time::Instant::now() + ENGINE_GOING_AWAY;
        while tokio::time::Instant::now() < deadline {
            if offline(&self.watcher) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        offline(&self.watcher)
    }

    /// Waits for the host to be back or one of the containers to run again, then opens the
    /// stream again on the host's engine. `None` when the host is no longer watched.
    async fn reopen(&mut self, lost_at: i64) -> Option<Result<BoxStream<'static, Result<T>>>> {
        loop {
            tokio::select! {
                changed = self.online.changed() => changed.ok()?,
                update = self.updates.recv() => match update {
                    Ok(update) if self.runs_again(&update) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                    _ => continue,
                },
                () = tokio::time::sleep(LOOK_AGAIN_AFTER) => {}
            }
            let watcher = self.watcher.upgrade()?;
            // Opened again only onto a running container: a log opened onto one that stays
            // stopped would end at once, and show its last lines again each time.
            let Ok(engine) = watcher.engine() else {
                continue;
            };
            if !watcher.any_running(&self.ids) {
                continue;
            }
            match (self.open)(&engine, Some(lost_at)) {
                Err(Error::EngineUnreachable { .. }) => continue,
                opened => return Some(opened),
            }
        }
    }
}

impl<T, F> Resuming<T, F> {
    /// Whether `update` says one of the stream's containers is running (again).
    fn runs_again(&self, update: &HostUpdate) -> bool {
        if update.host != self.host {
            return false;
        }
        let running =
            |c: &Container| c.state == ContainerState::Running && self.ids.contains(&c.id);
        match &update.change {
            HostChange::Containers { upserted, .. } => upserted.iter().any(running),
            HostChange::Snapshot { containers, .. } => containers.iter().any(running),
            _ => false,
        }
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
