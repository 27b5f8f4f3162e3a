//! Interactive terminals into running containers.

use std::pin::Pin;

use bollard::container::LogOutput;
use bollard::exec::{StartExecOptions, StartExecResults};
use bollard::models::ExecConfig;
use bollard::query_parameters::ResizeExecOptionsBuilder;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use specta::Type;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Mutex;

use crate::engine::object_refs;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::streams::batch::{batched, TERMINAL_BATCH};

/// Shells tried, in order, when the user gives no command.
pub const SHELLS: [&str; 3] = ["bash", "ash", "sh"];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExecRequest {
    /// What to run; `None` opens the container's shell ([`SHELLS`], first found).
    pub command: Option<Vec<String>>,
    pub cols: u16,
    pub rows: u16,
}

/// A running exec: write to it, resize it (with a TTY), and read its output from the stream
/// [`Engine::exec`] or [`Engine::exec_piped`] returned with it.
pub struct ExecSession {
    engine: Engine,
    exec_id: String,
    /// What runs, e.g. `["bash"]`.
    pub command: Vec<String>,
    input: Mutex<Pin<Box<dyn AsyncWrite + Send>>>,
}

/// A chunk of a command's output without a terminal: its bytes as written, and which stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipedOutput {
    pub stderr: bool,
    pub bytes: hyper::body::Bytes,
}

impl Engine {
    /// Starts `request` in container `id` with a TTY of the requested size.
    pub async fn exec(
        &self,
        id: &str,
        request: &ExecRequest,
    ) -> Result<(ExecSession, BoxStream<'static, Result<String>>)> {
        object_refs::container(id)?;
        validate_size(request.cols, request.rows)?;
        let command = match &request.command {
            Some(command) => command.clone(),
            None => vec![self.detect_shell(id).await?],
        };
        let (session, output) = self.start_exec(id, command, true, true).await?;
        // Engines before API 1.42 ignore a size given at creation: set it now. A command that
        // has already ended has no terminal left to size, which is no error.
        if let Err(err) = session.resize(request.cols, request.rows).await {
            if session.exit_code().await?.is_none() {
                return Err(err);
            }
        }
        let endpoint = self.endpoint().to_owned();
        let mut utf8 = Utf8Carry::default();
        let text = output.map(move |chunk| match chunk {
            Ok(output) => Ok(utf8.decode(output_bytes(&output))),
            Err(err) => Err(Error::from_engine(&endpoint, err)),
        });
        let batches = batched(text, TERMINAL_BATCH, |chunk: &Result<String>| {
            chunk.as_ref().map_or(0, String::len)
        })
        .map(|batch| batch.into_iter().collect::<Result<String>>())
        .boxed();
        Ok((session, batches))
    }

    /// Starts `command` in container `id` without a terminal, as `docker exec` without `-t`
    /// does: its output comes as written, bytes and not text, stdout and stderr apart, for a
    /// pipe or a file. With `stdin`, what is written to the session is its input.
    pub async fn exec_piped(
        &self,
        id: &str,
        command: Vec<String>,
        stdin: bool,
    ) -> Result<(ExecSession, BoxStream<'static, Result<PipedOutput>>)> {
        object_refs::container(id)?;
        let (session, output) = self.start_exec(id, command, false, stdin).await?;
        let endpoint = self.endpoint().to_owned();
        let output = output
            .map(move |chunk| match chunk {
                Ok(output) => Ok(PipedOutput {
                    stderr: matches!(output, LogOutput::StdErr { .. }),
                    bytes: output.into_bytes(),
                }),
                Err(err) => Err(Error::from_engine(&endpoint, err)),
            })
            .boxed();
        Ok((session, output))
    }

