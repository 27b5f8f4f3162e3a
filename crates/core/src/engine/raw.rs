//! Requests made without bollard, on a connection of our own: the API version an engine speaks
//! (from `/_ping`'s headers, which bollard does not show), and answers whose shape bollard
//! reads only as the newest API writes it (`/system/df` changed in API 1.52).

use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;

use bollard::ClientVersion;

use crate::engine::{Dial, Engine};
use crate::error::{Error, Result};

/// `/system/df` makes the engine walk every volume's files, which takes a while on big ones.
const RAW_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
/// An engine that does not answer `/_ping` within this is unreachable (bollard's own default
/// timeout for a request is 2 minutes).
const PING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The most of an engine's refusal put in a message.
const MAX_SHOWN: usize = 1024;
/// The largest answer read: an engine with 10 000 images answers `/system/df` in a few MiB.
const MAX_ANSWER: usize = 64 << 20;

impl Engine {
    /// `GET path` (without an API version prefix: the engine answers in its own newest shape),
    /// read as JSON.
    pub(crate) async fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        let unreachable = |reason: String| Error::EngineUnreachable {
            endpoint: self.endpoint().to_owned(),
            reason,
        };
        let body = tokio::time::timeout(RAW_REQUEST_TIMEOUT, self.get_bytes(path))
            .await
            .map_err(|_| {
                unreachable(format!(
                    "{path} did not answer within {} s",
                    RAW_REQUEST_TIMEOUT.as_secs()
                ))
            })?
            .map_err(unreachable)?;
        serde_json::from_slice(&body)
            .map_err(|e| Error::Internal(format!("the engine's answer to {path} is not JSON: {e}")))
    }

    async fn get_bytes(&self, path: &str) -> std::result::Result<Bytes, String> {
        let response = get(self.dial(), path, MAX_ANSWER)
            .await
            .map_err(|e| e.to_string())?;
        let (status, body) = (response.status(), response.into_body());
        if status != hyper::StatusCode::OK {
            return Err(format!(
                "{path} answered {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        Ok(body)
    }
}

/// The newest API version the engine at `dial` speaks, from the `API-Version` header of
/// `/_ping`: what the docker CLI asks, since `/version` makes the engine ask containerd and run
/// runc for their versions (4 ms against 0.1 ms, on every connection).
pub(crate) async fn api_version(dial: &Dial, endpoint: &str) -> Result<ClientVersion> {
    let unreachable = |reason: String| Error::EngineUnreachable {
        endpoint: endpoint.to_owned(),
        reason,
    };
    let response = tokio::time::timeout(PING_TIMEOUT, get(dial, "/_ping", MAX_SHOWN))
        .await
        .map_err(|_| unreachable(format!("no answer within {} s", PING_TIMEOUT.as_secs())))?
        .map_err(|failure| failure.into_error(endpoint))?;
    // An engine says its version whatever the status; what does not is no Docker engine.
    let header = response
        .headers()
        .get("api-version")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            unreachable(format!(
                "it answered /_ping ({}) without an API version: is it a Docker engine?",
                response.status()
            ))
        })?;
    if !response.status().is_success() {
        let body = response.body();
        return Err(Error::Engine {
            status: response.status().as_u16(),
            message: String::from_utf8_lossy(&body[..body.len().min(MAX_SHOWN)]).into_owned(),
        });
    }
    parse_api_version(&header)
        .ok_or_else(|| unreachable(format!("its API version {header:?} is not one Berth reads")))
}

/// `major.minor`, as the engine writes its API version.
fn parse_api_version(text: &str) -> Option<ClientVersion> {
    let (major, minor) = text.trim().split_once('.')?;
    Some(ClientVersion {
        major_version: major.parse().ok()?,
        minor_version: minor.parse().ok()?,
    })
}

/// Why a request of our own failed.
enum Failed {
    /// Dialing the engine.
    Connect(std::io::Error),
    /// Anything after: the HTTP exchange.
    Exchange(String),
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failed::Connect(err) => err.fmt(f),
            Failed::Exchange(reason) => f.write_str(reason),
        }
    }
}

impl Failed {
    /// The error as bollard's would read for the same failure (see `Error::from_engine`).
    fn into_error(self, endpoint: &str) -> Error {
        match self {
            Failed::Connect(err) if err.kind() == std::io::ErrorKind::PermissionDenied => {
                Error::PermissionDenied(format!(
                    "permission denied on the engine socket {endpoint}: {err}"
                ))
            }
            Failed::Connect(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Error::EngineUnreachable {
                    endpoint: endpoint.to_owned(),
                    reason: format!("no socket at {}", endpoint.trim_start_matches("unix://")),
                }
            }
            other => Error::EngineUnreachable {
                endpoint: endpoint.to_owned(),
                reason: other.to_string(),
            },
        }
    }
}

/// `GET path` on a new connection to the engine at `dial`, read whole (up to `limit` bytes).
async fn get(
    dial: &Dial,
    path: &str,
    limit: usize,
) -> std::result::Result<hyper::Response<Bytes>, Failed> {
    let io_error = |e: russh::Error| std::io::Error::other(e.to_string());
    match dial {
        #[cfg(unix)]
        Dial::Unix(socket) => {
            let stream = tokio::net::UnixStream::connect(socket)
                .await
                .map_err(Failed::Connect)?;
            exchange(TokioIo::new(stream), path, limit).await
        }
        Dial::Tcp(authority) => {
            let stream = tokio::net::TcpStream::connect(authority)
                .await
                .map_err(Failed::Connect)?;
            exchange(TokioIo::new(stream), path, limit).await
        }
        Dial::Tls(dialer) => {
            let stream = dialer.open().await.map_err(Failed::Connect)?;
            exchange(TokioIo::new(stream), path, limit).await
        }
        #[cfg(windows)]
        Dial::NamedPipe(pipe) => {
            let stream = tokio::net::windows::named_pipe::ClientOptions::new()
                .open(pipe)
                .map_err(Failed::Connect)?;
            exchange(TokioIo::new(stream), path, limit).await
        }
        Dial::Ssh(dialer) => {
            let stream = dialer
                .clone()
                .open()
                .await
                .map_err(|e| Failed::Connect(io_error(e)))?;
            exchange(TokioIo::new(stream), path, limit).await
        }
    }
}

/// One HTTP/1.1 GET on `io`, its body read whole (up to `limit` bytes).
async fn exchange<IO>(
    io: IO,
    path: &str,
    limit: usize,
) -> std::result::Result<hyper::Response<Bytes>, Failed>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    use http_body_util::{BodyExt, Empty};
    let failed = |e: &dyn std::fmt::Display| Failed::Exchange(e.to_string());
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| failed(&e))?;
    tokio::spawn(connection);
    let request = Request::get(path)
        .header(hyper::header::HOST, "docker")
        .body(Empty::<Bytes>::new())
        .map_err(|e| failed(&e))?;
    let response = sender.send_request(request).await.map_err(|e| failed(&e))?;
    let (parts, body) = response.into_parts();
    let body = http_body_util::Limited::new(body, limit)
        .collect()
        .await
        .map_err(|e| failed(&e))?
        .to_bytes();
    Ok(hyper::Response::from_parts(parts, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions_read_as_the_engine_writes_them() {
        let read = |text| parse_api_version(text).map(|v| (v.major_version, v.minor_version));
        assert_eq!(read("1.41"), Some((1, 41)));
        assert_eq!(read("1.52 "), Some((1, 52)));
        for bad in ["", "1", "1.x", "v1.41", "1.41.2"] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }
}
