//! Streams the page opened (logs, stats, terminals, pulls), by id, and the one loop that
//! carries each from the engine to the page.
//!
//! A Tauri channel never blocks: whatever is sent is queued for the page whether or not it
//! keeps up, so a log at full speed into a stalled page would grow without bound. Each stream
//! therefore has a window of [`STREAM_WINDOW`] bytes: a message counts against it from when it
//! is sent until the page acknowledges it as drawn (`stream_ack`), and while the window is
//! full nothing more is pulled from the engine. The core's streams are pulled, so the engine
//! connection stops being read and the engine (or the process behind a terminal) waits. A log
//! view instead reads the engine at its own speed, keeping what it would show in a backlog
//! while the page draws ([`Feed::pump_through`]): a log has an end to reach, and what scrolls
//! out of its view need not be drawn.
//!
//! A page that reloads or goes away ends every stream it opened; closing a stream aborts its
//! task, and dropping the engine stream closes its connection.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use berth_core::ExecSession;
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use specta::Type;
use tauri::async_runtime::JoinHandle;
use tauri::ipc::{Channel, CommandArg, CommandItem, InvokeError, InvokeResponseBody};
use tauri::{Manager, Runtime};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::error::IpcError;

pub type StreamId = u32;

/// The bytes of messages a stream may have sent that the page has not yet acknowledged. A
/// page falling behind holds at most this much (plus one message) per stream; 1 MiB is a few
/// seconds of a fast log as the page draws it, so a page that keeps up never waits on it.
pub const STREAM_WINDOW: u32 = 1024 * 1024;

/// How often a page that fell behind a log is sent its backlog while the engine still
/// writes faster than the page draws. Each send redraws the whole view, most of whose lines
/// the next send would replace: drawn as often as the page could, they took the CPU the
/// engine and the core needed to reach the end (a million lines reached the view at half the
/// core's speed). Four fresh views a second still show a fast log moving.
pub const CATCH_UP_EVERY: Duration = Duration::from_millis(250);

/// What a stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum StreamKind {
    Logs,
    Stats,
    Terminal,
    Pull,
}

/// A message type of a stream: each has a way to say that the stream failed.
pub trait StreamMessage: Serialize + Send + 'static {
    fn failed(error: IpcError) -> Self;

    /// Takes out the message's bulk text (a log batch's lines, a terminal's output), leaving
    /// the field empty: it then travels as raw bytes after the frame's JSON, neither escaped
    /// nor parsed as JSON, and the page puts it back in the same field (backend.ts).
    fn take_bulk(&mut self) -> Option<String> {
        None
    }
}

/// What a stream keeps of the items its page cannot take yet: a log keeps the lines its view
/// would keep and counts the rest (see [`Feed::pump_through`]).
pub trait Backlog {
    type Item;
    type Message;
    fn push(&mut self, item: Self::Item);
    fn is_empty(&self) -> bool;
    /// Whether it has dropped items since it was last taken, or will drop some when taken:
    /// the page fell behind, and most of what it would draw next has already scrolled away.
    fn is_dropping(&self) -> bool;
    /// What waits, as messages to send in order; leaves the backlog empty.
    fn take(&mut self) -> Vec<Self::Message>;
}

/// What the page receives for each message: the message, and the bytes it counts for in the
/// stream's window, which the page acknowledges (`stream_ack`) once it has drawn it.
#[derive(Serialize, Type)]
pub struct StreamFrame<M> {
    pub bytes: u32,
    pub message: M,
}

/// The page's end of a stream: a channel from the page that opened it, as a command argument.
/// Typed for the page as a channel of [`StreamFrame`]s of `M`.
pub struct PageChannel<M> {
    channel: Channel<InvokeResponseBody>,
    page: Page,
    message: PhantomData<fn(M)>,
}

/// A page: a webview, as loaded at some moment. A reload makes it a new page.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Page {
    webview: String,
    load: u64,
}

impl<'de, R: Runtime, M> CommandArg<'de, R> for PageChannel<M> {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        let webview = command.message.webview();
        // Taken as the command starts: a stream whose opening outlives its page (the engine
        // answered after a reload) is then closed as it opens.
        let page = webview.state::<Arc<OpenStreams>>().page(webview.label());
        Ok(Self {
            channel: Channel::from_command(command)?,
            page,
            message: PhantomData,
        })
    }
}

impl<M> Clone for PageChannel<M> {
    fn clone(&self) -> Self {
        Self {
            channel: self.channel.clone(),
            page: self.page.clone(),
            message: PhantomData,
        }
    }
}

