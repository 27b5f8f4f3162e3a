//! HTTPS to an engine that listens on TCP with TLS (`dockerd --tlsverify`), as the docker CLI
//! reaches it with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`, or through a context's TLS data:
//! the engine's certificate must chain to the folder's `ca.pem` and name the host dialled;
//! `cert.pem` and `key.pem`, when there, are the client's certificate. Berth has no "skip
//! verification" mode: an engine answering with a certificate it cannot check is refused.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::Uri;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::error::{Error, Result};
use crate::hosts::own_connections::Conn;

/// TCP connect and TLS handshake together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens TLS connections to one engine.
#[derive(Clone)]
pub(crate) struct TlsDialer {
    authority: String,
    server_name: ServerName<'static>,
    connector: tokio_rustls::TlsConnector,
}

impl std::fmt::Debug for TlsDialer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsDialer")
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}

impl TlsDialer {
    /// Reads the certificates in `cert_dir` for the engine at `authority` (`host:port`). A
    /// missing `ca.pem`, a half client pair, or a file that is not PEM is an error naming it.
    pub(crate) fn new(authority: &str, cert_dir: &Path) -> Result<Self> {
        let endpoint = format!("tcp://{authority}");
        let refused = |why: String| Error::InvalidInput(format!("TLS to {endpoint}: {why}"));
        let file = |name: &str| cert_dir.join(name);

        let ca = file("ca.pem");
        if !ca.exists() {
            return Err(refused(format!(
                "there is no ca.pem in {}, so the engine's certificate cannot be checked; put the CA that signed it there",
                cert_dir.display()
            )));
        }
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&ca).map_err(|e| unreadable(&ca, e))? {
            let cert = cert.map_err(|e| unreadable(&ca, e))?;
            roots
                .add(cert)
                .map_err(|e| refused(format!("{} is not a usable CA: {e}", ca.display())))?;
        }
        if roots.is_empty() {
            return Err(refused(format!("{} holds no certificate", ca.display())));
        }

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Internal(format!("TLS setup: {e}")))?
            .with_root_certificates(roots);
        let (cert, key) = (file("cert.pem"), file("key.pem"));
        let config = match (cert.exists(), key.exists()) {
            (true, true) => {
                let chain = CertificateDer::pem_file_iter(&cert)
                    .map_err(|e| unreadable(&cert, e))?
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| unreadable(&cert, e))?;
                let private =
                    PrivateKeyDer::from_pem_file(&key).map_err(|e| unreadable(&key, e))?;
                builder.with_client_auth_cert(chain, private).map_err(|e| {
                    refused(format!(
                        "{} and {} are not a certificate and its key: {e}",
                        cert.display(),
                        key.display()
                    ))
                })?
            }
            (false, false) => builder.with_no_client_auth(),
            (has_cert, _) => {
                let (there, missing) = if has_cert {
                    (&cert, &key)
                } else {
                    (&key, &cert)
                };
                return Err(refused(format!(
                    "{} is there but {} is not; a client certificate needs both",
                    there.display(),
                    missing.display()
                )));
            }
        };

        // The certificate must name the host as written in the address (an IP address or a
        // DNS name), as Go's TLS client checks it for the docker CLI.
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host)
            .trim_start_matches('[')
            .trim_end_matches(']');
        let server_name = ServerName::try_from(host.to_owned()).map_err(|e| {
            refused(format!(
                "{host:?} cannot be checked against a certificate: {e}"
            ))
        })?;
        Ok(Self {
            authority: authority.to_owned(),
            server_name,
            connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
        })
    }

    /// A new TLS connection to the engine.
    pub(crate) async fn open(&self) -> std::io::Result<TlsStream<TcpStream>> {
        let connect = async {
            let tcp = TcpStream::connect(&self.authority).await?;
            tcp.set_nodelay(true)?;
            self.connector.connect(self.server_name.clone(), tcp).await
        };
        tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no TLS session within {} s", CONNECT_TIMEOUT.as_secs()),
                )
            })?
    }
}

fn unreadable(path: &Path, err: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!("{} cannot be read as PEM: {err}", path.display()))
}

impl tower_service::Service<Uri> for TlsDialer {
    type Response = TokioIo<Conn<TlsStream<TcpStream>>>;
    type Error = std::io::Error;
    type Future =
        Pin<Box<dyn Future<Output = std::result::Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::result::Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let dialer = self.clone();
        Box::pin(async move { Ok(TokioIo::new(Conn(dialer.open().await?))) })
    }
}
