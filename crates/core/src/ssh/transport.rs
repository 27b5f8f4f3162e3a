//! HTTP to a remote engine over one SSH connection: a pooled hyper client given to bollard,
//! whose every connection is a `direct-streamlocal@openssh.com` channel to the engine socket
//! (or, where sshd refuses stream-local forwarding, `docker system dial-stdio`).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bollard::{BollardRequest, ClientVersion, Docker};
use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use russh::client::Msg;
use russh::{ChannelMsg, ChannelOpenFailure, ChannelStream};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{connect_error, Session};
use crate::error::{Error, Result};
use crate::host::SshTarget;

/// Idle engine connections (channels) are closed after this long.
const POOL_IDLE: Duration = Duration::from_secs(30);
/// The wait for response headers; streams (logs, events) are not bounded by it.
const REQUEST_TIMEOUT_SECS: u64 = 30;

pub(super) fn docker(
    session: Arc<Session>,
    target: &SshTarget,
    client_version: &ClientVersion,
) -> Result<Docker> {
    let connector = ChannelConnector {
        session,
        socket: target.socket.clone(),
        dial_stdio: Arc::new(AtomicBool::new(false)),
    };
    let client: Client<ChannelConnector, BollardBody> = Client::builder(TokioExecutor::new())
        .pool_idle_timeout(POOL_IDLE)
        .pool_timer(TokioTimer::new())
        .build(connector);
    Docker::connect_with_custom_transport(
        move |request: BollardRequest| {
            let client = client.clone();
            async move {
                client
                    .request(request)
                    .await
                    .map_err(bollard::errors::Error::from)
            }
        },
        // The URI's scheme and authority only key the pool: every connection is a channel.
        Some("http://docker.invalid"),
        REQUEST_TIMEOUT_SECS,
        client_version,
    )
    .map_err(|err| Error::from_engine(&target.to_string(), err))
}

/// Opens one channel to the engine socket before the first request, so that a missing
/// socket or a user outside the docker group is reported as such, not as a failed request.
pub(super) async fn probe_socket(session: &Session, target: &SshTarget) -> Result<()> {
    match session
        .channel_open_direct_streamlocal(target.socket.as_str())
        .await
    {
        Ok(channel) => {
            let _ = channel.close().await;
            Ok(())
        }
        Err(russh::Error::ChannelOpenFailure(ChannelOpenFailure::AdministrativelyProhibited)) => {
            // dial-stdio will be used; it says itself when the engine is out of reach.
            Ok(())
        }
        Err(russh::Error::ChannelOpenFailure(_)) => Err(socket_problem(session, target).await),
        Err(err) => Err(connect_error(target, &err)),
    }
}

/// Asks the remote shell why the socket could not be opened: missing, or not permitted.
async fn socket_problem(session: &Session, target: &SshTarget) -> Error {
    let socket = &target.socket;
    let quoted = format!("'{}'", socket.replace('\'', r"'\''"));
    let check = format!("test -S {quoted} || exit 3; test -r {quoted} -a -w {quoted} || exit 4");
    let missing = Error::EngineUnreachable {
        endpoint: target.to_string(),
        reason: format!("there is no Docker socket at {socket} (is Docker running there, or does it listen elsewhere?)"),
    };
    match run(session, &check).await {
        Some(3) => missing,
        Some(4) => Error::PermissionDenied(format!(
            "{} may not use the Docker socket {socket} on {}; add the user to the docker group",
            target.user, target.address
        )),
        _ => Error::EngineUnreachable {
            endpoint: target.to_string(),
            reason: format!("the Docker socket {socket} could not be opened"),
        },
    }
}

/// Runs `command` on the host and returns its exit status.
async fn run(session: &Session, command: &str) -> Option<u32> {
    let mut channel = session.channel_open_session().await.ok()?;
    channel.exec(true, command).await.ok()?;
    while let Some(message) = channel.wait().await {
        if let ChannelMsg::ExitStatus { exit_status } = message {
            return Some(exit_status);
        }
    }
    None
}

/// bollard's request body type is private; name it through its public request type.
trait BodyOf {
    type Body;
}
impl<B> BodyOf for hyper::Request<B> {
    type Body = B;
}
type BollardBody = <BollardRequest as BodyOf>::Body;

/// Makes every new HTTP connection a channel on the host's one SSH connection.
#[derive(Clone)]
struct ChannelConnector {
    session: Arc<Session>,
    socket: String,
    /// Set once sshd has refused stream-local forwarding: later connections go straight to
    /// `docker system dial-stdio`.
    dial_stdio: Arc<AtomicBool>,
}

impl ChannelConnector {
    async fn open(self) -> std::result::Result<ChannelStream<Msg>, russh::Error> {
        if !self.dial_stdio.load(Ordering::Relaxed) {
            match self
                .session
                .channel_open_direct_streamlocal(self.socket.as_str())
                .await
            {
                Ok(channel) => return Ok(channel.into_stream()),
                Err(russh::Error::ChannelOpenFailure(
                    ChannelOpenFailure::AdministrativelyProhibited,
                )) => {
                    tracing::info!(
                        "sshd refuses stream-local forwarding; using docker system dial-stdio"
                    );
                    self.dial_stdio.store(true, Ordering::Relaxed);
                }
                Err(err) => return Err(err),
            }
        }
        let mut channel = self.session.channel_open_session().await?;
        channel.exec(true, "docker system dial-stdio").await?;
        loop {
            match channel.wait().await {
                Some(ChannelMsg::Success) => return Ok(channel.into_stream()),
                Some(ChannelMsg::Failure) | None => {
                    return Err(russh::Error::ChannelOpenFailure(
                        ChannelOpenFailure::ConnectFailed,
                    ))
                }
                Some(_) => {}
            }
        }
    }
}

impl tower_service::Service<Uri> for ChannelConnector {
    type Response = TokioIo<EngineChannel>;
    type Error = russh::Error;
    type Future =
        Pin<Box<dyn Future<Output = std::result::Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::result::Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let connector = self.clone();
        Box::pin(async move { Ok(TokioIo::new(EngineChannel(connector.open().await?))) })
    }
}

/// A channel to the engine, as hyper needs a connection to be (both traits are foreign to
/// russh's stream, hence the wrapper).
struct EngineChannel(ChannelStream<Msg>);

impl Connection for EngineChannel {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl AsyncRead for EngineChannel {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for EngineChannel {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
