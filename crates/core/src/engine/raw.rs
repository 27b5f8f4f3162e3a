//! Requests made without bollard, on a connection of our own: for answers whose shape bollard
//! reads only as the newest API writes it (`/system/df` changed in API 1.52).

use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;

use crate::engine::{Dial, Engine};
use crate::error::{Error, Result};

/// `/system/df` makes the engine walk every volume's files, which takes a while on big ones.
const RAW_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);
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
        match self.dial() {
            #[cfg(unix)]
            Dial::Unix(socket) => {
                let stream = tokio::net::UnixStream::connect(socket)
                    .await
                    .map_err(|e| e.to_string())?;
                get(TokioIo::new(stream), path).await
            }
            Dial::Tcp(authority) => {
                let stream = tokio::net::TcpStream::connect(authority)
                    .await
                    .map_err(|e| e.to_string())?;
                get(TokioIo::new(stream), path).await
            }
            Dial::Tls(dialer) => {
                let stream = dialer.open().await.map_err(|e| e.to_string())?;
                get(TokioIo::new(stream), path).await
            }
            #[cfg(windows)]
            Dial::NamedPipe(pipe) => {
                let stream = tokio::net::windows::named_pipe::ClientOptions::new()
                    .open(pipe)
                    .map_err(|e| e.to_string())?;
                get(TokioIo::new(stream), path).await
            }
            Dial::Ssh(dialer) => {
                let stream = dialer.clone().open().await.map_err(|e| e.to_string())?;
                get(TokioIo::new(stream), path).await
            }
        }
    }
}

/// One HTTP/1.1 GET on a fresh connection; the body when the status is 200.
async fn get<IO>(io: IO, path: &str) -> std::result::Result<Bytes, String>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    use http_body_util::{BodyExt, Empty};
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let request = Request::get(path)
        .header(hyper::header::HOST, "docker")
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = http_body_util::Limited::new(response.into_body(), MAX_ANSWER)
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if status != hyper::StatusCode::OK {
        return Err(format!(
            "{path} answered {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    Ok(body)
}
