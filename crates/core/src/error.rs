//! The one error type of berth-core. Every variant has a stable machine code that crosses the
//! IPC boundary unchanged; the UI switches on the code, never on the message text. Where the
//! UI needs facts (the form field a value was refused for, a host key's fingerprint), they
//! travel as typed fields beside the message: [`Error::field`] and [`Error::details`].

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
    /// An SSH host offered a key that is not on record while it has others on record (of any
    /// type): a hard stop, never offered for trust.
    HostKeyChanged,
    /// An SSH host offered a key marked `@revoked` in a known_hosts file: refused outright.
    HostKeyRevoked,
    /// The SSH server refused the key (or the agent had none it accepts).
    AuthFailed,
    /// The private key is encrypted and no passphrase was given.
    PassphraseRequired,
    PassphraseWrong,
    /// The OS keyring (Secret Service, Keychain, Credential Manager) could not be used.
    KeyringUnavailable,
}

impl ErrorCode {
    /// The code as it crosses IPC, is kept in the activity log and ends berthctl's messages
    /// (`host_key_changed`).
    pub fn name(self) -> String {
        crate::wire_name(&self)
    }

    /// A code by its [`ErrorCode::name`]; one this build does not know (written by a newer
    /// Berth) reads as internal.
    pub fn from_name(name: &str) -> Self {
        serde_json::from_value(serde_json::Value::String(name.to_owned()))
            .unwrap_or(ErrorCode::Internal)
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the Docker engine at {endpoint} is unreachable: {reason}")]
    EngineUnreachable { endpoint: String, reason: String },
    #[error("{0}")]
    InvalidInput(String),
    /// A value of a form refused; `field` names it as the form's request type does (`ports`,
    /// `workingDir`, `subnet`), so the UI can show the message beside it.
    #[error("{message}")]
    InvalidField { field: String, message: String },
    #[error("{0}")]
    PermissionDenied(String),
    /// The engine answered, but with an error we have no better variant for.
    #[error("the engine answered {status}: {message}")]
    Engine { status: u16, message: String },
    #[error("{0}")]
    Internal(String),
    #[error("{} is not a known host; its {} key fingerprint is {}. Accept it only if it is the one the host's owner gave you.", .0.shown(), .0.offered.key_type, .0.offered.fingerprint)]
    HostKeyUnknown(Box<HostKeyFacts>),
    #[error("THE HOST KEY OF {} HAS CHANGED: on record {}, offered now {} {}. Nothing was sent. Someone may be intercepting the connection; if the host was reinstalled, forget the key on record and connect again.", .0.shown(), .0.known_list(), .0.offered.key_type, .0.offered.fingerprint)]
    HostKeyChanged(Box<HostKeyFacts>),
    #[error("{} offered the {} key {}, which is marked @revoked in known_hosts. Nothing was sent.", .0.shown(), .0.offered.key_type, .0.offered.fingerprint)]
    HostKeyRevoked(Box<HostKeyFacts>),
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

/// Typed facts an error carries beside its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ErrorDetails {
    HostKey(HostKeyFacts),
}

/// Which connection of a login a host key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Hop {
    /// The host whose engine Berth wants.
    Target,
    /// The host hopped through to reach it (ProxyJump).
    Jump,
}

/// A host key as the user compares it: its type and SHA256 fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyFingerprint {
    /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …
    pub key_type: String,
    /// `SHA256:…`
    pub fingerprint: String,
}

/// A key on record for a host, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KnownHostKey {
    pub key: KeyFingerprint,
    pub file: String,
    pub line: u32,
    /// In Berth's own file, which Berth may change: "forget" removes it.
    pub berths_own: bool,
    /// For a key in an OpenSSH file, the command that removes it (Berth leaves those files
    /// alone).
    pub forget_command: Option<String>,
}

/// What a host-key refusal is about: exactly which host, port and key, at which hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HostKeyFacts {
    pub hop: Hop,
    pub host: String,
    pub port: u16,
    pub offered: KeyFingerprint,
    /// The keys on record for this host (none when it is unknown).
    pub known: Vec<KnownHostKey>,
}

