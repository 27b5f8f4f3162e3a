//! How berthctl ends: an exit code a script can switch on, and errors on stderr as
//! `berthctl: <code>: <message>`, the code being berth-core's (the window's) error code.

use std::process::ExitCode;

use berth_core::{Error, ErrorCode};

/// Shown at the end of `berthctl --help`.
pub const CODES_HELP: &str = "\
Exit codes:
  0  done
  1  failed (the engine refused, a container did not start, …)
  2  usage: a wrong flag or value, checked before anything ran
  3  not found: no such container, image or host
  4  unreachable: the engine or the SSH host did not answer
  5  host key: unknown (not accepted), changed or revoked; nothing was sent
  6  login refused: the SSH key or its passphrase

Errors go to stderr as \"berthctl: <code>: <message>\". NO_COLOR turns colour off.";

pub const FAILED: u8 = 1;
pub const USAGE: u8 = 2;
pub const NOT_FOUND: u8 = 3;
pub const UNREACHABLE: u8 = 4;
pub const HOST_KEY: u8 = 5;
pub const LOGIN_REFUSED: u8 = 6;

/// The exit code for `code`.
pub fn code_for(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::InvalidInput => USAGE,
        ErrorCode::NotFound => NOT_FOUND,
        ErrorCode::EngineUnreachable => UNREACHABLE,
        ErrorCode::HostKeyUnknown | ErrorCode::HostKeyChanged | ErrorCode::HostKeyRevoked => {
            HOST_KEY
        }
        ErrorCode::AuthFailed | ErrorCode::PassphraseRequired | ErrorCode::PassphraseWrong => {
            LOGIN_REFUSED
        }
        ErrorCode::Conflict
        | ErrorCode::PermissionDenied
        | ErrorCode::EngineError
        | ErrorCode::Internal
        | ErrorCode::KeyringUnavailable => FAILED,
    }
}

/// Prints `err` on stderr, with the field it is about when it names one.
pub fn report(err: &Error) {
    report_on(None, err);
}

/// Prints `err`, which happened on host `host` when given.
fn report_on(host: Option<&str>, err: &Error) {
    let field = err
        .field()
        .map(|field| format!(" ({})", flag_of(field)))
        .unwrap_or_default();
    let host = host.map(|host| format!("{host}: ")).unwrap_or_default();
    // An engine's or a host's words are in the message: nothing in it may drive the terminal.
    let message = crate::output::printable(&err.to_string());
    eprintln!("berthctl: {}: {host}{message}{field}", err.code().name());
}

/// Prints `err` and returns the exit code it ends with.
pub fn failed(err: &Error) -> ExitCode {
    report(err);
    ExitCode::from(code_for(err.code()))
}

/// A field of the core's forms (camelCase, as the window names it) as berthctl's flag that
/// sets it: the same word in kebab case, unless berthctl calls it otherwise.
fn flag_of(field: &str) -> String {
    let renamed = match field {
        "keyPath" => "key",
        "proxyJump" => "jump",
        "dockerHost" => "address",
        // `service create`'s fields, under docker's flags for them.
        "ports" => "publish",
        "secrets" => "secret",
        "configs" => "config",
        "parallelism" => "update-parallelism",
        "delayMs" => "update-delay",
        "monitorMs" => "update-monitor",
        other => other,
    };
    let mut flag = String::from("--");
    for c in renamed.chars() {
        if c.is_ascii_uppercase() {
            flag.push('-');
            flag.push(c.to_ascii_lowercase());
        } else {
            flag.push(c);
        }
    }
    flag
}

/// What several hosts' or containers' results add up to: the first failure's code, else 0.
#[derive(Debug, Default)]
pub struct Outcome {
    first_failure: Option<u8>,
}

impl Outcome {
    /// Reports `err` (going on with the rest) and remembers its code.
    pub fn failed(&mut self, err: &Error) {
        report(err);
        self.first_failure.get_or_insert(code_for(err.code()));
    }

    /// Like [`Outcome::failed`], for what failed on host `host`.
    pub fn failed_on(&mut self, host: &str, err: &Error) {
        report_on(Some(host), err);
        self.first_failure.get_or_insert(code_for(err.code()));
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.first_failure.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_as_flags() {
        assert_eq!(flag_of("allHosts"), "--all-hosts");
        assert_eq!(flag_of("host"), "--host");
        assert_eq!(flag_of("keyPath"), "--key");
        assert_eq!(flag_of("dockerHost"), "--address");
        assert_eq!(flag_of("ports"), "--publish");
        assert_eq!(flag_of("delayMs"), "--update-delay");
        assert_eq!(flag_of("labelAdd"), "--label-add");
    }

    #[test]
    fn each_kind_of_failure_has_its_code() {
        let codes = [
            ErrorCode::InvalidInput,
            ErrorCode::NotFound,
            ErrorCode::EngineUnreachable,
            ErrorCode::HostKeyChanged,
            ErrorCode::AuthFailed,
            ErrorCode::EngineError,
        ]
        .map(code_for);
        assert_eq!(
            codes,
            [
                USAGE,
                NOT_FOUND,
                UNREACHABLE,
                HOST_KEY,
                LOGIN_REFUSED,
                FAILED
            ]
        );
    }
}