impl<M: Type> Type for PageChannel<M> {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <Channel<StreamFrame<M>> as Type>::definition(types)
    }
}

impl<M: StreamMessage> PageChannel<M> {
    /// Sends `message` framed with its size, which is returned: the bytes of its JSON and of
    /// its bulk text. A message without bulk is a JSON frame; one with bulk is raw bytes: the
    /// frame's JSON length (u32, little-endian), the frame's JSON, then the bulk text.
    fn send(&self, mut message: M) -> Result<u32, tauri::Error> {
        let bulk = message.take_bulk();
        let json = serde_json::value::to_raw_value(&message)?;
        let bytes = json.get().len() + bulk.as_ref().map_or(0, String::len);
        let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
        let frame = serde_json::to_string(&StreamFrame {
            bytes,
            message: &*json,
        })?;
        let body = match bulk {
            None => InvokeResponseBody::Json(frame),
            Some(bulk) => {
                let frame_length = u32::try_from(frame.len()).unwrap_or(u32::MAX);
                let mut raw = Vec::with_capacity(4 + frame.len() + bulk.len());
                raw.extend_from_slice(&frame_length.to_le_bytes());
                raw.extend_from_slice(frame.as_bytes());
                raw.extend_from_slice(bulk.as_bytes());
                InvokeResponseBody::Raw(raw)
            }
        };
        self.channel.send(body)?;
        Ok(bytes)
    }
}

/// How much of a stream the page has yet to acknowledge. Shared by the stream's loop, which
/// waits while it is full, and `stream_ack`, which empties it.
type InFlight = Arc<watch::Sender<u64>>;

/// The sending half of an open stream, given to the body of [`OpenStreams::open`].
pub struct Feed<M> {
    channel: PageChannel<M>,
    in_flight: InFlight,
}

impl<M: StreamMessage> Feed<M> {
    /// Sends what `items` yields to the page until it ends (`Ok`) or fails, never with more
    /// than the window unacknowledged: while it is full, `items` is not polled.
    pub async fn pump<S>(&self, items: S) -> berth_core::Result<()>
    where
        S: Stream<Item = berth_core::Result<M>> + Send,
    {
        let mut items = std::pin::pin!(items);
        let mut acknowledged = self.in_flight.subscribe();
        loop {
            // Only fails when the sender is gone, and this feed holds it.
            let _ = acknowledged
                .wait_for(|bytes| *bytes < u64::from(STREAM_WINDOW))
                .await;
            let Some(message) = items.next().await else {
                return Ok(());
            };
            self.send(message?)?;
        }
    }

    /// Like [`Feed::pump`], but the engine is read at its own speed: what arrives while the page
    /// has not yet drawn everything sent goes into `backlog`, which decides what of it to keep,
    /// and is sent once the page has. One send is in flight at a time, so the page gets large
    /// pieces, and a page that falls behind skips (what the backlog drops) instead of holding
    /// the engine back, with memory bounded by the backlog. While the backlog drops, it is
    /// sent at most every [`CATCH_UP_EVERY`], and at once when the engine's stream ends.
    pub async fn pump_through<S, B>(&self, items: S, mut backlog: B) -> berth_core::Result<()>
    where
        S: Stream<Item = berth_core::Result<B::Item>> + Send,
        B: Backlog<Message = M> + Send,
    {
        let mut items = std::pin::pin!(items);
        let mut acknowledged = self.in_flight.subscribe();
        let mut ended = false;
        let mut last_sent: Option<Instant> = None;
        loop {
            let room = *acknowledged.borrow_and_update() == 0;
            let due = match last_sent {
                Some(sent) if backlog.is_dropping() && !ended => sent + CATCH_UP_EVERY,
                _ => Instant::now(),
            };
            let waiting = room && !backlog.is_empty();
            if waiting && Instant::now() >= due {
                for message in backlog.take() {
                    self.send(message)?;
                }
                last_sent = Some(Instant::now());
                continue;
            }
            if ended && backlog.is_empty() {
                return Ok(());
            }
            tokio::select! {
                // Only fails when the sender is gone, and this feed holds it.
                _ = acknowledged.changed(), if !room => {}
                () = tokio::time::sleep_until(due), if waiting => {}
                item = items.next(), if !ended => match item {
                    Some(Ok(item)) => backlog.push(item),
                    Some(Err(err)) => {
                        // What came before the failure goes first, window or not: nothing
                        // follows it.
                        for message in backlog.take() {
                            self.send(message)?;
                        }
                        return Err(err);
                    }
                    None => ended = true,
                },
            }
        }
    }

