//! Requests made without bollard, on a connection of our own: for answers whose shape bollard
//! reads only as the newest API writes it (`/system/df` changed in API 1.52).

use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;

use crate::engine::{Dial, Engine};
use crate::error::{Error, Result};

impl Engine {
    /// `GET path` (without an API version prefix: the engine answers in its own newest shape),
    /// read as JSON.
    pub(crate) async fn get_json(&self, path: &str) -> Result<serde_json::Value> {
        let unreachable = |reason: String| Error::EngineUnreachable {
            endpoint: self.endpoint().to_owned(),
            reason,
        };
        let body = match self.dial() {
            Dial::Unix(socket) => {
                let stream = tokio::net::UnixStream::connect(socket)
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                get(TokioIo::new(stream), path).await
            }
            Dial::Tcp(authority) => {
                let stream = tokio::net::TcpStream::connect(authority)
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                get(TokioIo::new(stream), path).await
            }
            Dial::Ssh(dialer) => {
                let stream = dialer
                    .clone()
                    .open()
                    .await
                    .map_err(|e| unreachable(e.to_string()))?;
                get(TokioIo::new(stream), path).await
            }
        }
        .map_err(unreachable)?;
        serde_json::from_slice(&body)
            .map_err(|e| Error::Internal(format!("the engine's answer to {path} is not JSON: {e}")))
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
    let body = response
        .into_body()
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
