//! Container logs: tail then follow, one container or several merged, filtered in the core.

use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use std::path::Path;
use std::sync::LazyLock;

use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use specta::Type;
use tokio::io::AsyncWriteExt;

use crate::engine::object_refs;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::streams::batch::{batched, UI_BATCH};

/// The longest log filter accepted, in bytes: a filter is typed, not pasted.
const MAX_FILTER_LENGTH: usize = 1024;
/// What a compiled filter may take in memory. The regex crate runs in linear time whatever the
/// pattern, but a short pattern can still compile to a huge program (`\w{1000}`).
const FILTER_SIZE_LIMIT: usize = 1 << 20;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogOptions {
    /// Lines to show from the end of each log before following; `None` for the whole log.
    pub tail: Option<u32>,
    /// Only lines from this unix second on.
    pub since: Option<i32>,
    /// Only lines up to this unix second; a log with an end is not followed.
    pub until: Option<i32>,
    /// Only the first this-many lines of what the other options select; the stream ends
    /// after them. With `tail`, a page of an earlier part of a log: `tail: 30, head: 10` is
    /// the ten lines before the last twenty.
    pub head: Option<u32>,
    /// Keep streaming new lines as they are written.
    pub follow: bool,
    /// A regular expression a line's text must match (Rust regex syntax).
    pub filter: Option<String>,
    /// Ask the engine for each line's time. Off, lines come faster (the engine formats no
    /// time) and `LogLine::time` is empty.
    pub timestamps: bool,
}

/// A batch of log lines in the shape that is cheapest to make, send and render: the text of
/// every line in one string, and per-line details only where they say something.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogBatch {
    /// The lines, each ended by `\n`; ANSI colour codes are kept for the terminal view.
    pub text: String,
    /// Which lines (0-based, in this batch) were written to stderr.
    pub stderr: Vec<u32>,
    /// Per line, which of the requested containers wrote it; empty for a single container.
    pub sources: Vec<u16>,
    /// Per line, the engine's RFC 3339 time; empty unless asked for.
    pub times: Vec<String>,
    /// How many lines `text` holds.
    pub count: u32,
}

/// One line of a [`LogBatch`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLine<'a> {
    pub source: u16,
    pub stderr: bool,
    /// Empty unless timestamps were asked for.
    pub time: &'a str,
    pub text: &'a str,
}

impl LogBatch {
    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn lines(&self) -> impl Iterator<Item = LogLine<'_>> + '_ {
        let mut stderr = self.stderr.iter().peekable();
        self.text
            .split_terminator('\n')
            .enumerate()
            .map(move |(index, text)| {
                let index_u32 = u32::try_from(index).unwrap_or(u32::MAX);
                let is_stderr = stderr.next_if(|&&i| i == index_u32).is_some();
                LogLine {
                    source: self.sources.get(index).copied().unwrap_or(0),
                    stderr: is_stderr,
                    time: self.times.get(index).map_or("", String::as_str),
                    text,
                }
            })
    }

    /// Appends the lines of one engine chunk that pass `filter`. With timestamps on, the engine
    /// writes one log entry per chunk, starting with its RFC 3339 time and a space.
    fn add_chunk(&mut self, source: u16, output: &LogOutput, shape: &Shape) {
        let (stderr, bytes) = match output {
            LogOutput::StdErr { message } => (true, message),
            LogOutput::StdOut { message }
            | LogOutput::Console { message }
            | LogOutput::StdIn { message } => (false, message),
        };
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        let (time, text) = match text.split_once(' ') {
            Some((time, rest)) if shape.timestamps && looks_like_timestamp(time) => (time, rest),
            _ => ("", text),
        };
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if shape.filter.as_ref().is_some_and(|f| !f.is_match(line)) {
                continue;
            }
            if stderr {
                self.stderr.push(self.count);
            }
            if shape.merged {
                self.sources.push(source);
            }
            if shape.timestamps {
                self.times.push(time.to_owned());
            }
            self.text.push_str(line);
            self.text.push('\n');
            self.count += 1;
        }
    }
}