    fn send(&self, message: M) -> berth_core::Result<()> {
        // Counted before it goes, so an acknowledgement can never arrive before its bytes.
        let sent = self.channel.send(message).map_err(gone)?;
        self.in_flight
            .send_modify(|bytes| *bytes += u64::from(sent));
        Ok(())
    }
}

fn gone(err: tauri::Error) -> berth_core::Error {
    berth_core::Error::Internal(format!("the page is gone: {err}"))
}

/// An open stream.
struct Open {
    kind: StreamKind,
    page: Page,
    task: JoinHandle<()>,
    in_flight: InFlight,
    terminal: Option<Arc<ExecSession>>,
}

#[derive(Default)]
pub struct OpenStreams {
    next: AtomicU32,
    open: Mutex<HashMap<StreamId, Open>>,
    /// How many times each webview has started loading a page.
    loads: Mutex<HashMap<String, u64>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Entries are inserted and removed whole; a poisoned map is still consistent.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl OpenStreams {
    /// Opens a stream of `kind` to the page at the end of `channel`: `body` pumps the engine's
    /// items into its feed, and says what to send once they end (an end marker, an exit
    /// code, or nothing); its error is sent as the stream's failure. Returns the stream's id.
    pub fn open<M, F, Fut>(
        self: &Arc<Self>,
        kind: StreamKind,
        channel: PageChannel<M>,
        body: F,
    ) -> StreamId
    where
        M: StreamMessage,
        F: FnOnce(Feed<M>) -> Fut,
        Fut: Future<Output = berth_core::Result<Option<M>>> + Send + 'static,
    {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let page = channel.page.clone();
        if page != self.page(&page.webview) {
            tracing::debug!(
                stream = id,
                ?kind,
                "not opened: its page reloaded meanwhile"
            );
            return id;
        }
        let in_flight: InFlight = Arc::new(watch::Sender::new(0));
        let last = channel.clone();
        let feed = Feed {
            channel,
            in_flight: in_flight.clone(),
        };
        let work = body(feed);
        let streams = self.clone();
        // Held while spawning, so a stream that ends at once still finds its entry to remove.
        let mut open = lock(&self.open);
        let task = tauri::async_runtime::spawn(async move {
            let last_message = match work.await {
                Ok(message) => {
                    tracing::debug!(stream = id, ?kind, "stream ended");
                    message
                }
                Err(err) => {
                    tracing::info!(stream = id, ?kind, %err, "stream failed");
                    Some(M::failed(err.into()))
                }
            };
            if let Some(message) = last_message {
                // The last word needs no room in the window: nothing follows it.
                let _ = last.send(message);
            }
            streams.forget(id);
        });
        open.insert(
            id,
            Open {
                kind,
                page,
                task,
                in_flight,
                terminal: None,
            },
        );
        id
    }

    /// Keeps the exec session of terminal `id`, for its input and size.
    pub fn attach_terminal(&self, id: StreamId, session: Arc<ExecSession>) {
        if let Some(open) = lock(&self.open).get_mut(&id) {
            open.terminal = Some(session);
        }
    }

    pub fn terminal(&self, id: StreamId) -> Option<Arc<ExecSession>> {
        lock(&self.open).get(&id)?.terminal.clone()
    }

    /// The page has drawn `bytes` more of stream `id`.
    pub fn acknowledge(&self, id: StreamId, bytes: u32) {
        if let Some(open) = lock(&self.open).get(&id) {
            open.in_flight
                .send_modify(|in_flight| *in_flight = in_flight.saturating_sub(u64::from(bytes)));
        }
    }

    pub fn close(&self, id: StreamId) {
        if let Some(open) = lock(&self.open).remove(&id) {
            open.task.abort();
            tracing::debug!(stream = id, kind = ?open.kind, "stream closed by the page");
        }
    }

    /// `webview` starts loading a page (a reload, or its first): the streams of the page it
    /// had are closed, as nobody is left to read them.
    pub fn page_loading(&self, webview: &str) {
        *lock(&self.loads).entry(webview.to_owned()).or_default() += 1;
        self.close_webview(webview);
    }

    /// `webview` is gone: its streams are closed.
    pub fn close_webview(&self, webview: &str) {
        let mut open = lock(&self.open);
        let ids: Vec<StreamId> = open
            .iter()
            .filter(|(_, stream)| stream.page.webview == webview)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(stream) = open.remove(&id) {
                stream.task.abort();
            }
        }
    }

