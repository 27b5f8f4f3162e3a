//! HTTP to a remote engine over one SSH connection: a pooled hyper client given to bollard,
//! whose every connection is a `direct-streamlocal@openssh.com` channel to the engine socket
//! (or, where sshd refuses stream-local forwarding, `docker system dial-stdio`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::Uri;
use hyper_util::rt::TokioIo;
use russh::client::Msg;
use russh::{ChannelMsg, ChannelOpenFailure, ChannelStream};

use super::{connect_error, Session};
use crate::error::{Error, Result};
use crate::hosts::own_connections::Conn;
use crate::hosts::SshTarget;

/// How engine connections reach the socket on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// A `direct-streamlocal@openssh.com` channel straight to the socket.
    StreamLocal,
    /// `docker system dial-stdio` run on the host, for an sshd that refuses socket forwarding.
    DialStdio,
}

/// The connector engine connections come from: each a channel on `session`.
pub(super) fn connector(
    session: Arc<Session>,
    target: &SshTarget,
    route: Route,
) -> ChannelConnector {
    ChannelConnector {
        session,
        socket: target.socket.clone(),
        route,
    }
}

/// Opens one channel to the engine socket before the first request, so that a missing
/// socket or a user outside the docker group is reported as such, not as a failed request,
/// and finds the route engine connections take.
pub(super) async fn probe_socket(session: &Session, target: &SshTarget) -> Result<Route> {
    match session
        .channel_open_direct_streamlocal(target.socket.as_str())
        .await
    {
        Ok(channel) => {
            let _ = channel.close().await;
            Ok(Route::StreamLocal)
        }
        // OpenSSH answers "connect failed" both for a socket it cannot open and for socket
        // forwarding it does not allow: the host's shell tells the two apart.
        Err(russh::Error::ChannelOpenFailure(_)) => match socket_problem(session, target).await {
            None => {
                tracing::info!(host = %target, "sshd refuses socket forwarding; using docker system dial-stdio");
                Ok(Route::DialStdio)
            }
            Some(problem) => Err(problem),
        },
        Err(err) => Err(connect_error(target, &err)),
    }
}

/// Asks the remote shell why the socket could not be opened: missing, or not permitted.
/// `None`: the socket is there and usable, so sshd just would not forward to it.
async fn socket_problem(session: &Session, target: &SshTarget) -> Option<Error> {
    let socket = &target.socket;
    let quoted = format!("'{}'", socket.replace('\'', r"'\''"));
    let check = format!("test -S {quoted} || exit 3; test -r {quoted} -a -w {quoted} || exit 4");
    let missing = Error::EngineUnreachable {
        endpoint: target.to_string(),
        reason: format!("there is no Docker socket at {socket} (is Docker running there, or does it listen elsewhere?)"),
    };
    match run(session, &check).await {
        Some(0) => None,
        Some(3) => Some(missing),
        Some(4) => Some(Error::PermissionDenied(format!(
            "{} may not use the Docker socket {socket} on {}; add the user to the docker group",
            target.user, target.address
        ))),
        _ => Some(Error::EngineUnreachable {
            endpoint: target.to_string(),
            reason: format!("the Docker socket {socket} could not be opened"),
        }),
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

/// Makes every new HTTP connection a channel on the host's one SSH connection.
#[derive(Clone)]
pub(crate) struct ChannelConnector {
    session: Arc<Session>,
    socket: String,
    route: Route,
}

impl std::fmt::Debug for ChannelConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelConnector")
            .field("socket", &self.socket)
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

impl ChannelConnector {
    /// A new connection to the engine: a channel on the host's SSH connection.
    pub(crate) async fn open(self) -> std::result::Result<ChannelStream<Msg>, russh::Error> {
        if self.route == Route::StreamLocal {
            let channel = self
                .session
                .channel_open_direct_streamlocal(self.socket.as_str())
                .await?;
            return Ok(channel.into_stream());
        }
        let mut channel = self.session.channel_open_session().await?;
        // The socket the user gave, not the CLI's default: rootless engines listen elsewhere.
        let quoted = format!("'unix://{}'", self.socket.replace('\'', r"'\''"));
        channel
            .exec(true, format!("docker -H {quoted} system dial-stdio"))
            .await?;
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
    type Response = TokioIo<Conn<ChannelStream<Msg>>>;
    type Error = russh::Error;
    type Future =
        Pin<Box<dyn Future<Output = std::result::Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::result::Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let connector = self.clone();
        Box::pin(async move { Ok(TokioIo::new(Conn(connector.open().await?))) })
    }
}
