//! Host keys: checked against the OpenSSH known_hosts files (the user's and the system's) and
//! Berth's own before anything is sent; a key is learned only when the user accepted exactly
//! that host, port and fingerprint.
//!
//! Stricter than OpenSSH in one place: a host with *any* key on record that offers another key
//! (of the same type or not) is refused as changed. OpenSSH only warns when the key on record
//! is of another type, then asks; in a window one click is too easy.

use std::path::{Path, PathBuf};

use russh::keys::{Algorithm, EcdsaCurve, HashAlg, PublicKey};

use super::known_hosts::{self, OnRecord};
use crate::error::{
    AcceptedHostKey, Error, Hop, HostKeyFacts, KeyFingerprint, KnownHostKey, Result,
};
use crate::hosts::KnownHostsFiles;

/// One hop's host as its host key is checked: who it is, and what is on record for it.
#[derive(Debug, Clone)]
pub(crate) struct HostToCheck {
    pub hop: Hop,
    pub host: String,
    pub port: u16,
    pub files: KnownHostsFiles,
    on_record: OnRecord,
}

impl HostToCheck {
    /// Reads what the known_hosts files hold for `host:port`, off the async threads.
    pub(crate) async fn read(
        files: &KnownHostsFiles,
        hop: Hop,
        host: &str,
        port: u16,
    ) -> Result<Self> {
        let paths = files.all();
        let name = known_hosts::recorded_name(host, port);
        let on_record = tokio::task::spawn_blocking(move || known_hosts::read(&paths, &name)).await;
        let on_record = match on_record {
            Ok(Ok(on_record)) => on_record,
            Ok(Err(err)) => {
                return Err(Error::Internal(format!(
                    "the known hosts files could not be read: {err}"
                )))
            }
            Err(err) => return Err(Error::Internal(format!("reading known hosts: {err}"))),
        };
        Ok(Self {
            hop,
            host: host.to_ascii_lowercase(),
            port,
            files: files.clone(),
            on_record,
        })
    }

    /// The host-key algorithms to ask the server for: those of the keys on record first, as
    /// OpenSSH orders them, so an honest server shows the key we know; then the usual ones.
    pub(crate) fn preferred_algorithms(&self) -> Vec<Algorithm> {
        let mut preferred: Vec<Algorithm> = Vec::new();
        let mut add = |algorithm: Algorithm| {
            if !preferred.contains(&algorithm) {
                preferred.push(algorithm);
            }
        };
        for record in &self.on_record.keys {
            match record.key.algorithm() {
                // An RSA key signs with SHA-2 where the server can; `ssh-rsa` (SHA-1) last.
                Algorithm::Rsa { .. } => {
                    for hash in [Some(HashAlg::Sha512), Some(HashAlg::Sha256), None] {
                        add(Algorithm::Rsa { hash });
                    }
                }
                other => add(other),
            }
        }
        for algorithm in russh::Preferred::DEFAULT.key.iter() {
            add(algorithm.clone());
        }
        preferred
    }

    /// Decides whether `key` may be trusted. `accepted` is the key the user accepted, if any:
    /// when it is exactly this host, port and key, the key is written to Berth's file.
    pub(crate) async fn verify(
        &self,
        key: &PublicKey,
        accepted: Option<&AcceptedHostKey>,
    ) -> Result<()> {
        let offered = fingerprint(key);
        if self
            .on_record
            .revoked
            .iter()
            .any(|revoked| same_key(revoked, key))
        {
            return Err(Error::HostKeyRevoked(Box::new(self.facts(key))));
        }
        if self.on_record.keys.iter().any(|r| same_key(&r.key, key)) {
            return Ok(());
        }
        if !self.on_record.keys.is_empty() {
            return Err(Error::HostKeyChanged(Box::new(self.facts(key))));
        }
        let accepted_here = accepted.is_some_and(|a| {
            a.host.eq_ignore_ascii_case(&self.host)
                && a.port == self.port
                && a.fingerprint == offered
        });
        if !accepted_here {
            return Err(Error::HostKeyUnknown(Box::new(self.facts(key))));
        }
        let name = known_hosts::recorded_name(&self.host, self.port);
        let line = known_hosts::line_for(&name, key)
            .ok_or_else(|| Error::Internal("the host key could not be written out".to_owned()))?;
        let file = self.files.berth.clone();
        tokio::task::spawn_blocking(move || append_line(&file, &line))
            .await
            .map_err(|err| Error::Internal(format!("saving the host key: {err}")))?
            .map_err(|err| {
                Error::Internal(format!(
                    "the host key could not be saved in {}: {err}",
                    self.files.berth.display()
                ))
            })
    }