    fn page(&self, webview: &str) -> Page {
        Page {
            webview: webview.to_owned(),
            load: lock(&self.loads).get(webview).copied().unwrap_or(0),
        }
    }

    fn forget(&self, id: StreamId) {
        lock(&self.open).remove(&id);
    }

    /// The kinds of the open streams, sorted.
    pub fn kinds(&self) -> Vec<StreamKind> {
        let mut kinds: Vec<StreamKind> = lock(&self.open).values().map(|o| o.kind).collect();
        kinds.sort();
        kinds
    }
}

#[cfg(test)]
mod tests {
    use std::task::Poll;
    use std::time::Duration;

    use futures_util::stream;

    use super::*;

    #[derive(Serialize)]
    #[serde(tag = "kind", rename_all = "camelCase")]
    enum Note {
        Text {
            text: String,
        },
        /// Its text travels as bulk.
        Bulk {
            text: String,
        },
        Skipped {
            notes: u64,
        },
        Failed {
            error: IpcError,
        },
    }

    impl StreamMessage for Note {
        fn failed(error: IpcError) -> Self {
            Self::Failed { error }
        }

        fn take_bulk(&mut self) -> Option<String> {
            match self {
                Self::Bulk { text } => Some(std::mem::take(text)),
                _ => None,
            }
        }
    }

    /// Keeps the last `keep` notes waiting and counts the ones it drops.
    struct KeepLast {
        keep: usize,
        waiting: std::collections::VecDeque<Note>,
        skipped: u64,
    }

    impl Backlog for KeepLast {
        type Item = Note;
        type Message = Note;

        fn push(&mut self, note: Note) {
            self.waiting.push_back(note);
            if self.waiting.len() > self.keep {
                self.waiting.pop_front();
                self.skipped += 1;
            }
        }

        fn is_empty(&self) -> bool {
            self.waiting.is_empty() && self.skipped == 0
        }

        fn is_dropping(&self) -> bool {
            self.skipped > 0
        }

        fn take(&mut self) -> Vec<Note> {
            let skipped = std::mem::take(&mut self.skipped);
            let skipped = (skipped > 0).then_some(Note::Skipped { notes: skipped });
            skipped.into_iter().chain(self.waiting.drain(..)).collect()
        }
    }

    /// What a page received: each frame's JSON.
    type Received = Arc<Mutex<Vec<serde_json::Value>>>;

    fn page_channel(streams: &OpenStreams, webview: &str) -> (PageChannel<Note>, Received) {
        let received = Received::default();
        let into = received.clone();
        let channel = Channel::new(move |body| {
            let frame = match body {
                InvokeResponseBody::Json(json) => serde_json::from_str(&json),
                // As backend.ts reads it: the frame's JSON, then the bulk text put back in
                // its field.
                InvokeResponseBody::Raw(raw) => {
                    let length = u32::from_le_bytes(raw[..4].try_into().unwrap()) as usize;
                    let mut frame: serde_json::Value =
                        serde_json::from_slice(&raw[4..4 + length]).expect("a frame is JSON");
                    let bulk = std::str::from_utf8(&raw[4 + length..]).expect("bulk is text");
                    frame["message"]["text"] = bulk.into();
                    frame["raw"] = true.into();
                    Ok(frame)
                }
            };
            lock(&into).push(frame.expect("a frame is JSON"));
            Ok(())
        });
        let page = streams.page(webview);
        let channel = PageChannel {
            channel,
            page,
            message: PhantomData,
        };
        (channel, received)
    }

    /// The bytes the frames received say they count for.
    fn counted(received: &Received) -> u64 {
        lock(received)
            .iter()
            .map(|frame| frame["bytes"].as_u64().expect("a frame counts its bytes"))
            .sum()
    }

    /// Sets its flag when dropped: the stream holding it was dropped (its connection closed).
    struct Dropped(Arc<std::sync::atomic::AtomicBool>);

    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    /// A stream that never yields, and says when it is dropped.
    fn endless() -> (
        impl Stream<Item = berth_core::Result<Note>> + Send,
        Arc<std::sync::atomic::AtomicBool>,
    ) {
        let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let guard = Dropped(dropped.clone());
        let items = stream::poll_fn(move |_| {
            let _held = &guard;
            Poll::<Option<berth_core::Result<Note>>>::Pending
        });
        (items, dropped)
    }

