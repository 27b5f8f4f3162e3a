//! bollard over connections Berth opens itself (an SSH channel, a TLS session): a pooled hyper
//! client built on a connector, and the wrapper that makes any stream a hyper connection.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bollard::{BollardRequest, ClientVersion, Docker};
use hyper::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::{Error, Result};

/// Idle engine connections are closed after this long.
const POOL_IDLE: Duration = Duration::from_secs(30);
/// The wait for response headers; streams (logs, events) are not bounded by it.
const REQUEST_TIMEOUT_SECS: u64 = 30;

/// bollard's request body type is private; name it through its public request type.
trait BodyOf {
    type Body;
}
impl<B> BodyOf for hyper::Request<B> {
    type Body = B;
}
type BollardBody = <BollardRequest as BodyOf>::Body;

/// A Docker client whose every connection comes from `connector`. `endpoint` names the
/// engine in errors.
pub(crate) fn docker<C, S>(
    connector: C,
    endpoint: &str,
    client_version: &ClientVersion,
) -> Result<Docker>
where
    C: tower_service::Service<Uri, Response = TokioIo<Conn<S>>> + Clone + Send + Sync + 'static,
    C::Future: Send + Unpin + 'static,
    C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let client: Client<C, BollardBody> = Client::builder(TokioExecutor::new())
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
        // The URI's scheme and authority only key the pool: the connector decides where
        // every connection goes.
        Some("http://docker.invalid"),
        REQUEST_TIMEOUT_SECS,
        client_version,
    )
    .map_err(|err| Error::from_engine(endpoint, err))
}

/// A stream to the engine, as hyper needs a connection to be (both traits are foreign to the
/// streams', hence the wrapper).
pub(crate) struct Conn<S>(pub S);

impl<S> Connection for Conn<S> {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Conn<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Conn<S> {
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