    /// Creates and starts an exec of `command` in container `id`, attached.
    async fn start_exec(
        &self,
        id: &str,
        command: Vec<String>,
        tty: bool,
        stdin: bool,
    ) -> Result<(
        ExecSession,
        BoxStream<'static, std::result::Result<LogOutput, bollard::errors::Error>>,
    )> {
        if !command.iter().any(|part| !part.trim().is_empty()) {
            return Err(Error::InvalidInput("the command is empty".to_owned()));
        }
        let created = self
            .docker()
            .create_exec(
                id,
                ExecConfig {
                    attach_stdin: Some(stdin),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    tty: Some(tty),
                    env: tty.then(|| vec!["TERM=xterm-256color".to_owned()]),
                    cmd: Some(command.clone()),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| not_running_or(self, id, e))?;
        let started = self
            .docker()
            .start_exec(&created.id, None::<StartExecOptions>)
            .await
            .map_err(self.map_err())?;
        let StartExecResults::Attached { output, input } = started else {
            return Err(Error::Internal("the exec started detached".to_owned()));
        };
        let session = ExecSession {
            engine: self.clone(),
            exec_id: created.id,
            command,
            input: Mutex::new(input),
        };
        Ok((session, output))
    }

    /// The first of [`SHELLS`] the container has.
    pub async fn detect_shell(&self, id: &str) -> Result<String> {
        object_refs::container(id)?;
        for shell in SHELLS {
            let probe = self
                .docker()
                .create_exec(
                    id,
                    ExecConfig {
                        attach_stdout: Some(true),
                        attach_stderr: Some(true),
                        cmd: Some(vec![shell.to_owned(), "-c".to_owned(), "exit 0".to_owned()]),
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| not_running_or(self, id, e))?;
            if let StartExecResults::Attached { mut output, .. } = self
                .docker()
                .start_exec(&probe.id, None::<StartExecOptions>)
                .await
                .map_err(self.map_err())?
            {
                while output.next().await.is_some() {}
            }
            let inspected = self
                .docker()
                .inspect_exec(&probe.id)
                .await
                .map_err(self.map_err())?;
            if inspected.exit_code == Some(0) {
                return Ok(shell.to_owned());
            }
        }
        Err(Error::NotFound(
            "the container has no shell (bash, ash or sh): give a command to run instead"
                .to_owned(),
        ))
    }
}

impl ExecSession {
    /// Types `data` into the terminal.
    pub async fn write(&self, data: &[u8]) -> Result<()> {
        let mut input = self.input.lock().await;
        input
            .write_all(data)
            .await
            .map_err(|e| Error::Conflict(format!("the terminal no longer takes input: {e}")))?;
        input
            .flush()
            .await
            .map_err(|e| Error::Conflict(format!("the terminal no longer takes input: {e}")))
    }

    pub async fn resize(&self, cols: u16, rows: u16) -> Result<()> {
        validate_size(cols, rows)?;
        let options = ResizeExecOptionsBuilder::new()
            .w(i32::from(cols))
            .h(i32::from(rows))
            .build();
        self.engine
            .docker()
            .resize_exec(&self.exec_id, options)
            .await
            .map_err(self.engine.map_err())
    }

    /// The exit code once the command has ended; `None` while it runs.
    pub async fn exit_code(&self) -> Result<Option<i64>> {
        let inspected = self
            .engine
            .docker()
            .inspect_exec(&self.exec_id)
            .await
            .map_err(self.engine.map_err())?;
        Ok(match inspected.running {
            Some(true) => None,
            _ => inspected.exit_code,
        })
    }
}

fn validate_size(cols: u16, rows: u16) -> Result<()> {
    if (1..=1000).contains(&cols) && (1..=1000).contains(&rows) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "a terminal of {cols}×{rows} characters is not possible"
        )))
    }
}

/// The engine answers 409 for an exec into a container that is not running; say so plainly.
fn not_running_or(engine: &Engine, id: &str, err: bollard::errors::Error) -> Error {
    match Error::from_engine(engine.endpoint(), err) {
        Error::Conflict(_) => {
            Error::Conflict(format!("{id} is not running: start it to open a terminal"))
        }
        other => other,
    }
}

fn output_bytes(output: &LogOutput) -> &[u8] {
    match output {
        LogOutput::StdErr { message }
        | LogOutput::StdOut { message }
        | LogOutput::StdIn { message }
        | LogOutput::Console { message } => message,
    }
}

/// Decodes UTF-8 across chunk boundaries: a character split between two chunks is held back
/// until its rest arrives, instead of becoming two replacement characters.
#[derive(Default)]
struct Utf8Carry {
    pending: Vec<u8>,
}

impl Utf8Carry {
    fn decode(&mut self, chunk: &[u8]) -> String {
        self.pending.extend_from_slice(chunk);
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // An incomplete sequence at the end (error_len None) waits; invalid bytes do not.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let rest = self.pending.split_off(complete);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_across_chunks_survives() {
        let mut carry = Utf8Carry::default();
        let euro = "€".as_bytes();
        assert_eq!(carry.decode(&[b'a', euro[0]]), "a");
        assert_eq!(carry.decode(&euro[1..]), "€");
        assert_eq!(
            carry.decode(&[0xff, b'b']),
            "\u{fffd}b",
            "invalid bytes are replaced"
        );
    }

    #[test]
    fn terminal_sizes_are_checked() {
        assert!(validate_size(80, 24).is_ok());
        assert!(validate_size(0, 24).is_err());
        assert!(validate_size(80, 5000).is_err());
    }
}
