//! Container logs: tail then follow, one container or several merged, filtered in the core.

use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptionsBuilder;
use std::path::Path;
use std::sync::LazyLock;

use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use regex::Regex;
use serde::{Deserialize, Serialize};
use specta::Type;
use tokio::io::AsyncWriteExt;

use crate::container::validate_container_ref;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::stream::{batched, UI_BATCH};

/// How many containers one merged log may follow at once.
pub const MAX_MERGED: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogOptions {
    /// Lines to show from the end of each log before following; `None` for the whole log.
    pub tail: Option<u32>,
    /// Only lines from this unix second on.
    pub since: Option<i32>,
    /// Only lines up to this unix second; a log with an end is not followed.
    pub until: Option<i32>,
    /// Keep streaming new lines as they are written.
    pub follow: bool,
    /// A regular expression a line's text must match (Rust regex syntax).
    pub filter: Option<String>,
}

/// One line of a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    /// Which of the requested containers wrote it (index into the request).
    pub source: u16,
    pub stderr: bool,
    /// The engine's RFC 3339 timestamp of the line.
    pub time: String,
    /// The text, without its newline; ANSI colour codes are kept for the terminal view.
    pub text: String,
}

impl LogLine {
    fn weight(line: &LogLine) -> usize {
        line.time.len() + line.text.len() + 16
    }
}

impl LogOptions {
    /// Checks the options before anything is sent: the filter must compile, the range make sense.
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
            Some(pattern) => Regex::new(pattern).map(Some).map_err(|e| {
                Error::InvalidInput(format!("the filter is not a valid regular expression: {e}"))
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
    ) -> Result<BoxStream<'static, Result<Vec<LogLine>>>> {
        if ids.is_empty() || ids.len() > MAX_MERGED {
            return Err(Error::InvalidInput(format!(
                "logs are shown for 1 to {MAX_MERGED} containers at once, not {}",
                ids.len()
            )));
        }
        for id in ids {
            validate_container_ref(id)?;
        }
        let filter = options.compile_filter()?;
        let follow = options.follow && options.until.is_none();
        let mut query = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .timestamps(true)
            .follow(follow)
            .tail(
                &options
                    .tail
                    .map_or_else(|| "all".to_owned(), |n| n.to_string()),
            );
        if let Some(since) = options.since {
            query = query.since(since);
        }
        if let Some(until) = options.until {
            query = query.until(until);
        }
        let query = query.build();

        let per_container = ids.iter().enumerate().map(|(index, id)| {
            let source = u16::try_from(index).unwrap_or(u16::MAX);
            let endpoint = self.endpoint().to_owned();
            self.docker()
                .logs(id, Some(query.clone()))
                .map(move |chunk| match chunk {
                    Ok(output) => Ok(lines_of(source, output)),
                    Err(err) => Err(Error::from_engine(&endpoint, err)),
                })
                .boxed()
        });
        let lines = futures_util::stream::select_all(per_container)
            .flat_map(|chunk| {
                futures_util::stream::iter(match chunk {
                    Ok(lines) => lines.into_iter().map(Ok).collect::<Vec<_>>(),
                    Err(err) => vec![Err(err)],
                })
            })
            .filter(move |line| {
                let keep = match (line, &filter) {
                    (Ok(line), Some(filter)) => filter.is_match(&line.text),
                    _ => true,
                };
                std::future::ready(keep)
            });
        Ok(
            batched(Box::pin(lines), UI_BATCH, |line: &Result<LogLine>| {
                line.as_ref().map_or(0, LogLine::weight)
            })
            .map(|batch| batch.into_iter().collect::<Result<Vec<LogLine>>>())
            .boxed(),
        )
    }
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
            ..options.clone()
        };
        let mut logs = self.logs(ids, &options)?;
        let io_error =
            |e: std::io::Error| Error::Internal(format!("could not write {}: {e}", path.display()));
        let file = tokio::fs::File::create_new(path).await.map_err(io_error)?;
        let mut out = tokio::io::BufWriter::new(file);
        let mut written = 0u64;
        while let Some(batch) = logs.next().await {
            for line in batch? {
                let mark = if line.stderr { "!" } else { "" };
                let text = ANSI_CODES.replace_all(&line.text, "");
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

/// Splits one engine chunk into lines. With timestamps on, the engine writes one log entry per
/// chunk, starting with its RFC 3339 time and a space.
fn lines_of(source: u16, output: LogOutput) -> Vec<LogLine> {
    let (stderr, bytes) = match output {
        LogOutput::StdErr { message } => (true, message),
        LogOutput::StdOut { message }
        | LogOutput::Console { message }
        | LogOutput::StdIn { message } => (false, message),
    };
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let (time, text) = match text.split_once(' ') {
        Some((time, rest)) if looks_like_timestamp(time) => (time, rest),
        _ => ("", text),
    };
    text.split('\n')
        .map(|line| LogLine {
            source,
            stderr,
            time: time.to_owned(),
            text: line.strip_suffix('\r').unwrap_or(line).to_owned(),
        })
        .collect()
}

fn looks_like_timestamp(word: &str) -> bool {
    word.len() >= 20 && word.as_bytes()[4] == b'-' && word.as_bytes()[10] == b'T'
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn splits_the_timestamp_from_the_text() {
        let chunk = LogOutput::StdErr {
            message: Bytes::from("2026-11-22T10:00:00.123456789Z \x1b[31mboom\x1b[0m\n"),
        };
        assert_eq!(
            lines_of(2, chunk),
            vec![LogLine {
                source: 2,
                stderr: true,
                time: "2026-11-22T10:00:00.123456789Z".into(),
                text: "\x1b[31mboom\x1b[0m".into(),
            }]
        );
    }

    #[test]
    fn a_tty_chunk_may_hold_several_lines() {
        let chunk = LogOutput::Console {
            message: Bytes::from("2026-11-22T10:00:00Z one\r\ntwo\r\n"),
        };
        let texts: Vec<String> = lines_of(0, chunk).into_iter().map(|l| l.text).collect();
        assert_eq!(texts, vec!["one", "two"]);
    }

    #[test]
    fn bad_options_are_refused_before_anything_runs() {
        let bad_regex = LogOptions {
            filter: Some("(unclosed".into()),
            ..Default::default()
        };
        assert!(matches!(
            bad_regex.compile_filter(),
            Err(Error::InvalidInput(_))
        ));
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