/// How a log's batches are made.
struct Shape {
    merged: bool,
    timestamps: bool,
    filter: Option<Regex>,
}

impl LogOptions {
    /// Checks the options before any engine is asked: the filter must compile, the range make
    /// sense.
    pub fn check(&self) -> Result<()> {
        self.compile_filter().map(|_| ())
    }

    /// The filter compiled, once the options are checked (see [`LogOptions::check`]).
    fn compile_filter(&self) -> Result<Option<Regex>> {
        if let (Some(since), Some(until)) = (self.since, self.until) {
            if since > until {
                return Err(Error::InvalidInput(
                    "the log range ends before it starts".to_owned(),
                ));
            }
        }
        match self.filter.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(pattern) if pattern.len() > MAX_FILTER_LENGTH => {
                Err(Error::InvalidInput(format!(
                    "the filter is {} characters long; {MAX_FILTER_LENGTH} at most",
                    pattern.len()
                ))
                .in_field("filter"))
            }
            Some(pattern) => RegexBuilder::new(pattern)
                .size_limit(FILTER_SIZE_LIMIT)
                .dfa_size_limit(FILTER_SIZE_LIMIT)
                .build()
                .map(Some)
                .map_err(|e| {
                    Error::InvalidInput(format!(
                        "the filter is not a valid regular expression: {e}"
                    ))
                    .in_field("filter")
                }),
        }
    }
}

impl Engine {
    /// The logs of `ids`, merged in arrival order, in batches for the UI. Ends when every log
    /// ends (or at once for logs that are not followed); dropping the stream closes the engine
    /// connections.
    pub fn logs(
        &self,
        ids: &[String],
        options: &LogOptions,
    ) -> Result<BoxStream<'static, Result<LogBatch>>> {
        object_refs::containers("logs", ids)?;
        let filter = options.compile_filter()?;
        let query = options.query();
        let shape = Shape {
            merged: ids.len() > 1,
            timestamps: options.timestamps,
            filter,
        };
        let per_container = ids.iter().enumerate().map(|(index, id)| {
            let source = u16::try_from(index).unwrap_or(u16::MAX);
            let endpoint = self.endpoint().to_owned();
            // bollard hands the bytes left when a connection ends mid-frame on as a `Console`
            // chunk (what a TTY's log is made of). After a framed (stdout/stderr) chunk that
            // can only be a cut: say so rather than show the rest of a frame as a line.
            let mut framed = false;
            self.docker()
                .logs(id, Some(query.clone()))
                .map(move |chunk| match chunk {
                    Ok(LogOutput::Console { .. }) if framed => Err(Error::EngineUnreachable {
                        endpoint: endpoint.clone(),
                        reason: "the log stream was cut in the middle of an entry".to_owned(),
                    }),
                    Ok(output) => {
                        framed |=
                            matches!(output, LogOutput::StdOut { .. } | LogOutput::StdErr { .. });
                        Ok((source, output))
                    }
                    Err(err) => Err(Error::from_engine(&endpoint, err)),
                })
                .boxed()
        });
        let mut per_container: Vec<_> = per_container.collect();
        // One log needs no merging; skipping select_all saves a wake-up per engine chunk.
        let chunks = if per_container.len() == 1 {
            per_container.pop().expect("one log")
        } else {
            futures_util::stream::select_all(per_container).boxed()
        };
        Ok(first_lines(into_batches(chunks, shape), options.head))
    }

    /// The logs of every task of swarm service `id`, on every node, merged by the manager (the
    /// engine's service logs endpoint), in the same batches as a container's.
    pub fn service_logs(
        &self,
        id: &str,
        options: &LogOptions,
    ) -> Result<BoxStream<'static, Result<LogBatch>>> {
        object_refs::swarm_object("service", id)?;
        let shape = Shape {
            merged: false,
            timestamps: options.timestamps,
            filter: options.compile_filter()?,
        };
        let endpoint = self.endpoint().to_owned();
        let chunks = self
            .docker()
            .service_logs(id, Some(options.query()))
            .map(move |chunk| {
                chunk
                    .map(|output| (0, output))
                    .map_err(|err| Error::from_engine(&endpoint, err))
            })
            .boxed();
        Ok(first_lines(into_batches(chunks, shape), options.head))
    }
}