    fn facts(&self, offered: &PublicKey) -> HostKeyFacts {
        let name = known_hosts::recorded_name(&self.host, self.port);
        HostKeyFacts {
            hop: self.hop,
            host: self.host.clone(),
            port: self.port,
            offered: key_fingerprint(offered),
            known: self
                .on_record
                .keys
                .iter()
                .map(|record| {
                    let berths_own = record.file == self.files.berth;
                    KnownHostKey {
                        key: key_fingerprint(&record.key),
                        file: record.file.display().to_string(),
                        line: record.line,
                        berths_own,
                        forget_command: (!berths_own).then(|| forget_command(&name, &record.file)),
                    }
                })
                .collect(),
        }
    }
}

/// Removes the keys Berth's own file records for `host:port`, so the host is a first
/// connection again; returns how many went. The OpenSSH files are the user's to change (see
/// [`KnownHostKey::forget_command`]).
pub async fn forget_host_key(files: &KnownHostsFiles, host: &str, port: u16) -> Result<u32> {
    let file = files.berth.clone();
    let name = known_hosts::recorded_name(host, port);
    let forgotten = tokio::task::spawn_blocking(move || -> std::io::Result<u32> {
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(err) => return Err(err),
        };
        let (kept, removed) = known_hosts::without(&text, &name);
        if removed > 0 {
            crate::files::write_atomically(&file, kept.as_bytes())?;
        }
        Ok(removed)
    })
    .await
    .map_err(|err| Error::Internal(format!("forgetting the host key: {err}")))?;
    forgotten.map_err(|err| {
        Error::Internal(format!(
            "the host key could not be removed from {}: {err}",
            files.berth.display()
        ))
    })
}

pub(crate) fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

fn key_fingerprint(key: &PublicKey) -> KeyFingerprint {
    KeyFingerprint {
        key_type: key_type(&key.algorithm()),
        fingerprint: fingerprint(key),
    }
}

/// The key's type as known_hosts writes it (`ssh-rsa` for every RSA key).
fn key_type(algorithm: &Algorithm) -> String {
    match algorithm {
        Algorithm::Rsa { .. } => "ssh-rsa".to_owned(),
        Algorithm::Ecdsa {
            curve: EcdsaCurve::NistP256,
        } => "ecdsa-sha2-nistp256".to_owned(),
        other => other.as_str().to_owned(),
    }
}

/// Keys are the same when their key data is: a comment does not make another key.
fn same_key(a: &PublicKey, b: &PublicKey) -> bool {
    a.key_data() == b.key_data()
}

/// What removes a key from an OpenSSH file; the name is quoted because of `[host]:port`.
fn forget_command(name: &str, file: &Path) -> String {
    let quote = |text: &str| format!("'{}'", text.replace('\'', r"'\''"));
    format!(
        "ssh-keygen -R {} -f {}",
        quote(name),
        quote(&file.display().to_string())
    )
}

fn append_line(file: &PathBuf, line: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder)?;
    }
    // A file whose last line has no newline would swallow ours into it.
    let needs_newline = std::fs::read(file)
        .map(|bytes| bytes.last().is_some_and(|&b| b != b'\n'))
        .unwrap_or(false);
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(file)?;
    if needs_newline {
        out.write_all(b"\n")?;
    }
    out.write_all(format!("{line}\n").as_bytes())?;
    out.sync_all()
}