impl HostKeyFacts {
    /// The host as known_hosts writes it: `host`, or `[host]:port` off port 22.
    pub fn shown(&self) -> String {
        let hop = match self.hop {
            Hop::Target => "",
            Hop::Jump => "the jump host ",
        };
        if self.port == crate::hosts::SSH_PORT {
            format!("{hop}{}", self.host)
        } else {
            format!("{hop}[{}]:{}", self.host, self.port)
        }
    }

    fn known_list(&self) -> String {
        let keys: Vec<String> = self
            .known
            .iter()
            .map(|k| format!("{} {}", k.key.key_type, k.key.fingerprint))
            .collect();
        keys.join(", ")
    }
}

/// The one host key a user accepted, after comparing its fingerprint: trusted for exactly
/// that host and port, at whichever hop offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AcceptedHostKey {
    pub host: String,
    pub port: u16,
    pub fingerprint: String,
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::EngineUnreachable { .. } => ErrorCode::EngineUnreachable,
            Error::InvalidInput(_) | Error::InvalidField { .. } => ErrorCode::InvalidInput,
            Error::PermissionDenied(_) => ErrorCode::PermissionDenied,
            Error::Engine { .. } => ErrorCode::EngineError,
            Error::Internal(_) => ErrorCode::Internal,
            Error::HostKeyUnknown { .. } => ErrorCode::HostKeyUnknown,
            Error::HostKeyChanged { .. } => ErrorCode::HostKeyChanged,
            Error::HostKeyRevoked { .. } => ErrorCode::HostKeyRevoked,
            Error::AuthFailed(_) => ErrorCode::AuthFailed,
            Error::PassphraseRequired(_) => ErrorCode::PassphraseRequired,
            Error::PassphraseWrong(_) => ErrorCode::PassphraseWrong,
            Error::Keyring(_) => ErrorCode::KeyringUnavailable,
        }
    }

    /// The form field a refused value belongs to.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidField { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Typed facts beside the message, for the UI to show without reading the message.
    pub fn details(&self) -> Option<ErrorDetails> {
        match self {
            Error::HostKeyUnknown(facts)
            | Error::HostKeyChanged(facts)
            | Error::HostKeyRevoked(facts) => Some(ErrorDetails::HostKey((**facts).clone())),
            _ => None,
        }
    }

    /// The same refusal, named as about form field `field` (an input error only; any other
    /// error is not about a field and is returned as it is).
    pub fn in_field(self, field: &str) -> Self {
        match self {
            Error::InvalidInput(message) | Error::InvalidField { message, .. } => {
                Error::InvalidField {
                    field: field.to_owned(),
                    message,
                }
            }
            other => other,
        }
    }

    /// Whether a login was refused for a reason only the user can change (the key, its
    /// passphrase, the host key): trying again by itself would only repeat the refusal, and
    /// repeated refusals get a user's address banned by fail2ban-like guards.
    pub fn needs_the_user(&self) -> bool {
        matches!(
            self.code(),
            ErrorCode::AuthFailed
                | ErrorCode::PassphraseRequired
                | ErrorCode::PassphraseWrong
                | ErrorCode::HostKeyUnknown
                | ErrorCode::HostKeyChanged
                | ErrorCode::HostKeyRevoked
        )
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

/// For tests of forms: the one field in which `bad` differs from `good`, by its serialized
/// name, which is what a refusal of `bad` must name.
#[cfg(test)]
pub(crate) fn the_changed_field<T: Serialize>(good: &T, bad: &T) -> String {
    let good = serde_json::to_value(good).expect("serializes");
    let bad = serde_json::to_value(bad).expect("serializes");
    let changed: Vec<&String> = bad
        .as_object()
        .expect("a struct")
        .iter()
        .filter(|(key, value)| good[key.as_str()] != **value)
        .map(|(key, _)| key)
        .collect();
    assert_eq!(changed.len(), 1, "one bad field per case: {changed:?}");
    changed[0].clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_named_as_they_cross_ipc_and_are_stored() {
        assert_eq!(ErrorCode::EngineUnreachable.name(), "engine_unreachable");
        assert_eq!(
            ErrorCode::from_name("engine_unreachable"),
            ErrorCode::EngineUnreachable
        );
        assert_eq!(
            ErrorCode::from_name("from_a_later_berth"),
            ErrorCode::Internal
        );
    }

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