impl LogOptions {
    /// The engine's query for these options (a log with an end is not followed).
    fn query(&self) -> bollard::query_parameters::LogsOptions {
        let follow = self.follow && self.until.is_none();
        let mut query = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .timestamps(self.timestamps)
            .follow(follow)
            .tail(
                &self
                    .tail
                    .map_or_else(|| "all".to_owned(), |n| n.to_string()),
            );
        if let Some(since) = self.since {
            query = query.since(since);
        }
        if let Some(until) = self.until {
            query = query.until(until);
        }
        query.build()
    }
}

/// Engine chunks (each one log entry, with the index of the log it came from) batched as they
/// come, then turned into one [`LogBatch`] each: no object per line on the way. An error ends
/// the stream after the lines before it.
fn into_batches(
    chunks: BoxStream<'static, Result<(u16, LogOutput)>>,
    shape: Shape,
) -> BoxStream<'static, Result<LogBatch>> {
    let weight = |chunk: &Result<(u16, LogOutput)>| {
        chunk
            .as_ref()
            .map_or(0, |(_, output)| output.as_ref().len() + 8)
    };
    batched(chunks, UI_BATCH, weight)
        .flat_map(move |chunks| {
            let mut batch = LogBatch::default();
            let mut failed = None;
            for chunk in chunks {
                match chunk {
                    Ok((source, output)) => batch.add_chunk(source, &output, &shape),
                    Err(err) => {
                        failed = Some(err);
                        break;
                    }
                }
            }
            // Lines before an error still go out, then the error, which ends the stream.
            let lines = (!batch.is_empty()).then_some(Ok(batch));
            futures_util::stream::iter(lines.into_iter().chain(failed.map(Err)))
        })
        .boxed()
}

/// The first `head` lines of `batches`, ending the stream (and so the engine connection) once
/// they are out; all of them when `head` is `None`.
fn first_lines(
    batches: BoxStream<'static, Result<LogBatch>>,
    head: Option<u32>,
) -> BoxStream<'static, Result<LogBatch>> {
    let Some(head) = head else {
        return batches;
    };
    // Ends as soon as the last line is out, without waiting for the engine's next line.
    futures_util::stream::unfold((batches, head), |(mut batches, left)| async move {
        if left == 0 {
            return None;
        }
        let batch = batches.next().await?.map(|mut batch| {
            batch.keep_first(left);
            batch
        });
        // An error ends the stream after it.
        let left = batch.as_ref().map_or(0, |batch| left - batch.count);
        Some((batch, (batches, left)))
    })
    .boxed()
}

/// Terminal colour and cursor codes, removed from saved logs.
static ANSI_CODES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]").expect("the ANSI pattern compiles"));

impl Engine {
    /// Writes the logs of `ids` as they stand now (not followed), filtered like [`Engine::logs`],
    /// to a new file at `path`: `TIME [name] text` per line, `!` after the time for stderr,
    /// colour codes removed. `names` label the containers of a merged log. Returns the number
    /// of lines written. Streams to the file, so a long log costs no memory.
    pub async fn save_logs(
        &self,
        ids: &[String],
        names: &[String],
        options: &LogOptions,
        path: &Path,
    ) -> Result<u64> {
        let options = LogOptions {
            follow: false,
            // A saved log always says when each line was written.
            timestamps: true,
            ..options.clone()
        };
        let mut logs = self.logs(ids, &options)?;
        let io_error =
            |e: std::io::Error| Error::Internal(format!("could not write {}: {e}", path.display()));
        let file = tokio::fs::File::create_new(path).await.map_err(io_error)?;
        let mut out = tokio::io::BufWriter::new(file);
        let mut written = 0u64;
        while let Some(batch) = logs.next().await {
            let batch = batch?;
            for line in batch.lines() {
                let mark = if line.stderr { "!" } else { "" };
                let text = ANSI_CODES.replace_all(line.text, "");
                let record = match names
                    .get(usize::from(line.source))
                    .filter(|_| ids.len() > 1)
                {
                    Some(name) => format!("{}{mark} [{name}] {text}\n", line.time),
                    None => format!("{}{mark} {text}\n", line.time),
                };
                out.write_all(record.as_bytes()).await.map_err(io_error)?;
                written += 1;
            }
        }
        out.flush().await.map_err(io_error)?;
        Ok(written)
    }
}

