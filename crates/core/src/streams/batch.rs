//! Batching for streams that end in the UI.
//!
//! Every message to the webview costs a script evaluation there, so a fast stream (a log at a
//! million lines) must reach it in batches, while a slow one (a line a minute) must not wait.
//! A batch closes when it is full (items or bytes) or when its first item has waited
//! `max_delay`. Because the stream is pulled, a slow consumer slows the engine connection down
//! instead of growing a buffer: memory is bounded by one batch.

use std::time::Duration;

use std::future::Future;
use std::task::Poll;

use futures_util::{Stream, StreamExt};

#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub max_items: usize,
    pub max_bytes: usize,
    pub max_delay: Duration,
}

/// What the UI gets: about one message a frame, at most 64 KiB each.
pub const UI_BATCH: BatchLimits = BatchLimits {
    max_items: 8192,
    max_bytes: 64 * 1024,
    max_delay: Duration::from_millis(16),
};

/// What a terminal gets: whatever output is there, at once. A keystroke's echo must not
/// wait for a batch to fill; a burst (a long listing) still goes out in large pieces.
pub const TERMINAL_BATCH: BatchLimits = BatchLimits {
    max_delay: Duration::ZERO,
    ..UI_BATCH
};

/// Groups `stream`'s items into batches within `limits`; `size_of` weighs an item in bytes.
pub fn batched<S, T>(
    stream: S,
    limits: BatchLimits,
    size_of: fn(&T) -> usize,
) -> impl Stream<Item = Vec<T>>
where
    S: Stream<Item = T> + Unpin,
{
    futures_util::stream::unfold(Some(stream), move |state| async move {
        let mut stream = state?;
        let first = stream.next().await?;
        // One timer per batch, not one per wait: under load a batch waits thousands of times.
        let mut deadline = std::pin::pin!(tokio::time::sleep(limits.max_delay));
        let mut bytes = size_of(&first);
        let mut batch = vec![first];
        let mut ended = false;
        while batch.len() < limits.max_items && bytes < limits.max_bytes {
            let next = std::future::poll_fn(|cx| match stream.poll_next_unpin(cx) {
                Poll::Ready(item) => Poll::Ready(Some(item)),
                Poll::Pending => deadline.as_mut().poll(cx).map(|()| None),
            });
            match next.await {
                Some(Some(item)) => {
                    bytes += size_of(&item);
                    batch.push(item);
                }
                Some(None) => {
                    ended = true;
                    break;
                }
                None => break, // the deadline passed
            }
        }
        Some((batch, (!ended).then_some(stream)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    const LIMITS: BatchLimits = BatchLimits {
        max_items: 3,
        max_bytes: 10,
        max_delay: Duration::from_millis(20),
    };

    #[tokio::test]
    async fn ready_items_fill_batches_up_to_the_item_limit() {
        let batches: Vec<Vec<u8>> = batched(stream::iter(0..7u8), LIMITS, |_| 1).collect().await;
        assert_eq!(batches, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
    }

    #[tokio::test]
    async fn bytes_close_a_batch_too() {
        let batches: Vec<Vec<u8>> = batched(stream::iter([6u8, 6, 6]), LIMITS, |n| *n as usize)
            .collect()
            .await;
        assert_eq!(batches, vec![vec![6, 6], vec![6]]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_stream_is_not_held_back_longer_than_the_delay() {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let mut batches = Box::pin(batched(tokio_stream_from(rx), LIMITS, |_: &u8| 1));
        tx.send(1).await.unwrap();
        let start = tokio::time::Instant::now();
        assert_eq!(batches.next().await, Some(vec![1]));
        assert_eq!(
            start.elapsed(),
            LIMITS.max_delay,
            "closed by the delay, not by more items"
        );
        drop(tx);
        assert_eq!(batches.next().await, None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_terminal_batch_takes_what_is_there_without_waiting() {
        let ready_then_silent = stream::iter([1u8, 2]).chain(stream::pending());
        let mut batches = Box::pin(batched(ready_then_silent, TERMINAL_BATCH, |_| 1));
        let start = tokio::time::Instant::now();
        assert_eq!(batches.next().await, Some(vec![1, 2]));
        assert_eq!(start.elapsed(), Duration::ZERO, "no delay waited for more");
    }

    fn tokio_stream_from(rx: tokio::sync::mpsc::Receiver<u8>) -> impl Stream<Item = u8> + Unpin {
        Box::pin(stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }))
    }
}
