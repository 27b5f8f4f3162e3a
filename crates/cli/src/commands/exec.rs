//! `exec`: a command in a running container. With `-t`, in a terminal of its own (the
//! container's shell when no command is given, found the way the window finds it), the local
//! terminal in raw mode and followed as it is resized. Without, as `docker exec` without `-t`:
//! the output as written, stdout and stderr apart, for a pipe or a file.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use berth_core::{Error, ExecRequest, ExecSession, Result};
use futures_util::StreamExt;
use tokio::io::AsyncReadExt;
use tokio::task::JoinHandle;

use crate::args::ExecArgs;
use crate::Context;

/// The largest terminal the engine is asked for (the core refuses larger ones).
const MAX_SIDE: u16 = 1000;

pub async fn exec(context: &Context, args: &ExecArgs) -> Result<ExitCode> {
    let among = context.berth.select_hosts(&context.choice)?;
    let found = context
        .berth
        .find_containers(&among, std::slice::from_ref(&args.container))
        .await;
    let (host, container) = found.into_iter().next().expect("one container named")?;
    let engine = context.berth.connect(&host).await?;
    let ended = match args.tty {
        true => {
            let (cols, rows) = terminal_size();
            let request = ExecRequest {
                command: (!args.command.is_empty()).then(|| args.command.clone()),
                cols,
                rows,
            };
            let (session, output) = engine.exec(&container.id, &request).await?;
            let session = Arc::new(session);
            let raw = RawMode::enter();
            let typing = args.interactive.then(|| type_into(&session));
            let resizing = {
                let session = session.clone();
                tokio::spawn(async move { follow_size(&session, (cols, rows)).await })
            };
            let ended =
                copy_out(output.map(|text| text.map(|text| (false, text.into_bytes())))).await;
            resizing.abort();
            drop(raw);
            (ended, session, typing)
        }
        false => {
            if args.command.is_empty() {
                return Err(Error::InvalidInput(
                    "give the command to run, or -it for the container's shell".to_owned(),
                ));
            }
            let (session, output) = engine
                .exec_piped(&container.id, args.command.clone(), args.interactive)
                .await?;
            let session = Arc::new(session);
            let typing = args.interactive.then(|| type_into(&session));
            let ended = copy_out(output.map(|chunk| chunk.map(|c| (c.stderr, c.bytes)))).await;
            (ended, session, typing)
        }
    };
    let (ended, session, typing) = ended;
    if let Some(typing) = typing {
        typing.abort();
    }
    ended?;
    // The command's own exit code, as docker exec ends with it; unknown (the output was cut
    // before the command ended) is a failure.
    let code = session.exit_code().await?;
    Ok(ExitCode::from(
        code.and_then(|c| u8::try_from(c).ok()).unwrap_or(1),
    ))
}

/// Copies the command's output to stdout (and what it wrote to stderr to stderr) until it
/// ends.
async fn copy_out<B: AsRef<[u8]>>(
    mut output: impl futures_util::Stream<Item = Result<(bool, B)>> + Unpin,
) -> Result<()> {
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    while let Some(chunk) = output.next().await {
        let (to_stderr, bytes) = chunk?;
        let written = match to_stderr {
            true => stderr
                .write_all(bytes.as_ref())
                .and_then(|()| stderr.flush()),
            false => stdout
                .write_all(bytes.as_ref())
                .and_then(|()| stdout.flush()),
        };
        if written.is_err() {
            // Nobody reads any more (a closed pipe): the command's end is not waited for.
            break;
        }
    }
    Ok(())
}

/// Passes what is typed (or piped in) to the command as it comes, Ctrl+C included.
fn type_into(session: &Arc<ExecSession>) -> JoinHandle<()> {
    let session = session.clone();
    tokio::spawn(async move {
        let mut stdin = tokio::io::stdin();
        let mut buffer = [0u8; 4096];
        while let Ok(n) = stdin.read(&mut buffer).await {
            if n == 0 || session.write(&buffer[..n]).await.is_err() {
                break;
            }
        }
    })
}

/// The terminal's size, at most [`MAX_SIDE`] a side, or 80×24 when stdout is no terminal.
fn terminal_size() -> (u16, u16) {
    crossterm::terminal::size()
        .ok()
        .filter(|(cols, rows)| *cols > 0 && *rows > 0)
        .map(|(cols, rows)| (cols.min(MAX_SIDE), rows.min(MAX_SIDE)))
        .unwrap_or((80, 24))
}

/// Tells the container's terminal each new size of the local one: on SIGWINCH on Unix,
/// looked at every quarter second elsewhere (Windows consoles send no signal).
async fn follow_size(session: &ExecSession, mut last: (u16, u16)) {
    #[cfg(unix)]
    let mut changed =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()) {
            Ok(signal) => signal,
            Err(_) => return,
        };
    loop {
        #[cfg(unix)]
        if changed.recv().await.is_none() {
            return;
        }
        #[cfg(not(unix))]
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let now = terminal_size();
        if now != last {
            last = now;
            if session.resize(now.0, now.1).await.is_err() {
                return;
            }
        }
    }
}

/// The local terminal in raw mode (keys as typed, no echo) while it lives; nothing when
/// stdin is not a terminal.
struct RawMode(bool);

impl RawMode {
    fn enter() -> Self {
        use std::io::IsTerminal;
        Self(std::io::stdin().is_terminal() && crossterm::terminal::enable_raw_mode().is_ok())
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if self.0 {
            if let Err(err) = crossterm::terminal::disable_raw_mode() {
                crate::exit::report(&Error::Internal(format!(
                    "the terminal could not be set back: {err}; type `reset`"
                )));
            }
        }
    }
}