    async fn eventually(what: &str, check: impl Fn() -> bool) {
        for _ in 0..200 {
            if check() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("gave up waiting for {what}");
    }

    #[tokio::test]
    async fn a_full_window_stops_pulling_until_the_page_acknowledges() {
        let streams = Arc::new(OpenStreams::default());
        let (channel, received) = page_channel(&streams, "main");
        let pulled = Arc::new(AtomicU32::new(0));
        let counter = pulled.clone();
        let flood = stream::repeat_with(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(Note::Text {
                text: "y\n".repeat(5000),
            })
        });
        let id = streams.open(StreamKind::Terminal, channel, |feed| async move {
            feed.pump(flood).await?;
            Ok(None)
        });

        let window = u64::from(STREAM_WINDOW);
        eventually("the window to fill", || counted(&received) >= window).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let sent = counted(&received);
        let one = sent / lock(&received).len() as u64;
        assert!(sent < window + one, "{sent} bytes unacknowledged");
        assert_eq!(
            pulled.load(Ordering::SeqCst) as usize,
            lock(&received).len(),
            "nothing is pulled from the engine that cannot be sent"
        );

        streams.acknowledge(id, u32::try_from(sent).unwrap());
        eventually("more to come once acknowledged", || {
            counted(&received) >= sent + window
        })
        .await;
        streams.close(id);
        assert!(streams.kinds().is_empty());
    }

    #[tokio::test]
    async fn bulk_text_travels_raw_after_its_frame_and_counts_in_the_window() {
        let streams = Arc::new(OpenStreams::default());
        let (channel, received) = page_channel(&streams, "main");
        let text = "héllo \"quoted\"\n".repeat(1000);
        let items = stream::iter([
            Ok(Note::Bulk { text: text.clone() }),
            Ok(Note::Text {
                text: "small".to_owned(),
            }),
        ]);
        streams.open(StreamKind::Logs, channel, |feed| async move {
            feed.pump(items).await?;
            Ok(None)
        });
        eventually("both frames", || lock(&received).len() == 2).await;
        let frames = lock(&received).clone();
        assert_eq!(frames[0]["raw"], true);
        assert_eq!(frames[0]["message"]["kind"], "bulk");
        assert_eq!(frames[0]["message"]["text"], text.as_str());
        let header = r#"{"kind":"bulk","text":""}"#.len();
        assert_eq!(frames[0]["bytes"], (header + text.len()) as u64);
        assert!(frames[1].get("raw").is_none(), "no bulk, plain JSON");
        assert_eq!(frames[1]["message"]["text"], "small");
    }

    #[tokio::test]
    async fn a_page_behind_gets_what_the_backlog_kept_and_the_engine_is_never_held() {
        let streams = Arc::new(OpenStreams::default());
        let (channel, received) = page_channel(&streams, "main");
        let note = "y".repeat(10_000);
        let total = 1000;
        let pulled = Arc::new(AtomicU32::new(0));
        let counter = pulled.clone();
        let flood = stream::iter(0..total).map(move |n| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(Note::Text {
                text: format!("{n} {note}"),
            })
        });
        let backlog = KeepLast {
            keep: 5,
            waiting: Default::default(),
            skipped: 0,
        };
        let id = streams.open(StreamKind::Logs, channel, |feed| async move {
            feed.pump_through(flood, backlog).await?;
            Ok(None)
        });
        eventually("the whole flood to be read", || {
            pulled.load(Ordering::SeqCst) as usize == total
        })
        .await;
        assert_eq!(lock(&received).len(), 1, "one send in flight");
        let sent = counted(&received);

