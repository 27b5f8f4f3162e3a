//! Streams that outlive an outage of their host. A followed log or a stats stream runs on one
//! engine connection; when the engine goes away (dockerd restarted, the SSH link lost) that
//! connection fails. Rather than end the view with an error the user must act on, the stream
//! waits for the host's watcher to bring the host back and opens itself again on the new
//! engine, so every view recovers by itself. Errors that are not about reaching the engine (a
//! container that is gone, a refused filter) still end it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::watch::Watcher;

/// How long a stream that lost its engine waits to hear that the host came back before it
/// looks for itself (the loss may have been its own connection's, not the host's).
const LOOK_AGAIN_AFTER: Duration = Duration::from_secs(5);

/// `open` on `watcher`'s engine now (its errors are returned at once), then again each time
/// the stream fails because the engine could not be reached, once the host is online again.
/// `open` is told the unix second the stream was lost at when it is opened again. Ends when
/// the stream ends by itself or fails otherwise, or when the consumer drops it. Items pass one
/// at a time, so a slow consumer still slows the engine connection down.
pub fn resumable<T, F>(watcher: &Arc<Watcher>, mut open: F) -> Result<BoxStream<'static, Result<T>>>
where
    T: Send + 'static,
    F: FnMut(&Engine, Option<i64>) -> Result<BoxStream<'static, Result<T>>> + Send + 'static,
{
    let mut current = open(&watcher.engine()?, None)?;
    let mut online = watcher.online_changes();
    online.borrow_and_update();
    // Weak: a stream must not keep watching a host the user removed.
    let watcher: Weak<Watcher> = Arc::downgrade(watcher);
    let (items, received) = mpsc::channel::<Result<T>>(1);
    tokio::spawn(async move {
        loop {
            // Pass items on until the stream ends or loses its engine.
            let lost_at = loop {
                let item = tokio::select! {
                    () = items.closed() => return,
                    item = current.next() => item,
                };
                match item {
                    None => return,
                    Some(Err(Error::EngineUnreachable { .. })) => break unix_now(),
                    Some(item) => {
                        let failed = item.is_err();
                        if items.send(item).await.is_err() || failed {
                            return;
                        }
                    }
                }
            };
            // Wait for the host to be back, then open again on its engine.
            current = loop {
                tokio::select! {
                    () = items.closed() => return,
                    changed = online.changed() => if changed.is_err() { return },
                    () = tokio::time::sleep(LOOK_AGAIN_AFTER) => {}
                }
                let Some(watcher) = watcher.upgrade() else {
                    return;
                };
                let Ok(engine) = watcher.engine() else {
                    continue;
                };
                match open(&engine, Some(lost_at)) {
                    Ok(stream) => break stream,
                    Err(Error::EngineUnreachable { .. }) => continue,
                    Err(e) => {
                        let _ = items.send(Err(e)).await;
                        return;
                    }
                }
            };
        }
    });
    Ok(
        futures_util::stream::unfold(received, |mut received| async move {
            received.recv().await.map(|item| (item, received))
        })
        .boxed(),
    )
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
