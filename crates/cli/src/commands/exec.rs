//! `exec -it`: a command (the container's shell when none is given, found the way the window
//! finds it) in a terminal of its own, the local terminal in raw mode, following its size.

use std::io::Write;
use std::process::ExitCode;

use berth_core::{Error, ExecRequest, Result};
use futures_util::StreamExt;
use tokio::io::AsyncReadExt;

use crate::args::ExecArgs;
use crate::Context;

pub async fn exec(context: &Context, args: &ExecArgs) -> Result<ExitCode> {
    let among = context.berth.select_hosts(&context.choice)?;
    let found = context
        .berth
        .find_containers(&among, std::slice::from_ref(&args.container))
        .await?;
    let (host, container) = found.into_iter().next().expect("one container named");
    let (cols, rows) = terminal_size();
    let request = ExecRequest {
        command: (!args.command.is_empty()).then(|| args.command.clone()),
        cols,
        rows,
    };
    let engine = context.berth.connect(&host).await?;
    let (session, mut output) = engine.exec(&container.id, &request).await?;
    let raw = RawMode::enter();
    let session = std::sync::Arc::new(session);

    // Keys typed go to the container as they are (Ctrl+C included: the command gets it).
    let typing = {
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
    };
    let resizing = {
        let session = session.clone();
        tokio::spawn(async move { follow_size(&session, (cols, rows)).await })
    };
    let mut stdout = std::io::stdout();
    let mut failed = None;
    while let Some(chunk) = output.next().await {
        match chunk {
            Ok(text) => {
                if stdout
                    .write_all(text.as_bytes())
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    break;
                }
            }
            Err(err) => {
                failed = Some(err);
                break;
            }
        }
    }
    typing.abort();
    resizing.abort();
    drop(raw);
    if let Some(err) = failed {
        return Err(err);
    }
    // The command's own exit code, as docker exec ends with it.
    let code = session.exit_code().await?.unwrap_or(0);
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

/// The terminal's size, or 80×24 when stdout is no terminal.
fn terminal_size() -> (u16, u16) {
    crossterm::terminal::size()
        .ok()
        .filter(|(cols, rows)| *cols > 0 && *rows > 0)
        .unwrap_or((80, 24))
}

/// Tells the container's terminal each new size of the local one: on SIGWINCH on Unix,
/// looked at every quarter second elsewhere (Windows consoles send no signal).
async fn follow_size(session: &berth_core::ExecSession, mut last: (u16, u16)) {
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