fn looks_like_timestamp(word: &str) -> bool {
    word.len() >= 20 && word.as_bytes()[4] == b'-' && word.as_bytes()[10] == b'T'
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn shape(merged: bool, timestamps: bool, filter: Option<&str>) -> Shape {
        Shape {
            merged,
            timestamps,
            filter: filter.map(|f| Regex::new(f).unwrap()),
        }
    }

    #[test]
    fn splits_the_timestamp_from_the_text_and_marks_stderr() {
        let mut batch = LogBatch::default();
        let out = |text: &str| LogOutput::StdOut {
            message: Bytes::from(text.to_owned()),
        };
        let err = LogOutput::StdErr {
            message: Bytes::from("2026-11-22T10:00:01Z \x1b[31mboom\x1b[0m\n"),
        };
        let with_times = shape(true, true, None);
        batch.add_chunk(0, &out("2026-11-22T10:00:00Z hello\n"), &with_times);
        batch.add_chunk(2, &err, &with_times);
        let lines: Vec<LogLine> = batch.lines().collect();
        assert_eq!(
            lines,
            vec![
                LogLine {
                    source: 0,
                    stderr: false,
                    time: "2026-11-22T10:00:00Z",
                    text: "hello"
                },
                LogLine {
                    source: 2,
                    stderr: true,
                    time: "2026-11-22T10:00:01Z",
                    text: "\x1b[31mboom\x1b[0m"
                },
            ]
        );
        assert_eq!(batch.len(), 2);
    }

    #[test]
    fn one_container_without_times_sends_only_text() {
        let mut batch = LogBatch::default();
        let chunk = LogOutput::Console {
            message: Bytes::from("one\r\ntwo\r\n"),
        };
        batch.add_chunk(0, &chunk, &shape(false, false, None));
        assert_eq!(
            batch,
            LogBatch {
                text: "one\ntwo\n".into(),
                count: 2,
                ..Default::default()
            }
        );
    }

    #[test]
    fn the_filter_drops_lines_before_they_are_sent() {
        let mut batch = LogBatch::default();
        let chunk = LogOutput::StdErr {
            message: Bytes::from("keep\n"),
        };
        let drop = LogOutput::StdErr {
            message: Bytes::from("drop\n"),
        };
        let filtered = shape(false, false, Some("^k"));
        batch.add_chunk(0, &drop, &filtered);
        batch.add_chunk(0, &chunk, &filtered);
        assert_eq!(batch.text, "keep\n");
        assert_eq!(batch.stderr, vec![0], "indices count kept lines only");
    }

    #[test]
    fn bad_options_are_refused_before_anything_runs() {
        let bad_regex = LogOptions {
            filter: Some("(unclosed".into()),
            ..Default::default()
        };
        let err = bad_regex.compile_filter().unwrap_err();
        assert_eq!(err.field(), Some("filter"), "{err}");
        // Small to write, huge to compile: a counted repetition of a Unicode class.
        for too_big in [r"\w{1000}\w{1000}\w{1000}".to_owned(), "a".repeat(1025)] {
            let options = LogOptions {
                filter: Some(too_big),
                ..Default::default()
            };
            let err = options.compile_filter().unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{err}");
            assert_eq!(err.field(), Some("filter"), "{err}");
        }
        let backwards = LogOptions {
            since: Some(200),
            until: Some(100),
            ..Default::default()
        };
        assert!(matches!(
            backwards.compile_filter(),
            Err(Error::InvalidInput(_))
        ));
    }
}