        streams.acknowledge(id, u32::try_from(sent).unwrap());
        eventually("the backlog to be sent", || {
            lock(&received).last().is_some_and(|frame| {
                frame["message"]["text"]
                    .as_str()
                    .is_some_and(|text| text.starts_with(&format!("{} ", total - 1)))
            })
        })
        .await;
        let frames = lock(&received).clone();
        let before = frames.len() - 6;
        let skipped = frames[before]["message"]["notes"].as_u64().unwrap();
        assert_eq!(
            before as u64 + skipped + 5,
            total as u64,
            "every note sent or counted"
        );
        let kept: Vec<&str> = frames[before + 1..]
            .iter()
            .map(|frame| {
                frame["message"]["text"]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
            })
            .collect();
        let last_five: Vec<String> = (total - 5..total).map(|n| n.to_string()).collect();
        assert_eq!(kept, last_five);
        eventually("the stream to end", || streams.kinds().is_empty()).await;
    }

    #[tokio::test]
    async fn a_page_behind_a_fast_log_is_sent_a_fresh_view_at_most_every_catch_up_interval() {
        let streams = Arc::new(OpenStreams::default());
        let (channel, received) = page_channel(&streams, "main");
        // An engine writing a note a millisecond for about a second.
        let total = 1000;
        let flood = stream::iter(0..total).then(|n| async move {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Ok(Note::Text {
                text: n.to_string(),
            })
        });
        let backlog = KeepLast {
            keep: 5,
            waiting: Default::default(),
            skipped: 0,
        };
        let started = std::time::Instant::now();
        let id = streams.open(StreamKind::Logs, channel, |feed| async move {
            feed.pump_through(flood, backlog).await?;
            Ok(None)
        });
        // A page that takes 20 ms to draw what it was sent: it falls behind at once.
        let mut acknowledged = 0;
        while !streams.kinds().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let sent = counted(&received);
            streams.acknowledge(id, u32::try_from(sent - acknowledged).unwrap());
            acknowledged = sent;
        }
        let streamed = started.elapsed();

        let frames = lock(&received).clone();
        let fresh_views = frames
            .iter()
            .filter(|frame| frame["message"]["kind"] == "skipped")
            .count();
        let at_most = (streamed.as_millis() / CATCH_UP_EVERY.as_millis()) as usize + 1;
        assert!(
            fresh_views <= at_most,
            "{fresh_views} fresh views in {streamed:?}: at most one every {CATCH_UP_EVERY:?}"
        );
        assert!(fresh_views >= 2, "the view moved while the engine wrote");
        assert_eq!(
            frames.last().unwrap()["message"]["text"],
            (total - 1).to_string(),
            "the end is sent once the engine's stream ends, without waiting"
        );
    }

    #[tokio::test]
    async fn a_reload_ends_the_streams_of_that_page_only() {
        let streams = Arc::new(OpenStreams::default());
        let mut dropped = Vec::new();
        for (webview, kind) in [
            ("main", StreamKind::Logs),
            ("main", StreamKind::Stats),
            ("other", StreamKind::Pull),
        ] {
            let (channel, _) = page_channel(&streams, webview);
            let (items, was_dropped) = endless();
            dropped.push(was_dropped);
            streams.open(kind, channel, |feed| async move {
                feed.pump(items).await?;
                Ok(None)
            });
        }
        assert_eq!(
            streams.kinds(),
            [StreamKind::Logs, StreamKind::Stats, StreamKind::Pull]
        );

        streams.page_loading("main");
        assert_eq!(streams.kinds(), [StreamKind::Pull]);
        eventually("the reloaded page's engine streams to be dropped", || {
            dropped[0].load(Ordering::SeqCst) && dropped[1].load(Ordering::SeqCst)
        })
        .await;
        assert!(!dropped[2].load(Ordering::SeqCst));

        streams.close_webview("other");
        assert!(streams.kinds().is_empty());
    }

    #[tokio::test]
    async fn a_stream_whose_page_reloaded_while_it_opened_is_not_opened() {
        let streams = Arc::new(OpenStreams::default());
        // The channel came with the command, before the page reloaded.
        let (channel, received) = page_channel(&streams, "main");
        streams.page_loading("main");
        let (items, dropped) = endless();
        streams.open(StreamKind::Terminal, channel, |feed| async move {
            feed.pump(items).await?;
            Ok(None)
        });
        assert!(streams.kinds().is_empty());
        assert!(
            dropped.load(Ordering::SeqCst),
            "its engine stream is closed"
        );
        assert!(lock(&received).is_empty());
    }

    #[tokio::test]
    async fn a_failed_stream_says_why_and_is_forgotten() {
        let streams = Arc::new(OpenStreams::default());
        let (channel, received) = page_channel(&streams, "main");
        let items = stream::iter([
            Ok(Note::Text {
                text: "last words\n".to_owned(),
            }),
            Err(berth_core::Error::NotFound("no such container".to_owned())),
        ]);
        streams.open(StreamKind::Logs, channel, |feed| async move {
            feed.pump(items).await?;
            Ok(None)
        });
        eventually("the failure to be sent", || lock(&received).len() == 2).await;
        let failed = lock(&received)[1]["message"].clone();
        assert_eq!(failed["kind"], "failed");
        assert_eq!(failed["error"]["code"], "not_found");
        assert_eq!(failed["error"]["message"], "no such container");
        eventually("the stream to be forgotten", || streams.kinds().is_empty()).await;
    }
}
