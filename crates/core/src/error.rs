//! The one error type of berth-core. Every variant has a stable machine code that crosses the
//! IPC boundary unchanged; the UI switches on the code, never on the message text.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Stable, machine-readable error codes. Renaming one is a breaking change for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    Conflict,
    EngineUnreachable,
    InvalidInput,
    PermissionDenied,
    EngineError,
    Internal,
    /// An SSH host offered a key Berth does not know yet; the user may accept it.
    HostKeyUnknown,
    /// An SSH host offered a different key than the one on record: a hard stop.
    HostKeyChanged,
    /// The SSH server refused the key (or the agent had none it accepts).
    AuthFailed,
    /// The private key is encrypted and no passphrase was given.
    PassphraseRequired,
    PassphraseWrong,
    /// The OS keyring (Secret Service, Keychain, Credential Manager) could not be used.
    KeyringUnavailable,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the Docker engine at {endpoint} is unreachable: {reason}")]
    EngineUnreachable { endpoint: String, reason: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    PermissionDenied(String),
    /// The engine answered, but with an error we have no better variant for.
    #[error("the engine answered {status}: {message}")]
    Engine { status: u16, message: String },
    #[error("{0}")]
    Internal(String),
    #[error("{host} is not a known host; its key fingerprint is {fingerprint}. Accept it only if it is the one the host's owner gave you.")]
    HostKeyUnknown { host: String, fingerprint: String },
    #[error("THE HOST KEY OF {host} HAS CHANGED: on record {known}, offered now {offered}. Nothing was sent. Someone may be intercepting the connection; if the host was reinstalled, remove its old key from known_hosts.")]
    HostKeyChanged {
        host: String,
        known: String,
        offered: String,
    },
    #[error("{0}")]
    AuthFailed(String),
    #[error("the key {0} is protected by a passphrase; enter it to connect")]
    PassphraseRequired(String),
    #[error("the passphrase for the key {0} is wrong")]
    PassphraseWrong(String),
    #[error("the system keyring could not be used: {0}")]
    Keyring(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::EngineUnreachable { .. } => ErrorCode::EngineUnreachable,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::PermissionDenied(_) => ErrorCode::PermissionDenied,
            Error::Engine { .. } => ErrorCode::EngineError,
            Error::Internal(_) => ErrorCode::Internal,
            Error::HostKeyUnknown { .. } => ErrorCode::HostKeyUnknown,
            Error::HostKeyChanged { .. } => ErrorCode::HostKeyChanged,
            Error::AuthFailed(_) => ErrorCode::AuthFailed,
            Error::PassphraseRequired(_) => ErrorCode::PassphraseRequired,
            Error::PassphraseWrong(_) => ErrorCode::PassphraseWrong,
            Error::Keyring(_) => ErrorCode::KeyringUnavailable,
        }
    }

    /// Maps a bollard error for a request sent to `endpoint`.
    ///
    /// Transport failures (socket missing, connection refused or reset, timeouts) all mean the
    /// same thing to a user: the engine cannot be reached right now.
    pub(crate) fn from_engine(endpoint: &str, err: bollard::errors::Error) -> Self {
        use bollard::errors::Error as B;
        let unreachable = |reason: String| Error::EngineUnreachable {
            endpoint: endpoint.to_owned(),
            reason,
        };
        match err {
            B::DockerResponseServerError {
                status_code,
                message,
            } => match status_code {
                404 => Error::NotFound(message),
                409 => Error::Conflict(message),
                400 => Error::InvalidInput(message),
                401 | 403 => Error::PermissionDenied(message),
                status => Error::Engine { status, message },
            },
            B::SocketNotFoundError(path) => unreachable(format!("no socket at {path}")),
            B::IOError { err } if err.kind() == std::io::ErrorKind::PermissionDenied => {
                Error::PermissionDenied(format!(
                    "permission denied on the engine socket {endpoint}: {err}"
                ))
            }
            B::IOError { err } => unreachable(err.to_string()),
            B::RequestTimeoutError => unreachable("the request timed out".to_owned()),
            B::HyperLegacyError { err } => unreachable(root_cause(&err)),
            B::HyperResponseError { err } => unreachable(root_cause(&err)),
            other => Error::Internal(other.to_string()),
        }
    }
}

/// Hyper wraps the io error that says what really happened ("Connection refused") a few
/// levels deep; the top-level text ("client error (Connect)") tells the user nothing.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if let Some(io) = cause.downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::PermissionDenied {
            return "permission denied on the engine socket".to_owned();
        }
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_status_codes_map_to_stable_codes() {
        let server = |status_code: u16| bollard::errors::Error::DockerResponseServerError {
            status_code,
            message: "m".into(),
        };
        let code = |status| Error::from_engine("e", server(status)).code();
        assert_eq!(code(404), ErrorCode::NotFound);
        assert_eq!(code(409), ErrorCode::Conflict);
        assert_eq!(code(400), ErrorCode::InvalidInput);
        assert_eq!(code(403), ErrorCode::PermissionDenied);
        assert_eq!(code(500), ErrorCode::EngineError);
    }

    #[test]
    fn a_missing_socket_means_unreachable() {
        let err = Error::from_engine(
            "unix:///nowhere.sock",
            bollard::errors::Error::SocketNotFoundError("/nowhere.sock".into()),
        );
        assert_eq!(err.code(), ErrorCode::EngineUnreachable);
        assert!(err.to_string().contains("/nowhere.sock"));
    }

    #[test]
    fn codes_serialize_as_snake_case() {
        let json = serde_json::to_string(&ErrorCode::EngineUnreachable).unwrap();
        assert_eq!(json, "\"engine_unreachable\"");
    }
}
